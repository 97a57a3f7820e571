package datastar.wow.deacon.cluster;

import clojure.lang.Keyword;
import clojure.lang.PersistentVector;
import datastar.wow.deacon.Appended;
import datastar.wow.deacon.KeyPattern;
import datastar.wow.deacon.Shown;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sends, broadcasts and appends. Each checks and encodes its message on the caller's thread (a
 * payload that is not data, or too large, throws there and nothing is sent), then makes one call
 * to Redis and returns: a send is one {@code EVALSHA} of {@link Scripts#SEND}, which publishes to
 * every live holder of the key but this node; a broadcast is one {@code PUBLISH} to {@code P:all};
 * an append is one {@code EVALSHA} of {@link Scripts#APPEND}, which adds the events to the key's
 * log and publishes them to every live holder of the key, this node included.
 */
final class Outbox {
  private static final Keyword KEY = Keyword.intern("key");
  private static final Keyword PATTERN = Keyword.intern("pattern");
  private static final byte[] YES = {'1'};
  private static final byte[] NO = {'0'};

  private final Context context;
  private final BooleanSupplier ready;
  private final Inbox inbox;
  private final Sequencer sequencer;
  private final byte[] self;
  private final byte[] channelPrefix;
  /**
   * Whether this node holds a stream under a key now: its append is kept even before the
   * directory has its registration (a push made while the stream is being stored).
   */
  volatile Predicate<Object> holdsHere = key -> false;

  /** Runs a publish on the backplane's thread, after the directory writes asked for before it. */
  @FunctionalInterface
  interface Sequencer {
    /**
     * Queues {@code publish} on the backplane's thread.
     *
     * @return false when the backplane is closed: the publish will not run
     */
    boolean publish(Runnable publish);
  }

  Outbox(Context context, BooleanSupplier ready, Inbox inbox, Sequencer sequencer) {
    this.context = context;
    this.ready = ready;
    this.inbox = inbox;
    this.sequencer = sequencer;
    this.self = Directory.bytes(context.names.self);
    this.channelPrefix = Directory.bytes(context.names.channelPrefix);
  }

  CompletionStage<Integer> send(Object key, Object payload) {
    String canonical = oneKey(key);
    byte[] message =
        Message.encode(context.names.self, Message.toKey(canonical), payload, context.settings.maxMessageBytes);
    if (!ready.getAsBoolean()) return notConnected(BackplaneException.SEND, key);
    return nodes(
        () ->
            context
                .link
                .eval(
                    Scripts.SEND,
                    new String[] {context.names.nodes, context.names.holders(canonical)},
                    self,
                    message,
                    channelPrefix)
                .thenApply(sent -> (Long) sent),
        BackplaneException.SEND,
        key);
  }

  private String oneKey(Object key) {
    if (KeyPattern.hasWildcard(key)) {
      throw new InvalidPayloadException(
          KEY, PersistentVector.EMPTY, key, "holds :*, a pattern: send goes to one key, broadcast"
              + " takes patterns");
    }
    return EdnWriter.canonicalKey(key, context.settings.maxMessageBytes);
  }

  /**
   * Appends {@code events} to the log of {@code key} and publishes them to its holders.
   *
   * @return completes with the ids given and the id before them (none given: no node holds the
   *     key or held it within the window, or the token was appended before)
   */
  CompletionStage<Appended> append(Object key, List<Object> events, @Nullable String token) {
    String canonical = oneKey(key);
    int max = context.settings.maxMessageBytes;
    byte[][] args = new byte[7 + events.size()][];
    args[0] = self;
    args[1] = Directory.bytes(canonical);
    args[2] = Directory.bytes(Integer.toString(context.history.events));
    args[3] = context.history.windowArg();
    args[4] = channelPrefix;
    args[5] = Directory.bytes(token == null ? "" : token);
    args[6] = holdsHere.test(key) ? YES : NO;
    long size = 96L + self.length + args[1].length;
    for (int i = 0; i < events.size(); i++) {
      StringBuilder edn = new StringBuilder();
      try {
        EdnWriter.write(edn, events.get(i), EdnWriter.PAYLOAD, max);
      } catch (EdnWriter.TooLarge e) {
        throw Message.tooLarge(events, "more than", max);
      }
      args[7 + i] = Directory.bytes(edn.toString());
      size += args[7 + i].length + 32; // and its id
    }
    if (size > max) throw Message.tooLarge(events, "about " + size, max);
    if (!ready.getAsBoolean()) return notConnected(BackplaneException.SEND, key);
    RedisNames names = context.names;
    String[] keys = {
      names.nodes,
      names.holders(canonical),
      names.events(canonical),
      names.recent(canonical),
      names.top,
      names.once(token == null ? "-" : token, canonical)
    };
    return inOrder(() -> context.link.eval(Scripts.APPEND, keys, args).thenApply(Outbox::appended), BackplaneException.SEND, key);
  }

  /** The reply of {@link Scripts#APPEND}: {@code {previous-or-'', id, ...}}. */
  private static Appended appended(Object reply) {
    List<?> r = (List<?>) reply;
    if (r.isEmpty()) return Appended.nothing();
    List<String> ids = new ArrayList<>(r.size() - 1);
    for (int i = 1; i < r.size(); i++) ids.add(RedisLog.text(r.get(i)));
    String previous = RedisLog.text(r.get(0));
    return ids.isEmpty() ? Appended.nothing() : new Appended(ids, previous.isEmpty() ? null : previous);
  }

  CompletionStage<Integer> broadcast(Object pattern, Object payload) {
    byte[] message = broadcastMessage(pattern, payload, null);
    if (!ready.getAsBoolean()) return notConnected(BackplaneException.BROADCAST, pattern);
    // Redis counts this node among the receivers when it hears its own broadcasts
    return nodes(
        () ->
            context
                .link
                .publish(context.names.broadcast, message)
                .thenApply(receivers -> Math.max(0, receivers - (inbox.hearsBroadcasts() ? 1 : 0))),
        BackplaneException.BROADCAST,
        pattern);
  }

  /**
   * A push whose receivers render the payload for their keys matching {@code target} and append
   * it to the shared history with {@code token}: one {@code EVALSHA} of {@link Scripts#RELAY},
   * which keeps it in {@code P:bc} for the window (for the nodes cut off meanwhile) and publishes
   * it, with its place there, to every other node for a pattern, or to the other nodes holding (or
   * last holding) a key.
   *
   * @return completes with how many nodes it was published to
   */
  CompletionStage<Integer> relay(Object target, Object payload, String token) {
    boolean pattern = KeyPattern.hasWildcard(target);
    String canonical = pattern ? "" : oneKey(target);
    byte[] message = broadcastMessage(target, payload, token);
    if (!ready.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          failure(BackplaneException.SEND, target, ": not connected to Redis at " + context.settings.shownUri(), null));
    }
    RedisNames names = context.names;
    String[] keys = {names.broadcasts, names.nodes, names.holders(canonical), names.recent(canonical)};
    return inOrder(
        () ->
            context
                .link
                .eval(
                    Scripts.RELAY,
                    keys,
                    message,
                    Directory.bytes(names.broadcast),
                    channelPrefix,
                    self,
                    Directory.bytes(Integer.toString(MissedBroadcasts.KEPT)),
                    context.history.windowArg(),
                    Directory.bytes(pattern ? "pattern" : "key"))
                .thenApply(r -> ((Long) ((List<?>) r).get(1)).intValue()),
        BackplaneException.SEND,
        target);
  }

  private byte[] broadcastMessage(Object pattern, Object payload, @Nullable String token) {
    StringBuilder target = new StringBuilder();
    try {
      EdnWriter.write(target, pattern, PATTERN, context.settings.maxMessageBytes);
    } catch (EdnWriter.TooLarge e) {
      throw new InvalidPayloadException(
          PATTERN, PersistentVector.EMPTY, pattern, "prints larger than :max-message-bytes");
    }
    // a key's push travels as a pattern without :*, each receiver matching its own keys; room
    // for the place in P:bc the script adds
    String fields = Message.toPattern(target.toString());
    return Message.encode(
        context.names.self,
        token == null ? fields : Message.relayed(fields, token),
        payload,
        context.settings.maxMessageBytes - 40);
  }

  /**
   * How many nodes {@code call} reached, or its failure, reported as {@code op} to {@code target}.
   * The call is made on the backplane's thread, after the directory writes asked for before it.
   */
  private CompletionStage<Integer> nodes(Supplier<CompletableFuture<Long>> call, Keyword op, Object target) {
    return inOrder(() -> call.get().thenApply(Long::intValue), op, target);
  }

  /**
   * The result of {@code call}, or its failure, reported as {@code op} to {@code target}. The call
   * is made on the backplane's thread, after the directory writes asked for before it.
   */
  private <T> CompletionStage<T> inOrder(Supplier<CompletableFuture<T>> call, Keyword op, Object target) {
    CompletableFuture<T> result = new CompletableFuture<>();
    boolean queued =
        sequencer.publish(
            () -> {
              var unused =
                  call.get()
                      .whenComplete(
                          (value, error) -> {
                            if (error == null) result.complete(value);
                            else result.completeExceptionally(failure(op, target, " (" + RedisLink.message(error) + ")", error));
                          });
            });
    if (!queued) result.completeExceptionally(failure(op, target, ": the backplane is closed", null));
    return result;
  }

  private <T> CompletionStage<T> notConnected(Keyword op, Object target) {
    return CompletableFuture.failedFuture(
        failure(op, target, ": not connected to Redis at " + context.settings.shownUri(), null));
  }

  private BackplaneException failure(Keyword op, Object target, String why, @Nullable Throwable error) {
    return context.report.error(
        op,
        (op == BackplaneException.SEND ? "send to " : "broadcast to ") + Shown.key(target) + " failed" + why,
        error == null ? null : RedisLink.unwrap(error),
        BackplaneException.TARGET,
        target);
  }
}
