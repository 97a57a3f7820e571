package datastar.wow.deacon;

import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import org.jspecify.annotations.Nullable;

/**
 * One dispatch as deacon's interceptor sees it: the Nexus ctx, its dispatch-data, the stream in
 * {@code :sse} and the {@link Phase}, with the few changes the interceptor makes to it. Immutable.
 */
final class DispatchCtx {
  private static final Object NOT_FOUND = new Object();
  private static final IPersistentVector CLOSE_SSE = PersistentVector.EMPTY.cons(Names.CLOSE_SSE);

  final IPersistentMap ctx;
  final IPersistentMap data;
  final Phase phase;

  DispatchCtx(IPersistentMap ctx, IPersistentMap data) {
    this.ctx = ctx;
    this.data = data;
    this.phase = Phase.of(ctx.valAt(Names.ACTIONS));
  }

  /** The stream the dispatch runs on, {@code :sse} of its system; nil at look-up and close. */
  @Nullable Object sse() {
    Object system = ctx.valAt(Names.SYSTEM);
    return system instanceof ILookup ? ((ILookup) system).valAt(Names.SSE) : null;
  }

  /** Teaches {@code sender} the Nexus this request dispatches through. */
  void teach(Sender sender, boolean renderOnce) {
    Object nexus = ctx.valAt(Names.NEXUS);
    if (nexus instanceof IPersistentMap) sender.learn((IPersistentMap) nexus, renderOnce);
  }

  /** The Ring request that made the dispatch, or null. */
  @Nullable Object request() {
    return data.valAt(Names.REQUEST);
  }

  /** The handler's response, which datastar.wow puts in the dispatch-data. */
  ILookup response() {
    Object response = data.valAt(Names.RESPONSE);
    return response instanceof ILookup ? (ILookup) response : PersistentArrayMap.EMPTY;
  }

  /** A header of the Ring request that made the dispatch (a lower-case name), or null. */
  @Nullable String header(String name) {
    Object request = request();
    Object headers = request instanceof ILookup ? ((ILookup) request).valAt(Names.HEADERS) : null;
    Object value = headers instanceof ILookup ? ((ILookup) headers).valAt(name) : null;
    return value instanceof String ? (String) value : null;
  }

  /** Whether datastar.wow closes the stream right after its fx ({@code with-open-sse?}). */
  boolean withOpenSse() {
    Object v = data.valAt(Names.WITH_OPEN_SSE, NOT_FOUND);
    if (v == NOT_FOUND) v = response().valAt(Names.WITH_OPEN_SSE);
    return v != null && v != Boolean.FALSE;
  }

  /** The ctx with {@code conn} as the dispatch-data's {@code :datastar.wow/connection}. */
  IPersistentMap withConnection(Object conn) {
    return ctx.assoc(Names.DISPATCH_DATA, data.assoc(Names.CONNECTION, conn));
  }

  /** The ctx dispatching on {@code conn} instead of its {@code :sse}, or null without a system map. */
  @Nullable IPersistentMap withSse(Object conn) {
    Object system = ctx.valAt(Names.SYSTEM);
    if (!(system instanceof IPersistentMap)) return null;
    return withConnection(conn).assoc(Names.SYSTEM, ((IPersistentMap) system).assoc(Names.SSE, conn));
  }

  /** The ctx running no actions: they ran elsewhere. */
  IPersistentMap withoutActions() {
    return ctx.assoc(Names.ACTIONS, PersistentVector.EMPTY);
  }

  /**
   * The ctx whose actions end with {@code [:datastar.wow/close-sse]}: its new stream closes once
   * its fx have run, since no key holds it and nothing could reach it again.
   */
  IPersistentMap closedAfterFx() {
    Object actions = ctx.valAt(Names.ACTIONS);
    IPersistentVector all =
        actions instanceof IPersistentVector
            ? (IPersistentVector) actions
            : PersistentVector.create(RT.seq(actions));
    return ctx.assoc(Names.ACTIONS, all.cons(CLOSE_SSE));
  }

  /** {@code ctx} with {@code e} added to its {@code :errors}, as Nexus records an interceptor's. */
  static IPersistentMap withError(IPersistentMap ctx, Throwable e) {
    Object errors = ctx.valAt(Names.ERRORS);
    IPersistentMap error =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {
              Names.PHASE, Names.BEFORE_DISPATCH, Names.ERR, e, Names.ID, Names.INTERCEPTOR_ID
            });
    IPersistentVector all =
        errors instanceof IPersistentVector
            ? (IPersistentVector) errors
            : PersistentVector.EMPTY;
    return ctx.assoc(Names.ERRORS, all.cons(error));
  }
}
