(ns demo.effects
  "The demo's own effect, as a datastar.wow registry, and deacon's options
  (the registry's and the store's).

  With fan-out, the effects of a keyed response run once on every stream of
  the key, each in its own dispatch. So an effect here only shows state; the
  handlers change it, once per request (`demo.live/command!`)."
  (:require [demo.counter :as counter]
            [demo.live :as live]
            [demo.panel :as panel]
            [demo.session :as session]
            [starfederation.datastar.clojure.protocols :as sdk])
  (:import (java.util.concurrent.locks Lock)))

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

(defn registry
  "The demo's effects for `app` (`demo.app/app`); in the registries as
  `[demo.effects/registry app]`.

  | effect            | does                                                  |
  |-------------------|-------------------------------------------------------|
  | `[::show-counter]`| patches this stream with its session's counter       |"
  [app]
  {:datastar.wow/effects
   {::show-counter (fn [{:keys [dispatch]} {:keys [sse request]}]
                     (show-counter! app dispatch sse (session/id request)))}})

(defn deacon-options
  "deacon's registry options: keys scoped by session."
  [_app]
  {:id-fn session/id-fn})

(def heartbeat-ms
  "How often the store probes every stored stream, in milliseconds."
  5000)

(defn store-options
  "deacon's store options: an atom store over `(:entries app)` (the store
  panel watches it) that fans out (a key keeps one stream per tab), with a
  heartbeat that probes every stored stream with `send!` every
  `(:heartbeat-ms app heartbeat-ms)`. `send!` writes something harmless and,
  like the Datastar SDK's send functions, answers false when the stream is
  closed: the store then removes it (cause `:dead`). An adapter can miss a
  close (http-kit 2.9.0-beta3 does, for a stream on a keep-alive connection
  whose previous SSE response the server closed): the heartbeat catches it.

  Every removal, whatever its cause, goes to the store panel's log
  (`demo.panel/removed!`) and to `demo.live/stream-gone!`. Both need the
  store, which these options make: they find it in `(:store-ref app)`, an
  atom the store is put in once made."
  [{:keys [entries store-ref] :as app} send!]
  {:type      :atom
   :atom      entries
   :fan-out?  true
   :heartbeat {:interval-ms (:heartbeat-ms app heartbeat-ms)
               :send        send!}
   :on-remove (fn [k _sse cause]
                (when-let [store @store-ref]
                  (let [app (assoc app :store store)]
                    (panel/removed! app k cause)
                    (live/stream-gone! app k))))})
