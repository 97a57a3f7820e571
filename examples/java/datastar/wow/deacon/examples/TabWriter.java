package datastar.wow.deacon.examples;

import datastar.wow.deacon.ConnectionWriter;

/**
 * The store's writer: what each {@link Messages message} shows on one tab. {@code store.send} calls
 * it once per tab the message reaches, on this node, whether the message was sent here or by
 * another node of the cluster. The store keeps a history ({@code replay}): it calls {@link
 * #write(Object, Object, String)} with each message's id, live and when it replays the message to a
 * tab that came back, and the events written carry that id.
 */
final class TabWriter implements ConnectionWriter {
  private static final System.Logger LOG = System.getLogger(TabWriter.class.getName());

  private final Counters counters;
  private final StorePanel panel;
  private final Waves waves;

  /**
   * @param counters the session counters, for counters and commands
   * @param panel the store panel, for panel messages
   * @param waves the waves this node keeps, for waves
   */
  TabWriter(Counters counters, StorePanel panel, Waves waves) {
    this.counters = counters;
    this.panel = panel;
    this.waves = waves;
  }

  @Override
  public boolean write(Object connection, Object message, String id) {
    return ((SseStream) connection).withId(id, () -> write(connection, message));
  }

  @Override
  public boolean write(Object connection, Object message) {
    SseStream tab = (SseStream) connection;
    Messages.Message m = Messages.read(message);
    if (m instanceof Messages.CounterState c) return counters.received(c, tab);
    if (m instanceof Messages.Command c) return counters.received(c, tab);
    if (m instanceof Messages.Wave w) return wave(w, tab);
    if (m instanceof Messages.Push p) return tab.patchSignals("{\"push\":" + p.n() + "}");
    if (m instanceof Messages.Notice n) return tab.patchSignals("{\"notice\":" + Page.jsonString(n.text()) + "}");
    if (m instanceof Messages.Panel p) return panel.received(p, tab);
    LOG.log(System.Logger.Level.WARNING, "counter: not a message of this server, ignored: " + message);
    return tab.isOpen();
  }

  // A wave, made here or on another node: kept here too, its line appended to the tab's list.
  private boolean wave(Messages.Wave w, SseStream tab) {
    if (!Waves.valid(w)) {
      LOG.log(System.Logger.Level.WARNING, "counter: a wave whose id is not 8 hex digits, ignored");
      return tab.isOpen();
    }
    waves.seen(w);
    return tab.patchElements(WaveList.SELECTOR, "append", WaveList.line(w));
  }
}
