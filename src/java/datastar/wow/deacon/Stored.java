package datastar.wow.deacon;

/**
 * A Caffeine store's value: the connection and who stored it. Equality is the connection's
 * identity, so a {@code Stored} also serves as its own key in the reverse index ({@link
 * ConnectionIndex}) without a wrapper per entry.
 */
final class Stored {
  final Object connection;
  final Object owner;

  Stored(Object connection, Object owner) {
    this.connection = connection;
    this.owner = owner;
  }

  /** @return {@code value} as a Stored; a value put into the cache by someone else has no owner */
  static Stored of(Object value) {
    if (value == null || value instanceof Stored) return (Stored) value;
    return new Stored(value, null);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(connection);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Stored && ((Stored) other).connection == connection;
  }
}
