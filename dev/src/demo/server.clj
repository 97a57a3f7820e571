(ns demo.server
  "Starts and stops the demo on http-kit."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.app :as app]
            [demo.config :as config]
            [demo.effects :as effects]
            [demo.panel :as panel]
            [org.httpkit.server :as http-kit])
  (:import (java.util.concurrent ExecutorService)))

(set! *warn-on-reflection* true)

(defn start!
  "Starts the demo; `opts` may hold `:ip` (default \"127.0.0.1\", this machine
  only; \"0.0.0.0\" for every interface), `:port` (default 3000; 0 for any
  free port), and `:redis` with `:node`, `:prefix` and `:lease-ms` to run as
  one node of a cluster (`demo.config/cluster-options`). Returns the running
  system, for `stop!`, with the `:url` to open and the `:node`, if any."
  [opts]
  (let [options  (config/server-options opts)
        cluster  (config/cluster-options opts)
        app      (app/app cluster)
        dispatch (app/dispatch app)
        _        (panel/watch! app)
        _        (when cluster ; a dead node's keys leave the directory without a word
                   (app/every! app effects/heartbeat-ms #(panel/refresh! app false)))
        server   (http-kit/run-server (app/handler app dispatch) options)
        port     (http-kit/server-port server)]
    {:app app :server server :ip (:ip options) :port port :url (config/url (:ip options) port)
     :node (d*conn/node (:store app)) :redis (some-> cluster :redis config/shown-uri)}))

(defn stop!
  "Stops the server (closing open streams), the timers and the store."
  [{:keys [app server]}]
  (some-> (http-kit/server-stop! server {:timeout 100}) deref) ; nil when already stopped
  (.shutdownNow ^ExecutorService (:executor app))
  (d*conn/close! (:store app))
  nil)
