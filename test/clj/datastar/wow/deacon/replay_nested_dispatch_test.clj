(ns datastar.wow.deacon.replay-nested-dispatch-test
  "Replay and an app's effect that sends through its ctx's `:dispatch`, as
  datastar.wow apps do to send from an effect (the REPL demo's counter, panel
  and notices do): `:replay` promises that every event delivered to a key's
  streams carries an id and is kept for a tab that comes back. With
  render-once (the SDK's protocol extended to StreamGroup) only the
  `:datastar.wow/send` effects of the run's own dispatch go through the
  history; a send from a dispatch nested in an effect is written to each
  stream directly: no id, not recorded, so a hidden tab never gets it.

  FAILS until the library records those sends too (reported with the
  demo's list of waves, which sends its lines as the response's own action
  to be replayed)."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(defn- session [{{:keys [request]} :system}] (:session request))

(def ^:private app-effects
  "An effect sending `{:n n}` from inside, through the ctx's dispatch."
  {:datastar.wow/effects
   {::show (fn [{:keys [dispatch]} _system n]
             (dispatch [[:datastar.wow/patch-signals {:n n}]] {:datastar.wow/response nil}))}})

(defn- request
  ([sid] (wow/request {:session sid}))
  ([sid last-id] (wow/request {:session sid :headers {"datastar-request" "true" "last-event-id" last-id}})))

(deftest sends-from-inside-an-effect-are-replayed-too
  (doseq [fan-out? [false true]]
    (testing (str "fan-out? " fan-out?)
      (let [s        (d*conn/store {:type :atom :fan-out? fan-out? :replay {:events 10 :ms 60000}})
            dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session}] app-effects])
            tab      (:sse (wow/request! dispatch (request "s1") {::d*conn/subscribe ::feed :🚀 []}))]
        (d*conn/send! s ["s1" ::feed] [[::show 1]])
        (is (= [{:n 1}] (map second (wow/events tab))))
        (is (every? string? (wow/event-ids tab)) "the event sent from the effect carries an id")
        (let [seen (last (wow/event-ids tab))]
          (wow/close! tab)                              ; hidden
          (d*conn/send! s ["s1" ::feed] [[::show 2]])   ; missed
          (let [back (:sse (wow/request! dispatch (request "s1" (or seen "none"))
                                         {::d*conn/subscribe ::feed :🚀 []}))]
            (is (= [{:n 2}] (map second (wow/events back))) "the tab that comes back gets it")))))))
