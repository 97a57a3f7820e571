(ns demo.server
  "Starts and stops the demo on http-kit."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.app :as app]
            [demo.panel :as panel]
            [org.httpkit.server :as http-kit])
  (:import (java.util.concurrent ExecutorService)))

(set! *warn-on-reflection* true)

(defn- port-of
  [port]
  (if (and (int? port) (<= 0 port 65535))
    port
    (throw (ex-info (str "demo: :port must be an integer from 0 to 65535, got " (pr-str port))
                    {:input :port :value port}))))

(defn start!
  "Starts the demo; `opts` may hold `:port` (default 3000; 0 for any free
  port). Returns the running system, for `stop!`."
  [{:keys [port] :or {port 3000}}]
  (let [port     (port-of port)
        app      (app/app)
        dispatch (app/dispatch app)
        _        (panel/watch! app dispatch)
        server   (http-kit/run-server (app/handler app dispatch)
                                      {:port port :legacy-return-value? false})]
    {:app app :server server :port (http-kit/server-port server)}))

(defn stop!
  "Stops the server (closing open streams), the timers and the store."
  [{:keys [app server]}]
  (some-> (http-kit/server-stop! server {:timeout 100}) deref) ; nil when already stopped
  (.shutdownNow ^ExecutorService (:executor app))
  (d*conn/close! (:store app))
  nil)
