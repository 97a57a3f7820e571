package datastar.wow.deacon;

import clojure.lang.Keyword;
import clojure.lang.Sequential;
import clojure.lang.Util;
import java.util.List;

/**
 * Key patterns: {@code :*} stands for any single element, at any depth of vector keys.
 *
 * <pre>
 * [:* ::counter]       every scope's ::counter
 * [user-id :*]         everything of one scope
 * [:* [:room :*]]      every scope's rooms
 * :*                   every key
 * </pre>
 *
 * A pattern without {@code :*} is an exact key.
 */
public final class KeyPattern {
  private KeyPattern() {}

  /**
   * Tells a pattern from an exact key.
   *
   * @param pattern a key or a pattern
   * @return true when {@code pattern} holds {@code :*} somewhere
   * @throws InvalidInputException when the pattern is nested too deeply to walk
   */
  public static boolean hasWildcard(Object pattern) {
    try {
      return wildcardIn(pattern);
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("pattern", pattern);
    }
  }

  private static boolean wildcardIn(Object pattern) {
    if (pattern == Names.WILDCARD) return true;
    if (pattern instanceof List && pattern instanceof Sequential) {
      for (Object element : (List<?>) pattern) {
        if (wildcardIn(element)) return true;
      }
    }
    return false;
  }

  /**
   * Matches a key against a pattern; elements that are not {@code :*} compare with Clojure's
   * {@code =}.
   *
   * @param pattern a key or a pattern
   * @param key a stored key
   * @return true when {@code key} matches {@code pattern}; equal keys always match
   * @throws InvalidInputException when the pattern and key are nested too deeply to compare
   */
  public static boolean matches(Object pattern, Object key) {
    try {
      return match(pattern, key);
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("pattern", pattern);
    }
  }

  private static boolean match(Object pattern, Object key) {
    if (pattern == Names.WILDCARD) return true;
    if (pattern instanceof List && pattern instanceof Sequential) {
      if (!(key instanceof List && key instanceof Sequential)) return false;
      List<?> p = (List<?>) pattern;
      List<?> k = (List<?>) key;
      int n = p.size();
      if (n != k.size()) return false;
      for (int i = 0; i < n; i++) {
        if (!match(p.get(i), k.get(i))) return false;
      }
      return true;
    }
    // two keywords are = only when identical; Util.equiv would first test both against
    // IPersistentCollection, and a broadcast's scan makes that test for every stored key
    if (pattern instanceof Keyword && key instanceof Keyword) return pattern == key;
    return Util.equiv(pattern, key);
  }
}
