package datastar.wow.deacon;

import clojure.lang.IFn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Several streams seen as one, so that a delivery to many streams renders each event once. The
 * {@code datastar.wow.deacon} namespace extends the Datastar SDK's {@code SSEGenerator} protocol
 * to this class when the SDK is on the classpath; a send on a group then hands the event, rendered
 * once, to each member's own {@code send-event!} (under that member's own lock, with its own write
 * profile). A member whose send answers false is closed: it is reported once to {@code onDead} and
 * skipped from then on. One group serves one delivery, on one thread.
 *
 * <p>With a {@link Replay}, each event is recorded in the history of each key the delivery is for,
 * with an id of that key, and written to the key's streams as they are at that moment (read again
 * under the key's lock, so that a stream that resumed meanwhile gets it, once): a key with no
 * stream open still records it, for the tab that comes back. With a {@link SharedLog}, the group
 * has no member: it keeps the events, which go to the log once the delivery's dispatch is done.
 *
 * <p>The namespace calls the methods below; an app has no use for them.
 */
public final class StreamGroup {
  private final List<Object> members;
  private final List<Object> keys;
  private final @Nullable Replay replay;
  private final Set<Object> dead = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Consumer<Object> onDead;
  private final ReentrantLock lock = new ReentrantLock();
  /** With a shared history: the events sent on the group, kept for the log instead of written. */
  private @Nullable List<Object> collected;

  /**
   * Makes the group of one delivery.
   *
   * @param targets the {@code [key connection]} pairs it writes to, each stream once
   * @param keys with replay, the keys whose histories record each event
   * @param replay the store's history, or null
   * @param onDead told of each member whose send answered false
   */
  StreamGroup(
      List<Map.Entry<Object, Object>> targets, List<Object> keys, @Nullable Replay replay, Consumer<Object> onDead) {
    this.members = new ArrayList<>(targets.size());
    for (Map.Entry<Object, Object> t : targets) members.add(t.getValue());
    this.keys = keys;
    this.replay = replay;
    this.onDead = onDead;
  }

  /**
   * Makes a group with no member that keeps each event sent on it (see {@link #collected}) and
   * writes none: the events of a push to {@code keys}, for a {@link SharedLog}.
   */
  static StreamGroup collecting(List<Object> keys) {
    StreamGroup group = new StreamGroup(List.of(), keys, null, member -> {});
    group.collected = new ArrayList<>();
    return group;
  }

  /** The first key the group's events are for. */
  Object firstKey() {
    return keys.get(0);
  }

  /** The events sent on a collecting group, rendered, in order: for a {@link SharedLog}. */
  List<Object> collected() {
    List<Object> c = collected;
    return c == null ? List.of() : c;
  }

  /**
   * Tells whether a send on a group works here: the SDK's {@code SSEGenerator} protocol is loaded
   * and extended to this class. Asked once per delivery.
   */
  static boolean sdkExtended() {
    return Sdk.extendedTo(StreamGroup.class);
  }

  /**
   * Sends one event, as the SDK's {@code send-event!} on the group: to every live member, or, with
   * replay, recorded and written with an id of each key.
   *
   * @param send the SDK's {@code send-event!}, called with each member
   * @param type the event's type
   * @param lines its data lines
   * @param opts its options: the id, written from {@code :d*.sse/id}, and the retry duration
   * @return true when at least one member was written
   */
  public boolean sendEvent(IFn send, Object type, Object lines, Object opts) {
    Event.Rendered event = new Event.Rendered(type, lines, Replay.retryOf(opts));
    List<Object> c = collected;
    if (c != null) {
      c.add(event);
      return true;
    }
    boolean any = false;
    if (replay == null) {
      for (Object member : members) any |= write(send, member, event, opts);
      return any;
    }
    for (Object key : keys) any |= recorded(key, event, opts, send);
    return any;
  }

  /** The event sent to {@code key}: recorded with an id, then written to the key's streams. */
  private boolean recorded(Object key, Event.Rendered event, Object opts, IFn send) {
    Replay r = replay;
    Track t = r == null ? null : r.recording(key, !r.streams(key).isEmpty());
    if (r == null || t == null) return false;
    t.lock.lock();
    try {
      Event e = r.record(t, event);
      Object stamped = Replay.withId(opts, e);
      boolean any = false;
      for (Object stream : r.streams(key)) any |= write(send, stream, event, stamped);
      return any;
    } finally {
      t.lock.unlock();
    }
  }

  private boolean write(IFn send, Object member, Event.Rendered event, @Nullable Object opts) {
    if (dead.contains(member)) return false;
    if (event.sendTo(send, member, opts)) return true;
    dead.add(member);
    onDead.accept(member);
    return false;
  }

  /**
   * Closes every live member.
   *
   * @param close called with each live member
   * @return true when at least one member closed
   */
  public boolean closeEach(IFn close) {
    boolean any = false;
    for (Object member : members) {
      if (!dead.contains(member) && !Boolean.FALSE.equals(close.invoke(member))) any = true;
    }
    return any;
  }

  /**
   * Gives the lock a send on the group may hold; each member's own lock is taken by its send.
   *
   * @return a lock of this group's own
   */
  public ReentrantLock lock() {
    return lock;
  }

  /** Whether {@code member} may still be written: false once its send answered false. */
  boolean live(Object member) {
    return !dead.contains(member);
  }

  @Override
  public String toString() {
    return "#datastar.wow.deacon/stream-group[" + members.size() + " streams]";
  }
}
