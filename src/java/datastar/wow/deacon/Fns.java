package datastar.wow.deacon;

import clojure.lang.AFn;
import clojure.lang.IFn;
import clojure.lang.RestFn;
import clojure.lang.Var;
import java.lang.reflect.Method;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Clojure functions given as options, adapted to the Java callbacks the library calls. */
final class Fns {
  private Fns() {}

  /** Per function class: does it take two arguments? Worked out once per class. */
  private static final ClassValue<Boolean> TAKES_TWO =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          boolean one = false;
          for (Class<?> c = type; c != null && c != AFn.class && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
              if (!m.getName().equals("invoke")) continue;
              if (m.getParameterCount() == 2) return true;
              if (m.getParameterCount() == 1) one = true;
            }
          }
          return !one;
        }
      };

  /** Vars are looked through at each call, so that redefining the function at the REPL works. */
  private static IFn resolve(IFn f) {
    return f instanceof Var ? (IFn) ((Var) f).deref() : f;
  }

  /** @return true when {@code f} can be called with two arguments (checked without calling it) */
  static boolean takesTwo(IFn f) {
    IFn target = resolve(f);
    if (target instanceof RestFn) return ((RestFn) target).getRequiredArity() <= 2;
    return TAKES_TWO.get(target.getClass());
  }

  static Function<Object, Object> idFn(IFn f) {
    return f::invoke;
  }

  /** {@code :on-purge} is called as {@code (f ctx scoped-key)}, or {@code (f ctx)} if that is all it takes. */
  static BiConsumer<Object, Object> onPurge(IFn f) {
    return (ctx, key) -> {
      IFn target = resolve(f);
      if (takesTwo(target)) target.invoke(ctx, key);
      else target.invoke(ctx);
    };
  }

  /** {@code :on-error} is called as {@code (f exception ctx)}. */
  static BiConsumer<Throwable, Object> onError(IFn f) {
    return f::invoke;
  }

  /** {@code :on-evict} is called as {@code (f key connection cause-keyword)}. */
  static EvictionListener onEvict(IFn f) {
    return (key, conn, cause) -> f.invoke(key, conn, cause.keyword());
  }

  /** {@code :send} of {@code :heartbeat} is called as {@code (f connection)}; throwing means dead. */
  static ConnectionProbe probe(IFn f) {
    return f::invoke;
  }
}
