package datastar.wow.deacon.examples;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The page's list of waves, as HTML and signals: {@code <ol id="waves">}, with one {@code <li>} a
 * wave, and the {@code waves} signal, the ids of the waves the list was last given with. A wave's
 * line is appended to the list ({@code mode append}); it is not shown when that list held the wave
 * already, so a wave made while a tab's list is being sent shows once.
 */
final class WaveList {
  private WaveList() {}

  /** Where each wave's line is appended. */
  static final String SELECTOR = "#waves";

  /**
   * @param waves the waves, oldest first
   * @return the whole list
   */
  static String html(List<Messages.Wave> waves) {
    StringBuilder html = new StringBuilder("<ol id=\"waves\" class=\"log waves\">");
    for (Messages.Wave w : waves) {
      html.append("<li data-wave=\"").append(w.id()).append("\">").append(Page.escape(w.text())).append("</li>");
    }
    return html.append("</ol>").toString();
  }

  /**
   * @param wave a valid wave ({@link Waves#valid})
   * @return its line, appended to the list, hidden when the page's last list held it
   */
  static String line(Messages.Wave wave) {
    return "<li data-wave=\"" + wave.id() + "\" data-show=\"!$waves.includes('" + wave.id() + "')\">"
        + Page.escape(wave.text()) + "</li>";
  }

  /**
   * @param waves the waves of a list
   * @return the {@code waves} signal for it, as JSON: {@code {"waves":["1a2b3c4d"]}}
   */
  static String signals(List<Messages.Wave> waves) {
    return "{\"waves\":" + ids(waves, "\"") + "}";
  }

  /**
   * @param waves the waves of a list
   * @return their ids as a JavaScript array, for the page's {@code data-signals}
   */
  static String jsIds(List<Messages.Wave> waves) {
    return ids(waves, "'");
  }

  private static String ids(List<Messages.Wave> waves, String quote) {
    return waves.stream().map(w -> quote + w.id() + quote).collect(Collectors.joining(",", "[", "]"));
  }

  /**
   * Writes the whole list and its signal to {@code tab}, holding the tab's monitor: no other event
   * goes down the stream in between.
   *
   * @param tab a tab that opened afresh
   * @param waves the waves this node keeps
   * @return false when the tab turned out to be closed
   */
  static boolean show(SseStream tab, Waves waves) {
    synchronized (tab) {
      List<Messages.Wave> listed = waves.listed();
      return tab.patchSignals(signals(listed)) && tab.patchElements(html(listed));
    }
  }
}
