package datastar.wow.deacon.cluster;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import datastar.wow.deacon.DeaconException;
import org.jspecify.annotations.Nullable;

/**
 * A failure of the backplane's transport: Redis unreachable or too slow, a message refused on
 * arrival, a receiver that threw. Every one goes to the node's {@link ErrorHandler}; those of a
 * {@code send} or {@code broadcast} also fail the stage it returned. {@code ex-data} holds {@code
 * :op} (see {@link #op()}), {@code :node} (this node) and, depending on the operation, {@code
 * :target}, {@code :channel}, {@code :from} or {@code :bytes}.
 */
public final class BackplaneException extends DeaconException {
  private static final long serialVersionUID = 1L;

  static final Keyword OP = Keyword.intern("op");
  static final Keyword NODE = Keyword.intern("node");
  static final Keyword TARGET = Keyword.intern("target");
  static final Keyword CHANNEL = Keyword.intern("channel");
  static final Keyword FROM = Keyword.intern("from");
  static final Keyword BYTES = Keyword.intern("bytes");

  /** Connecting to Redis, or loading the scripts after a connect. */
  public static final Keyword CONNECT = Keyword.intern("connect");
  /** Refreshing this node's lease or cleaning up after dead nodes. */
  public static final Keyword LEASE = Keyword.intern("lease");
  /** Writing this node's keys to the directory (register, unregister, re-sync). */
  public static final Keyword DIRECTORY = Keyword.intern("directory");
  /** A routed send. */
  public static final Keyword SEND = Keyword.intern("send");
  /** A broadcast. */
  public static final Keyword BROADCAST = Keyword.intern("broadcast");
  /** A directory query ({@code keys}, {@code count}). */
  public static final Keyword QUERY = Keyword.intern("query");
  /** A message that arrived and was refused: too large, not EDN, not a backplane message. */
  public static final Keyword RECEIVE = Keyword.intern("receive");
  /** The {@link Receiver} threw, or could not keep up and a message was dropped. */
  public static final Keyword DELIVER = Keyword.intern("deliver");

  private final transient Keyword op;

  /**
   * Makes the error of one operation.
   *
   * @param data its {@code ex-data}: {@code :op}, {@code :node} and what the operation adds
   */
  BackplaneException(Keyword op, String message, IPersistentMap data, @Nullable Throwable cause) {
    super("datastar.wow.deacon.cluster: " + message, data, cause);
    this.op = op;
  }

  /**
   * What failed: one of {@link #CONNECT}, {@link #LEASE}, {@link #DIRECTORY}, {@link #SEND},
   * {@link #BROADCAST}, {@link #QUERY}, {@link #RECEIVE}, {@link #DELIVER}.
   *
   * @return the operation's keyword
   */
  public Keyword op() {
    return op;
  }
}
