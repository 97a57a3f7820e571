package datastar.wow.deacon.examples;

import datastar.wow.deacon.ConnectionWriter;

/**
 * The store's writer: what each {@link Messages message} shows on one tab. {@code store.send} calls
 * it once per tab the message reaches, on this node, whether the message was sent here or by
 * another node of the cluster.
 */
final class TabWriter implements ConnectionWriter {
  private static final System.Logger LOG = System.getLogger(TabWriter.class.getName());

  private final Counters counters;
  private final StorePanel panel;

  /**
   * @param counters the session counters, for counters and commands
   * @param panel the store panel, for panel messages
   */
  TabWriter(Counters counters, StorePanel panel) {
    this.counters = counters;
    this.panel = panel;
  }

  @Override
  public boolean write(Object connection, Object message) {
    SseStream tab = (SseStream) connection;
    Messages.Message m = Messages.read(message);
    if (m instanceof Messages.CounterState c) return counters.received(c, tab);
    if (m instanceof Messages.Command c) return counters.received(c, tab);
    if (m instanceof Messages.Wave w) return tab.patchSignals("{\"wave\":" + Page.jsonString(w.text()) + "}");
    if (m instanceof Messages.Push p) return tab.patchSignals("{\"push\":" + p.n() + "}");
    if (m instanceof Messages.Notice n) return tab.patchSignals("{\"notice\":" + Page.jsonString(n.text()) + "}");
    if (m instanceof Messages.Panel p) return panel.received(p, tab);
    LOG.log(System.Logger.Level.WARNING, "counter: not a message of this server, ignored: " + message);
    return tab.isOpen();
  }
}
