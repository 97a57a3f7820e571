(ns user
  "The REPL demo: `(dev)` serves http://localhost:3000 (on 127.0.0.1 only;
  `(dev {:ip \"0.0.0.0\"})` for every interface), `(stop)` stops it,
  `(restart)` reloads the demo's code and starts again. Start the REPL with
  `clj -A:dev` (compile the Java core once first: `clj -T:build compile-java`).

  Nothing is required when this namespace loads, so a REPL always starts;
  the demo's namespaces are loaded by `(dev)`."
  (:require [clojure.java.io :as io]))

(set! *warn-on-reflection* true)

(defonce ^:private system (atom nil))

(def ^:private demo-namespaces
  '[demo.config demo.params demo.counter demo.session demo.assets demo.view
    demo.panel demo.live demo.effects demo.handlers demo.app demo.server])

(defn- check-java-core! []
  (when-not (io/resource "datastar/wow/deacon/Deacon.class")
    (throw (ex-info "deacon's Java core is not compiled: run `clj -T:build compile-java` once, then restart the REPL"
                    {:missing "target/classes/datastar/wow/deacon/Deacon.class"}))))

(defn stop
  "Stops the demo, if it runs."
  []
  (when-let [s @system]
    ((requiring-resolve 'demo.server/stop!) s)
    (reset! system nil)
    (println "demo stopped"))
  :stopped)

(defn dev
  "Starts the demo at http://localhost:3000, listening on 127.0.0.1 only.
  Options: `:port` (0 for any free port) and `:ip` (\"0.0.0.0\" for every
  interface), e.g. `(dev {:port 8080})`. With `:redis` (and `:node`,
  `:prefix`, `:lease-ms`) the demo is one node of a cluster sharing that
  Redis (start the REPL with `clj -A:dev:cluster`):
  `(dev {:port 3001 :redis \"redis://127.0.0.1:6379\" :node \"web-2\"})`.
  Calling it again while it runs does nothing."
  ([] (dev {}))
  ([opts]
   (check-java-core!)
   (if-let [{:keys [url]} @system]
     (do (println (str "demo already running: " url)) :running)
     (let [s ((requiring-resolve 'demo.server/start!) opts)]
       (reset! system s)
       (println (str "demo: " (:url s) "  (listening on " (:ip s)
                     (when (:node s) (str "; node " (:node s) " of the cluster at " (:redis s)))
                     ")"))
       :started))))

(defn restart
  "Stops the demo, reloads its namespaces, and starts it again."
  ([] (restart {}))
  ([opts]
   (stop)
   (doseq [n demo-namespaces] (require n :reload))
   (dev opts)))
