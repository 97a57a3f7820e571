package datastar.wow.deacon.impl;

import clojure.lang.IFn;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Several streams seen as one, so that a fan-out or broadcast renders each event once: the {@code
 * datastar.wow.deacon} namespace extends the Datastar SDK's {@code SSEGenerator} protocol to this
 * class when the SDK is on the classpath, and a send on it hands the rendered event to each
 * target's own {@code send-event!} (under that target's own lock, with its own write profile). A
 * target whose send answers false is closed: it is reported once to {@code onDead} and skipped
 * from then on. Used for one fan-out at a time, on one thread.
 */
public final class Fanout {
  private static volatile boolean sdk;

  private final List<Object> targets;
  private final Set<Object> dead = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Consumer<Object> onDead;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * Makes a composite stream.
   *
   * @param targets the streams, each once
   * @param onDead told of each target whose send answered false
   */
  public Fanout(List<Object> targets, Consumer<Object> onDead) {
    this.targets = new ArrayList<>(targets);
    this.onDead = onDead;
  }

  /**
   * Records whether the SDK's protocol is extended to this class.
   *
   * @param extended true once the namespace extended it
   */
  public static void sdkExtended(boolean extended) {
    sdk = extended;
  }

  /**
   * Tells whether a fan-out can render once.
   *
   * @return true when the SDK's protocol is extended to this class
   */
  public static boolean usable() {
    return sdk;
  }

  /**
   * Sends to every live target.
   *
   * @param send called with each live target; answers what the SDK's {@code send-event!} answers
   * @return true when at least one target was written
   */
  public boolean sendEach(IFn send) {
    boolean any = false;
    for (Object target : targets) {
      if (dead.contains(target)) continue;
      if (Boolean.FALSE.equals(send.invoke(target))) {
        dead.add(target);
        onDead.accept(target);
      } else {
        any = true;
      }
    }
    return any;
  }

  /**
   * Closes every live target.
   *
   * @param close called with each live target
   * @return true when at least one target closed
   */
  public boolean closeEach(IFn close) {
    boolean any = false;
    for (Object target : targets) {
      if (!dead.contains(target) && !Boolean.FALSE.equals(close.invoke(target))) any = true;
    }
    return any;
  }

  /**
   * Gives the lock a send on the composite may hold; each target's own lock is taken by its send.
   *
   * @return a lock of this composite's own
   */
  public ReentrantLock lock() {
    return lock;
  }

  /**
   * Tells whether a target may still be written.
   *
   * @param target one of the targets
   * @return false once its send answered false
   */
  public boolean live(Object target) {
    return !dead.contains(target);
  }

  @Override
  public String toString() {
    return "#datastar.wow.deacon/fanout[" + targets.size() + " streams]";
  }
}
