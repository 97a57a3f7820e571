package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.java.api.Clojure;
import clojure.lang.BigInt;
import clojure.lang.IFn;
import clojure.lang.Keyword;
import clojure.lang.MapEntry;
import clojure.lang.PersistentArrayMap;
import clojure.lang.PersistentHashSet;
import clojure.lang.PersistentList;
import clojure.lang.PersistentVector;
import clojure.lang.Ratio;
import clojure.lang.Symbol;
import clojure.lang.Util;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The data check and EDN printer: plain data prints as EDN that reads back equal; equal keys print
 * the same canonical text; anything else is refused with where it sits.
 */
class EdnWriterTest {
  private static final Keyword PAYLOAD = Keyword.intern("payload");
  private static final IFn EVAL = Clojure.var("clojure.core", "eval");

  private static String print(Object value) {
    StringBuilder sb = new StringBuilder();
    EdnWriter.write(sb, value, PAYLOAD, Integer.MAX_VALUE);
    return sb.toString();
  }

  private static Object roundTrip(Object value) {
    return edn(print(value));
  }

  private static void same(Object value) {
    Object back = roundTrip(value);
    assertTrue(Util.equiv(value, back), value + " printed " + print(value) + " read back " + back);
    String canonical = EdnWriter.canonicalKey(value, Integer.MAX_VALUE);
    assertTrue(Util.equiv(value, edn(canonical)), "canonical " + canonical);
    assertEquals(canonical, EdnWriter.canonicalKey(back, Integer.MAX_VALUE), "stable");
  }

  @Test
  @SuppressWarnings("JavaUtilDate") // #inst reads as a java.util.Date
  void plainDataReadsBackEqual() {
    for (Object v :
        Arrays.asList(
            null, true, false, "", "plain", "quote \" backslash \\ newline \n tab \t cr \r",
            "control \u0001 \u001f del \u007f bell \u0007 formfeed \f backspace \b",
            "unicode é 中文 \u2028 emoji \uD83D\uDE00", "lone \uD800 half",
            Keyword.intern("a"), Keyword.intern("my.app", "thing"), Keyword.intern("1"),
            Keyword.intern("a-b?!*+<>=$%&|'.:#"), Symbol.intern("sym"), Symbol.intern("ns.a", "b"),
            Symbol.intern("."), Symbol.intern("-"), Symbol.intern("+"), Symbol.intern("a'"),
            0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 7, (short) 3, (byte) -2,
            1.5, -0.0, 1e300, 4.9e-324, -2.5e-10, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 0.1f, BigInt.fromLong(5), BigInt.fromBigInteger(
                BigInteger.TWO.pow(100)), BigInteger.valueOf(-9), BigInteger.TEN.pow(40),
            new BigDecimal("1.50"), new BigDecimal("-0.000"), new BigDecimal("1E+3"),
            new Ratio(BigInteger.ONE, BigInteger.valueOf(3)),
            new Ratio(BigInteger.valueOf(-7), BigInteger.valueOf(2)),
            'a', '\n', ' ', '\t', '\r', '\b', '\f', '\u0000', '"', '\\', '(', ',', 'é', '\u2028',
            new UUID(0x1234, 0x5678), new java.util.Date(1767323045006L),
            edn("[]"), edn("{}"), edn("#{}"), edn("()"),
            edn("[[:datastar.wow/patch-signals {:count 3}] [:my.app/thing \"x\" 1]]"),
            edn("{nil 1, 1 nil, [1 2] #{:a \"b\"}, {:k :v} (1 2 3)}"),
            MapEntry.create(1L, 2L), new ArrayList<>(List.of(1L, "two")),
            new HashMap<>(java.util.Map.of("k", List.of(1L))),
            new LinkedHashSet<>(List.of(Keyword.intern("x"))),
            Clojure.var("clojure.core", "map").invoke(Clojure.var("clojure.core", "inc"),
                edn("[1 2 3]")),
            Clojure.var("clojure.core", "range").invoke(5L),
            Clojure.var("clojure.core", "sorted-map").invoke(Keyword.intern("b"), 1L,
                Keyword.intern("a"), 2L))) {
      same(v);
    }
    // an Instant is sent as #inst and read back as a java.util.Date, to the millisecond
    assertEquals("#inst \"1969-12-31T00:00:00.001-00:00\"", print(Instant.ofEpochMilli(-86399999L)));
    assertEquals(new java.util.Date(-86399999L), roundTrip(Instant.ofEpochSecond(-86400, 1_999_999)));
    assertEquals("##NaN", print(Double.NaN));
    assertTrue(Double.isNaN((Double) roundTrip(Double.NaN)));
  }

  @Test
  void metadataIsNotPrinted() {
    Object withMeta = EVAL.invoke(Clojure.read("(with-meta [1] {:secret (fn [] 1)})"));
    assertEquals("[1]", print(withMeta));
    assertEquals("a", print(EVAL.invoke(Clojure.read("(with-meta (quote a) {:tag String})"))));
  }

  @Test
  void equalKeysPrintTheSameCanonicalText() {
    String[][] equal = {
      {"[1 {:a 1, :b 2} #{:x :y}]", "(1N {:b 2 :a 1} #{:y :x})"},
      {"1.0M", "1.000M"},
      {"0.0", "-0.0"},
      {"0M", "-0.00M"},
      {"[\"u\" :counter]", "(\"u\" :counter)"},
      {"{[1 2] 3}", "{(1 2) 3}"},
    };
    for (String[] pair : equal) {
      Object a = Clojure.read(pair[0]);
      Object b = Clojure.read(pair[1]);
      assertTrue(Util.equiv(a, b), pair[0] + " = " + pair[1]);
      assertEquals(
          EdnWriter.canonicalKey(a, 1000), EdnWriter.canonicalKey(b, 1000), pair[0] + " ~ " + pair[1]);
    }
    assertEquals(EdnWriter.canonicalKey(1L, 100), EdnWriter.canonicalKey(1, 100));
    assertEquals(EdnWriter.canonicalKey(1L, 100), EdnWriter.canonicalKey(BigInteger.ONE, 100));
    assertEquals(EdnWriter.canonicalKey(1.5, 100), EdnWriter.canonicalKey(1.5f, 100));
    assertEquals(
        EdnWriter.canonicalKey(edn("1/2"), 100),
        EdnWriter.canonicalKey(new Ratio(BigInteger.valueOf(-2), BigInteger.valueOf(-4)), 100));
    assertEquals(
        EdnWriter.canonicalKey(edn("[1 2]"), 100),
        EdnWriter.canonicalKey(PersistentList.create(List.of(1L, 2L)), 100));

    String[][] different = {{"1", "1.0"}, {"\"a\"", ":a"}, {"[1]", "#{1}"}, {"1/2", "0.5M"},
        {"a", "\"a\""}, {"{:a nil}", "{}"}};
    for (String[] pair : different) {
      assertNotEquals(
          EdnWriter.canonicalKey(edn(pair[0]), 100), EdnWriter.canonicalKey(edn(pair[1]), 100));
    }
  }

  /** Random nested data: every value reads back equal, and its canonical text is stable. */
  @Test
  void randomDataRoundTrips() {
    Random random = new Random(12);
    for (int i = 0; i < 3000; i++) same(randomValue(random, 3));
  }

  private static Object randomValue(Random r, int depth) {
    int kind = r.nextInt(depth > 0 ? 14 : 9);
    return switch (kind) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2 -> r.nextLong() >> r.nextInt(64);
      case 3 -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
      case 4 -> randomString(r);
      case 5 -> Keyword.intern(r.nextBoolean() ? null : "ns" + r.nextInt(3), "k" + r.nextInt(5));
      case 6 -> new BigDecimal(BigInteger.valueOf(r.nextInt()), r.nextInt(6));
      case 7 -> (char) r.nextInt(0xd000);
      case 8 -> new UUID(r.nextLong(), r.nextLong());
      case 9 -> {
        List<Object> items = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) items.add(randomValue(r, depth - 1));
        yield r.nextBoolean() ? PersistentVector.create(items) : PersistentList.create(items);
      }
      case 10 -> {
        List<Object> kvs = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          kvs.add(randomValue(r, depth - 1));
          kvs.add(randomValue(r, depth - 1));
        }
        yield PersistentArrayMap.createAsIfByAssoc(kvs.toArray());
      }
      case 11 -> {
        List<Object> items = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) items.add(randomValue(r, depth - 1));
        yield PersistentHashSet.create(items);
      }
      case 12 -> clojure.lang.Numbers.divide(r.nextInt(100) + 1L, r.nextInt(50) + 101L);
      default -> Symbol.intern("s" + r.nextInt(9));
    };
  }

  private static String randomString(Random r) {
    StringBuilder sb = new StringBuilder();
    for (int i = r.nextInt(8); i > 0; i--) sb.append((char) r.nextInt(r.nextBoolean() ? 128 : 0xffff));
    return sb.toString();
  }

  /** A keyword or symbol name is let through only when it reads back as itself. */
  @Test
  void keywordAndSymbolNamesThatWouldNotReadBackAreRefused() {
    Random random = new Random(34);
    String alphabet = "ab1 :/#'.-+_*!?<>=$%&|\"\\;@^`~()[]{},é\u0000";
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int n = 1 + random.nextInt(4); n > 0; n--) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String name = sb.toString();
      String ns = random.nextInt(3) == 0 ? "n" + name : null;
      for (Object x : List.of(Keyword.intern(ns, name), Symbol.intern(ns, name))) {
        String printed;
        try {
          printed = print(x);
        } catch (InvalidPayloadException refused) {
          continue;
        }
        accepted++;
        assertEquals(x, edn(printed), "printed " + printed);
      }
    }
    assertTrue(accepted > 1000, "accepted " + accepted);
    for (Object x :
        List.of(Keyword.intern("a b"), Keyword.intern("a/b", "c"), Symbol.intern("nil"),
            Symbol.intern("1a"), Symbol.intern("-1"), Keyword.intern("::a"), Symbol.intern("a:"))) {
      assertThrows(InvalidPayloadException.class, () -> print(x), x.toString());
    }
  }

  @Test
  void whatIsNotDataIsRefusedWithItsPath() {
    Object fn = Clojure.var("clojure.core", "inc");
    InvalidPayloadException e =
        assertThrows(
            InvalidPayloadException.class,
            () -> print(EVAL.invoke(Clojure.read(
                "[[:a] [:b 1 {:on-click inc, :ok 1}]]"))));
    assertEquals(edn("[1 2 :on-click]"), e.path());
    assertTrue(e.getMessage().contains("at [1 2 :on-click]"), e.getMessage());
    assertTrue(e.getMessage().contains("is a function"), e.getMessage());
    assertEquals("payload", e.input(), "input() is a String, as on every InvalidInputException");
    assertTrue(Util.equiv(fn, e.value()) || e.value() instanceof IFn);

    InvalidPayloadException inKey = assertThrows(InvalidPayloadException.class,
        () -> print(EVAL.invoke(Clojure.read("{:a {[inc] 1}}"))));
    assertEquals(edn("[:a]"), inKey.path());
    assertTrue(inKey.getMessage().contains("in a map key"), inKey.getMessage());

    InvalidPayloadException inSet = assertThrows(InvalidPayloadException.class,
        () -> print(EVAL.invoke(Clojure.read("[#{inc}]"))));
    assertEquals(edn("[0]"), inSet.path());
    assertTrue(inSet.getMessage().contains("in a set element"), inSet.getMessage());

    Object record = EVAL.invoke(Clojure.read(
        "(do (defrecord EdnWriterTestRecord [a]) (->EdnWriterTestRecord 1))"));
    for (Object bad :
        List.of(record, EVAL.invoke(Clojure.read("(atom 1)")), new Object(), new int[] {1},
            Optional.of(1), new AtomicLong(1), EVAL.invoke(Clojure.read("(delay 1)")),
            Clojure.var("clojure.core", "map"), Thread.currentThread(),
            Instant.parse("+10000-01-01T00:00:00Z"))) {
      InvalidPayloadException refused =
          assertThrows(InvalidPayloadException.class, () -> print(List.of(1L, bad)), bad.toString());
      assertEquals(edn("[1]"), refused.path());
    }
  }

  @Test
  void nestingIsBounded() {
    Object deep = edn("1");
    for (int i = 0; i < EdnWriter.MAX_DEPTH + 5; i++) deep = PersistentVector.create(deep);
    Object tooDeep = deep;
    InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> print(tooDeep));
    assertTrue(e.getMessage().contains("nested deeper than"), e.getMessage());
    Object ok = edn("1");
    for (int i = 0; i < EdnWriter.MAX_DEPTH - 1; i++) ok = PersistentVector.create(ok);
    same(ok);
  }

  @Test
  void printingStopsAtTheCap() {
    StringBuilder sb = new StringBuilder();
    Object endless = Clojure.var("clojure.core", "range").invoke();
    assertThrows(EdnWriter.TooLarge.class, () -> EdnWriter.write(sb, endless, PAYLOAD, 10_000));
    assertTrue(sb.length() < 20_000, "stopped near the cap: " + sb.length());
    assertThrows(EdnWriter.TooLarge.class,
        () -> EdnWriter.write(new StringBuilder(), "x".repeat(100_000), PAYLOAD, 10_000));
  }
}
