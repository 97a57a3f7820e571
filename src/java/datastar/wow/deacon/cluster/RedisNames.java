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
 *   <tr><td>{@code P:ev:<edn>}</td><td>stream</td><td>with a shared history: one key's last
 *       events, each with its id and its EDN in field {@code e}; gone after the window with no
 *       event</td></tr>
 *   <tr><td>{@code P:bc}</td><td>stream</td><td>with a shared history: the broadcasts of the
 *       window, at most {@value MissedBroadcasts#KEPT}, for the nodes cut off meanwhile</td></tr>
 *   <tr><td>{@code P:evtop}</td><td>string</td><td>the last id given to an event of any key, so
 *       that ids grow across keys</td></tr>
 *   <tr><td>{@code P:recent:<edn>}</td><td>string</td><td>a key that no node holds but one did
 *       within the window: its log still keeps what is sent to it</td></tr>
 *   <tr><td>{@code P:once:<token>:<edn>}</td><td>string</td><td>a token appended to a key, for
 *       the window: the same push appended by another node is not kept twice</td></tr>
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
  /** {@code P:evtop} */
  final String top;
  /** {@code P:bc} */
  final String broadcasts;

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
    this.top = this.prefix + "evtop";
    this.broadcasts = this.prefix + "bc";
  }

  String holders(String canonicalKey) {
    return keyPrefix + canonicalKey;
  }

  /** The log of one key. */
  String events(String canonicalKey) {
    return prefix + "ev:" + canonicalKey;
  }

  /** The mark of a key held within the window. */
  String recent(String canonicalKey) {
    return prefix + "recent:" + canonicalKey;
  }

  /** The mark of a token appended to a key. */
  String once(String token, String canonicalKey) {
    return prefix + "once:" + token + ":" + canonicalKey;
  }
}
