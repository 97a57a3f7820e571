package datastar.wow.deacon.cluster;

import clojure.lang.EdnReader;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import datastar.wow.deacon.LogEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One backplane message on the wire: an EDN map, UTF-8 encoded, e.g.
 *
 * <pre>
 * {:v 1, :from "node-a", :key [7 :counter], :payload [[:datastar.wow/patch-signals {:count 3}]]}
 * {:v 1, :from "node-a", :pattern [:* :counter], :payload ..., :token "k3x9", :seq "1733590000000-0"}
 * {:v 1, :from "node-a", :pattern [7 :counter], :payload ..., :token "p0q2", :seq "1733590000000-1"}
 * {:v 1, :from "node-a", :key [7 :feed], :prev "1733590000000-4",
 *  :ids ["1733590000000-5"], :events [["datastar-patch-elements" ["elements &lt;li&gt;hi&lt;/li&gt;"] nil]]}
 * </pre>
 *
 * The first two carry a payload to render (with a token, the receiver appends what it renders to
 * the shared history with it; {@code :seq}, added by {@link Scripts#RELAY} in Redis, is the
 * push's place in the pushes kept for the nodes cut off); the last carries
 * events of a key's shared history, with their ids and the id before them, built by {@link
 * Scripts#APPEND} in Redis.
 *
 * Written by {@link EdnWriter} (data only, no metadata), read by {@code clojure.edn}'s reader
 * ({@link EdnReader}, what {@code clojure.edn/read-string} calls) with no tag readers besides
 * {@code #inst} and {@code #uuid}: no message can make a node build an object or run code. Both
 * ends enforce the size cap.
 */
final class Message {
  static final int VERSION = 1;

  private static final Keyword V = Keyword.intern("v");
  private static final Keyword FROM = Keyword.intern("from");
  private static final Keyword KEY = Keyword.intern("key");
  private static final Keyword PATTERN = Keyword.intern("pattern");
  private static final Keyword TOKEN = Keyword.intern("token");
  private static final Keyword SEQ = Keyword.intern("seq");
  private static final Keyword PREV = Keyword.intern("prev");
  private static final Keyword IDS = Keyword.intern("ids");
  private static final Keyword EVENTS = Keyword.intern("events");
  private static final Object EOF = new Object();
  private static final IPersistentMap READ_OPTIONS =
      PersistentArrayMap.createAsIfByAssoc(new Object[] {Keyword.intern("eof"), EOF});

  final String from;
  final Object target;
  final boolean isPattern;
  final @Nullable Object payload;
  /** The token of a payload to render and append, or null. */
  final @Nullable String token;
  /** A relayed push's place in {@code P:bc}, or null. */
  final @Nullable String seq;
  /** For events of a key's log: the id before them, or null when there was none. */
  final @Nullable String prev;
  /** For events of a key's log: the events with their ids; null for a payload. */
  final @Nullable List<LogEntry> entries;

  /** Reads the fields of {@code m}, whose version and sender are checked. */
  private Message(IPersistentMap m, String from) throws Refused {
    boolean hasKey = m.containsKey(KEY);
    boolean hasPattern = m.containsKey(PATTERN);
    if (hasKey == hasPattern) throw new Refused("must hold exactly one of :key and :pattern");
    this.from = from;
    this.target = m.valAt(hasKey ? KEY : PATTERN);
    this.isPattern = hasPattern;
    if (m.containsKey(EVENTS)) {
      if (hasPattern) throw new Refused("holds :events for a :pattern");
      this.payload = null;
      this.token = null;
      this.seq = null;
      this.prev = string(m, PREV);
      this.entries = entriesOf(m);
    } else {
      if (!m.containsKey(EdnWriter.PAYLOAD)) throw new Refused("has no :payload");
      this.payload = m.valAt(EdnWriter.PAYLOAD);
      this.token = string(m, TOKEN);
      this.seq = string(m, SEQ);
      this.prev = null;
      this.entries = null;
    }
  }

  /** The target field of a routed message, from its key's canonical EDN. */
  static String toKey(String keyEdn) {
    return ":key " + keyEdn;
  }

  /** The target field of a broadcast, from its pattern's canonical EDN. */
  static String toPattern(String patternEdn) {
    return ":pattern " + patternEdn;
  }

  /**
   * The target fields of a relayed push: its receivers render the payload and append it to the
   * shared history with {@code token}.
   *
   * @param target {@link #toKey} or {@link #toPattern}
   */
  static String relayed(String target, String token) {
    return target + ", :token \"" + token + '"';
  }

  /**
   * Encodes a message.
   *
   * @param target {@link #toKey}, {@link #toPattern} or {@link #relayed}
   * @throws InvalidPayloadException when the payload is not data, or the message is larger than
   *     {@code maxBytes}
   */
  static byte[] encode(String from, String target, @Nullable Object payload, int maxBytes) {
    StringBuilder sb = new StringBuilder(64 + target.length());
    sb.append("{:v ").append(VERSION).append(", :from \"").append(from).append("\", ");
    sb.append(target).append(", :payload ");
    try {
      EdnWriter.write(sb, payload, EdnWriter.PAYLOAD, maxBytes);
    } catch (EdnWriter.TooLarge e) {
      throw tooLarge(payload, "more than", maxBytes);
    }
    sb.append('}');
    byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
    if (bytes.length > maxBytes) throw tooLarge(payload, String.valueOf(bytes.length), maxBytes);
    return bytes;
  }

  static InvalidPayloadException tooLarge(Object payload, String size, int maxBytes) {
    return new InvalidPayloadException(
        EdnWriter.PAYLOAD,
        PersistentVector.EMPTY,
        payload,
        "encodes to "
            + size
            + " bytes with its envelope, over :max-message-bytes "
            + maxBytes);
  }

  /**
   * Reads a message that arrived.
   *
   * @throws Refused saying why the bytes are not a message this node accepts
   */
  static Message decode(byte[] bytes, int maxBytes) throws Refused {
    if (bytes.length > maxBytes) {
      throw new Refused(
          "is " + bytes.length + " bytes, over :max-message-bytes " + maxBytes + "; not read");
    }
    Object read = read(new String(bytes, StandardCharsets.UTF_8));
    if (!(read instanceof IPersistentMap)) throw new Refused("is not an EDN map");
    IPersistentMap m = (IPersistentMap) read;
    Object version = m.valAt(V);
    if (!(version instanceof Long) || (Long) version != VERSION) {
      throw new Refused("has :v " + version + "; this node reads version " + VERSION);
    }
    Object from = m.valAt(FROM);
    if (!(from instanceof String) || ((String) from).isEmpty()) {
      throw new Refused("has no :from node id");
    }
    return new Message(m, (String) from);
  }

  /**
   * Reads one EDN value as a message's body or an event of a key's log: {@code clojure.edn}'s
   * reader, no tag readers but {@code #inst} and {@code #uuid}.
   *
   * @throws Refused saying why the text is not one EDN value this node reads
   */
  static Object read(String edn) throws Refused {
    TextReader in = new TextReader(edn);
    try {
      Object read = EdnReader.read(in, READ_OPTIONS);
      if (read != EOF && EdnReader.read(in, READ_OPTIONS) != EOF) {
        throw new Refused("holds more than one EDN value");
      }
      return read;
    } catch (Refused e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Refused("is not EDN this node reads (" + e.getMessage() + ")");
    } catch (StackOverflowError e) {
      throw new Refused("is nested too deeply to read");
    }
  }

  private static @Nullable String string(IPersistentMap m, Keyword field) throws Refused {
    Object value = m.valAt(field);
    if (value != null && !(value instanceof String)) throw new Refused("has a " + field + " that is not a string");
    return (String) value;
  }

  private static List<LogEntry> entriesOf(IPersistentMap m) throws Refused {
    Object ids = m.valAt(IDS);
    Object events = m.valAt(EVENTS);
    if (!(ids instanceof List) || !(events instanceof List) || ((List<?>) ids).size() != ((List<?>) events).size()) {
      throw new Refused("must hold as many :ids as :events");
    }
    List<LogEntry> entries = new ArrayList<>(((List<?>) ids).size());
    for (int i = 0; i < ((List<?>) ids).size(); i++) {
      Object id = ((List<?>) ids).get(i);
      Object event = ((List<?>) events).get(i);
      if (!(id instanceof String) || event == null) throw new Refused("holds an id that is not a string, or a nil event");
      entries.add(new LogEntry((String) id, event));
    }
    return entries;
  }

  /** Why an arrived message was not delivered. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }
}
