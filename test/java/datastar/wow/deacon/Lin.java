package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Small ints to store values and back, for the Lincheck tests. */
final class Lin {
  private Lin() {}

  private static final Object[] CONNS = {null, "conn-1", "conn-2", "conn-3"};

  static Object key(int k) {
    return Deacon.scopedKey("user", (long) k);
  }

  static Object conn(int c) {
    return CONNS[c];
  }

  static Object owner(int o) {
    return "request-" + o;
  }

  static Integer id(Object conn) {
    for (int i = 1; i < CONNS.length; i++) {
      if (CONNS[i] == conn) return i;
    }
    return null;
  }

  static String ids(List<Object> conns) {
    List<Integer> ids = new ArrayList<>();
    for (Object c : conns) ids.add(id(c));
    return ids.toString();
  }

  static String keys(List<Object> keys) {
    List<Integer> ids = new ArrayList<>();
    for (Object k : keys) ids.add(((Long) ((List<?>) k).get(1)).intValue());
    return new TreeSet<>(ids).toString();
  }
}
