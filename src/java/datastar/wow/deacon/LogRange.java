package datastar.wow.deacon;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link SharedLog} holds of one key after an id: the entries after it, oldest first, or
 * word that it no longer holds that id; and the log's last id either way. Immutable.
 */
public final class LogRange {
  private final boolean found;
  private final List<LogEntry> entries;
  private final @Nullable String last;

  /**
   * Makes a range.
   *
   * @param found whether the log held the id asked after (true when none was asked after)
   * @param entries the entries after it, oldest first; empty when not found
   * @param last the id of the log's last entry, or null when the log of the key is empty
   */
  public LogRange(boolean found, List<LogEntry> entries, @Nullable String last) {
    this.found = found;
    this.entries = List.copyOf(entries);
    this.last = last;
  }

  /**
   * Tells whether the log held the id asked after.
   *
   * @return false when it was older than the history, or never given
   */
  public boolean found() {
    return found;
  }

  /**
   * Gives the entries after the id.
   *
   * @return the entries, oldest first
   */
  public List<LogEntry> entries() {
    return entries;
  }

  /**
   * Gives the log's last id.
   *
   * @return the id of the key's last entry, or null when it has none
   */
  public @Nullable String last() {
    return last;
  }
}
