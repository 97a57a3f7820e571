package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * What the registry sends to the other nodes of its store's cluster; nothing, for a store outside
 * any cluster. Failures go to the registry's {@code :on-error} with the request's ctx.
 */
final class ToOtherNodes {
  private final @Nullable Peers peers;
  private final BiConsumer<Throwable, Object> onError;

  ToOtherNodes(@Nullable Peers peers, BiConsumer<Throwable, Object> onError) {
    this.peers = peers;
    this.onError = onError;
  }

  /** A send to the nodes holding a key, or a broadcast to every node for a pattern. */
  static CompletionStage<Integer> sendOrBroadcast(Peers peers, Object keyOrPattern, Object message) {
    return KeyPattern.hasWildcard(keyOrPattern)
        ? peers.broadcast(keyOrPattern, message)
        : peers.send(keyOrPattern, message);
  }

  /**
   * At look-up, with no stream here: sends a response's fx to the other nodes holding {@code
   * key}, waiting at most the cluster's timeout.
   *
   * @return true when at least one other node holds the key and was sent them
   */
  boolean sentIfHeld(Object ctx, Object key, @Nullable Object fx) {
    Peers p = peers;
    if (p == null || fx == null) return false;
    try {
      CompletionStage<Integer> sent = p.send(key, fx);
      Integer nodes = sent.toCompletableFuture().get(p.timeout().toMillis() + 50, TimeUnit.MILLISECONDS);
      return nodes != null && nodes > 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      onError.accept(e.getCause() != null ? e.getCause() : e, ctx);
      return false;
    } catch (TimeoutException | InvalidInputException e) {
      onError.accept(e, ctx);
      return false;
    }
  }

  /**
   * Sends the dispatch's actions to the other nodes' streams under {@code keyOrPattern}, without
   * waiting.
   *
   * @return false when the actions are not data: reported, and to be sent nowhere
   */
  boolean send(IPersistentMap ctx, Object keyOrPattern) {
    Peers p = peers;
    if (p == null) return true;
    try {
      sendOrBroadcast(p, keyOrPattern, ctx.valAt(Names.ACTIONS)).whenComplete(
          (nodes, failure) -> {
            if (failure != null) onError.accept(failure, ctx);
          });
      return true;
    } catch (InvalidInputException notData) {
      onError.accept(notData, ctx);
      return false;
    }
  }
}
