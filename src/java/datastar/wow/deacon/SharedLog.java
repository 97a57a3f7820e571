package datastar.wow.deacon;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * One history per key, shared by the nodes of a cluster: what a store with replay keeps in place
 * of a history of its own once it joins a cluster whose {@link Peers#log()} offers one. The
 * pushing node renders a push for its own keys and appends it with a token of its own, then
 * relays it to the other nodes it is for ({@link #relay}); each of them renders it for its own
 * keys, as without replay, and appends what it rendered with the same token: the log keeps the
 * first append of a token to a key (the pushing node's, for the keys it holds) and drops the
 * others. The log gives each event its
 * id, so that ids are ordered per key and unique across the cluster, keeps each key's last events,
 * and carries them to every node holding the key, the appending node included, through {@link
 * LocalNode#arrived}. A tab that drops on one node and comes back on another with its {@code
 * last-event-id} so gets what it missed there.
 *
 * <p>The store calls these methods; a plug-in implements them. The library's own, over Redis
 * Streams, is made by {@code datastar.wow.deacon.cluster.ClusterSettings}. Every method may be
 * called from any thread, returns at once (or within {@link Peers#timeout()} for the stages), and
 * fails its stage rather than throwing when the log cannot be reached.
 *
 * <h2>Events</h2>
 *
 * An event is plain data: the rendered SSE event as a vector {@code [type data-lines
 * retry-or-nil]} for a store that renders with the Datastar SDK, or the message itself for a store
 * with a {@link ConnectionWriter}.
 *
 * <h2>Tokens</h2>
 *
 * Every node that renders a push appends with the push's token, even when it rendered nothing for
 * a key: the log keeps the events of one token for one key once, however many nodes append them,
 * and the first append decides.
 */
public interface SharedLog {
  /**
   * Appends {@code events} to the log of {@code key}, in order, and carries them to every live
   * node holding {@code key}, this one included, unless the key has no stream anywhere and had
   * none within the history's window (then nothing is kept or carried).
   *
   * @param key a key, without {@code :*}
   * @param events the events, as plain data (see above); none, with a token, claims the token for
   *     the key: a node whose rendering of a push is empty so keeps the others' out of the log
   * @param token null, or the token that makes a second append of these events to this key a
   *     no-op
   * @return completes with the ids given and the id before them ({@link Appended#nothing()} when
   *     none was kept), or fails
   * @throws InvalidInputException when the key or an event is not data the log can carry; nothing
   *     was appended
   */
  CompletionStage<Appended> append(Object key, List<Object> events, @Nullable String token);

  /**
   * Reads the log of {@code key} after the event with id {@code id}.
   *
   * @param key a key
   * @param id an id, or null to learn only the log's last id
   * @return completes with the events after {@code id} (not found when the log no longer holds
   *     it, or never did), or fails
   */
  CompletionStage<LogRange> after(Object key, @Nullable String id);

  /**
   * Reads every event the log of {@code key} holds within the window: what a node whose history of
   * the key started with an empty log reads when it finds it missed the first events.
   *
   * @param key a key
   * @return completes with the events, oldest first ({@link LogRange#found()} true), or fails
   */
  CompletionStage<LogRange> all(Object key);

  /**
   * Tells whether the log of {@code key} still holds the event with id {@code id}, within the
   * history's window, without reading the events after it.
   *
   * @param key a key
   * @param id an id a tab sent back
   * @return completes with the answer, or fails
   */
  CompletionStage<Boolean> holds(Object key, String id);

  /**
   * Orders two ids of this log (never ids of a store's own history).
   *
   * @param a an id this log gave
   * @param b another id this log gave
   * @return negative, zero or positive as {@code a} comes before, is, or comes after {@code b}
   */
  int compare(String a, String b);

  /**
   * Sends {@code message} to the other nodes it is for, each of which renders it for its own keys
   * matching {@code keyOrPattern} (those with a stream there, and those that had one within the
   * window) and appends the result with {@code token}: for a pattern, every node; for a key, the
   * nodes holding it, or, when none does, the node that held it last within the window. The log
   * keeps the message for the window, so that a node cut off meanwhile renders it when it is back.
   * The sender renders for its own keys itself, before.
   *
   * @param keyOrPattern a key pattern, or a key
   * @param message plain data, e.g. a vector of datastar.wow actions
   * @param token the token the nodes append with
   * @return completes with how many other nodes it was sent to, or fails
   * @throws InvalidInputException when the key, the pattern or the message is not data; nothing
   *     was sent
   */
  CompletionStage<Integer> relay(Object keyOrPattern, Object message, String token);
}
