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
import java.util.function.BiConsumer;
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

  /** Renders a push's events for its keys: what the log keeps, for each key. */
  @FunctionalInterface
  interface Render {
    Map<Object, List<Object>> events(List<Object> keys);
  }

  /** A token for one push that several nodes append: the log keeps its events once per key. */
  static String token() {
    return Long.toString(TOKENS.nextLong() & Long.MAX_VALUE, 36);
  }

  /**
   * One push: rendered for the keys here that hold a stream or held one within the window; made
   * here, relayed to the other nodes it is for, each of which renders it for its own keys; then
   * appended here to the keys' logs with the push's token. The relay and the appends leave on one
   * connection, in that order, so the pushing node's appends reach the log before any other
   * node's, and the log keeps its rendering for the keys it holds.
   *
   * @param render renders the events for the keys
   * @param report told of each failure to reach the log
   * @return how many streams here the events are for
   * @throws InvalidInputException when the message, key or pattern is not data: nothing was sent
   *     (the effects ran here, their events were dropped)
   */
  int push(Push push, Render render, Consumer<Throwable> report) {
    String token = push.token != null ? push.token : token();
    List<Object> keys = replay.keysFor(push.target, push.here);
    Map<Object, List<Object>> events = keys.isEmpty() ? Map.of() : render.events(keys);
    if (push.token == null) relay(push.target, push.message, token, report);
    if (peers.connected()) {
      append(events, token, report);
    } else {
      // cut off (the relay failed and said so): the streams here get the events, with ids of this
      // store's own
      for (Map.Entry<Object, List<Object>> e : events.entrySet()) replay.sendHere(e.getKey(), e.getValue());
    }
    return push.here.size();
  }

  /**
   * Relays {@code message} to the other nodes it is for (see {@link SharedLog#relay}), which
   * render it for their keys and append the result with {@code token}; does not wait.
   *
   * @throws InvalidInputException when the message, key or pattern is not data: nothing was sent
   */
  void relay(Object keyOrPattern, Object message, String token, Consumer<Throwable> report) {
    log.relay(keyOrPattern, message, token)
        .whenComplete(
            (nodes, failure) -> {
              if (failure != null) report.accept(failure);
            });
  }

  /**
   * Appends each key's events to its log, waiting for the log, then writes what was kept to the
   * key's streams here at once, with the ids the log gave (the copies the log publishes to this
   * node are then dropped as already written). A key whose append failed gets them here only,
   * with ids of the store's own, and the failure is reported.
   */
  private void append(Map<Object, List<Object>> events, String token, Consumer<Throwable> report) {
    Map<Object, CompletionStage<Appended>> appends = new LinkedHashMap<>();
    for (Map.Entry<Object, List<Object>> e : events.entrySet()) {
      // an empty rendering is appended too: it claims the token, and the key's streams everywhere
      // get what this node rendered, nothing, rather than another node's rendering, later
      appends.put(e.getKey(), log.append(e.getKey(), data(e.getValue()), token));
    }
    awaitEach(
        appends,
        (key, done) -> appended(key, done, data(events.get(key))),
        (key, failure) -> {
          replay.sendHere(key, events.get(key));
          report.accept(failure);
        });
  }

  /** What the log kept of {@code written}, with the ids it gave, goes to the key's streams here. */
  private void appended(Object key, Appended done, List<Object> written) {
    List<LogEntry> entries = new ArrayList<>(done.ids().size());
    for (int i = 0; i < done.ids().size() && i < written.size(); i++) {
      entries.add(new LogEntry(done.ids().get(i), written.get(i)));
    }
    if (!entries.isEmpty()) arrived(key, done.previous(), entries);
  }

  /** Waits for each key's stage in turn, and hands {@code done} its value or {@code failed} its failure. */
  private <T> void awaitEach(
      Map<Object, CompletionStage<T>> stages, BiConsumer<Object, T> done, BiConsumer<Object, Exception> failed) {
    for (Map.Entry<Object, CompletionStage<T>> stage : stages.entrySet()) {
      T value;
      try {
        value = await(stage.getValue());
      } catch (Exception failure) {
        failed.accept(stage.getKey(), failure);
        continue;
      }
      done.accept(stage.getKey(), value);
    }
  }

  /** Events as the log carries them. */
  private static List<Object> data(List<Object> events) {
    List<Object> data = new ArrayList<>(events.size());
    for (Object e : events) data.add(e instanceof Event.Rendered ? ((Event.Rendered) e).toData() : e);
    return data;
  }

  /** See {@link LocalNode#arrived}. */
  void arrived(Object key, @Nullable String previous, List<LogEntry> entries) {
    Track t = replay.track(key);
    t.lock.lock();
    try {
      List<LogEntry> todo = entries;
      if (missedBefore(t, previous)) {
        LogRange missed = readQuietly(key, t.lastShared, t.lastShared == null);
        if (missed != null && missed.found()) {
          todo = missed.entries();
        } else if (missed != null) {
          lost(t, key); // it wrote what the log holds, these included
          todo = List.of();
        }
      }
      absorb(t, key, todo);
    } finally {
      t.lock.unlock();
    }
  }

  /**
   * Whether events came between the last one written here and an arriving one whose previous is
   * {@code previous}: this node missed them. Lock held.
   */
  private boolean missedBefore(Track t, @Nullable String previous) {
    if (previous == null) return false;
    String last = t.lastShared;
    return last != null ? log.compare(previous, last) > 0 : t.synced;
  }

  /** See {@link LocalNode#catchUp}: one read of the log per key, all asked at once. */
  void catchUp(Collection<Object> keys) {
    Map<Object, String> from = new LinkedHashMap<>();
    Map<Object, CompletionStage<LogRange>> reads = new LinkedHashMap<>();
    for (Object key : keys) {
      Track t = replay.existing(key);
      if (t == null) continue;
      String last;
      boolean synced;
      t.lock.lock();
      try {
        last = t.lastShared;
        synced = t.synced;
      } finally {
        t.lock.unlock();
      }
      if (last == null && !synced) continue;
      from.put(key, last);
      reads.put(key, last == null ? log.all(key) : log.after(key, last));
    }
    awaitEach(
        reads,
        (key, range) -> caughtUp(key, range, from.get(key)),
        (key, failure) ->
            Log.error(
                "datastar.wow.deacon: catching up key " + Shown.key(key) + " from the shared history failed",
                failure));
  }

  /** The log's answer to a catch-up read of {@code key} after {@code from}. */
  private void caughtUp(Object key, LogRange range, @Nullable String from) {
    Track t = replay.track(key);
    t.lock.lock();
    try {
      if (range.found()) absorb(t, key, range.entries());
      else if (Objects.equals(t.lastShared, from)) lost(t, key);
    } finally {
      t.lock.unlock();
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
    LogRange range = readQuietly(key, from == null && t.synced ? null : from, from == null && t.synced);
    if (range == null) return;
    if (!range.found()) lost(t, key);
    else if (from == null && !t.synced) t.lastShared = range.last();
    else absorb(t, key, range.entries());
    t.synced = true;
  }

  /**
   * The events after {@code id}, an id the ring does not hold (the tab comes from another node),
   * read from the log; those this node had not written yet are written to the key's streams here
   * too. Lock held.
   *
   * @return the events, oldest first, or null when the log does not hold {@code id}
   */
  @Nullable List<Event> after(Track t, Object key, String id) {
    LogRange range = readQuietly(key, id, false);
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
      t.synced = true;
      Event event = decode(key, e);
      if (event == null) continue;
      t.append(event);
      replay.writeHere(key, event);
    }
  }

  /**
   * The log no longer holds the last event written here (it was trimmed past it, or Redis lost
   * its data): what came between is lost to this node. Its ring is cleared, so that no tab is
   * caught up across the hole (it gets the full state), and what the log holds now, all of it
   * after the hole, is written here. Lock held.
   */
  private void lost(Track t, Object key) {
    if (t.lastShared != null) {
      Log.warn(
          "datastar.wow.deacon: events of key " + Shown.key(key) + " left the shared history before"
              + " this node read them; tabs coming back under it start afresh");
    }
    t.clear();
    t.lastShared = null;
    t.synced = true;
    LogRange now = readQuietly(key, null, true);
    if (now != null && now.found()) absorb(t, key, now.entries());
  }

  private @Nullable Event decode(Object key, LogEntry e) {
    Object payload = replay.fromData(e.event());
    if (payload != null) return replay.event(e.id(), payload);
    Log.error(
        "datastar.wow.deacon: an event of key " + Shown.key(key) + " in the shared history is not"
            + " an event this store writes; it was skipped");
    return null;
  }

  /** The log of {@code key} after {@code id}, or all of it; null when it cannot be read. */
  private @Nullable LogRange readQuietly(Object key, @Nullable String id, boolean all) {
    try {
      return await(all ? log.all(key) : log.after(key, id));
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
