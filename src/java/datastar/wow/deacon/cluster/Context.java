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

  Context(ClusterSettings settings, RedisNames names, RedisLink link, Reporter report) {
    this.settings = settings;
    this.names = names;
    this.link = link;
    this.report = report;
  }

  /** The longest a call to Redis is waited for, in milliseconds. */
  long timeoutMs() {
    return settings.sendTimeout.toMillis();
  }
}
