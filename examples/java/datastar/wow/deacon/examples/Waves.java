package datastar.wow.deacon.examples;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The waves every page lists: this node keeps the last {@link #KEPT}, oldest first. A wave's id is
 * drawn where it was made and travels with it, so a node keeps each wave once, whether it was made
 * here or reached this node's tabs from another node ({@link #seen}).
 *
 * <p>A page is given the whole list when its stream opens and cannot be caught up by the store's
 * history, and one line per wave after that, appended ({@link WaveList}).
 */
final class Waves {
  /** How many waves a node keeps for the pages that open. */
  static final int KEPT = 20;

  private static final Pattern ID = Pattern.compile("[0-9a-f]{8}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Deque<Messages.Wave> kept = new ArrayDeque<>();

  /** @return a fresh wave id: 8 hex digits, safe inside a Datastar expression */
  static String newId() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * @param wave a wave, made here or by another node
   * @return true when its id is one {@link #newId} could have drawn: only those reach a page
   */
  static boolean valid(Messages.Wave wave) {
    return ID.matcher(wave.id()).matches();
  }

  /**
   * Keeps {@code wave} unless this node keeps it already, dropping the oldest beyond {@link #KEPT}.
   *
   * @param wave a valid wave
   */
  synchronized void seen(Messages.Wave wave) {
    for (Messages.Wave w : kept) {
      if (w.id().equals(wave.id())) return;
    }
    kept.addLast(wave);
    if (kept.size() > KEPT) kept.removeFirst();
  }

  /** @return the waves this node keeps, oldest first */
  synchronized List<Messages.Wave> listed() {
    return new ArrayList<>(kept);
  }
}
