package datastar.wow.deacon;

import java.util.Objects;

/**
 * One event of a {@link SharedLog}: its id and the event, as plain data. Immutable.
 *
 * <pre>{@code
 * new LogEntry("1733590000000-0", PersistentVector.create("datastar-patch-signals", lines, null));
 * }</pre>
 */
public final class LogEntry {
  private final String id;
  private final Object event;

  /**
   * Makes an entry.
   *
   * @param id the id the log gave the event
   * @param event the event, as plain data
   */
  public LogEntry(String id, Object event) {
    this.id = Objects.requireNonNull(id, "id");
    this.event = Objects.requireNonNull(event, "event");
  }

  /**
   * Gives the entry's id.
   *
   * @return the id, as written on the event's SSE {@code id:} line
   */
  public String id() {
    return id;
  }

  /**
   * Gives the event.
   *
   * @return the event, as plain data
   */
  public Object event() {
    return event;
  }

  @Override
  public String toString() {
    return "LogEntry{" + id + "}";
  }
}
