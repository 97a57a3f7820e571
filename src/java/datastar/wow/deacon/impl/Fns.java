package datastar.wow.deacon.impl;

import clojure.lang.ArityException;
import clojure.lang.IFn;
import clojure.lang.Var;
import datastar.wow.deacon.ConnectionProbe;
import datastar.wow.deacon.RemovalListener;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Clojure functions given as options, adapted to the Java callbacks the library calls. */
final class Fns {
  private Fns() {}

  /** Classes of {@code :on-purge} functions found to take one argument only. */
  private static final ConcurrentHashMap<Class<?>, Boolean> ONE_ARGUMENT = new ConcurrentHashMap<>();

  /** Vars are looked through at each call, so that redefining the function at the REPL works. */
  private static IFn resolve(IFn f) {
    return f instanceof Var ? (IFn) ((Var) f).deref() : f;
  }

  static Function<Object, Object> idFn(IFn f) {
    return f::invoke;
  }

  /**
   * {@code :on-purge} is called as {@code (f ctx scoped-key)}; a function without that arity (the
   * original design's {@code (fn [ctx] ...)}) is called as {@code (f ctx)}. No reflection: the
   * two-argument call is tried, and only an arity error raised by {@code f} itself for those two
   * arguments (not one from deeper inside it) sends the call, then and ever after, to one argument.
   */
  static BiConsumer<Object, Object> onPurge(IFn f) {
    return (ctx, key) -> {
      IFn target = resolve(f);
      Class<?> type = target.getClass();
      if (ONE_ARGUMENT.containsKey(type)) {
        target.invoke(ctx);
        return;
      }
      try {
        target.invoke(ctx, key);
      } catch (ArityException e) {
        if (e.actual != 2 || !type.getName().equals(e.name)) throw e;
        ONE_ARGUMENT.put(type, Boolean.TRUE);
        target.invoke(ctx);
      }
    };
  }

  /** {@code :on-error} is called as {@code (f exception ctx)}. */
  static BiConsumer<Throwable, Object> onError(IFn f) {
    return f::invoke;
  }

  /** {@code :on-removal} is called as {@code (f key connection cause-keyword)}. */
  static RemovalListener onRemove(IFn f) {
    return (key, conn, cause) -> f.invoke(key, conn, cause.keyword());
  }

  /** {@code :send} of {@code :heartbeat} is called as {@code (f connection)}; {@code false} or throwing means dead. */
  static ConnectionProbe probe(IFn f) {
    return conn -> !Boolean.FALSE.equals(f.invoke(conn));
  }

  /** An {@code :executor} given as a function is called with each {@link Runnable}. */
  static Executor executor(IFn f) {
    return f::invoke;
  }
}
