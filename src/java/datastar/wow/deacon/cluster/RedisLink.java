package datastar.wow.deacon.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's two connections to Redis, through Lettuce: one for commands (scripts, publishes) and
 * one subscribed to the node's channel and the broadcast channel. This is the only class that
 * names Lettuce; the rest of the backplane sees futures of plain Java values.
 *
 * <p>Lettuce settings, chosen for a transport that must fail fast and heal itself:
 *
 * <ul>
 *   <li>RESP2, which every Redis since 2.6 speaks, with a {@code PING} before a connection is used;
 *   <li>every command times out after the send timeout;
 *   <li>while disconnected, commands are refused at once rather than queued, and commands in flight
 *       when a connection drops fail rather than being sent again after the reconnect: a publish
 *       is never repeated, so nothing is delivered twice;
 *   <li>automatic reconnect after a connection drops, with a delay growing from 100 ms to 1 s;
 *       Lettuce re-subscribes the pub/sub connection itself;
 *   <li>the first connection of each kind is retried here, with the same backoff, since Lettuce
 *       reconnects only connections that once succeeded.
 * </ul>
 */
final class RedisLink implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 1000;
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** What happens to the connections, told on Lettuce's threads. */
  interface Events {
    void commandUp();

    void commandDown();

    void pubSubDown();

    void subscribed(String channel);

    void message(String channel, byte[] body);
  }

  private final ClusterSettings settings;
  private final ScheduledExecutorService scheduler;
  private final Events events;
  private final Reporter report;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private volatile String[] channels = new String[0];
  private volatile StatefulRedisConnection<String, byte[]> command;
  private volatile StatefulRedisPubSubConnection<String, byte[]> pubSub;
  private volatile boolean closed;

  RedisLink(
      ClusterSettings settings, ScheduledExecutorService scheduler, Events events, Reporter report) {
    this.settings = settings;
    this.scheduler = scheduler;
    this.events = events;
    this.report = report;
    this.uri = RedisURI.create(settings.redisUri);
    this.uri.setTimeout(CONNECT_TIMEOUT);
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(2)
            .computationThreadPoolSize(2)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(FIRST_RETRY_MS),
                    Duration.ofMillis(MAX_RETRY_MS),
                    2,
                    TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources);
    this.client.setOptions(options(settings));
  }

  private static ClientOptions options(ClusterSettings settings) {
    ClientOptions.Builder b =
        ClientOptions.builder()
            .protocolVersion(ProtocolVersion.RESP2)
            .pingBeforeActivateConnection(true)
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(settings.sendTimeout))
            .requestQueueSize(1 << 16)
            .maintNotificationsConfig(MaintNotificationsConfig.disabled())
            .socketOptions(
                SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build());
    if (settings.caCertificate != null) {
      b.sslOptions(
          SslOptions.builder()
              .jdkSslProvider()
              .trustManager(settings.caCertificate.toFile())
              .build());
    }
    return b.build();
  }

  /**
   * Starts connecting both connections in the background, the pub/sub one subscribed to {@code
   * channels}; returns at once.
   */
  void start(String... channels) {
    this.channels = channels.clone();
    connect("command", () -> client.connectAsync(CODEC, uri), this::commandOpened, FIRST_RETRY_MS);
    connect("pub/sub", () -> client.connectPubSubAsync(CODEC, uri), this::pubSubOpened, FIRST_RETRY_MS);
  }

  private void commandOpened(StatefulRedisConnection<String, byte[]> connection) {
    connection.addListener(new StateListener(true));
    command = connection;
    if (connection.isOpen()) events.commandUp();
  }

  private void pubSubOpened(StatefulRedisPubSubConnection<String, byte[]> connection) {
    connection.addListener(new Listener());
    connection.addListener(new StateListener(false));
    pubSub = connection;
    if (connection.isOpen()) subscribe(connection);
  }

  /**
   * Opens one connection with {@code open}, retrying with a delay growing from {@code retryMs} to
   * {@link #MAX_RETRY_MS} until it opens or the link closes; then hands it to {@code opened}.
   */
  private <C extends StatefulConnection<?, ?>> void connect(
      String which, Supplier<CompletionStage<C>> open, Consumer<C> opened, long retryMs) {
    if (closed) return;
    var unused =
        open.get()
            .whenComplete(
                (connection, error) -> {
                  if (error != null) {
                    connectFailed(which, error);
                    retry(() -> connect(which, open, opened, Math.min(retryMs * 2, MAX_RETRY_MS)), retryMs);
                  } else if (closed) {
                    closeQuietly(connection);
                  } else {
                    opened.accept(connection);
                  }
                });
  }

  private void retry(Runnable connect, long delayMs) {
    if (closed) return;
    try {
      var unused = scheduler.schedule(connect, delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void connectFailed(String which, Throwable error) {
    if (closed) return;
    var unused =
        report.error(
            BackplaneException.CONNECT,
            "cannot open the " + which + " connection to Redis at " + settings.shownUri() + " ("
                + message(error) + "); retrying",
            unwrap(error));
  }

  /**
   * Subscribes to the node's channels. Called after every (re)connect of the pub/sub connection:
   * Lettuce re-subscribes by itself the channels it saw confirmed, and this covers a subscribe
   * that was lost with the connection before its confirmation; subscribing twice is harmless.
   */
  private void subscribe(StatefulRedisPubSubConnection<String, byte[]> connection) {
    connection
        .async()
        .subscribe(channels)
        .whenComplete(
            (ok, error) -> {
              if (error != null && !closed) {
                var unused =
                    report.error(
                        BackplaneException.CONNECT,
                        "cannot subscribe to " + String.join(", ", channels) + " (" + message(error) + ")",
                        unwrap(error));
              }
            });
  }

  /** Whether the command connection is up now (it may drop the next moment). */
  boolean commandOpen() {
    StatefulRedisConnection<String, byte[]> c = command;
    return c != null && c.isOpen();
  }

  /**
   * Runs a script by its SHA, and by its text when Redis does not have it (after {@code SCRIPT
   * FLUSH}; after a restart the scripts are loaded again before any use).
   */
  CompletableFuture<Object> eval(Scripts.Script script, String[] keys, byte[]... args) {
    RedisAsyncCommands<String, byte[]> c = commands();
    if (c == null) return notConnected();
    CompletableFuture<Object> result = new CompletableFuture<>();
    ScriptOutputType type = script.multi ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
    c.<Object>evalsha(script.sha, type, keys, args)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                result.complete(value);
              } else if (unwrap(error) instanceof RedisNoScriptException) {
                c.<Object>eval(script.text, type, keys, args).whenComplete(complete(result));
              } else {
                result.completeExceptionally(unwrap(error));
              }
            });
    return result;
  }

  /** Loads every script; completes with the SHA Redis computed for each, in order. */
  CompletableFuture<List<String>> load(List<Scripts.Script> scripts) {
    RedisAsyncCommands<String, byte[]> c = commands();
    if (c == null) return notConnected();
    List<CompletableFuture<String>> loads = new ArrayList<>();
    for (Scripts.Script s : scripts) loads.add(c.scriptLoad(s.text).toCompletableFuture());
    return CompletableFuture.allOf(loads.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            ignored -> {
              List<String> shas = new ArrayList<>();
              for (CompletableFuture<String> f : loads) shas.add(f.join());
              return shas;
            });
  }

  /** The members of a set, as UTF-8 strings. */
  CompletableFuture<List<String>> members(String key) {
    RedisAsyncCommands<String, byte[]> c = commands();
    if (c == null) return notConnected();
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    c.smembers(key)
        .whenComplete(
            (set, error) -> {
              if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
              }
              List<String> out = new ArrayList<>(set.size());
              for (byte[] b : set) out.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
              result.complete(out);
            });
    return result;
  }

  /** Publishes; completes with the number of subscribed connections that received it. */
  CompletableFuture<Long> publish(String channel, byte[] body) {
    RedisAsyncCommands<String, byte[]> c = commands();
    if (c == null) return notConnected();
    CompletableFuture<Long> result = new CompletableFuture<>();
    c.publish(channel, body).whenComplete(complete(result));
    return result;
  }

  private RedisAsyncCommands<String, byte[]> commands() {
    StatefulRedisConnection<String, byte[]> c = command;
    return c == null || closed ? null : c.async();
  }

  private <T> CompletableFuture<T> notConnected() {
    return CompletableFuture.failedFuture(
        new IllegalStateException(
            closed ? "the backplane is closed" : "not connected to Redis at " + settings.shownUri()));
  }

  private static <T> java.util.function.BiConsumer<T, Throwable> complete(
      CompletableFuture<? super T> result) {
    return (value, error) -> {
      if (error == null) result.complete(value);
      else result.completeExceptionally(unwrap(error));
    };
  }

  static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  static String message(Throwable error) {
    Throwable e = unwrap(error);
    String m = e.getMessage();
    if (e instanceof TimeoutException) m = "timed out";
    return m == null ? e.getClass().getSimpleName() : m;
  }

  /**
   * Closes both connections and stops Lettuce's threads. Says nothing to Redis: the caller removes
   * the node from the directory first, or leaves that to its lease (a crashed node does).
   */
  @Override
  public void close() {
    closed = true;
    shutdownClient(); // closes both connections
  }

  private static void closeQuietly(StatefulConnection<?, ?> connection) {
    var unused = connection.closeAsync();
  }

  private void shutdownClient() {
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      // shutting down anyway
    }
    var unused = resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** Connection state of one of the two connections, handed to {@link Events}. */
  private final class StateListener implements RedisConnectionStateListener {
    private final boolean isCommand;

    StateListener(boolean isCommand) {
      this.isCommand = isCommand;
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (closed) return;
      if (isCommand) {
        events.commandUp();
      } else {
        StatefulRedisPubSubConnection<String, byte[]> p = pubSub;
        if (p != null) subscribe(p);
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (closed) return;
      if (isCommand) events.commandDown();
      else events.pubSubDown();
    }
  }

  /** Messages and subscription confirmations of the pub/sub connection. */
  private final class Listener extends RedisPubSubAdapter<String, byte[]> {
    @Override
    public void message(String channel, byte[] body) {
      events.message(channel, body);
    }

    @Override
    public void subscribed(String channel, long count) {
      events.subscribed(channel);
    }
  }
}
