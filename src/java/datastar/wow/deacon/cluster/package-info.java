/**
 * Many nodes: a Redis backplane through which a request on one node reaches the streams held by
 * another. It plugs into a store through the core's {@link datastar.wow.deacon.Peers} interface:
 * give a store builder {@link datastar.wow.deacon.cluster.ClusterSettings} ({@code :cluster} in
 * Clojure). It needs Lettuce ({@code io.lettuce:lettuce-core}), an optional dependency of the
 * library; nothing outside this package refers to it, and the core knows nothing of this package.
 *
 * <p>Everything here is non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package datastar.wow.deacon.cluster;

import org.jspecify.annotations.NullMarked;
