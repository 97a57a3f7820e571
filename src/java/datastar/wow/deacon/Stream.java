package datastar.wow.deacon;

import org.jspecify.annotations.Nullable;

/** One stored connection with the owner that stored it (null for nobody in particular). */
final class Stream {
  final Object connection;
  final @Nullable Object owner;

  Stream(Object connection, @Nullable Object owner) {
    this.connection = connection;
    this.owner = owner;
  }

  /** Owners are the same when identical or Clojure-equal. */
  static boolean sameOwner(@Nullable Object owner, Object asking) {
    return owner == asking || clojure.lang.Util.equiv(owner, asking);
  }
}
