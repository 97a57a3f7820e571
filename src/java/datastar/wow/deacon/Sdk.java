package datastar.wow.deacon;

import clojure.lang.IFn;
import clojure.lang.ILookup;
import clojure.lang.Namespace;
import clojure.lang.Symbol;
import clojure.lang.Var;
import org.jspecify.annotations.Nullable;

/**
 * The Datastar Clojure SDK, as the core reaches it without depending on it: its protocol
 * namespace's vars, read where Clojure keeps them, creating nothing. Every app on datastar.wow has
 * the SDK; a Java app with a {@link ConnectionWriter} never calls this.
 */
final class Sdk {
  private Sdk() {}

  private static final Symbol PROTOCOLS = Symbol.intern("starfederation.datastar.clojure.protocols");

  private static @Nullable Var var(String name) {
    Namespace ns = Namespace.find(PROTOCOLS);
    return ns == null ? null : ns.findInternedVar(Symbol.intern(name));
  }

  /** Whether the SDK's {@code SSEGenerator} protocol is extended to {@link StreamGroup}. */
  static boolean extendedTo(Class<?> type) {
    Var protocol = var("SSEGenerator");
    Object map = protocol == null ? null : protocol.deref();
    Object impls = map instanceof ILookup ? ((ILookup) map).valAt(Names.IMPLS) : null;
    return impls instanceof ILookup && ((ILookup) impls).valAt(type) != null;
  }

  /**
   * The SDK's {@code send-event!}: {@code (send-event! sse event-type data-lines opts)}.
   *
   * @throws IllegalStateException when the SDK is not loaded
   */
  static IFn sendEvent() {
    Var v = var("send-event!");
    if (v == null || !(v.deref() instanceof IFn)) {
      throw new IllegalStateException(
          "datastar.wow.deacon: replaying events needs the Datastar SDK"
              + " (starfederation.datastar.clojure.protocols), which is not loaded");
    }
    return (IFn) v.deref();
  }
}
