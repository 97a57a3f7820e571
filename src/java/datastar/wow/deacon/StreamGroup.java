package datastar.wow.deacon;

import clojure.lang.IFn;
import clojure.lang.ILookup;
import clojure.lang.Namespace;
import clojure.lang.Symbol;
import clojure.lang.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Several streams seen as one, so that a delivery to many streams renders each event once. The
 * {@code datastar.wow.deacon} namespace extends the Datastar SDK's {@code SSEGenerator} protocol
 * to this class when the SDK is on the classpath; a send on a group then hands the event, rendered
 * once, to each member's own {@code send-event!} (under that member's own lock, with its own write
 * profile). A member whose send answers false is closed: it is reported once to {@code onDead} and
 * skipped from then on. One group serves one delivery, on one thread.
 *
 * <p>The namespace calls the methods below; an app has no use for them.
 */
public final class StreamGroup {
  private static final Symbol SDK_PROTOCOLS = Symbol.intern("starfederation.datastar.clojure.protocols");
  private static final Symbol SSE_GENERATOR = Symbol.intern("SSEGenerator");

  private final List<Object> members;
  private final Set<Object> dead = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Consumer<Object> onDead;
  private final ReentrantLock lock = new ReentrantLock();

  StreamGroup(List<Object> members, Consumer<Object> onDead) {
    this.members = new ArrayList<>(members);
    this.onDead = onDead;
  }

  /**
   * Tells whether a send on a group works here: the SDK's {@code SSEGenerator} protocol is loaded
   * and extended to this class. Asked once per delivery; it reads the protocol's extensions, which
   * is where Clojure itself keeps them, and creates nothing.
   */
  static boolean sdkExtended() {
    Namespace ns = Namespace.find(SDK_PROTOCOLS);
    Var protocol = ns == null ? null : ns.findInternedVar(SSE_GENERATOR);
    Object map = protocol == null ? null : protocol.deref();
    Object impls = map instanceof ILookup ? ((ILookup) map).valAt(Names.IMPLS) : null;
    return impls instanceof ILookup && ((ILookup) impls).valAt(StreamGroup.class) != null;
  }

  /**
   * Sends to every live member.
   *
   * @param send called with each live member; answers what the SDK's {@code send-event!} answers
   * @return true when at least one member was written
   */
  public boolean sendEach(IFn send) {
    boolean any = false;
    for (Object member : members) {
      if (dead.contains(member)) continue;
      if (Boolean.FALSE.equals(send.invoke(member))) {
        dead.add(member);
        onDead.accept(member);
      } else {
        any = true;
      }
    }
    return any;
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
