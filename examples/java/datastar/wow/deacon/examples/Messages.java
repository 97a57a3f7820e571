package datastar.wow.deacon.examples;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.RT;
import org.jspecify.annotations.Nullable;

/**
 * What the server writes to tabs with {@code store.send}, as plain data: a Clojure map such as
 * {@code {:type :wave :text "1a2b3c4d waved at 12:00:00"}}. In a cluster the store sends the same
 * message to the other nodes holding the key (as EDN: data only, nothing a node would run), and the
 * store's writer on each node ({@link TabWriter}) reads it back with {@link #read} and writes the
 * events it stands for to that node's tabs.
 */
final class Messages {
  private Messages() {}

  private static final Keyword TYPE = Keyword.intern("type");
  private static final Keyword COUNTER = Keyword.intern("counter");
  private static final Keyword COMMAND = Keyword.intern("command");
  private static final Keyword WAVE = Keyword.intern("wave");
  private static final Keyword PUSH = Keyword.intern("push");
  private static final Keyword PANEL = Keyword.intern("panel");
  private static final Keyword SESSION = Keyword.intern("session");
  private static final Keyword VALUE = Keyword.intern("value");
  private static final Keyword TICKER = Keyword.intern("ticker");
  private static final Keyword VERSION = Keyword.intern("version");
  private static final Keyword ORIGIN = Keyword.intern("origin");
  private static final Keyword FROM = Keyword.intern("from");
  private static final Keyword ASK = Keyword.intern("ask");
  private static final Keyword OP = Keyword.intern("op");
  private static final Keyword ID = Keyword.intern("id");
  private static final Keyword TEXT = Keyword.intern("text");
  private static final Keyword N = Keyword.intern("n");
  private static final Keyword TELL_OTHERS = Keyword.intern("tell-others");
  private static final Keyword NOTICE = Keyword.intern("notice");

  /** A message, read. */
  sealed interface Message {}

  /**
   * A session's counter as the sending node has it: every node holding a tab of the session keeps
   * it if it is newer than its own ({@link Counter.Replica#newerThan}), then shows its counter.
   *
   * @param session the session's id
   * @param replica the counter, with who runs its timer and the stamp of its last change
   * @param from the sending node
   * @param ask whether the sender asks the others for their counter (it opened a tab)
   */
  record CounterState(String session, Counter.Replica replica, String from, boolean ask) implements Message {}

  /**
   * A command given on a node that holds no tab of the session: each node holding one applies it
   * once, then shows its counter.
   *
   * @param session the session's id
   * @param op {@code start}, {@code jump} or {@code stop}
   * @param id a random id: a node applies each command once, however many tabs it holds
   * @param from the sending node
   */
  record Command(String session, String op, String id, String from) implements Message {}

  /**
   * Someone waved: every tab appends a line saying so, and every node keeps it ({@link Waves}).
   *
   * @param id the wave's id, drawn where it was made ({@link Waves#newId})
   * @param text who waved and when
   */
  record Wave(String id, String text) implements Message {}

  /**
   * A notice every tab it reaches shows above its buttons, e.g. that a command reached only this
   * node's tabs.
   *
   * @param text what the tab shows
   */
  record Notice(String text) implements Message {}

  /**
   * A numbered push to every tab of a session.
   *
   * @param n the number
   */
  record Push(long n) implements Message {}

  /**
   * The store panel changed on node {@code from}: that node's tabs are shown its new panel; when
   * {@code tellOthers}, the other nodes look at theirs again.
   *
   * @param from the node whose panel it is
   * @param tellOthers whether the change is one the other nodes' panels show too
   */
  record Panel(String from, boolean tellOthers) implements Message {}

  /**
   * @param m a message
   * @return it as a Clojure map of keywords, strings, longs and booleans
   */
  static IPersistentMap write(Message m) {
    if (m instanceof CounterState c) {
      Counter.Replica r = c.replica();
      return RT.mapUniqueKeys(
          TYPE, COUNTER, SESSION, c.session(), VALUE, r.value(), TICKER, r.ticker(),
          VERSION, r.version(), ORIGIN, r.origin(), FROM, c.from(), ASK, c.ask());
    }
    if (m instanceof Command c) {
      return RT.mapUniqueKeys(TYPE, COMMAND, SESSION, c.session(), OP, c.op(), ID, c.id(), FROM, c.from());
    }
    if (m instanceof Wave w) return RT.mapUniqueKeys(TYPE, WAVE, ID, w.id(), TEXT, w.text());
    if (m instanceof Push p) return RT.mapUniqueKeys(TYPE, PUSH, N, p.n());
    if (m instanceof Notice n) return RT.mapUniqueKeys(TYPE, NOTICE, TEXT, n.text());
    Panel p = (Panel) m;
    return RT.mapUniqueKeys(TYPE, PANEL, FROM, p.from(), TELL_OTHERS, p.tellOthers());
  }

  /**
   * @param data a message as {@link #write} made it, here or on another node
   * @return the message, or null when {@code data} is not one
   */
  static @Nullable Message read(Object data) {
    if (!(data instanceof IPersistentMap m)) return null;
    Object type = m.valAt(TYPE);
    try {
      if (type == COUNTER) {
        Counter.Replica r =
            new Counter.Replica(
                number(m, VALUE), optional(m, TICKER), number(m, VERSION), text(m, ORIGIN));
        return new CounterState(text(m, SESSION), r, text(m, FROM), flag(m, ASK));
      }
      if (type == COMMAND) return new Command(text(m, SESSION), text(m, OP), text(m, ID), text(m, FROM));
      if (type == WAVE) return new Wave(text(m, ID), text(m, TEXT));
      if (type == PUSH) return new Push(number(m, N));
      if (type == NOTICE) return new Notice(text(m, TEXT));
      if (type == PANEL) return new Panel(text(m, FROM), flag(m, TELL_OTHERS));
    } catch (ClassCastException | NullPointerException malformed) {
      return null;
    }
    return null;
  }

  private static String text(IPersistentMap m, Keyword k) {
    return (String) java.util.Objects.requireNonNull(m.valAt(k));
  }

  private static @Nullable String optional(IPersistentMap m, Keyword k) {
    return (String) m.valAt(k);
  }

  private static long number(IPersistentMap m, Keyword k) {
    return ((Number) java.util.Objects.requireNonNull(m.valAt(k))).longValue();
  }

  private static boolean flag(IPersistentMap m, Keyword k) {
    return Boolean.TRUE.equals(m.valAt(k));
  }
}
