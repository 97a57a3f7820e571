(ns demo.app
  "The demo wired together: deacon's store, one datastar.wow dispatch for
  requests and out-of-band sends, and the reitit routes. Needs datastar.wow,
  reitit and the SDK's http-kit adapter (the `:dev` alias)."
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
  (:import (java.time LocalTime)
           (java.time.format DateTimeFormatter)
           (java.util.concurrent Executors RejectedExecutionException ScheduledExecutorService
                                 ScheduledFuture ThreadFactory TimeUnit)))

(set! *warn-on-reflection* true)

(defn- guarded
  "`f`, logging what it throws: a task on the demo's thread must not die
  silently."
  [what f]
  (fn []
    (try (f)
         (catch Throwable e
           (println (str "demo: " what " failed: " (ex-message e)))))))

(defn- every-second
  "A `:schedule` fn: runs `(f)` every second until the returned fn is called."
  [^ScheduledExecutorService executor]
  (fn [f]
    (let [^ScheduledFuture future (.scheduleAtFixedRate executor ^Runnable (guarded "timer tick" f)
                                                         1000 1000 TimeUnit/MILLISECONDS)]
      (fn [] (.cancel future false)))))

(defn- after
  "A `:later` fn: runs `(f)` once after `ms` milliseconds unless the returned
  fn is called first."
  [^ScheduledExecutorService executor]
  (fn [ms f]
    (try
      (let [^ScheduledFuture future (.schedule executor ^Runnable (guarded "delayed task" f)
                                               (long ms) TimeUnit/MILLISECONDS)]
        (fn [] (.cancel future false)))
      (catch RejectedExecutionException _ (fn [])))))  ; stopping: nothing more to run

(def ^:private soon-ms
  "How long a `:submit` task waits: a burst of changes costs one panel, and
  on several nodes the directory has taken in a new key by then."
  100)

(defn- on-thread
  "A `:submit` fn: runs `(f)` soon (`soon-ms`) on the demo's thread."
  [^ScheduledExecutorService executor]
  (fn [f]
    (try (let [^ScheduledFuture _ (.schedule executor ^Runnable (guarded "panel refresh" f)
                                             (long soon-ms) TimeUnit/MILLISECONDS)])
         (catch RejectedExecutionException _ nil))))  ; stopping: nobody left to tell

(defn every!
  "Runs `(f)` every `ms` milliseconds on the demo's thread until it stops."
  [{:keys [^ScheduledExecutorService executor]} ms f]
  (let [^ScheduledFuture _ (.scheduleAtFixedRate executor ^Runnable (guarded "periodic task" f)
                                                 (long ms) (long ms) TimeUnit/MILLISECONDS)])
  nil)

(def ^:private clock (DateTimeFormatter/ofPattern "HH:mm:ss"))

(defn- heartbeat-send!
  "The heartbeat's probe: an empty signals patch, which the page merges as
  nothing. Like every SDK send it returns false on a closed stream."
  [sse]
  (sdk/patch-signals! sse "{}"))

(defn app
  "The demo's state: the store (fan-out, over an atom the store panel
  watches, with a heartbeat; with `cluster`, the `:cluster` options of
  `demo.config/cluster-options`, a member of that cluster), every session's
  counter and timer, the panel's log, and the one thread that runs timers and
  panel refreshes. `:store-ref` holds the store for the store's own
  callbacks."
  [cluster]
  (let [executor (Executors/newSingleThreadScheduledExecutor
                  (reify ThreadFactory
                    (newThread [_ r]
                      (doto (Thread. r "demo-timer") (.setDaemon true)))))
        state    (merge (effects/fresh-state)
                        {:cluster  cluster
                         :executor executor
                         :schedule (every-second executor)
                         :later    (after executor)
                         :submit   (on-thread executor)
                         :now      #(.format (LocalTime/now) clock)
                         :cdn      d*/CDN-url
                         :doctype  chassis/doctype-html5})]
    (assoc state :store (reset! (:store-ref state)
                                (d*conn/store (effects/store-options state heartbeat-send!))))))

(defn dispatch
  "The one dispatch function: deacon's registry (keys scoped by session) and
  the demo's effects."
  [{:keys [store] :as app}]
  (d*/dispatch {::d*/registries [[d*conn/registry store (effects/deacon-options app)]
                                 [effects/registry app]]}))

(defn handler
  "The Ring handler: reitit routes (those answering Datastar under
  datastar.wow, the stylesheet and favicon as they are), inside the
  malformed-signals, session, query-signals and app middleware."
  [app dispatch]
  (let [with-datastar (d*/with-datastar hk/->sse-response {::d*/dispatch  dispatch
                                                           ::d*/read-json params/read-json})]
    (rr/ring-handler
     (rr/router [["" {:middleware [with-datastar]}
                  ["/"        {:get handlers/index :put handlers/index :delete handlers/index}]
                  ["/jump"    {:post handlers/jump}]
                  ["/updates" {:get handlers/updates}]
                  ["/wave"    {:post handlers/wave}]]
                 ["/style.css"   {:get handlers/stylesheet}]
                 ["/favicon.ico" {:get handlers/favicon}]])
     (rr/create-default-handler)
     {:middleware [params/wrap-malformed-signals session/wrap-session params/wrap-query-signals
                   [handlers/wrap-app app]]})))
