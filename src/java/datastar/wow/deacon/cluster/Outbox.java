package datastar.wow.deacon.cluster;

import clojure.lang.Keyword;
import clojure.lang.PersistentVector;
import datastar.wow.deacon.KeyPattern;
import datastar.wow.deacon.Shown;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sends and broadcasts. Each checks and encodes its message on the caller's thread (a payload that
 * is not data, or too large, throws there and nothing is sent), then makes one call to Redis and
 * returns: a send is one {@code EVALSHA} of {@link Scripts#SEND}, which publishes to every live
 * holder of the key but this node; a broadcast is one {@code PUBLISH} to {@code P:all}.
 */
final class Outbox {
  private static final Keyword KEY = Keyword.intern("key");
  private static final Keyword PATTERN = Keyword.intern("pattern");

  private final Context context;
  private final BooleanSupplier ready;
  private final Inbox inbox;
  private final Sequencer sequencer;
  private final byte[] self;
  private final byte[] channelPrefix;

  /** Runs a publish on the backplane's thread, after the directory writes asked for before it. */
  @FunctionalInterface
  interface Sequencer {
    /**
     * Queues {@code publish} on the backplane's thread.
     *
     * @return false when the backplane is closed: the publish will not run
     */
    boolean publish(Runnable publish);
  }

  Outbox(Context context, BooleanSupplier ready, Inbox inbox, Sequencer sequencer) {
    this.context = context;
    this.ready = ready;
    this.inbox = inbox;
    this.sequencer = sequencer;
    this.self = Directory.bytes(context.names.self);
    this.channelPrefix = Directory.bytes(context.names.channelPrefix);
  }

  CompletionStage<Integer> send(Object key, Object payload) {
    if (KeyPattern.hasWildcard(key)) {
      throw new InvalidPayloadException(
          KEY, PersistentVector.EMPTY, key, "holds :*, a pattern: send goes to one key, broadcast"
              + " takes patterns");
    }
    String canonical = EdnWriter.canonicalKey(key, context.settings.maxMessageBytes);
    byte[] message =
        Message.encode(context.names.self, Message.toKey(canonical), payload, context.settings.maxMessageBytes);
    if (!ready.getAsBoolean()) return notConnected(BackplaneException.SEND, key);
    return nodes(
        () ->
            context
                .link
                .eval(
                    Scripts.SEND,
                    new String[] {context.names.nodes, context.names.holders(canonical)},
                    self,
                    message,
                    channelPrefix)
                .thenApply(sent -> (Long) sent),
        BackplaneException.SEND,
        key);
  }

  CompletionStage<Integer> broadcast(Object pattern, Object payload) {
    StringBuilder target = new StringBuilder();
    try {
      EdnWriter.write(target, pattern, PATTERN, context.settings.maxMessageBytes);
    } catch (EdnWriter.TooLarge e) {
      throw new InvalidPayloadException(
          PATTERN, PersistentVector.EMPTY, pattern, "prints larger than :max-message-bytes");
    }
    byte[] message =
        Message.encode(
            context.names.self, Message.toPattern(target.toString()), payload, context.settings.maxMessageBytes);
    if (!ready.getAsBoolean()) return notConnected(BackplaneException.BROADCAST, pattern);
    // Redis counts this node among the receivers when it hears its own broadcasts
    return nodes(
        () ->
            context
                .link
                .publish(context.names.broadcast, message)
                .thenApply(receivers -> Math.max(0, receivers - (inbox.hearsBroadcasts() ? 1 : 0))),
        BackplaneException.BROADCAST,
        pattern);
  }

  /**
   * How many nodes {@code call} reached, or its failure, reported as {@code op} to {@code target}.
   * The call is made on the backplane's thread, after the directory writes asked for before it.
   */
  private CompletionStage<Integer> nodes(Supplier<CompletableFuture<Long>> call, Keyword op, Object target) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    boolean queued =
        sequencer.publish(
            () -> {
              var unused =
                  call.get()
                      .whenComplete(
                          (n, error) -> {
                            if (error == null) result.complete(n.intValue());
                            else result.completeExceptionally(failure(op, target, " (" + RedisLink.message(error) + ")", error));
                          });
            });
    if (!queued) result.completeExceptionally(failure(op, target, ": the backplane is closed", null));
    return result;
  }

  private CompletionStage<Integer> notConnected(Keyword op, Object target) {
    return CompletableFuture.failedFuture(
        failure(op, target, ": not connected to Redis at " + context.settings.shownUri(), null));
  }

  private BackplaneException failure(Keyword op, Object target, String why, @Nullable Throwable error) {
    return context.report.error(
        op,
        (op == BackplaneException.SEND ? "send to " : "broadcast to ") + Shown.key(target) + " failed" + why,
        error == null ? null : RedisLink.unwrap(error),
        BackplaneException.TARGET,
        target);
  }
}
