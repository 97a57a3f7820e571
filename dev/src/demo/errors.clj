(ns demo.errors
  "deacon's `:on-error` for the demo. deacon calls it with every failure of
  its interceptor, among them a keyed response's effects that could not be
  sent to the other nodes of the cluster (Redis down, or too slow): the
  effects ran on this node's tabs only, and the other nodes never learn of
  the change (delivery is at most once). For a command, the session's tabs
  here are told so (`demo.notices/only-here`); every failure is logged on
  the `datastar.wow.deacon.demo` System.Logger, a child of the library's."
  (:require [demo.counter :as counter]
            [demo.live :as live]
            [demo.notices :as notices]
            [demo.session :as session])
  (:import (datastar.wow.deacon.cluster BackplaneException)
           (java.lang System$Logger System$Logger$Level)
           (java.util.concurrent TimeoutException)))

(set! *warn-on-reflection* true)

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
      (do (submit #(live/notice! app sid notices/only-here))
          (.log logger System$Logger$Level/WARNING
                ^String (str "demo: a command of session " (session/short-id sid)
                             " reached only this node's tabs: " (ex-message e))))
      (.log logger System$Logger$Level/ERROR ^String (str "demo: " (ex-message e)) e))
    nil))
