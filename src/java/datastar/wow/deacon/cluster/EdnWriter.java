package datastar.wow.deacon.cluster;

import clojure.lang.BigInt;
import clojure.lang.IFn;
import clojure.lang.IPersistentVector;
import clojure.lang.IRecord;
import clojure.lang.IType;
import clojure.lang.Keyword;
import clojure.lang.PersistentVector;
import clojure.lang.Ratio;
import clojure.lang.Sequential;
import clojure.lang.Symbol;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a value is plain data and prints it as EDN, in one walk. Only these are data: nil,
 * booleans, strings, keywords, symbols, integers (long, int, short, byte, BigInt, BigInteger),
 * doubles and floats, BigDecimal, ratios, characters, UUIDs, {@link Date} and {@link Instant}
 * (both as {@code #inst}), and maps, vectors, sets, lists and seqs of data; Java lists, sets and
 * maps count as Clojure's. Anything else (a function, an atom, a record, an array, any other
 * object) is refused with its path. Metadata is never printed, and nothing is printed in a form
 * that a reader could turn into an object ({@code #=}, record or class literals).
 *
 * <p>The printed text reads back, through {@code clojure.edn}, as a value equal to the one written.
 * In canonical mode, values that Clojure holds equal print the same text (vectors and lists alike,
 * map entries and set elements sorted, {@code 1} and {@code 1N} alike, {@code 1.0M} and {@code
 * 1.00M} alike), so the text can name a key in Redis.
 */
final class EdnWriter {
  /** The deepest nesting written; deeper values are refused rather than risk a stack overflow. */
  static final int MAX_DEPTH = 200;

  private static final Keyword KEY = Keyword.intern("key");
  /** What a message carries: written as it is, where a key or pattern is written canonically. */
  static final Keyword PAYLOAD = Keyword.intern("payload");
  private static final DateTimeFormatter INST =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'-00:00'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final long MIN_INST_MILLIS = -62167219200000L; // 0000-01-01T00:00:00Z
  private static final long MAX_INST_MILLIS = 253402300799999L; // 9999-12-31T23:59:59.999Z
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StringBuilder out;
  private final boolean canonical;
  private final int maxChars;

  private EdnWriter(StringBuilder out, boolean canonical, int maxChars) {
    this.out = out;
    this.canonical = canonical;
    this.maxChars = maxChars;
  }

  /**
   * Appends {@code value} to {@code out} as EDN: a key or pattern canonically (equal keys give
   * equal texts), a payload as it is.
   *
   * @param input what the value is: {@code :key}, {@code :pattern} or {@link #PAYLOAD}
   * @param maxChars when {@code out} grows past this many chars, stop with {@link TooLarge}
   * @throws InvalidPayloadException when the value is not data
   * @throws TooLarge when the text grows past {@code maxChars}
   */
  static void write(StringBuilder out, @Nullable Object value, Keyword input, int maxChars) {
    try {
      new EdnWriter(out, input != PAYLOAD, maxChars).value(value, 0);
    } catch (NotData e) {
      List<Object> path = new ArrayList<>(e.path);
      @SuppressWarnings("unchecked")
      List<Object> vector = PersistentVector.create(path);
      throw new InvalidPayloadException(input, vector, e.value, e.reason);
    } catch (StackOverflowError e) {
      throw new InvalidPayloadException(
          input, PersistentVector.EMPTY, value, "is nested too deeply to walk");
    }
  }

  /**
   * The canonical EDN text of a key: equal keys (in Clojure's sense) give equal texts.
   *
   * @throws InvalidPayloadException when the key is not data, or prints longer than {@code
   *     maxChars}
   */
  static String canonicalKey(Object key, int maxChars) {
    StringBuilder sb = new StringBuilder(32);
    try {
      write(sb, key, KEY, maxChars);
    } catch (TooLarge e) {
      throw new InvalidPayloadException(
          KEY,
          PersistentVector.EMPTY,
          key,
          "prints to more than :max-message-bytes (" + maxChars + ") characters");
    }
    return sb.toString();
  }

  private void value(@Nullable Object x, int depth) {
    if (!scalar(x) && !collection(x, depth)) refuse(x);
    if (out.length() > maxChars) throw new TooLarge();
  }

  /** Writes {@code x} when it is a scalar EDN carries; false when it is not one. */
  @SuppressWarnings("JavaUtilDate") // #inst reads as java.util.Date: it is EDN's instant
  private boolean scalar(@Nullable Object x) {
    if (x == null) {
      out.append("nil");
    } else if (x instanceof String) {
      string((String) x);
    } else if (x instanceof Keyword) {
      keyword((Keyword) x);
    } else if (x instanceof Long || x instanceof Integer || x instanceof Short || x instanceof Byte) {
      out.append(((Number) x).longValue());
    } else if (x instanceof Boolean) {
      out.append(((Boolean) x).booleanValue());
    } else if (x instanceof Double || x instanceof Float) {
      floating(((Number) x).doubleValue());
    } else if (x instanceof BigInt || x instanceof BigInteger || x instanceof BigDecimal) {
      big((Number) x);
    } else if (x instanceof Ratio) {
      ratio((Ratio) x);
    } else if (x instanceof Character) {
      character((Character) x);
    } else if (x instanceof Symbol) {
      symbol((Symbol) x);
    } else if (x instanceof UUID) {
      out.append("#uuid \"").append(x).append('"');
    } else if (x instanceof Date) {
      inst(((Date) x).getTime(), x);
    } else if (x instanceof Instant) {
      instant((Instant) x);
    } else {
      return false;
    }
    return true;
  }

  /** Writes {@code x} when it is a collection EDN carries; false when it is not one. */
  private boolean collection(Object x, int depth) {
    if (x instanceof IRecord || x instanceof IType) {
      throw new NotData(x, "is a record or type, not plain data: send a map");
    } else if (x instanceof Map) {
      checkDepth(x, depth);
      map((Map<?, ?>) x, depth + 1);
    } else if (x instanceof Set) {
      checkDepth(x, depth);
      set((Set<?>) x, depth + 1);
    } else if (x instanceof IPersistentVector) {
      checkDepth(x, depth);
      vector((IPersistentVector) x, depth + 1);
    } else if (x instanceof List || (x instanceof Sequential && x instanceof Iterable)) {
      checkDepth(x, depth);
      sequence((Iterable<?>) x, depth + 1);
    } else {
      return false;
    }
    return true;
  }

  private static void refuse(@Nullable Object x) {
    if (x instanceof IFn) throw new NotData(x, "is a function, not data");
    if (x instanceof Number) throw new NotData(x, "is a kind of number EDN does not carry");
    throw new NotData(x, "is not data (only nil, booleans, strings, keywords, symbols, numbers,"
        + " characters, UUIDs, instants and maps, vectors, sets, lists of those are sent)");
  }

  private void keyword(Keyword k) {
    if (!EdnNames.keyword(k.getNamespace(), k.getName())) {
      throw new NotData(k, "is a keyword that would not read back as itself");
    }
    out.append(':');
    if (k.getNamespace() != null) out.append(k.getNamespace()).append('/');
    out.append(k.getName());
  }

  private void symbol(Symbol s) {
    if (!EdnNames.symbol(s.getNamespace(), s.getName())) {
      throw new NotData(s, "is a symbol that would not read back as itself");
    }
    if (s.getNamespace() != null) out.append(s.getNamespace()).append('/');
    out.append(s.getName());
  }

  /** BigInt, BigInteger and BigDecimal; canonical: a value that fits a long is written as one. */
  private void big(Number x) {
    if (x instanceof BigInt) {
      BigInt b = (BigInt) x;
      if (b.bipart == null && canonical) out.append(b.lpart);
      else out.append(b.toBigInteger()).append('N');
    } else if (x instanceof BigInteger) {
      BigInteger b = (BigInteger) x;
      if (canonical && b.bitLength() < 64) out.append(b.longValue());
      else out.append(b).append('N');
    } else {
      BigDecimal d = (BigDecimal) x;
      if (canonical) d = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
      out.append(d.toString()).append('M');
    }
  }

  private void instant(Instant i) {
    if (i.isBefore(Instant.ofEpochMilli(MIN_INST_MILLIS))
        || i.isAfter(Instant.ofEpochMilli(MAX_INST_MILLIS))) {
      throw new NotData(i, "is an instant outside the years 0 to 9999, which #inst cannot hold");
    }
    inst(i.toEpochMilli(), i);
  }

  private static void checkDepth(Object x, int depth) {
    if (depth >= MAX_DEPTH) {
      throw new NotData(x, "is nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void floating(double d) {
    if (Double.isNaN(d)) {
      out.append("##NaN");
    } else if (Double.isInfinite(d)) {
      out.append(d > 0 ? "##Inf" : "##-Inf");
    } else if (canonical && d == 0.0) {
      out.append("0.0"); // -0.0 equals 0.0
    } else {
      out.append(Double.toString(d));
    }
  }

  /** Ratios print normalized, as the reader would make them (and as Clojure always does). */
  private void ratio(Ratio r) {
    BigInteger n = r.numerator;
    BigInteger d = r.denominator;
    if (d.signum() == 0) throw new NotData(r, "is a ratio with a zero denominator");
    if (d.signum() < 0) {
      n = n.negate();
      d = d.negate();
    }
    BigInteger gcd = n.gcd(d);
    if (!gcd.equals(BigInteger.ONE)) {
      n = n.divide(gcd);
      d = d.divide(gcd);
    }
    if (d.equals(BigInteger.ONE)) {
      if (canonical && n.bitLength() < 64) out.append(n.longValue());
      else out.append(n).append('N');
      return;
    }
    out.append(n).append('/').append(d);
  }

  private void inst(long millis, Object x) {
    if (millis < MIN_INST_MILLIS || millis > MAX_INST_MILLIS) {
      throw new NotData(x, "is a date outside the years 0 to 9999, which #inst cannot hold");
    }
    out.append("#inst \"").append(INST.format(Instant.ofEpochMilli(millis))).append('"');
  }

  private void character(char c) {
    switch (c) {
      case '\n':
        out.append("\\newline");
        return;
      case ' ':
        out.append("\\space");
        return;
      case '\t':
        out.append("\\tab");
        return;
      case '\r':
        out.append("\\return");
        return;
      case '\b':
        out.append("\\backspace");
        return;
      case '\f':
        out.append("\\formfeed");
        return;
      default:
        break;
    }
    if (Character.isSurrogate(c)) {
      throw new NotData(c, "is half of a surrogate pair, which EDN cannot carry as a character");
    }
    if (Character.isLetterOrDigit(c) || (c > ' ' && c < 0x7f)) {
      out.append('\\').append(c);
    } else {
      out.append("\\u");
      hex4(c);
    }
  }

  private void string(String s) {
    out.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out.append("\\u");
            hex4(c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < n
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            // a lone half of a pair has no UTF-8 form: escaped, it reads back as itself
            out.append("\\u");
            hex4(c);
          } else {
            out.append(c);
          }
      }
      if ((i & 1023) == 1023 && out.length() > maxChars) throw new TooLarge();
    }
    out.append('"');
  }

  private void hex4(char c) {
    out.append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
        .append(HEX[c & 15]);
  }

  private void vector(IPersistentVector v, int depth) {
    out.append('[');
    int n = v.count();
    for (int i = 0; i < n; i++) {
      if (i > 0) out.append(' ');
      try {
        value(v.nth(i), depth);
      } catch (NotData e) {
        throw e.at((long) i);
      }
    }
    out.append(']');
  }

  private void sequence(Iterable<?> items, int depth) {
    // lists and seqs are written as vectors: Clojure holds them equal, and a reader sees data
    out.append('[');
    long i = 0;
    for (Object item : items) {
      if (i > 0) out.append(' ');
      try {
        value(item, depth);
      } catch (NotData e) {
        throw e.at(i);
      }
      i++;
    }
    out.append(']');
  }

  private void map(Map<?, ?> m, int depth) {
    if (!canonical) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) out.append(", ");
        first = false;
        try {
          value(e.getKey(), depth);
        } catch (NotData bad) {
          throw bad.inKey();
        }
        out.append(' ');
        try {
          value(e.getValue(), depth);
        } catch (NotData bad) {
          throw bad.at(e.getKey());
        }
      }
      out.append('}');
      return;
    }
    List<String[]> entries = new ArrayList<>(m.size());
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String k;
      try {
        k = sub(e.getKey(), depth);
      } catch (NotData bad) {
        throw bad.inKey();
      }
      String v;
      try {
        v = sub(e.getValue(), depth);
      } catch (NotData bad) {
        throw bad.at(e.getKey());
      }
      entries.add(new String[] {k, v});
    }
    entries.sort((a, b) -> a[0].compareTo(b[0]));
    out.append('{');
    for (int i = 0; i < entries.size(); i++) {
      if (i > 0) out.append(", ");
      out.append(entries.get(i)[0]).append(' ').append(entries.get(i)[1]);
    }
    out.append('}');
  }

  private void set(Set<?> s, int depth) {
    if (!canonical) {
      out.append("#{");
      boolean first = true;
      for (Object item : s) {
        if (!first) out.append(' ');
        first = false;
        try {
          value(item, depth);
        } catch (NotData bad) {
          throw bad.inElement();
        }
      }
      out.append('}');
      return;
    }
    List<String> items = new ArrayList<>(s.size());
    for (Object item : s) {
      try {
        items.add(sub(item, depth));
      } catch (NotData bad) {
        throw bad.inElement();
      }
    }
    items.sort(null);
    out.append("#{").append(String.join(" ", items)).append('}');
  }

  private String sub(Object x, int depth) {
    EdnWriter w = new EdnWriter(new StringBuilder(), canonical, maxChars);
    w.value(x, depth);
    return w.out.toString();
  }

  /** The text grew past its cap; thrown without a stack trace, caught by the caller. */
  static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("too large", null, false, false);
    }
  }

  /** A value that is not data; collects its path while the walk unwinds. */
  private static final class NotData extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Object value;
    String reason;
    final transient ArrayDeque<Object> path = new ArrayDeque<>();
    private boolean placed;

    NotData(Object value, String reason) {
      super(reason, null, false, false);
      this.value = value;
      this.reason = reason;
    }

    NotData at(Object segment) {
      path.addFirst(segment);
      return this;
    }

    /**
     * The value sits in a key of the map at the path: the path stops at the map (the innermost
     * key wins), since a path through a key would read as a path through the map's values.
     */
    NotData inKey() {
      return place("in a map key");
    }

    /** The value sits in an element of the set at the path; the path stops at the set. */
    NotData inElement() {
      return place("in a set element");
    }

    private NotData place(String where) {
      if (!placed) {
        path.clear();
        reason = reason + " (" + where + ")";
        placed = true;
      }
      return this;
    }
  }
}
