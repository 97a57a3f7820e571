(ns demo.effects
  "The demo's own effects, as a datastar.wow registry, and deacon's options
  (the registry's and the store's).

  With fan-out, the effects of a keyed response run once on every stream of
  the key, each in its own dispatch. So an effect here only shows state; the
  handlers change it, once per request (`demo.live/command!`)."
  (:require [demo.counter :as counter]
            [demo.live :as live]
            [demo.view :as view]
            [demo.panel :as panel]
            [demo.session :as session]
            [demo.waves :as waves]
            [datastar.wow.deacon :as d*conn]
            [starfederation.datastar.clojure.protocols :as sdk])
  (:import (datastar.wow.deacon.cluster BackplaneException)
           (java.lang System$Logger System$Logger$Level)
           (java.util.concurrent TimeoutException)
           (java.util.concurrent.locks Lock)))

(set! *warn-on-reflection* true)

(def ^:private out-of-band
  "Dispatch-data for sends from inside an effect: deacon finds no key in it,
  so it neither stores, looks up nor fans out anything for them."
  {:datastar.wow/response nil})

(defn- show-counter!
  "Patches this stream with its session's counter as it is when the stream's
  lock is taken: the sends on one stream then follow the order of the
  changes, so a tab never ends on an older state (a tick racing a stop)."
  [{:keys [counters]} dispatch sse sid]
  (let [^Lock lock (sdk/get-lock sse)]
    (.lock lock)
    (try
      (dispatch [[:datastar.wow/patch-signals (counter/of @counters sid)]] out-of-band)
      (finally (.unlock lock))))
  nil)

(defn- keep-wave!
  "Keeps `wave` in this node's list: it may come from another node. A wave
  whose id is not 8 hex digits is not kept (it would reach a page's
  expression)."
  [app wave]
  (when (and (map? wave) (string? (:id wave)) (re-matches #"[0-9a-f]{8}" (:id wave)) (string? (:text wave)))
    (waves/seen! app wave))
  nil)

(defn- show-waves!
  "Unless this stream resumes caught up by replay (`d*conn/recoverable?`
  with its request's `last-event-id`), patches it with the whole list of
  waves and the `waves` signal, the stream's lock held: no wave's line goes
  down the stream between the list being read and sent."
  [{:keys [store] :as app} dispatch sse request]
  (let [k (d*conn/scoped-key (session/id request) counter/stream-key)]
    (when-not (d*conn/recoverable? store k (get-in request [:headers "last-event-id"]))
      (let [^Lock lock (sdk/get-lock sse)]
        (.lock lock)
        (try
          (let [ws (waves/listed app)]
            (dispatch [[:datastar.wow/patch-signals (view/waves-signals ws)]
                       [:datastar.wow/patch-elements (view/wave-list ws)]]
                      out-of-band))
          (finally (.unlock lock))))))
  nil)

(defn- show-panel!
  "Patches this stream with the store panel this node last rendered."
  [{:keys [panel-view]} dispatch]
  (when-let [view @panel-view]
    (dispatch [[:datastar.wow/patch-elements view]] out-of-band))
  nil)

(defn registry
  "The demo's effects for `app` (`demo.app/app`); in the registries as
  `[demo.effects/registry app]`. Their arguments are plain data: on several
  nodes they travel to the streams the other nodes hold.

  | effect                    | does                                               |
  |---------------------------|----------------------------------------------------|
  | `[::show-counter]`        | patches this stream with its session's counter     |
  | `[::show-counter message]`| the same, after keeping another node's copy of the |
  |                           | counter if newer (`demo.live/received!`)           |
  | `[::show-waves]`          | the whole list of waves, unless this stream was    |
  |                           | caught up by replay                                |
  | `[::keep-wave {:id :text}]`| keeps the wave in this node's list (it sends      |
  |                           | nothing: its line goes with datastar.wow's own     |
  |                           | patch, which the store's history records)          |
  | `[::joined]`              | this stream just opened: on several nodes, asks    |
  |                           | the others for their copy of the session's counter |
  | `[::command {:op :id      | applies a command given on node `:from`, which     |
  |   :from}]`                | held no tab of the session, once per node, then    |
  |                           | shows the counter; back on `:from` with still no   |
  |                           | tab there, shows the notice that none is open      |
  | `[::show-panel {:from     | patches this stream with this node's store panel   |
  |   :tell-others?}]`        | when `:from` is this node; else, with              |
  |                           | `:tell-others?`, renders this node's panel again   |"
  [app]
  {:datastar.wow/effects
   {::show-counter (fn [{:keys [dispatch]} {:keys [sse request]} & [message]]
                     (let [sid (session/id request)]
                       (live/received! app sid message)
                       (when-not (live/own-question? app message)
                         (show-counter! app dispatch sse sid))))
    ::show-waves   (fn [{:keys [dispatch]} {:keys [sse request]}]
                     (show-waves! app dispatch sse request))
    ::keep-wave    (fn [_ctx _system wave]
                     (keep-wave! app wave))
    ::joined       (fn [_ctx {:keys [request]}]
                     (live/joined! app (session/id request)))
    ::command      (fn [{:keys [dispatch]} {:keys [sse request]} {:keys [op id from]}]
                     (let [sid (session/id request)]
                       (if (and (= from (live/node app)) (zero? (long (live/watchers app sid))))
                         ;; sent for the other nodes' tabs, it came back to the request's own
                         ;; stream: no node held one by then
                         (dispatch [[:datastar.wow/patch-signals {:notice (view/no-tab true)}]] out-of-band)
                         (do (when (contains? counter/ops op)
                               (live/apply-command! app sid op id))
                             (show-counter! app dispatch sse sid)))))
    ::show-panel   (fn [{:keys [dispatch]} _system {:keys [from tell-others?]}]
                     (cond
                       (= from (live/node app)) (show-panel! app dispatch)
                       tell-others?             (panel/refresh! app false)))}})

;;; deacon's :on-error. deacon calls it with every failure of its
;;; interceptor, among them a keyed response's effects that could not be sent
;;; to the other nodes of the cluster (Redis down, or too slow): the effects
;;; ran on this node's tabs only, and the other nodes never learn of the
;;; change (delivery is at most once). For a command, the session's tabs here
;;; are told so (`demo.view/only-here`); every failure is logged on the
;;; `datastar.wow.deacon.demo` System.Logger, a child of the library's.

(def ^:private ^System$Logger logger (System/getLogger "datastar.wow.deacon.demo"))

(defn unreachable?
  "True when `e`, or one of its causes, says the other nodes could not be
  reached: a failure of the cluster's backplane, or a wait for it that timed
  out."
  [e]
  (boolean (some #(or (instance? BackplaneException %) (instance? TimeoutException %))
                 (take-while some? (iterate ex-cause e)))))

(defn command?
  "True when the dispatch of ctx answers a command: a response keyed by the
  session's counter stream (the tabs' own streams subscribe instead)."
  [ctx]
  (= counter/stream-key (get-in ctx [:dispatch-data :datastar.wow/response :datastar.wow.deacon/key])))

(defn on-error!
  "deacon's `:on-error` for `app` (`demo.app/app`): `(on-error! app e ctx)`.
  A command whose effects could not reach the other nodes tells its tabs
  here, soon (`:submit`), and logs one WARNING line; anything else is logged
  at ERROR with its stack, as deacon's own default does."
  [{:keys [submit] :as app} ^Throwable e ctx]
  (let [sid (session/id (get-in ctx [:system :request]))]
    (if (and sid (command? ctx) (unreachable? e))
      (do (submit #(live/notice! app sid view/only-here))
          (.log logger System$Logger$Level/WARNING
                ^String (str "demo: a command of session " (session/short-id sid)
                             " reached only this node's tabs: " (ex-message e))))
      (.log logger System$Logger$Level/ERROR ^String (str "demo: " (ex-message e)) e))
    nil))

(defn deacon-options
  "deacon's registry options: keys scoped by session, and failures handled by
  `on-error!` (a command that could not reach the other nodes says so on its
  tabs)."
  [app]
  {:id-fn    session/id-fn
   :on-error (fn [e ctx] (on-error! app e ctx))})

(def replay
  "The store's history, deacon's `:replay`: each session's key keeps its last
  100 events for 5 minutes, so that a tab Datastar closed while it was
  hidden gets what it missed (every wave among them) when it is shown."
  {:events 100 :ms (* 5 60 1000)})

(def heartbeat-ms
  "How often the store probes every stored stream, in milliseconds."
  5000)

(defn fresh-state
  "The demo's mutable state, every atom empty: counters, timers and their
  forgetting (`demo.live`), the store panel's entries, log and view
  (`demo.panel`), the cluster's clock, questions and applied commands, the
  waves this node keeps (`demo.waves`), and
  `:store-ref`, which holds the store for the store's own callbacks."
  []
  {:entries     (atom {})
   :counters    (atom {})
   :timers      (atom {})
   :forgets     (atom {})
   :since       (atom {})
   :removals    (atom [])
   :refreshing  (atom false)
   :tell-others (atom false)
   :panel-view  (atom nil)
   :clock       (atom 0)
   :answering   (atom #{})
   :applied     (atom [])
   :waves       (atom [])
   :store-ref   (atom nil)})

(defn store-options
  "deacon's store options: an atom store over `(:entries app)` (the store
  panel watches it) that fans out (a key keeps one stream per tab), with a
  heartbeat that probes every stored stream with `send!` every
  `(:heartbeat-ms app heartbeat-ms)`, a history for tabs that come back
  (`replay`), and, when `(:cluster app)` holds
  cluster options (`demo.config/cluster-options`), a member of that cluster.
  `send!` writes something harmless and,
  like the Datastar SDK's send functions, answers false when the stream is
  closed: the store then removes it (cause `:dead`). It cannot remove a
  stream whose send still answers true: on http-kit 2.9.0-beta3 a tab whose
  close http-kit missed (a stream on a keep-alive connection whose previous
  SSE response the server closed) was answered true for over 70 s, and its
  session's timer ran on (measured on the real stack, 2026-12-07). The demo
  needs http-kit 2.9.0-beta4 or newer, where that close arrives.

  Every removal, whatever its cause, goes to the store panel's log
  (`demo.panel/removed!`) and to `demo.live/stream-gone!`. Both need the
  store, which these options make: they find it in `(:store-ref app)`, an
  atom the store is put in once made."
  [{:keys [entries store-ref cluster] :as app} send!]
  (cond-> {:type      :atom
           :atom      entries
           :fan-out?  true
           :replay    replay
           :heartbeat {:interval-ms (:heartbeat-ms app heartbeat-ms)
                       :send        send!}
           :on-removal (fn [k _sse cause]
                        (when-let [store @store-ref]
                          (let [app (assoc app :store store)]
                            (panel/removed! app k cause)
                            (live/stream-gone! app k))))}
    cluster (assoc :cluster cluster)))
