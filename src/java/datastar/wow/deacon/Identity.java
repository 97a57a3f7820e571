package datastar.wow.deacon;

/** Wraps an object so that maps compare it by identity, whatever its {@code equals} says. */
final class Identity {
  final Object ref;

  Identity(Object ref) {
    this.ref = ref;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(ref);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Identity && ((Identity) other).ref == ref;
  }
}
