package datastar.wow.deacon.cluster;

/**
 * The names of the backplane's Redis keys and pub/sub channels, all under one prefix {@code P}:
 *
 * <table>
 *   <caption>Redis layout</caption>
 *   <tr><th>name</th><th>type</th><th>holds</th></tr>
 *   <tr><td>{@code P:nodes}</td><td>sorted set</td><td>live nodes, scored by the time their lease
 *       ends (milliseconds, Redis's clock)</td></tr>
 *   <tr><td>{@code P:dead}</td><td>set</td><td>nodes whose lease ended and whose keys are still
 *       being removed</td></tr>
 *   <tr><td>{@code P:held:<node>}</td><td>set</td><td>the keys a node holds, as canonical
 *       EDN</td></tr>
 *   <tr><td>{@code P:key:<edn>}</td><td>set</td><td>the nodes that hold one key</td></tr>
 *   <tr><td>{@code P:to:<node>}</td><td>channel</td><td>routed messages for one node</td></tr>
 *   <tr><td>{@code P:all}</td><td>channel</td><td>broadcasts</td></tr>
 * </table>
 *
 * Prefixes and node ids hold no {@code :}, so names of two prefixes never meet.
 */
final class RedisNames {
  final String nodes;
  final String dead;
  /** {@code P:} */
  final String prefix;
  /** {@code P:key:}, followed by a key's canonical EDN */
  final String keyPrefix;
  /** {@code P:to:}, followed by a node id */
  final String channelPrefix;
  final String broadcast;
  final String self;
  final String selfHeld;
  final String selfChannel;

  RedisNames(String prefix, String self) {
    this.prefix = prefix + ":";
    this.nodes = this.prefix + "nodes";
    this.dead = this.prefix + "dead";
    this.keyPrefix = this.prefix + "key:";
    this.channelPrefix = this.prefix + "to:";
    this.broadcast = this.prefix + "all";
    this.self = self;
    this.selfHeld = this.prefix + "held:" + self;
    this.selfChannel = channelPrefix + self;
  }

  String holders(String canonicalKey) {
    return keyPrefix + canonicalKey;
  }
}
