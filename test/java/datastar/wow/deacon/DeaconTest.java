package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java facade and the interceptor driven from Java, with Java callbacks. */
class DeaconTest {
  static final Keyword SYSTEM = Keyword.intern("system");
  static final Keyword SSE = Keyword.intern("sse");
  static final Keyword REQUEST = Keyword.intern("request");
  static final Keyword DISPATCH_DATA = Keyword.intern("dispatch-data");
  static final Keyword ACTIONS = Keyword.intern("actions");
  static final Keyword RESPONSE = Keyword.intern("datastar.wow", "response");
  static final Keyword WOW_REQUEST = Keyword.intern("datastar.wow", "request");
  static final Keyword CONNECTION = Keyword.intern("datastar.wow", "connection");
  static final Keyword SSE_CLOSED = Keyword.intern("datastar.wow", "sse-closed");
  static final Keyword COUNTER = Keyword.intern("counter");

  /** The ctx Nexus gives :before-dispatch, for a request and one action. */
  static IPersistentMap ctx(Object sse, IPersistentMap request, Object response, Keyword action) {
    return RT.map(
            SYSTEM, RT.map(SSE, sse, REQUEST, request),
            DISPATCH_DATA,
                RT.map(
                    RESPONSE, response,
                    WOW_REQUEST, request,
                    Keyword.intern("datastar.wow", "with-open-sse?"), false),
            ACTIONS, PersistentVector.create(List.of(PersistentVector.create(List.of(action)))));
  }

  static IFn beforeDispatch(ConnectionStore store, RegistryOptions options) {
    IPersistentMap registry = Deacon.registry(store, options);
    IPersistentVector interceptors =
        (IPersistentVector) registry.valAt(Keyword.intern("datastar.wow", "interceptors"));
    IPersistentMap interceptor = (IPersistentMap) interceptors.nth(0);
    assertEquals(Deacon.INTERCEPTOR_ID, interceptor.valAt(Keyword.intern("id")));
    return (IFn) interceptor.valAt(Keyword.intern("before-dispatch"));
  }

  @Test
  void scopedKeysAreClojureVectors() {
    CaffeineStore c = CaffeineStore.builder().maximumSize(5).build();
    c.store(Deacon.scopedKey("u", COUNTER), "sse");
    assertEquals("sse", c.connection(PersistentVector.create(List.of("u", COUNTER))));
    assertEquals(RT.vector("u", COUNTER), Deacon.scopedKey("u", COUNTER));
  }

  @Test
  void theInterceptorStoresReusesAndPurgesWithJavaCallbacks() {
    AtomStore store = AtomStore.builder().build();
    List<Object> purged = new ArrayList<>();
    IFn f =
        beforeDispatch(
            store,
            RegistryOptions.builder()
                .idFn(ctx -> ((IPersistentMap) ((IPersistentMap) ((IPersistentMap) ctx).valAt(SYSTEM)).valAt(REQUEST)).valAt(Keyword.intern("user")))
                .onPurge((ctx, key) -> purged.add(key))
                .build());
    Object response = RT.map(Deacon.KEY, COUNTER);
    IPersistentMap request = RT.map(Keyword.intern("user"), "ann");
    Object sse = new Object();
    Object key = Deacon.scopedKey("ann", COUNTER);

    IPersistentMap opened = (IPersistentMap) f.invoke(ctx(sse, request, response, Keyword.intern("send")));
    assertSame(sse, store.connection(key));
    assertSame(sse, ((IPersistentMap) opened.valAt(DISPATCH_DATA)).valAt(CONNECTION));

    IPersistentMap lookedUp = (IPersistentMap) f.invoke(ctx(null, request, response, CONNECTION));
    assertSame(sse, ((IPersistentMap) lookedUp.valAt(DISPATCH_DATA)).valAt(CONNECTION));

    IPersistentMap closed = (IPersistentMap) f.invoke(ctx(null, request, response, SSE_CLOSED));
    assertNull(store.connection(key));
    assertNull(((IPersistentMap) closed.valAt(DISPATCH_DATA)).valAt(CONNECTION));
    assertEquals(List.of(key), purged);
  }

  @Test
  void errorsGoToOnErrorAndToTheCtxErrors() {
    List<Throwable> reported = new ArrayList<>();
    IFn f =
        beforeDispatch(
            AtomStore.builder().build(),
            RegistryOptions.builder()
                .idFn(ctx -> { throw new IllegalStateException("no session"); })
                .onError((e, ctx) -> reported.add(e))
                .build());
    IPersistentMap in = ctx(new Object(), RT.map(), RT.map(Deacon.KEY, COUNTER), Keyword.intern("send"));
    IPersistentMap out = (IPersistentMap) f.invoke(in);
    assertEquals(1, reported.size());
    assertTrue(reported.get(0).getMessage().contains(":id-fn threw while scoping key :counter"));
    assertInstanceOf(IllegalStateException.class, reported.get(0).getCause());
    IPersistentMap error = (IPersistentMap) RT.first(out.valAt(Keyword.intern("errors")));
    assertEquals(Keyword.intern("before-dispatch"), error.valAt(Keyword.intern("phase")));
    assertEquals(Deacon.INTERCEPTOR_ID, error.valAt(Keyword.intern("id")));
    assertSame(reported.get(0), error.valAt(Keyword.intern("err")));
    assertEquals(in.valAt(DISPATCH_DATA), out.valAt(DISPATCH_DATA), "nothing else changed");
  }

  @Test
  void aFailingOnErrorIsLoggedAndTheDispatchGoesOn() {
    IFn f =
        beforeDispatch(
            AtomStore.builder().build(),
            RegistryOptions.builder()
                .idFn(ctx -> { throw new IllegalStateException("no session"); })
                .onError((e, ctx) -> { throw new IllegalStateException("reporter broke"); })
                .build());
    try (LogCapture logs = LogCapture.start()) {
      IPersistentMap out =
          (IPersistentMap) f.invoke(ctx(new Object(), RT.map(), RT.map(Deacon.KEY, COUNTER), Keyword.intern("send")));
      Throwable err = (Throwable) ((IPersistentMap) RT.first(out.valAt(Keyword.intern("errors")))).valAt(Keyword.intern("err"));
      assertTrue(err.getMessage().contains(":id-fn threw"));
      assertEquals("reporter broke", err.getSuppressed()[0].getMessage());
      assertSame(err, logs.single().thrown(), "the error is logged, with what broke its reporter");
    }
  }

  @Test
  void anIdFnGivingNoIdIsSilentStoresNothingAndClosesTheNewStreamAfterItsFx() {
    AtomStore store = AtomStore.builder().build();
    List<Throwable> reported = new ArrayList<>();
    IFn f =
        beforeDispatch(
            store,
            RegistryOptions.builder().idFn(ctx -> null).onError((e, ctx) -> reported.add(e)).build());
    IPersistentMap response = RT.map(Deacon.KEY, COUNTER);
    IPersistentMap in = ctx(new Object(), RT.map(), response, Keyword.intern("send"));
    IPersistentMap out = (IPersistentMap) f.invoke(in);
    assertEquals(
        RT.vector(RT.vector(Keyword.intern("send")), RT.vector(Keyword.intern("datastar.wow", "close-sse"))),
        out.valAt(Keyword.intern("actions")),
        "no key can hold the new stream and nothing could reach it again: it closes after its fx");
    assertEquals(in.without(Keyword.intern("actions")), out.without(Keyword.intern("actions")));
    IPersistentMap lookup = ctx(null, RT.map(), response, CONNECTION);
    assertSame(lookup, f.invoke(lookup));
    IPersistentMap close = ctx(null, RT.map(), response, SSE_CLOSED);
    assertNull(((IPersistentMap) ((IPersistentMap) f.invoke(close)).valAt(Keyword.intern("errors"))));
    assertEquals(0, store.count());
    assertTrue(reported.isEmpty(), "no session yet is the normal case, not an error");
  }

  @Test
  void reusingAStoredStreamIsAReadNotAWrite() {
    AtomStore store = AtomStore.builder().build();
    IFn f = beforeDispatch(store, RegistryOptions.defaults());
    IPersistentMap response = RT.map(Deacon.KEY, COUNTER);
    Object sse = new Object();
    f.invoke(ctx(sse, RT.map(), response, Keyword.intern("send")));
    Object before = ((clojure.lang.IDeref) store.atom()).deref();
    IPersistentMap effects = ctx(sse, RT.map(), response, Keyword.intern("send"));
    assertSame(effects, f.invoke(effects), "the ctx is returned as it came");
    assertSame(before, ((clojure.lang.IDeref) store.atom()).deref(), "the atom was not written");
  }

  @Test
  void nullsAreRefusedWhereTheyCannotMeanADefault() {
    assertThrows(InvalidInputException.class, () -> Deacon.registry(null, RegistryOptions.defaults()));
    assertThrows(InvalidInputException.class, () -> Deacon.registry(AtomStore.builder().build(), null));
    assertThrows(InvalidInputException.class, () -> RegistryOptions.builder().idFn(null));
    assertThrows(InvalidInputException.class, () -> RegistryOptions.builder().onError(null));
  }

  @Test
  void everyPublicMethodOfTheStoresIsReachableByReflection() {
    // as Clojure's reflector and other tools call them: through a public class
    for (Class<?> type : List.of(AtomStore.class, CaffeineStore.class, AtomStore.Builder.class, CaffeineStore.Builder.class)) {
      for (java.lang.reflect.Method m : type.getMethods()) {
        assertTrue(
            java.lang.reflect.Modifier.isPublic(m.getDeclaringClass().getModifiers()),
            type.getSimpleName() + "." + m.getName() + " is declared in " + m.getDeclaringClass());
      }
    }
  }
}
