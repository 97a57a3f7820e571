(ns demo.app
  "The demo wired together: deacon's store, one datastar.wow dispatch for
  requests and out-of-band sends, the reitit routes, and the live key panel.
  Needs datastar.wow, reitit and the SDK's http-kit adapter (the `:dev` alias)."
  (:require [datastar.wow :as d*]
            [datastar.wow.deacon :as d*conn]
            [demo.effects :as effects]
            [demo.handlers :as handlers]
            [demo.params :as params]
            [demo.session :as session]
            [dev.onionpancakes.chassis.core :as chassis]
            [reitit.ring :as rr]
            [starfederation.datastar.clojure.adapter.http-kit :as hk]
            [starfederation.datastar.clojure.api :as sdk])
  (:import (java.util.concurrent Executors ScheduledExecutorService ScheduledFuture
                                 ThreadFactory TimeUnit)))

(set! *warn-on-reflection* true)

(defn- every-second
  "A `:schedule` fn: runs `(f)` every second until the returned fn is called."
  [^ScheduledExecutorService executor]
  (fn [f]
    (let [tick   (fn []
                   (try (f)
                        (catch Throwable e
                          (println "demo: timer tick failed:" (ex-message e)))))
          ^ScheduledFuture future (.scheduleAtFixedRate executor ^Runnable tick 1000 1000 TimeUnit/MILLISECONDS)]
      (fn [] (.cancel future false)))))

(defn- heartbeat-send!
  "The heartbeat's probe: an empty signals patch, which the page merges as
  nothing. Like every SDK send it returns false on a closed stream."
  [sse]
  (sdk/patch-signals! sse "{}"))

(defn app
  "The demo's state: the store (over an atom the key panel watches, with a
  heartbeat), every session's counter and timer, and what the page needs."
  []
  (let [executor (Executors/newSingleThreadScheduledExecutor
                  (reify ThreadFactory
                    (newThread [_ r]
                      (doto (Thread. r "demo-timer") (.setDaemon true)))))
        state    {:entries  (atom {})
                  :counters (atom {})
                  :timers   (atom {})
                  :executor executor
                  :schedule (every-second executor)
                  :cdn      d*/CDN-url
                  :doctype  chassis/doctype-html5}]
    (assoc state :store (d*conn/store (effects/store-options state heartbeat-send!)))))

(defn dispatch
  "The one dispatch function: deacon's registry (keys scoped by session) and
  the demo's effects."
  [{:keys [store] :as app}]
  (d*/dispatch {::d*/registries [[d*conn/registry store (effects/deacon-options app)]
                                 [effects/registry app]]}))

(defn handler
  "The Ring handler: reitit routes under datastar.wow, inside the session,
  query-signals and app middleware."
  [app dispatch]
  (let [with-datastar (d*/with-datastar hk/->sse-response {::d*/dispatch dispatch})]
    (rr/ring-handler
     (rr/router [["/"     {:get handlers/index :put handlers/index :delete handlers/index}]
                 ["/jump" {:post handlers/jump}]
                 ["/keys" {:get handlers/panel}]]
                {:data {:middleware [with-datastar]}})
     (rr/create-default-handler)
     {:middleware [session/wrap-session params/wrap-query-signals [handlers/wrap-app app]]})))
