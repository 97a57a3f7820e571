package datastar.wow.deacon.cluster;

import datastar.wow.deacon.Appended;
import datastar.wow.deacon.LogEntry;
import datastar.wow.deacon.LogRange;
import datastar.wow.deacon.SharedLog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SharedLog} of a cluster over Redis: one Redis stream per key ({@code P:ev:<edn>}),
 * appended to by {@link Scripts#APPEND} and read by {@link Scripts#AFTER}.
 *
 * <p>Ids are Redis stream ids, {@code <ms>-<n>}: Redis's clock at the append, and a counter within
 * the millisecond. The script gives each event the id after the last one given to any key ({@code
 * P:evtop}), so ids grow across keys and are unique in the cluster; after a Redis restart that lost
 * the data, the clock has moved on, so new ids do not meet old ones.
 *
 * <p>Each stream keeps about {@code events} entries ({@code XADD MAXLEN ~}: Redis trims whole
 * nodes of its radix tree, so a stream may hold up to one node's worth more, 100 entries by
 * default) and disappears after the window with no append ({@code PEXPIRE}); an entry older than
 * the window is never read back.
 */
final class RedisLog implements SharedLog {
  private final Context context;
  private final BooleanSupplier ready;
  private final Outbox outbox;

  RedisLog(Context context, BooleanSupplier ready, Outbox outbox) {
    this.context = context;
    this.ready = ready;
    this.outbox = outbox;
  }

  @Override
  public CompletionStage<Appended> append(Object key, List<Object> events, @Nullable String token) {
    return outbox.append(key, events, token);
  }

  @Override
  public CompletionStage<Integer> relay(Object keyOrPattern, Object message, String token) {
    return outbox.relay(keyOrPattern, message, token);
  }

  @Override
  public CompletionStage<LogRange> after(Object key, @Nullable String id) {
    if (id != null && parse(id) == null) return CompletableFuture.completedFuture(new LogRange(false, List.of(), null));
    return read(key, id, "range").thenApply(this::range);
  }

  @Override
  public CompletionStage<LogRange> all(Object key) {
    return read(key, null, "all").thenApply(this::range);
  }

  @Override
  public CompletionStage<Boolean> holds(Object key, String id) {
    if (parse(id) == null) return CompletableFuture.completedFuture(false);
    return read(key, id, "holds").thenApply(r -> (Long) r.get(0) == 1L);
  }

  private CompletableFuture<List<?>> read(Object key, @Nullable String id, String mode) {
    String canonical = EdnWriter.canonicalKey(key, context.settings.maxMessageBytes);
    if (!ready.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          context.report.error(
              BackplaneException.QUERY,
              "reading the shared history failed: not connected to Redis at " + context.settings.shownUri(),
              null,
              BackplaneException.TARGET,
              key));
    }
    return context
        .link
        .eval(
            Scripts.AFTER,
            new String[] {context.names.events(canonical)},
            Directory.bytes(id == null ? "" : id),
            context.history.windowArg(),
            Directory.bytes(mode))
        .thenApply(r -> (List<?>) r);
  }

  private LogRange range(List<?> reply) {
    boolean found = (Long) reply.get(0) == 1L;
    String last = text(reply.get(1));
    List<LogEntry> entries = new ArrayList<>((reply.size() - 2) / 2);
    for (int i = 2; i + 1 < reply.size(); i += 2) {
      String id = text(reply.get(i));
      try {
        entries.add(new LogEntry(id, Message.read(text(reply.get(i + 1)))));
      } catch (Message.Refused e) {
        var unused =
            context.report.error(
                BackplaneException.RECEIVE, "skipped an event of the shared history that " + e.getMessage(), null);
      }
    }
    return new LogRange(found, entries, last.isEmpty() ? null : last);
  }

  static String text(Object bulk) {
    return bulk instanceof byte[] ? new String((byte[]) bulk, StandardCharsets.UTF_8) : String.valueOf(bulk);
  }

  @Override
  public int compare(String a, String b) {
    return order(a, b);
  }

  /** The order of two Redis stream ids; ids that are not compare as text. */
  static int order(String a, String b) {
    long[] x = parse(a);
    long[] y = parse(b);
    if (x == null || y == null) return a.compareTo(b);
    int byTime = Long.compare(x[0], y[0]);
    return byTime != 0 ? byTime : Long.compare(x[1], y[1]);
  }

  /** The two numbers of a Redis stream id, or null when {@code id} is not one. */
  static long @Nullable [] parse(String id) {
    int dash = id.indexOf('-');
    if (dash <= 0 || dash == id.length() - 1 || dash > 19 || id.length() - dash - 1 > 19) return null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (i != dash && (c < '0' || c > '9')) return null;
    }
    try {
      return new long[] {Long.parseLong(id.substring(0, dash)), Long.parseLong(id.substring(dash + 1))};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
