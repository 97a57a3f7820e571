package datastar.wow.deacon.examples;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last few removals the store reported, newest first, for the store panel. */
final class RemovalLog {
  /**
   * One removal.
   *
   * @param key the key's label, session ids shortened ({@link Page#label})
   * @param cause the cause, as its keyword's name: {@code explicit}, {@code dead}, ...
   * @param at the time of day, {@code HH:mm:ss}
   */
  record Entry(String key, String cause, String at) {}

  private final int size;
  private final Deque<Entry> entries = new ArrayDeque<>();

  /** @param size how many removals to keep */
  RemovalLog(int size) {
    this.size = size;
  }

  /** @param entry the newest removal; the oldest beyond {@code size} is dropped */
  synchronized void add(Entry entry) {
    entries.addFirst(entry);
    while (entries.size() > size) entries.removeLast();
  }

  /** @return the removals, newest first */
  synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }
}
