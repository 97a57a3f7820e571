(ns datastar.wow.deacon.replay-effects-test
  "Replay (`:replay`) of what an app's own effects send. An effect that sends
  through a nested dispatch (an effect's `:dispatch`, as the REPL demo's
  `demo.effects` does for the counter and the store panel) sends to the
  key's stream as surely as a top-level `:datastar.wow/patch-signals`: with
  replay, its event must carry an id and be replayed to a tab that comes
  back. Through the datastar.wow, Nexus and SDK stand-ins, both stores, with
  and without fan-out and render-once."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(defn- session [{{:keys [request]} :system}] (:session request))

(def ^:private out-of-band
  "The demo's dispatch-data for sends from inside an effect: no key in it."
  {:datastar.wow/response nil})

(def ^:private app-effects
  {:datastar.wow/effects
   {::show (fn [{:keys [dispatch]} _ n]
             (dispatch [[:datastar.wow/patch-signals {:n n}]] out-of-band)
             nil)}})

(defn- request
  ([] (wow/request {:session "s1"}))
  ([last-id] (wow/request {:session "s1" :headers {"datastar-request" "true" "last-event-id" last-id}})))

(deftest an-event-an-effect-sends-through-a-nested-dispatch-is-replayed-too
  (doseq [type [:atom :caffeine] fan-out? [false true] render-once? [true false]]
    (testing (str type (when fan-out? " fan-out") (when-not render-once? " no render-once"))
      (let [s        (d*conn/store (cond-> {:type type :fan-out? fan-out? :replay {:events 50 :ms 60000}}
                                     (= :caffeine type) (assoc :executor (fn [^Runnable r] (.run r)))))
            errors   (atom [])
            dispatch (wow/create-dispatch [app-effects
                                           [d*conn/registry s {:id-fn session :render-once? render-once?
                                                               :on-error (fn [e _] (swap! errors conj e))}]])
            tab      (:sse (wow/request! dispatch (request) {::d*conn/subscribe ::feed :🚀 []}))]
        (wow/request! dispatch (request) {::d*conn/key ::feed :🚀 [[:datastar.wow/patch-signals {:n 1}]]})
        (let [id (last (wow/event-ids tab))]
          (wow/request! dispatch (request) {::d*conn/key ::feed :🚀 [[::show 2]]})
          (d*conn/send! s ["s1" ::feed] [[::show 3]])
          (is (= [{:n 1} {:n 2} {:n 3}] (map second (wow/events tab))) "every event reached the tab")
          (is (= [true true true] (map string? (wow/event-ids tab))) "each with an id")
          (wow/close! tab)
          (let [back (:sse (wow/request! dispatch (request id) {::d*conn/subscribe ::feed :🚀 []}))]
            (is (= [{:n 2} {:n 3}] (map second (wow/events back)))
                "the tab that comes back gets the events the effects sent")))
        (is (empty? @errors))))))
