(ns demo.effects
  "The demo's own effects, as a datastar.wow registry, and deacon's options
  (the registry's and the store's).
  Effects are called by Nexus as `(f ctx system & args)`; `(:dispatch ctx)`
  sends further actions down the same stream (`(:sse system)`)."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.counter :as counter]
            [demo.handlers :as handlers]
            [demo.session :as session]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(def ^:private out-of-band
  "Dispatch-data for sends that answer no response: deacon finds no key in it,
  so it neither stores nor looks anything up for them."
  {:datastar.wow/response nil})

(defn- patch-counter!
  [{:keys [counters]} dispatch sid op]
  (let [c (counter/of (swap! counters (counter/ops op) sid) sid)]
    (dispatch [[:datastar.wow/patch-signals c]] out-of-band)
    nil))

(defn stop-timer!
  "Cancels session `sid`'s timer, if it runs."
  [{:keys [timers]} sid]
  (when-let [cancel (get (first (swap-vals! timers dissoc sid)) sid)]
    (cancel))
  nil)

(defn- start-timer!
  [{:keys [timers schedule] :as app} dispatch sid]
  (locking timers
    (when-not (get @timers sid)
      (swap! timers assoc sid (schedule #(patch-counter! app dispatch sid :tick)))))
  nil)

(defn registry
  "The demo's effects for `app` (`demo.system/app`); in the registries as
  `[demo.effects/registry app]`.

  | effect                  | does                                              |
  |-------------------------|---------------------------------------------------|
  | `[::counter op]`        | applies `op` (`:start` `:jump` `:stop`) to this   |
  |                         | session's counter and patches the signals         |
  | `[::start-timer]`       | ticks this session's counter every second, each  |
  |                         | tick patched down this request's stream           |
  | `[::stop-timer]`        | stops it                                          |
  | `[::show-keys]`         | patches the key panel with the store's keys       |"
  [{:keys [store] :as app}]
  {:datastar.wow/effects
   {::counter     (fn [{:keys [dispatch]} {:keys [request]} op]
                    (patch-counter! app dispatch (session/id request) op))
    ::start-timer (fn [{:keys [dispatch]} {:keys [request]}]
                    (start-timer! app dispatch (session/id request)))
    ::stop-timer  (fn [_ {:keys [request]}]
                    (stop-timer! app (session/id request)))
    ::show-keys   (fn [{:keys [dispatch]} {:keys [request]}]
                    (dispatch [[:datastar.wow/patch-elements
                                (view/keys-panel (d*conn/list-keys store) (session/id request))]]
                              out-of-band)
                    nil)}})

(defn- stream-gone!
  "Stored key `k` lost its stream: when it is a session's counter stream, stop
  that session's timer and mark the counter stopped (its count kept), so that
  the page offers to start it again."
  [{:keys [counters] :as app} k]
  (when (vector? k)
    (let [[sid base] k]
      (when (= base handlers/counter-key)
        (stop-timer! app sid)
        (swap! counters counter/pause sid)))))

(defn deacon-options
  "deacon's registry options: keys scoped by session, and a session's timer
  stopped (its count kept) when its counter stream closes (tab closed,
  network gone)."
  [app]
  {:id-fn    session/id-fn
   :on-purge (fn [_ctx scoped-key] (stream-gone! app scoped-key))})

(def heartbeat-ms
  "How often the store probes every stored stream, in milliseconds."
  5000)

(defn store-options
  "deacon's store options: an atom store over `(:entries app)` (the key panel
  watches it) with a heartbeat that probes every stored stream with `send!`
  every `(:heartbeat-ms app heartbeat-ms)`. `send!` writes something harmless
  and, like the Datastar SDK's send functions, answers false when the stream
  is closed: the store then removes it (cause `:dead`).

  An adapter can miss a close (http-kit 2.9.0-beta3 does, for a stream on a
  keep-alive connection whose previous SSE response the server closed), and
  then nothing purges the stream's key: the heartbeat does. A counter stream
  it finds dead stops its session's timer, as a close does."
  [{:keys [entries] :as app} send!]
  {:type      :atom
   :atom      entries
   :heartbeat {:interval-ms (:heartbeat-ms app heartbeat-ms)
               :send        send!}
   :on-remove (fn [k _sse cause]
                (when (= :dead cause) (stream-gone! app k)))})
