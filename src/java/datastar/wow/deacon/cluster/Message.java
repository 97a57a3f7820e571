package datastar.wow.deacon.cluster;

import clojure.lang.EdnReader;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentVector;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One backplane message on the wire: an EDN map, UTF-8 encoded, e.g.
 *
 * <pre>
 * {:v 1, :from "node-a", :key [7 :counter], :payload [[:datastar.wow/patch-signals {:count 3}]]}
 * {:v 1, :from "node-a", :pattern [:* :counter], :payload ...}
 * </pre>
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
  private static final Object EOF = new Object();
  private static final IPersistentMap READ_OPTIONS =
      PersistentArrayMap.createAsIfByAssoc(new Object[] {Keyword.intern("eof"), EOF});

  final String from;
  final Object target;
  final boolean isPattern;
  final Object payload;

  private Message(String from, Object target, boolean isPattern, Object payload) {
    this.from = from;
    this.target = target;
    this.isPattern = isPattern;
    this.payload = payload;
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
   * Encodes a message.
   *
   * @param target {@link #toKey} or {@link #toPattern}
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

  private static InvalidPayloadException tooLarge(Object payload, String size, int maxBytes) {
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
    Object read;
    TextReader in = new TextReader(new String(bytes, StandardCharsets.UTF_8));
    try {
      read = EdnReader.read(in, READ_OPTIONS);
      if (read != EOF && EdnReader.read(in, READ_OPTIONS) != EOF) {
        throw new Refused("holds more than one EDN value");
      }
    } catch (Refused e) {
      throw e;
    } catch (RuntimeException e) {
      throw new Refused("is not EDN this node reads (" + e.getMessage() + ")");
    } catch (StackOverflowError e) {
      throw new Refused("is nested too deeply to read");
    }
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
    boolean hasKey = m.containsKey(KEY);
    boolean hasPattern = m.containsKey(PATTERN);
    if (hasKey == hasPattern) throw new Refused("must hold exactly one of :key and :pattern");
    if (!m.containsKey(EdnWriter.PAYLOAD)) throw new Refused("has no :payload");
    return new Message(
        (String) from, m.valAt(hasKey ? KEY : PATTERN), hasPattern, m.valAt(EdnWriter.PAYLOAD));
  }

  /** Why an arrived message was not delivered. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String reason) {
      super(reason, null, false, false);
    }
  }
}
