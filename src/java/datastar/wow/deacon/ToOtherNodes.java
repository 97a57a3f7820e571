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
 * any cluster. With a shared history, a push's events reach the other nodes through the log (see
 * {@link Delivery}), and only a keyed response with no stream here is sent as actions, for the
 * nodes holding the key to render. Failures go to the registry's {@code :on-error} with the
 * request's ctx.
 */
final class ToOtherNodes {
  private final @Nullable Peers peers;
  private final @Nullable Replay replay;
  private final BiConsumer<Throwable, Object> onError;

  ToOtherNodes(StorePolicy policy, BiConsumer<Throwable, Object> onError) {
    this.peers = policy.cluster().orElse(null);
    this.replay = policy.replay().orElse(null);
    this.onError = onError;
  }

  private @Nullable SharedHistory shared() {
    Replay r = replay;
    return r == null ? null : r.shared();
  }

  /** A send to the nodes holding a key, or a broadcast to every node for a pattern. */
  static CompletionStage<Integer> sendOrBroadcast(Peers peers, Object keyOrPattern, Object message) {
    return KeyPattern.hasWildcard(keyOrPattern)
        ? peers.broadcast(keyOrPattern, message)
        : peers.send(keyOrPattern, message);
  }

  /**
   * At look-up, with no stream here: sends a response's fx to the other nodes holding {@code
   * key}, waiting at most the cluster's timeout; with a shared history, only asks whether one
   * holds it (the fx are rendered here, see {@link #renderHere}).
   *
   * @return true when at least one other node holds the key (and was sent them)
   */
  boolean sentIfHeld(Object ctx, Object key, @Nullable Object fx) {
    Peers p = peers;
    if (p == null || fx == null) return false;
    if (shared() != null) return heldElsewhere(p, ctx, key);
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
   * With a shared history: whether another node holds {@code key}; the response's fx are then
   * rendered here and appended to the key's log (see {@link Delivery}).
   */
  private boolean heldElsewhere(Peers p, Object ctx, Object key) {
    try {
      return !p.keys(key).isEmpty();
    } catch (RuntimeException e) {
      onError.accept(e, ctx);
      return false;
    }
  }

  /** Whether the keyed responses of this store with no stream here are rendered here: a shared history. */
  boolean renderHere() {
    return shared() != null;
  }

  /**
   * Sends the dispatch's actions to the other nodes' streams under {@code keyOrPattern}, without
   * waiting; with a shared history, nothing (the delivery's events go through the log).
   *
   * @return false when the actions are not data: reported, and to be sent nowhere
   */
  boolean send(IPersistentMap ctx, Object keyOrPattern) {
    Peers p = peers;
    if (p == null || shared() != null) return true;
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
