package datastar.wow.deacon;

/**
 * Thrown by {@link Sender#send(Object, Object)} when streams on this node match but the store
 * knows no way to write to them: it was built without a {@link ConnectionWriter}, and no
 * datastar.wow registry over it has handled a request yet, so it has no dispatch to render
 * effects with. Nothing was sent, to this node or to any other.
 */
public final class CannotRenderException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  CannotRenderException(String message) {
    super(message);
  }
}
