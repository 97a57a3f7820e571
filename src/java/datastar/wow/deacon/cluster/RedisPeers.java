package datastar.wow.deacon.cluster;

import datastar.wow.deacon.LocalNode;
import datastar.wow.deacon.LogEntry;
import datastar.wow.deacon.Peers;
import datastar.wow.deacon.SharedLog;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Peers} of one store over a Redis: its {@link Backplane} (the directory of which node
 * holds which keys, and the messages between nodes), kept in step with the store by a {@link
 * KeySync}. A message from another node is delivered to the store's matching streams exactly as a
 * local send would. For a store with replay, the history of each key is shared through Redis
 * ({@link RedisLog}).
 */
final class RedisPeers implements Peers {
  private static final System.Logger LOG = System.getLogger("datastar.wow.deacon");

  private final Backplane backplane;
  private final KeySync keys;
  private final Duration timeout;

  RedisPeers(ClusterSettings settings, LocalNode local) {
    this.timeout = settings.sendTimeout;
    this.backplane =
        Backplane.start(
            settings.keeping(local.replay().map(HistoryShape::of).orElse(HistoryShape.NONE)),
            new ToStore(local),
            local::keys,
            RedisPeers::unseen);
    this.keys = backplane.keySync(local);
    backplane.catchUpWith(local::catchUp, local::keys);
  }

  /** Hands what arrives to the store. */
  private static final class ToStore implements Receiver {
    private final LocalNode local;

    ToStore(LocalNode local) {
      this.local = local;
    }

    @Override
    public void deliver(Object target, boolean isPattern, Object payload, String fromNode) {
      local.deliver(target, payload);
    }

    @Override
    public void rendered(Object target, Object payload, String token) {
      local.deliver(target, payload, token);
    }

    @Override
    public void logged(Object key, @Nullable String previous, List<LogEntry> entries) {
      local.arrived(key, previous, entries);
    }
  }

  /**
   * Logs a failure of the backplane that no caller hears of: connecting, the lease, the directory,
   * a message refused or not delivered. A failed send, broadcast or query fails its caller's stage,
   * which reports it (to the registry's {@code :on-error} for the registry's), so it is not logged
   * here as well.
   */
  private static void unseen(BackplaneException error) {
    Object op = error.op();
    if (op == BackplaneException.SEND || op == BackplaneException.BROADCAST || op == BackplaneException.QUERY) {
      return;
    }
    LOG.log(Level.ERROR, error.getMessage(), error);
  }

  @Override
  public String node() {
    return backplane.node();
  }

  @Override
  public boolean connected() {
    return backplane.connected();
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  @Override
  public void changed(Object key) {
    keys.changed(key);
  }

  @Override
  public CompletionStage<Integer> send(Object key, Object message) {
    return backplane.send(key, message);
  }

  @Override
  public CompletionStage<Integer> broadcast(Object pattern, Object message) {
    return backplane.broadcast(pattern, message);
  }

  @Override
  public List<Object> keys(Object pattern) {
    return backplane.keys(pattern);
  }

  @Override
  public Optional<SharedLog> log() {
    return Optional.ofNullable(backplane.log());
  }

  @Override
  public void close() {
    backplane.close();
  }

  @Override
  public String toString() {
    return backplane.toString();
  }
}
