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
  `datastar.wow.deacon.protocols/ConnectionStore` works too. Every function
  here meets a store through the `datastar.wow.deacon.ConnectionStore`
  interface and what its policy reports (`StorePolicy`), never its class."
  (:require [clojure.java.io :as io]
            [datastar.wow.deacon.http-kit-version :as http-kit-version]
            [datastar.wow.deacon.protocols :as p])
  (:import (datastar.wow.deacon CannotRenderException ConnectionStore Deacon InvalidInputException
                                KeyPattern Peers Shown StorePolicy StreamGroup)
           (datastar.wow.deacon.impl ClojureOptions)))

(set! *warn-on-reflection* true)
(set! *unchecked-math* :warn-on-boxed)

;;; Rendering a fan-out once

(defn- extend-sdk!
  "When the Datastar SDK is on the classpath, extends its `SSEGenerator`
  protocol to the stream group a delivery to several streams sends through, so
  that each event is rendered once and written to every stream (each under its
  own lock, with its own write profile). Without the SDK, each stream gets a
  dispatch of its own. Returns true when extended."
  []
  (boolean
   (when (or (io/resource "starfederation/datastar/clojure/protocols.clj")
             (io/resource "starfederation/datastar/clojure/protocols__init.class"))
     (let [proto       @(requiring-resolve 'starfederation.datastar.clojure.protocols/SSEGenerator)
           send-event! @(requiring-resolve 'starfederation.datastar.clojure.protocols/send-event!)
           close-sse!  @(requiring-resolve 'starfederation.datastar.clojure.protocols/close-sse!)]
       (extend StreamGroup proto
         {:send-event! (fn [^StreamGroup g event-type data-lines opts]
                         (.sendEvent g send-event! event-type data-lines opts))
          :get-lock    (fn [^StreamGroup g] (.lock g))
          :close-sse!  (fn [^StreamGroup g] (.closeEach g close-sse!))
          :sse-gen?    (constantly true)})
       true))))

(extend-sdk!)

;;; An http-kit that misses closes: one warning, see datastar.wow.deacon.http-kit-version

(http-kit-version/warn-once!)

;;; Stores

(defmulti store
  "Create a connection store from an options map; dispatches on `:type`.

  Both built-in types take:

  | key          | default | description                                           |
  |--------------|---------|-------------------------------------------------------|
  | `:on-removal`| none    | `(fn [k conn cause])`, once per connection that leaves|
  | `:heartbeat` | none    | `{:interval-ms n :send (fn [conn])}`, see below       |
  | `:fan-out?`  | false   | a key keeps every stream stored under it (every tab)  |
  | `:cluster`   | none    | `{:redis uri ...}`: a member of a cluster, see below  |
  | `:replay`    | none    | `{:events n :ms t}`: a history for reconnecting tabs  |

  `{:type :atom}`: a map in an atom.

  | key     | default     | description                                        |
  |---------|-------------|----------------------------------------------------|
  | `:atom` | `(atom {})` | an atom holding a map; it sees every write         |

  `{:type :caffeine}`: a Caffeine cache, bounded and expiring.

  | key             | default     | description                                          |
  |-----------------|-------------|------------------------------------------------------|
  | `:duration-ms`  | 600000      | idle expiry in ms (fixed with `:scheduler`)          |
  | `:idle-ms`      | 600000      | the original design's name for `:duration-ms`; give  |
  |                 |             | one of the two                                       |
  | `:maximum-size` | 10000       | most connections kept; beyond, evicts (cause `:size`)|
  | `:scheduler`    | none        | `true` or a Caffeine `Scheduler`: FIXED expiry, the  |
  |                 |             | duration counts from the key's first store           |
  | `:cache`        | none        | an existing Caffeine `Cache`, whose own settings     |
  |                 |             | apply: refused with the options above, `:on-removal` |
  | `:executor`     | common pool | an `Executor` (or `(fn [runnable])`) for callbacks   |
  | `:record-stats?`| false       | count hits and misses, see `stats`                   |

  Causes given to `:on-removal`: `:explicit`, `:replaced` (a newer stream took
  the key), and the evictions `:expired`, `:size`, `:collected`, `:dead`. The
  atom store calls it on the removing thread, the Caffeine store on
  `:executor`; whatever it throws is logged, never raised.

  `:heartbeat` starts a daemon thread that every `:interval-ms` calls `:send`
  with each stored connection; a connection whose send returns `false` (as the
  Datastar SDK's send functions do on a closed stream) or throws is removed
  (cause `:dead`). Stop it with `close!`.

  `:replay` keeps, per key, the last `:events` events sent to it (default
  100) for at most `:ms` milliseconds (default 300000): every event sent to a
  key's streams then carries an SSE id, and a stream opening under the key
  with a `last-event-id` header gets the events it missed first, then its own
  opening effects, then live ones. Events sent while none of the key's
  streams is open count too, for a key that had one within `:ms`. See
  `recoverable?`.

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
  default. `:type` is required; any other `:type` throws ex-info naming it and
  the known types; add your own with `defmethod`:

      (defmethod d*conn/store :my-store [opts] (make-store opts))"
  (fn
    ([] ::no-options)
    ([opts] (if (map? opts) (:type opts) ::not-a-map))))

(defmethod store :atom [opts]
  (ClojureOptions/atomStore opts))

(defmethod store :caffeine [opts]
  (ClojureOptions/caffeineStore opts))

(defn- known-types []
  (vec (sort-by str (remove #{:default ::not-a-map ::no-options} (keys (methods store))))))

(defmethod store :default
  ([]
   (throw (InvalidInputException.
           "options of store" nil (str "are required, e.g. (d*conn/store {:type :atom}); known types: "
                                       (pr-str (known-types))))))
  ([opts]
   (cond
     (not (map? opts))
     (throw (InvalidInputException. "options of store" opts "must be a map, e.g. {:type :atom}"))

     (nil? (:type opts))
     (throw (InvalidInputException.
             ":type" nil (str "is required, e.g. {:type :atom}; known types: " (pr-str (known-types)))))

     :else
     (throw (InvalidInputException.
             ":type" (:type opts) (str "is not a known store type; known types: " (pr-str (known-types))))))))

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
    (close [_] (when (instance? java.lang.AutoCloseable s) (.close ^java.lang.AutoCloseable s)))
    Object
    (toString [_] (str s))))

(defprotocol ^:private AsJavaStore
  (^:private java-store ^ConnectionStore [s]
   "`s` as a `datastar.wow.deacon.ConnectionStore`, or an error naming it."))

(extend-protocol AsJavaStore
  ConnectionStore
  (java-store [s] s)

  Object
  (java-store [s]
    (if (p/store? s)
      (protocol-store s)
      (throw (InvalidInputException.
              "store" s "must be a connection store, e.g. (d*conn/store {:type :atom})"))))

  nil
  (java-store [_]
    (throw (InvalidInputException.
            "store" nil "must be a connection store, e.g. (d*conn/store {:type :atom})"))))

(defn- policy ^StorePolicy [s]
  (.policy (java-store s)))

(defn store!
  "Store connection `conn` under key `k` in store `s`. Returns `conn`. Without
  fan-out it replaces what `k` held; with fan-out it joins the key's other
  connections. Storing a connection `k` already holds changes nothing.

      (d*conn/store! store [::d*conn/id ::counter] sse)"
  [s k conn]
  (.store (java-store s) k conn))

(defn connection
  "The connection stored under key `k` (with fan-out, the most recently
  stored), or nil.

      (d*conn/connection store [::d*conn/id ::counter])"
  [s k]
  (.connection (java-store s) k))

(defn purge!
  "Remove every connection stored under key `k`. Returns true when something
  was removed, false otherwise. (For a store written against the protocol,
  returns whatever its `purge!` returns.)"
  [s k]
  (if (p/store? s)
    (p/purge! s k)
    (.purge (java-store s) k)))

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
  "Runs datastar.wow actions `fx` on every stream stored under key `k` (every
  stream of it, with fan-out) or under keys matching pattern `k`, on this node
  and on the other nodes of the store's cluster: for background jobs, timers
  and workers, outside any request. Each stream gets them once, rendered on the
  node that holds it through the dispatch of the registry over the store there,
  as if in the request that opened it (`:request` in the effects' system is
  that request). A stream whose write answers false is removed (`:dead`);
  failures are logged. Returns how many streams on this node were reached.

      (d*conn/send! store [user-id ::feed] [[::d*/patch-signals {:unread 3}]])
      (d*conn/send! store [:* ::feed] [[::d*/patch-elements [:p#news \"...\"]]])

  `::feed` is the keyword of the namespace you type it in: at a REPL in `user`
  it is `:user/feed`; there, spell out the app's, e.g. `:myapp.web/feed`.

  Works from the moment the store exists, also in a process that serves no
  pages: with no stream here, it only sends to the other nodes. Streams here
  are written through the registry's dispatch, which the store learns from the
  registry's first request; a send that matches streams here before that (they
  were stored by hand) throws, naming what to do, and sends nothing. A store
  built with a Java `writer(...)` hands `fx` to that writer instead. Works on
  every store whose policy has a sender (the built-in ones)."
  [s k fx]
  (let [js (java-store s)]
    (when-not (.isPresent (.sender (.policy js)))
      (throw (InvalidInputException.
              "store" s "cannot send!: it has no sender (the built-in stores, :atom and :caffeine, have one)")))
    (try
      (.send js k fx)
      (catch CannotRenderException _
        (throw (ex-info (str "datastar.wow.deacon: send! to " (Shown/key k)
                             " matches streams stored here, but the store has not learned how to"
                             " render effects yet: give it to a registry in ::d*/registries,"
                             " [d*conn/registry store opts], and let that registry handle a request"
                             " first (streams it stores teach it); nothing was sent")
                        {:store s :key k}))))))

(defn- peers
  "The cluster peers of store `s`, or nil when it is not a cluster member."
  ^Peers [s]
  (.orElse (.cluster (policy s)) nil))

(defn- member
  "The cluster peers of store `s`, or an error saying it is no cluster member."
  ^Peers [s]
  (or (peers s)
      (throw (InvalidInputException. "store" s "must be a cluster member, made with :cluster"))))

(defn cluster-keys
  "The keys of every live node of store `s`'s cluster (this node's included),
  each once, matching `pattern` (see `list-keys`): `list-keys` answers for
  this node only. Waits for Redis at most the cluster's send timeout; throws
  when it does not answer, or when `s` is not a cluster member.

      (d*conn/cluster-keys store [:* ::feed])   ; every user with a feed open anywhere"
  ([s]
   (cluster-keys s :*))
  ([s pattern]
   (seq (.keys (member s) pattern))))

(defn cluster-count
  "How many keys matching `pattern` (default: all) the live nodes of store
  `s`'s cluster hold. As `cluster-keys`."
  ([s]
   (cluster-count s :*))
  ([s pattern]
   (count (.keys (member s) pattern))))

(defn node
  "The id of store `s`'s node in its cluster, or nil when `s` is not a cluster
  member."
  [s]
  (some-> (peers s) .node))

(defn recoverable?
  "True when a stream opening under `scoped-key` with `last-event-id` (the
  request's `last-event-id` header) will get every event it missed: the
  history of store `s` (made with `:replay`) still holds that event. A handler
  asks this before it answers, to send its full state only when the answer is
  false (an unknown or too old id, no header, a store without `:replay`).

      (defn watch [{:keys [request]}]
        (let [k (d*conn/scoped-key (user-id request) ::feed)]
          {::d*conn/subscribe ::feed
           ::d*/fx (if (d*conn/recoverable? store k (get-in request [:headers \"last-event-id\"]))
                     []                                  ; the missed events come first
                     [[::d*/patch-elements (feed-html)]])}))"
  [s scoped-key last-event-id]
  (let [r (.replay (policy s))]
    (boolean (and (.isPresent r) (string? last-event-id)
                  (.recoverable ^datastar.wow.deacon.Replay (.get r) scoped-key last-event-id)))))

(defn fan-out?
  "True when store `s` keeps every stream stored under a key (`:fan-out? true`)."
  [s]
  (.fanOut (policy s)))

(defn stats
  "Statistics of store `s` as a map: `:size` (connections), `:removals` (cause
  -> count) for the built-in stores, and `:hits`/`:misses` for a Caffeine
  store made with `:record-stats? true`."
  [s]
  (.stats (java-store s)))

(defn close!
  "Close store `s`: stop the threads it owns (its heartbeat), leave its
  cluster, and refuse further `store!`s (`IllegalStateException`). Look-ups,
  listings and purges keep working, so streams closing afterwards still leave
  cleanly. Stores are also `java.lang.AutoCloseable`, so `with-open` works."
  [s]
  (.close (java-store s)))

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
  | `:render-once?` | true                  | an event for several streams is         |
  |             |                           | rendered once; false: a dispatch each   |

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
