package datastar.wow.deacon.cluster;

/**
 * Which keyword and symbol names print as EDN that reads back as the same keyword or symbol. A
 * Clojure program can make any name ({@code (keyword "a b")}, {@code (symbol "1")}); this allows
 * only names that the EDN reader takes as one token of the same kind: letters, digits and {@code *
 * + ! - _ ' ? < > = . $ % & | : #}, not starting with a digit (a keyword without a namespace may),
 * not starting with {@code : # '}, without {@code ::}, not ending with {@code :}; and no symbol
 * named {@code nil}, {@code true} or {@code false}.
 */
final class EdnNames {
  private EdnNames() {}

  private static final String PUNCTUATION = "*+!-_'?<>=.$%&|:#";

  static boolean keyword(String ns, String name) {
    if (ns == null) return part(name, true);
    return part(ns, false) && part(name, false);
  }

  static boolean symbol(String ns, String name) {
    if (ns == null) {
      return part(name, false)
          && !name.equals("nil")
          && !name.equals("true")
          && !name.equals("false");
    }
    return part(ns, false) && part(name, false);
  }

  private static boolean part(String s, boolean digitFirst) {
    int n = s.length();
    if (n == 0) return false;
    char first = s.charAt(0);
    if (first == ':' || first == '#' || first == '\'') return false;
    if (!digitFirst) {
      if (Character.isDigit(first)) return false;
      if ((first == '+' || first == '-' || first == '.') && n > 1 && Character.isDigit(s.charAt(1))) {
        return false;
      }
    }
    if (s.charAt(n - 1) == ':' || s.contains("::")) return false;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) return false;
      if (!Character.isLetterOrDigit(c) && PUNCTUATION.indexOf(c) < 0) return false;
    }
    return true;
  }
}
