/**
 * Many nodes: a Redis backplane through which a request on one node reaches the streams held by
 * another. Start one {@link datastar.wow.deacon.cluster.Backplane} per node with {@link
 * datastar.wow.deacon.cluster.ClusterSettings}; it needs Lettuce ({@code
 * io.lettuce:lettuce-core}), an optional dependency of the library, and nothing outside this
 * package refers to it.
 */
package datastar.wow.deacon.cluster;
