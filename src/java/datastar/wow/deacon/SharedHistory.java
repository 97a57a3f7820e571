package datastar.wow.deacon;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Replay} whose history is a cluster's {@link SharedLog}. Events go to the log, which gives
 * their ids and carries them to every node holding the key, this one included; they are written to
 * the streams here when they arrive, in the log's order, once each: a key's {@link Track} keeps the
 * last id written ({@link Track#lastShared}), and an event at or before it is not written again.
 * The track's ring mirrors the log for the keys held here, so a tab coming back here is caught up
 * without asking the log; one coming from another node (an id the ring lacks) is caught up from the
 * log.
 *
 * <p>When the log cannot be reached (the node is cut off), events go to this node's streams only,
 * with ids of the store's own, and the failure is reported; on its return, the node reads what the
 * others logged meanwhile ({@link #catchUp}).
 */
final class SharedHistory {
  private static final SecureRandom TOKENS = new SecureRandom();

  private final Replay replay;
  private final SharedLog log;
  private final Peers peers;

  SharedHistory(Replay replay, SharedLog log, Peers peers) {
    this.replay = replay;
    this.log = log;
    this.peers = peers;
  }

  /** Renders a push's events for its keys: what the log keeps, one list for all the keys. */
  @FunctionalInterface
  interface Render {
    List<Object> events(List<Object> keys);
  }

  /** A token for one push that several nodes append: the log keeps its events once per key. */
  static String token() {
    return Long.toString(TOKENS.nextLong() & Long.MAX_VALUE, 36);
  }

  /**
   * One push: for a pattern sent from here, first the message to every node (each renders it for
   * its own keys); then the events, rendered once, appended to the log of each key here ({@code
   * push.target} itself for a key pushed from here).
   *
   * @param render renders the events for the keys
   * @param report told of each failure to reach the log
   * @return how many streams here the events are for
   * @throws InvalidInputException when a pattern's message is not data: nothing was sent
   */
  int push(Push push, Render render, Consumer<Throwable> report) {
    boolean pattern = KeyPattern.hasWildcard(push.target);
    String token = push.token;
    if (pattern && token == null) token = broadcast(push.target, push.message, report);
    // a broadcast is for the keys here; a key's own push, for its log wherever it is held
    List<Object> keys =
        pattern || push.token != null ? replay.keysFor(push.target, push.here) : List.of(push.target);
    if (keys.isEmpty()) return 0;
    List<Object> events = render.events(keys);
    if (!events.isEmpty()) append(keys, events, token, report);
    return push.here.size();
  }

  /**
   * Sends {@code message} to every node, which renders it for its keys matching {@code
   * keyOrPattern} and appends the result: a pattern's push, or a send from a node that cannot
   * render. Waits for the log.
   *
   * @return the token the nodes append with; one of this node's own when the log failed (reported)
   * @throws InvalidInputException when the pattern or the message is not data: nothing was sent
   */
  String broadcast(Object keyOrPattern, Object message, Consumer<Throwable> report) {
    CompletionStage<String> sent = log.broadcast(keyOrPattern, message);
    try {
      return await(sent);
    } catch (Exception failure) {
      report.accept(failure);
      return token();
    }
  }

  /**
   * Appends {@code events} to each key's log, waiting for the log; a key whose append failed gets
   * them here only, with ids of the store's own, and the failure is reported.
   */
  private void append(List<Object> keys, List<Object> events, @Nullable String token, Consumer<Throwable> report) {
    List<Object> data = new ArrayList<>(events.size());
    for (Object e : events) data.add(e instanceof Event.Rendered ? ((Event.Rendered) e).toData() : e);
    Map<Object, CompletionStage<Integer>> appends = new LinkedHashMap<>();
    for (Object key : keys) appends.put(key, log.append(key, data, token));
    for (Map.Entry<Object, CompletionStage<Integer>> a : appends.entrySet()) {
      try {
        await(a.getValue());
      } catch (Exception failure) {
        replay.sendHere(a.getKey(), events);
        report.accept(failure);
      }
    }
  }

  /** See {@link LocalNode#arrived}. */
  void arrived(Object key, @Nullable String previous, List<LogEntry> entries) {
    Track t = replay.track(key);
    t.lock.lock();
    try {
      List<LogEntry> todo = entries;
      String last = t.lastShared;
      if (last != null && previous != null && log.compare(previous, last) > 0) {
        LogRange missed = readQuietly(key, last);
        if (missed != null && missed.found()) {
          todo = missed.entries();
        } else if (missed != null) {
          lost(t, key, missed);
        }
      }
      absorb(t, key, todo);
    } finally {
      t.lock.unlock();
    }
  }

  /** See {@link LocalNode#catchUp}: one read of the log per key, all asked at once. */
  void catchUp(Collection<Object> keys) {
    Map<Object, String> from = new LinkedHashMap<>();
    Map<Object, CompletionStage<LogRange>> reads = new LinkedHashMap<>();
    for (Object key : keys) {
      Track t = replay.existing(key);
      if (t == null) continue;
      String last;
      t.lock.lock();
      try {
        last = t.lastShared;
      } finally {
        t.lock.unlock();
      }
      if (last == null) continue;
      from.put(key, last);
      reads.put(key, log.after(key, last));
    }
    for (Map.Entry<Object, CompletionStage<LogRange>> read : reads.entrySet()) {
      Object key = read.getKey();
      LogRange range;
      try {
        range = await(read.getValue());
      } catch (Exception e) {
        Log.error("datastar.wow.deacon: catching up key " + Shown.key(key) + " from the shared history failed", e);
        continue;
      }
      Track t = replay.track(key);
      t.lock.lock();
      try {
        if (range.found()) absorb(t, key, range.entries());
        else if (Objects.equals(t.lastShared, from.get(key))) lost(t, key, range);
      } finally {
        t.lock.unlock();
      }
    }
  }

  /**
   * Brings {@code t} up to date with the key's log, before a stream opens under the key; lock
   * held. Events the node missed while it held no stream under the key are kept (and written to
   * the key's streams here, if any); with no id known yet, the log's last id becomes the point
   * from which events are written here.
   */
  void sync(Track t, Object key) {
    String from = t.lastShared;
    LogRange range = readQuietly(key, from);
    if (range == null) return;
    if (!range.found()) lost(t, key, range);
    else if (from == null) t.lastShared = range.last();
    else absorb(t, key, range.entries());
  }

  /**
   * The events after {@code id}, an id the ring does not hold (the tab comes from another node),
   * read from the log; those this node had not written yet are written to the key's streams here
   * too. Lock held.
   *
   * @return the events, oldest first, or null when the log does not hold {@code id}
   */
  @Nullable List<Event> after(Track t, Object key, String id) {
    LogRange range = readQuietly(key, id);
    if (range == null || !range.found()) return null;
    List<Event> events = new ArrayList<>(range.entries().size());
    for (LogEntry e : range.entries()) {
      Event event = decode(key, e);
      if (event != null) events.add(event);
    }
    absorb(t, key, range.entries());
    return events;
  }

  /** Whether the log still holds {@code id}: false when it cannot be asked. */
  boolean holds(Object key, String id) {
    try {
      return Boolean.TRUE.equals(await(log.holds(key, id)));
    } catch (Exception e) {
      return false;
    }
  }

  /** Writes the entries after {@link Track#lastShared} to the key's streams here, keeping them; lock held. */
  private void absorb(Track t, Object key, List<LogEntry> entries) {
    for (LogEntry e : entries) {
      String last = t.lastShared;
      if (last != null && log.compare(e.id(), last) <= 0) continue;
      t.lastShared = e.id();
      Event event = decode(key, e);
      if (event == null) continue;
      t.append(event);
      replay.writeHere(key, event);
    }
  }

  /**
   * The log no longer holds the last event written here: what came between is lost to this node.
   * Its ring is cleared, so that no tab is caught up across the hole (it gets the full state).
   */
  private static void lost(Track t, Object key, LogRange range) {
    if (t.lastShared != null) {
      Log.warn(
          "datastar.wow.deacon: events of key " + Shown.key(key) + " left the shared history before"
              + " this node read them; tabs coming back under it start afresh");
    }
    t.clear();
    t.lastShared = range.last();
  }

  private @Nullable Event decode(Object key, LogEntry e) {
    Object payload = replay.fromData(e.event());
    if (payload != null) return replay.event(e.id(), payload);
    Log.error(
        "datastar.wow.deacon: an event of key " + Shown.key(key) + " in the shared history is not"
            + " an event this store writes; it was skipped");
    return null;
  }

  private @Nullable LogRange readQuietly(Object key, @Nullable String id) {
    try {
      return await(log.after(key, id));
    } catch (Exception e) {
      return null;
    }
  }

  private <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(peers.timeout().toMillis() + 50, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    } catch (TimeoutException e) {
      throw e;
    }
  }
}
