package datastar.wow.deacon.cluster;

import clojure.lang.EdnReader;
import clojure.lang.PersistentHashMap;
import clojure.lang.PersistentVector;
import datastar.wow.deacon.KeyPattern;
import datastar.wow.deacon.Shown;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Directory queries: the keys held by live nodes, cluster-wide. An exact key costs one {@code
 * EVALSHA} of {@link Scripts#HOLDERS}; a pattern with {@code :*} costs one {@code EVALSHA} of
 * {@link Scripts#LIST}, which returns every live key, matched here with Clojure equality. The
 * caller waits at most the send timeout.
 */
final class Lookup {
  private final Context context;
  private final BooleanSupplier ready;

  Lookup(Context context, BooleanSupplier ready) {
    this.context = context;
    this.ready = ready;
  }

  List<Object> keys(Object pattern) {
    if (!KeyPattern.hasWildcard(pattern)) {
      String canonical = EdnWriter.canonicalKey(pattern, context.settings.maxMessageBytes);
      Object n =
          await(
              () -> context.link.eval(Scripts.HOLDERS, new String[] {context.names.nodes, context.names.holders(canonical)}),
              pattern);
      return (Long) n > 0 ? vector(java.util.Collections.singletonList(pattern)) : vector(new ArrayList<>());
    }
    byte[] heldPrefix = Directory.bytes(context.names.prefix + "held:");
    List<?> all =
        (List<?>) await(() -> context.link.eval(Scripts.LIST, new String[] {context.names.nodes}, heldPrefix), pattern);
    List<Object> matches = new ArrayList<>();
    for (Object item : all) {
      String edn = new String((byte[]) item, StandardCharsets.UTF_8);
      Object key;
      try {
        key = EdnReader.read(new TextReader(edn), PersistentHashMap.EMPTY);
      } catch (RuntimeException | StackOverflowError e) {
        context.report.error(
            BackplaneException.QUERY, "skipped a directory entry that is not EDN: " + edn, e);
        continue;
      }
      if (KeyPattern.matches(pattern, key)) matches.add(key);
    }
    return vector(matches);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> vector(List<Object> items) {
    return PersistentVector.create(items);
  }

  private Object await(Supplier<CompletableFuture<Object>> call, Object pattern) {
    String what = "listing keys matching " + Shown.key(pattern);
    if (!ready.getAsBoolean()) {
      throw context.report.error(
          BackplaneException.QUERY,
          what + " failed: not connected to Redis at " + context.settings.shownUri(),
          null,
          BackplaneException.TARGET,
          pattern);
    }
    try {
      return call.get().get(context.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      throw context.report.error(
          BackplaneException.QUERY,
          what + " failed (" + RedisLink.message(e) + ")",
          RedisLink.unwrap(e),
          BackplaneException.TARGET,
          pattern);
    }
  }
}
