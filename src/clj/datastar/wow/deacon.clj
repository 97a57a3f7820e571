(ns datastar.wow.deacon
  "Declarative SSE connection management for datastar.wow.

  A handler returns `{::d*conn/key ::counter ...}`; the stream that request
  opens is stored under the key (scoped by `:id-fn`), every later handler
  returning the same key sends its effects down that same stream, and the
  entry is purged when the stream closes.

      (require '[datastar.wow :as d*]
               '[datastar.wow.deacon :as d*conn])

      (def store (d*conn/store {:type :caffeine}))

      (d*/with-datastar ->sse-response
        {::d*/registries [[d*conn/registry store {:id-fn session-id}]]})

  A response names what to do with one of these keys:

  | key                   | value     | what happens                                 |
  |-----------------------|-----------|----------------------------------------------|
  | `::d*conn/key`        | a key     | reuse the key's stream(s), or open and store |
  | `::d*conn/subscribe`  | a key     | always open a new stream and store it        |
  | `::d*conn/broadcast`  | a pattern | the effects reach every matching stream of   |
  |                       |           | this request's scope; the request answers 204|
  | `::d*conn/broadcast-all` | a pattern | the same across every scope               |

  Stores are Java classes (`datastar.wow.deacon.AtomStore`,
  `datastar.wow.deacon.CaffeineStore`); any value satisfying
  `datastar.wow.deacon.protocols/ConnectionStore` works too."
  (:require [clojure.java.io :as io]
            [datastar.wow.deacon.protocols :as p])
  (:import (datastar.wow.deacon AtomStore CaffeineStore ConnectionStore Deacon InvalidInputException
                                KeyPattern)
           (datastar.wow.deacon.impl ClojureOptions Fanout)))

(set! *warn-on-reflection* true)
(set! *unchecked-math* :warn-on-boxed)

;;; Rendering a fan-out once

(defn- extend-sdk!
  "When the Datastar SDK is on the classpath, extends its `SSEGenerator`
  protocol to the composite stream a fan-out or broadcast sends through, so
  that each event is rendered once and written to every stream (each under
  its own lock, with its own write profile). Without the SDK, each stream gets
  a dispatch of its own. Returns true when extended."
  []
  (boolean
   (when (or (io/resource "starfederation/datastar/clojure/protocols.clj")
             (io/resource "starfederation/datastar/clojure/protocols__init.class"))
     (let [proto       @(requiring-resolve 'starfederation.datastar.clojure.protocols/SSEGenerator)
           send-event! @(requiring-resolve 'starfederation.datastar.clojure.protocols/send-event!)
           close-sse!  @(requiring-resolve 'starfederation.datastar.clojure.protocols/close-sse!)]
       (extend Fanout proto
         {:send-event! (fn [^Fanout f event-type data-lines opts]
                         (.sendEach f (fn [target] (send-event! target event-type data-lines opts))))
          :get-lock    (fn [^Fanout f] (.lock f))
          :close-sse!  (fn [^Fanout f] (.closeEach f close-sse!))
          :sse-gen?    (constantly true)})
       (Fanout/sdkExtended true)
       true))))

(extend-sdk!)

;;; Stores

(defmulti store
  "Create a connection store from an options map; dispatches on `:type`.

  Both built-in types take:

  | key          | default | description                                           |
  |--------------|---------|-------------------------------------------------------|
  | `:on-remove` | none    | `(fn [k conn cause])`, once per connection that leaves|
  | `:heartbeat` | none    | `{:interval-ms n :send (fn [conn])}`, see below       |
  | `:fan-out?`  | false   | a key keeps every stream stored under it (every tab)  |
  | `:cluster`   | none    | `{:redis uri ...}`: a member of a cluster, see below  |

  `{:type :atom}`: a map in an atom.

  | key     | default     | description                                        |
  |---------|-------------|----------------------------------------------------|
  | `:atom` | `(atom {})` | an atom holding a map; it sees every write         |

  `{:type :caffeine}`: a Caffeine cache, bounded and expiring.

  | key             | default     | description                                          |
  |-----------------|-------------|------------------------------------------------------|
  | `:idle-ms`      | 600000      | idle expiry in ms (alias `:duration-ms`; give one)   |
  | `:duration-ms`  | 600000      | same as `:idle-ms`                                   |
  | `:maximum-size` | 10000       | most connections kept; beyond, evicts (cause `:size`)|
  | `:scheduler`    | none        | `true` or a Caffeine `Scheduler`: FIXED expiry, the  |
  |                 |             | duration counts from the key's first store           |
  | `:cache`        | none        | an existing Caffeine `Cache`, whose own settings     |
  |                 |             | apply: refused with the options above and `:on-remove`|
  | `:executor`     | common pool | an `Executor` (or `(fn [runnable])`) for callbacks   |
  | `:record-stats?`| false       | count hits and misses, see `stats`                   |

  Causes given to `:on-remove`: `:explicit`, `:replaced` (a newer stream took
  the key), and the evictions `:expired`, `:size`, `:collected`, `:dead`. The
  atom store calls it on the removing thread, the Caffeine store on
  `:executor`; whatever it throws is logged, never raised.

  `:heartbeat` starts a daemon thread that every `:interval-ms` calls `:send`
  with each stored connection; a connection whose send returns `false` (as the
  Datastar SDK's send functions do on a closed stream) or throws is removed
  (cause `:dead`). Stop it with `close!`.

  `:cluster` makes the store one node of a cluster sharing a Redis (needs
  `io.lettuce/lettuce-core` on the classpath): keyed responses whose key has
  no stream here reach the nodes that hold it, fan-outs and broadcasts reach
  every node, and `send!` too. Keys: `:redis` (required, `redis://` or
  `rediss://`, with the password if any), `:node` (this node's id; default
  host, pid and random digits), `:prefix` (default \"deacon\"), `:lease-ms`
  (default 15000), `:send-timeout-ms` (default 500, at most 1000),
  `:max-message-bytes` (default 1 MiB), `:ca-certificate` (a PEM file, with
  `rediss://`). Redis being down never fails or blocks local work.

  Every option is checked here: an unknown key, a wrong type or a number out of
  range throws ex-info naming the option and the value. A nil value means the
  default. Any other `:type` throws ex-info naming it and the known types; add
  your own with `defmethod`:

      (defmethod d*conn/store :my-store [opts] (make-store opts))"
  (fn [opts] (if (map? opts) (:type opts) ::not-a-map)))

(defmethod store :atom [opts]
  (ClojureOptions/atomStore opts))

(defmethod store :caffeine [opts]
  (ClojureOptions/caffeineStore opts))

(defmethod store :default [opts]
  (if-not (map? opts)
    (throw (InvalidInputException. "options of store" opts "must be a map, e.g. {:type :atom}"))
    (let [known (sort-by str (remove #{:default ::not-a-map} (keys (methods store))))]
      (throw (InvalidInputException.
              ":type" (:type opts) (str "is not a known store type; known types: " (pr-str (vec known))))))))

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
    (purge [_ k] (boolean (p/purge! s k)))
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
  "Store connection `conn` under key `k` in store `s`. Returns `conn`. Without
  fan-out it replaces what `k` held; with fan-out it joins the key's other
  connections. Storing a connection `k` already holds changes nothing.

      (d*conn/store! store [::d*conn/id ::counter] sse)"
  [s k conn]
  (if (or (instance? ConnectionStore s) (not (p/store? s)))
    (.store (java-store s) k conn)
    (do (p/store! s k conn) conn)))

(defn connection
  "The connection stored under key `k` (with fan-out, the most recently
  stored), or nil.

      (d*conn/connection store [::d*conn/id ::counter])"
  [s k]
  (if (or (instance? ConnectionStore s) (not (p/store? s)))
    (.connection (java-store s) k)
    (p/connection s k)))

(defn purge!
  "Remove every connection stored under key `k`. Returns true when something
  was removed, false otherwise. (For a store written against the protocol,
  returns whatever its `purge!` returns.)"
  [s k]
  (if (or (instance? ConnectionStore s) (not (p/store? s)))
    (.purge (java-store s) k)
    (p/purge! s k)))

(defn list-keys
  "A seq of the keys in store `s` (nil when empty), each once, or of those
  matching `pattern`, where `:*` stands for any one element at any depth of
  vector keys:

      (d*conn/list-keys store [:* ::counter])   ; every user's counter
      (d*conn/list-keys store [user-id :*])     ; everything of one user
      (d*conn/list-keys store [:* [:room :*]])  ; every user's rooms

  A pattern without `:*` is an exact key: a single look-up, not a scan."
  ([s]
   (seq (.keys (java-store s))))
  ([s pattern]
   (seq (.keys (java-store s) pattern))))

(defn connections
  "A snapshot seq of `[key conn]` pairs in store `s`, optionally only those
  whose key matches `pattern` (see `list-keys`). With fan-out a key appears
  once per stream. To send to them from a handler, return
  `{::d*conn/broadcast pattern ...}` instead of looping here.

      (d*conn/connections store [user-id ::feed])   ; every tab of one user"
  ([s]
   (seq (.connections (java-store s))))
  ([s pattern]
   (seq (.connections (java-store s) pattern))))

(defn connection-count
  "How many connections store `s` holds, or how many are stored under keys
  matching `pattern`. With fan-out this counts streams, not keys."
  ([s]
   (.count (java-store s)))
  ([s pattern]
   (.count (java-store s) pattern)))

(defn purge-connection!
  "Remove connection `conn` (compared by identity) from every key holding it.
  For adapters whose on-close callback knows the stream but not its key. The
  built-in stores do this in constant time through a reverse index. Returns
  the number of keys it was removed from."
  [s conn]
  (.purgeConnection (java-store s) conn))

(defn send!
  "Runs datastar.wow actions `fx` on every stream of built-in store `s` stored
  under key `k` (every stream of it, with fan-out) or under keys matching
  pattern `k`: for background jobs and timers, outside any request. Each
  stream gets them once, through the dispatch of the datastar.wow registry
  over `s`, as if in the request that opened it (`:request` in the effects'
  system is that request). A stream whose write answers false is removed
  (`:dead`); failures are logged. Returns how many streams were reached.

      (d*conn/send! store [user-id ::feed] [[::d*/patch-signals {:unread 3}]])
      (d*conn/send! store [:* ::feed] [[::d*/patch-elements [:p#news \"...\"]]])

  Needs that registry to have handled a response naming one of deacon's keys
  (it learns the dispatch from it); throws IllegalStateException before. A
  store built with a Java `writer(...)` hands `fx` to that writer instead."
  [s k fx]
  (cond
    (instance? AtomStore s)     (.send ^AtomStore s k fx)
    (instance? CaffeineStore s) (.send ^CaffeineStore s k fx)
    :else (throw (InvalidInputException.
                  "store" s "must be a built-in store (atom or caffeine) to send! from outside a request"))))

(defn- member
  "Store `s` as a built-in store, for the cluster functions."
  [s]
  (if (or (instance? AtomStore s) (instance? CaffeineStore s))
    s
    (throw (InvalidInputException. "store" s "must be a built-in store made with :cluster"))))

(defn cluster-keys
  "The keys of every live node of store `s`'s cluster (this node's included),
  each once, matching `pattern` (see `list-keys`): `list-keys` answers for
  this node only. Waits for Redis at most the cluster's send timeout; throws
  when it does not answer, or when `s` is not a cluster member.

      (d*conn/cluster-keys store [:* ::feed])   ; every user with a feed open anywhere"
  ([s]
   (cluster-keys s :*))
  ([s pattern]
   (let [m (member s)]
     (seq (if (instance? AtomStore m)
            (.clusterKeys ^AtomStore m pattern)
            (.clusterKeys ^CaffeineStore m pattern))))))

(defn cluster-count
  "How many keys matching `pattern` (default: all) the live nodes of store
  `s`'s cluster hold. As `cluster-keys`."
  ([s]
   (cluster-count s :*))
  ([s pattern]
   (let [m (member s)]
     (if (instance? AtomStore m)
       (.clusterCount ^AtomStore m pattern)
       (.clusterCount ^CaffeineStore m pattern)))))

(defn node
  "The id of store `s`'s node in its cluster, or nil when `s` is not a cluster
  member."
  [s]
  (cond
    (instance? AtomStore s)     (.node ^AtomStore s)
    (instance? CaffeineStore s) (.node ^CaffeineStore s)
    :else                       nil))

(defn fan-out?
  "True when store `s` keeps every stream stored under a key (`:fan-out? true`)."
  [s]
  (.fanOut (java-store s)))

(defn stats
  "Statistics of store `s` as a map: `:size` (connections), `:removals` (cause
  -> count) for the built-in stores, and `:hits`/`:misses` for a Caffeine
  store made with `:record-stats? true`."
  [s]
  (.stats (java-store s)))

(defn close!
  "Close store `s`: stop the threads it owns (its heartbeat) and refuse
  further `store!`s (`IllegalStateException`). Look-ups, listings and purges
  keep working, so streams closing afterwards still leave cleanly. Stores are
  also `java.lang.AutoCloseable`, so `with-open` works."
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
   (Deacon/interceptor (java-store s) (ClojureOptions/registryOptions opts))))

(defn registry
  "A datastar.wow registry that stores, reuses, fans out and broadcasts
  connections by key. Use it in `:datastar.wow/registries`, bare or with
  arguments:

      {::d*/registries [d*conn/registry]}                 ; a fresh atom store
      {::d*/registries [[d*conn/registry store]]}
      {::d*/registries [[d*conn/registry store {:id-fn user-id}]]}

  | key         | default                   | description                             |
  |-------------|---------------------------|-----------------------------------------|
  | `:id-fn`    | `(constantly ::d*conn/id)`| `(fn [ctx] id)`: the scope of keys; a   |
  |             |                           | key `k` is stored as `[id k]`. nil means|
  |             |                           | no scope: nothing stored or reused      |
  | `:on-purge` | none                      | `(fn [ctx scoped-key])` (or `(fn [ctx])`)|
  |             |                           | after a close purged the entry          |
  | `:on-error` | log at ERROR              | `(fn [exception ctx])` when `:id-fn`,   |
  |             |                           | `:on-purge`, the store or a delivery    |
  |             |                           | fails                                   |

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
