package datastar.wow.deacon;

import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says once, at WARN, when a response that came through the registry names one of deacon's
 * response keys in another namespace ({@code :key}, {@code :deacon/key}, ...): deacon reads only
 * {@code :datastar.wow.deacon/key} and its siblings, so such a response silently stores nothing.
 * Looked at once per request, at its connection dispatch, and only for responses naming none of
 * deacon's keys.
 */
final class MisnamedKeys {
  private static final Set<String> NAMES = Set.of("key", "subscribe", "broadcast", "broadcast-all");
  private final Set<Keyword> told = ConcurrentHashMap.newKeySet();

  void check(Object response, Object ctx) {
    if (!(response instanceof IPersistentMap) || !(ctx instanceof ILookup)) return;
    if (!Phase.isConnection(((ILookup) ctx).valAt(Names.ACTIONS))) return;
    for (Object entry : (IPersistentMap) response) {
      Object k = ((Map.Entry<?, ?>) entry).getKey();
      if (k instanceof Keyword && misnamed((Keyword) k) && told.add((Keyword) k)) {
        Log.warn(
            "datastar.wow.deacon: a response names " + k + ", which deacon does not read: did you"
                + " mean :datastar.wow.deacon/" + ((Keyword) k).getName() + " (::d*conn/"
                + ((Keyword) k).getName() + " with [datastar.wow.deacon :as d*conn])? Nothing is"
                + " stored for it. (Said once.)");
      }
    }
  }

  private static boolean misnamed(Keyword k) {
    return NAMES.contains(k.getName()) && !"datastar.wow.deacon".equals(k.getNamespace());
  }
}
