package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format: an EDN map that reads back as sent, and nothing else is accepted. */
class MessageTest {
  private static final Object EFFECTS =
      edn("[[:datastar.wow/patch-signals {:count 3}] [:my.app/thing \"x\" 1]]");

  @Test
  void aRoutedMessageAndABroadcastReadBack() throws Exception {
    byte[] routed = Message.encode("node-a", Message.toKey("[\"u1\" :counter]"), EFFECTS, 1 << 20);
    assertEquals(
        "{:v 1, :from \"node-a\", :key [\"u1\" :counter], :payload [[:datastar.wow/patch-signals"
            + " {:count 3}] [:my.app/thing \"x\" 1]]}",
        new String(routed, StandardCharsets.UTF_8));
    Message m = Message.decode(routed, 1 << 20);
    assertEquals("node-a", m.from);
    assertEquals(edn("[\"u1\" :counter]"), m.target);
    assertFalse(m.isPattern);
    assertEquals(EFFECTS, m.payload);

    Message b = Message.decode(Message.encode("n", Message.toPattern("[:* :counter]"), null, 1024), 1024);
    assertTrue(b.isPattern);
    assertEquals(edn("[:* :counter]"), b.target);
    assertEquals(null, b.payload);
  }

  @Test
  void theCapCountsTheWholeMessageInUtf8Bytes() throws Exception {
    String envelope = "{:v 1, :from \"n\", :key 1, :payload \"\"}";
    int room = 1024 - envelope.length();
    assertEquals(1024, Message.encode("n", Message.toKey("1"), "x".repeat(room), 1024).length);
    InvalidPayloadException e = assertThrows(InvalidPayloadException.class,
        () -> Message.encode("n", Message.toKey("1"), "x".repeat(room + 1), 1024));
    assertTrue(e.getMessage().contains("encodes to 1025 bytes"), e.getMessage());
    // two bytes per é in UTF-8
    assertThrows(InvalidPayloadException.class,
        () -> Message.encode("n", Message.toKey("1"), "é".repeat(room / 2 + 1), 1024));
    byte[] exactly = Message.encode("n", Message.toKey("1"), "x".repeat(room), 1024);
    Message.Refused refused =
        assertThrows(Message.Refused.class, () -> Message.decode(exactly, 1023));
    assertTrue(refused.getMessage().contains("1024 bytes, over :max-message-bytes 1023"));
  }

  @Test
  void anythingButABackplaneMessageInPlainEdnIsRefused() {
    for (String s :
        List.of(
            "", "   ", "not edn ((", "{:v 1", "#=(java.lang.Runtime/getRuntime)",
            "{:v 1, :from \"x\", :key 1, :payload #java.io.File[\"/etc/passwd\"]}",
            "{:v 1, :from \"x\", :key 1, :payload #clojure.lang.PersistentQueue[]}",
            "{:v 1, :from \"x\", :key 1, :payload #my/tag 1}",
            "{:v 1, :from \"x\", :key 1, :payload (clojure.core/eval 1)} {}",
            "{:v 1, :from \"x\", :key 1, :payload #inst \"not a date\"}",
            "[:v 1]", "{:v \"1\", :from \"x\", :key 1, :payload 1}",
            "{:v 1, :from :x, :key 1, :payload 1}", "{:v 1, :from \"\", :key 1, :payload 1}",
            "{:v 1, :from \"x\", :payload 1}", "{:v 1, :from \"x\", :key 1}",
            "{:v 1, :from \"x\", :pattern 1, :payload 1, :token 7}",
            "{:v 1, :from \"x\", :pattern 1, :prev nil, :ids [\"1-0\"], :events [1]}",
            "{:v 1, :from \"x\", :key 1, :prev nil, :ids [\"1-0\" \"1-1\"], :events [1]}",
            "{:v 1, :from \"x\", :key 1, :prev nil, :ids [1], :events [1]}",
            "{:v 1, :from \"x\", :key 1, :prev nil, :ids [\"1-0\"], :events [nil]}",
            "{:v 1, :from \"x\", :key 1, :prev 5, :ids [\"1-0\"], :events [1]}",
            "[".repeat(100_000))) {
      assertThrows(
          Message.Refused.class,
          () -> Message.decode(s.getBytes(StandardCharsets.UTF_8), 1 << 20),
          s.length() > 50 ? s.substring(0, 50) : s);
    }
  }

  @Test
  void eventsOfAKeysLogAndATokenedBroadcastReadBack() throws Exception {
    // as append.lua and broadcast.lua build them in Redis
    Message logged = Message.decode(
        ("{:v 1, :from \"a\", :key [\"u1\" :feed], :prev \"17-0\", :ids [\"17-1\" \"17-2\"],"
                + " :events [[\"datastar-patch-signals\" [\"signals {:n 1}\"] nil] [:t {:n 2} 500]]}")
            .getBytes(StandardCharsets.UTF_8),
        1 << 20);
    assertEquals(edn("[\"u1\" :feed]"), logged.target);
    assertEquals("17-0", logged.prev);
    assertEquals(List.of("17-1", "17-2"), logged.entries.stream().map(e -> e.id()).toList());
    assertEquals(edn("[:t {:n 2} 500]"), logged.entries.get(1).event());
    assertEquals(null, logged.payload);

    Message first = Message.decode(
        "{:v 1, :from \"a\", :key 1, :prev nil, :ids [\"1-0\"], :events [1]}".getBytes(StandardCharsets.UTF_8), 1024);
    assertEquals(null, first.prev, "the first event of a log has none before it");

    Message tokened = Message.decode(
        "{:v 1, :from \"a\", :pattern [:* :feed], :payload [1], :token \"18-0\"}".getBytes(StandardCharsets.UTF_8),
        1024);
    assertTrue(tokened.isPattern);
    assertEquals("18-0", tokened.token);
    assertEquals(null, tokened.entries);

    Message relayed = Message.decode(
        Message.encode("a", Message.relayed(Message.toPattern("[:* :feed]"), "18-1"), List.of(2), 1024), 1024);
    assertTrue(relayed.isPattern);
    assertEquals("18-1", relayed.token, "a relayed push carries its token");
    assertEquals(edn("[2]"), relayed.payload);
  }

  @Test
  void aListInAPayloadIsDataNotACall() throws Exception {
    // (clojure.core/eval 1) read by the EDN reader is a list of a symbol and a number: data
    Message m = Message.decode(
        "{:v 1, :from \"x\", :key 1, :payload (clojure.core/eval 1)}".getBytes(StandardCharsets.UTF_8),
        1024);
    assertEquals(edn("(clojure.core/eval 1)"), m.payload);
  }
}
