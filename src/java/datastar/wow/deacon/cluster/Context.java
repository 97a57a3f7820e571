package datastar.wow.deacon.cluster;

/**
 * What the parts of one node's backplane share: its settings, the names of its Redis keys and
 * channels, its connections to Redis, and where its failures go.
 */
final class Context {
  final ClusterSettings settings;
  final RedisNames names;
  final RedisLink link;
  final Reporter report;
  /** The shared history's shape: events kept per key, and its window (0 for no shared history). */
  final HistoryShape history;

  Context(ClusterSettings settings, RedisNames names, RedisLink link, Reporter report) {
    this.settings = settings;
    this.names = names;
    this.link = link;
    this.report = report;
    this.history = settings.history;
  }

  /** The longest a call to Redis is waited for, in milliseconds. */
  long timeoutMs() {
    return settings.sendTimeout.toMillis();
  }
}
