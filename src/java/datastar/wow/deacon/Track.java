package datastar.wow.deacon;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The history of one scoped key: its last events, oldest first, in a ring of a fixed size. Every
 * event written to the key's streams is recorded here first, and written under {@link #lock}, so
 * that the streams see the events in the order of their ids, and a stream resuming under the key
 * (which holds the lock while it replays and joins) misses none and sees none twice.
 */
final class Track {
  final ReentrantLock lock = new ReentrantLock();
  private final Event[] ring;
  private int start;
  private int size;
  /** When the key last had a stream here, in the history's clock. */
  private volatile long lastStream;
  /**
   * With a {@link SharedLog}: the id of the last event of the key's shared log written here, or
   * null when none is known yet; events up to it are not written again. Lock held.
   */
  @Nullable String lastShared;
  /**
   * With a {@link SharedLog}: whether {@link #lastShared} was read from the log (a null then means
   * the log was empty: every event of it is new here). Lock held.
   */
  boolean synced;

  Track(int capacity, long now) {
    this.ring = new Event[capacity];
    this.lastStream = now;
  }

  /**
   * The request that opened the key's latest stream here, or null: what a push outside any request
   * renders with when the key has no stream here any more (its tab is hidden).
   */
  volatile @Nullable Object lastRequest;

  /** The last streams that left the key here, each in a {@link WeakReference}; guarded by itself. */
  private final Object[] left = new Object[8];

  private int nextLeft;

  /** {@code conn} left the key: it is remembered for a while (see {@link #hadLeft}). */
  void left(Object conn) {
    synchronized (left) {
      left[nextLeft] = new WeakReference<>(conn);
      nextLeft = (nextLeft + 1) % left.length;
    }
  }

  /** Whether {@code conn} is one of the last streams that left the key here. */
  boolean hadLeft(Object conn) {
    synchronized (left) {
      for (Object ref : left) {
        if (ref != null && ((WeakReference<?>) ref).get() == conn) return true;
      }
      return false;
    }
  }

  /** The key has a stream here now. */
  void streamSeen(long now) {
    lastStream = now;
  }

  /** When the key last had a stream here. */
  long lastStream() {
    return lastStream;
  }

  /** Appends {@code e}, dropping the oldest event when the ring is full; call with the lock held. */
  void append(Event e) {
    if (size == ring.length) {
      ring[start] = e;
      start = (start + 1) % ring.length;
    } else {
      ring[(start + size) % ring.length] = e;
      size++;
    }
  }

  /** Forgets every event kept; lock held. The key's log moved on past what this node kept. */
  void clear() {
    Arrays.fill(ring, null);
    start = 0;
    size = 0;
  }

  /**
   * The events after the one with id {@code id}, oldest first, among those no older than {@code
   * oldest}; call with the lock held.
   *
   * @return the events after it (empty when it is the last), or null when no kept event has that
   *     id (it is unknown, or older than the history)
   */
  @Nullable List<Event> after(String id, long oldest) {
    for (int i = 0; i < size; i++) {
      Event e = ring[(start + i) % ring.length];
      if (e.at < oldest) continue;
      if (!e.id.equals(id)) continue;
      List<Event> out = new ArrayList<>(size - i - 1);
      for (int j = i + 1; j < size; j++) out.add(ring[(start + j) % ring.length]);
      return out;
    }
    return null;
  }

  /** Whether an event with id {@code id}, no older than {@code oldest}, is kept; lock held. */
  boolean holds(String id, long oldest) {
    return after(id, oldest) != null;
  }
}
