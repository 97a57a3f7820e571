(ns datastar.wow.deacon
  "Declarative SSE connection management for datastar.wow.

  A handler returns `{::d*conn/key ::counter ...}`; the connection that
  request opens is stored under the key (scoped by `:id-fn`), every later
  handler returning the same key sends its effects down that same stream, and
  the entry is purged when the stream closes.

      (require '[datastar.wow :as d*]
               '[datastar.wow.deacon :as d*conn])

      (def store (d*conn/store {:type :caffeine}))

      (d*/with-datastar ->sse-response
        {::d*/registries [[d*conn/registry store {:id-fn session-id}]]})

  Stores are Java classes (`datastar.wow.deacon.AtomStore`,
  `datastar.wow.deacon.CaffeineStore`); any value satisfying
  `datastar.wow.deacon.protocols/ConnectionStore` works too."
  (:require [datastar.wow.deacon.protocols :as p])
  (:import (datastar.wow.deacon ConnectionStore Deacon InvalidInputException
                                KeyPattern RegistryOptions StoreOptions)))

(set! *warn-on-reflection* true)
(set! *unchecked-math* :warn-on-boxed)

;;; Stores

(defmulti store
  "Create a connection store from an options map; dispatches on `:type`.

  `{:type :atom}`: a map in an atom.

  | key          | default    | description                                           |
  |--------------|------------|-------------------------------------------------------|
  | `:atom`      | `(atom {})`| an atom holding a map; it sees every write            |
  | `:on-evict`  | none       | `(fn [k conn cause])`, once per entry that leaves     |
  | `:heartbeat` | none       | `{:interval-ms n :send (fn [conn])}`, see below       |

  `{:type :caffeine}`: a Caffeine cache, bounded and expiring.

  | key             | default     | description                                          |
  |-----------------|-------------|------------------------------------------------------|
  | `:idle-ms`      | 600000      | idle expiry in ms (alias `:duration-ms`; give one)   |
  | `:duration-ms`  | 600000      | same as `:idle-ms`                                   |
  | `:maximum-size` | 10000       | most entries kept; beyond, evicts (cause `:size`)    |
  | `:scheduler`    | none        | `true` or a Caffeine `Scheduler`: FIXED expiry, the  |
  |                 |             | duration counts from the key's first store           |
  | `:cache`        | none        | an existing Caffeine `Cache`; overrides the above    |
  | `:on-evict`     | none        | `(fn [k conn cause])`, on `:executor`                |
  | `:executor`     | common pool | an `Executor` (or `(fn [runnable])`) for callbacks   |
  | `:record-stats?`| false       | count hits and misses, see `stats`                   |
  | `:heartbeat`    | none        | `{:interval-ms n :send (fn [conn])}`, see below      |

  Causes given to `:on-evict`: `:expired`, `:size`, `:explicit`, `:replaced`,
  `:collected`, `:dead`.

  `:heartbeat` starts a daemon thread that every `:interval-ms` calls `:send`
  with each stored connection; connections whose send throws are purged (cause
  `:dead`). Stop it with `close!`.

  Every option is checked here: an unknown key, a wrong type or a negative
  number throws ex-info naming the option and the value. A nil value means the
  default. Any other `:type` throws ex-info naming it and the known types; add
  your own with `defmethod`:

      (defmethod d*conn/store :my-store [opts] (make-store opts))"
  (fn [opts] (when (map? opts) (:type opts))))

(defmethod store :atom [opts]
  (StoreOptions/atomStore opts))

(defmethod store :caffeine [opts]
  (StoreOptions/caffeineStore opts))

(defmethod store :default [opts]
  (let [known (sort-by str (remove #{:default} (keys (methods store))))]
    (throw (ex-info (str "datastar.wow.deacon: unknown store :type "
                         (pr-str (when (map? opts) (:type opts)))
                         "; known types: " (pr-str (vec known)))
                    (if (map? opts) opts {:opts opts})))))

(defn store?
  "True when `x` can be used as a connection store."
  [x]
  (p/store? x))

(defn- protocol-store
  "A Java view of a store that only implements the Clojure protocol."
  ^ConnectionStore [s]
  (reify ConnectionStore
    (store [_ k conn] (p/store! s k conn) conn)
    (connection [_ k] (p/connection s k))
    (purge [_ k] (p/purge! s k) true)
    (keys [_] (vec (p/list-keys s)))
    Object
    (toString [_] (str s))))

(defn- java-store
  ^ConnectionStore [s]
  (cond
    (instance? ConnectionStore s) s
    (p/store? s) (protocol-store s)
    :else (throw (InvalidInputException.
                  "store" s "must be a connection store, e.g. (d*conn/store {:type :atom})"))))

(defn store!
  "Store connection `conn` under key `k` in store `s`. Returns `conn`.

      (d*conn/store! store [::d*conn/id ::counter] sse)"
  [s k conn]
  (if (instance? ConnectionStore s)
    (.store ^ConnectionStore s k conn)
    (do (p/store! s k conn) conn)))

(defn connection
  "The connection stored under key `k`, or nil.

      (d*conn/connection store [::d*conn/id ::counter])"
  [s k]
  (if (instance? ConnectionStore s)
    (.connection ^ConnectionStore s k)
    (p/connection s k)))

(defn purge!
  "Remove the connection stored under key `k`, if any. For built-in stores,
  returns true when an entry was removed."
  [s k]
  (if (instance? ConnectionStore s)
    (.purge ^ConnectionStore s k)
    (p/purge! s k)))

(defn list-keys
  "A seq of the keys in store `s` (nil when empty), or of those matching
  `pattern`, where `:*` stands for any one element at any depth of vector keys:

      (d*conn/list-keys store [:* ::counter])   ; every user's counter
      (d*conn/list-keys store [user-id :*])     ; everything of one user
      (d*conn/list-keys store [:* [:room :*]])  ; every user's rooms

  A pattern without `:*` is an exact key: a single look-up, not a scan."
  ([s]
   (seq (.keys (java-store s))))
  ([s pattern]
   (seq (.keys (java-store s) pattern))))

(defn connections
  "A snapshot seq of `[key conn]` pairs in store `s`, optionally only those whose
  key matches `pattern` (see `list-keys`). Handy for broadcast:

      (doseq [[_ sse] (d*conn/connections store [:* ::feed])]
        (send! sse event))"
  ([s]
   (seq (.connections (java-store s))))
  ([s pattern]
   (seq (.connections (java-store s) pattern))))

(defn connection-count
  "How many entries store `s` holds, or how many keys match `pattern`."
  ([s]
   (.count (java-store s)))
  ([s pattern]
   (.count (java-store s) pattern)))

(defn purge-connection!
  "Remove every key that holds connection `conn` (compared by identity). For
  adapters whose on-close callback knows the stream but not its key. The
  built-in stores do this in constant time through a reverse index. Returns
  the number of keys removed."
  [s conn]
  (.purgeConnection (java-store s) conn))

(defn stats
  "Statistics of store `s` as a map: `:size`, `:evictions` (cause -> count) for
  the built-in stores, and `:hits`/`:misses` for a Caffeine store made with
  `:record-stats? true`."
  [s]
  (.stats (java-store s)))

(defn close!
  "Stop the threads store `s` owns (its heartbeat). Entries stay readable.
  Stores are also `java.lang.AutoCloseable`, so `with-open` works."
  [s]
  (when (instance? java.lang.AutoCloseable s)
    (.close ^java.lang.AutoCloseable s)))

;;; Interceptor and registry

(defn interceptor
  "Deacon's Nexus interceptor for store `s`:
  `{:id :datastar.wow.deacon/connections :before-dispatch f}`. Options as for
  `registry`. Most apps want `registry` instead."
  ([s]
   (interceptor s {}))
  ([s opts]
   (Deacon/interceptor (java-store s) (RegistryOptions/fromMap opts))))

(defn registry
  "A datastar.wow registry that stores and reuses connections by key. Use it in
  `:datastar.wow/registries`, bare or with arguments:

      {::d*/registries [d*conn/registry]}                 ; a fresh atom store
      {::d*/registries [[d*conn/registry store]]}
      {::d*/registries [[d*conn/registry store {:id-fn user-id}]]}

  | key         | default                  | description                              |
  |-------------|--------------------------|------------------------------------------|
  | `:id-fn`    | `(constantly ::d*conn/id)`| `(fn [ctx] id)`: the scope of keys; a key|
  |             |                          | `k` is stored as `[id k]`. Returning nil |
  |             |                          | skips storing and reuse for that request |
  | `:on-purge` | none                     | `(fn [ctx scoped-key])` or `(fn [ctx])`, |
  |             |                          | called after a close purged the entry    |
  | `:on-error` | log at ERROR             | `(fn [exception ctx])` when `:id-fn`,    |
  |             |                          | `:on-purge` or the store throws          |

  Errors never escape into the request: they go to `:on-error` and into the
  dispatch's `:errors`. A stream's close purges its entry only if that request
  stored it, so a replaced stream closing cannot purge its successor."
  ([]
   (registry (store {:type :atom})))
  ([s]
   (registry s {}))
  ([s opts]
   {:datastar.wow/interceptors [(interceptor s opts)]}))

(defn update-nexus
  "For datastar.wow releases before registries (`:datastar.wow/update-nexus`):
  returns a function adding deacon's interceptor to a Nexus map's
  `:nexus/interceptors`. Options as for `registry`."
  ([]
   (update-nexus (store {:type :atom})))
  ([s]
   (update-nexus s {}))
  ([s opts]
   (let [i (interceptor s opts)]
     (fn [nexus]
       (update nexus :nexus/interceptors (fnil conj []) i)))))

(defn scoped-key
  "The key under which the interceptor stores `k` for scope `id`: `[id k]`.

      (d*conn/connection store (d*conn/scoped-key user-id ::counter))"
  [id k]
  (Deacon/scopedKey id k))

(defn matches?
  "True when `k` matches key `pattern` (see `list-keys`)."
  [pattern k]
  (KeyPattern/matches pattern k))
