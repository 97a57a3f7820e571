package datastar.wow.deacon;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link SharedLog} did with an append: the ids it gave the events, and the id of the event
 * before them in the key's log. The appending node writes the events to its own streams at once
 * with these ids, in the log's order (the id before them tells it whether it missed one). Immutable.
 */
public final class Appended {
  private static final Appended NOTHING = new Appended(List.of(), null);

  private final List<String> ids;
  private final @Nullable String previous;

  /**
   * Makes the answer to an append.
   *
   * @param ids the ids given, one per event, in order; empty when nothing was kept
   * @param previous the id of the key's event before them, or null when there was none
   */
  public Appended(List<String> ids, @Nullable String previous) {
    this.ids = List.copyOf(ids);
    this.previous = previous;
  }

  /**
   * The answer to an append that kept nothing: no node holds the key or held it within the
   * window, or the events of its token were appended before.
   *
   * @return an answer with no ids
   */
  public static Appended nothing() {
    return NOTHING;
  }

  /**
   * Gives the ids the events were given.
   *
   * @return one id per event, in order; empty when nothing was kept
   */
  public List<String> ids() {
    return ids;
  }

  /**
   * Gives the id before them.
   *
   * @return the id of the key's event before the appended ones, or null
   */
  public @Nullable String previous() {
    return previous;
  }
}
