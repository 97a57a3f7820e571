(ns datastar.wow.deacon.nexus-fixture-test
  "Pins the behaviours of the Nexus and datastar.wow stand-ins that deacon
  relies on, as the real libraries have them (DESIGN.md, 'The datastar.wow
  contract' and 'Facts from the real stack'; Nexus v2026.06.4's
  src/nexus/core.cljc)."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon.test.http :as http]
            [datastar.wow.deacon.test.wow :as wow]
            [nexus.core :as nexus]
            [starfederation.datastar.clojure.adapter.http-kit :as hk]
            [starfederation.datastar.clojure.api :as sdk]
            [starfederation.datastar.clojure.protocols :as p])
  (:import (java.util.concurrent.locks ReentrantLock)))

(set! *warn-on-reflection* true)

(deftest hooks-run-in-order-and-after-hooks-in-reverse
  (let [log   (atom [])
        hook  (fn [tag] (fn [ctx] (swap! log conj tag) ctx))
        n     {:nexus/interceptors [{:id :a :before-dispatch (hook :a-before) :after-dispatch (hook :a-after)
                                     :before-effect (hook :a-effect) :after-effect (hook :a-effect-after)}
                                    {:id :b :before-dispatch (hook :b-before) :after-dispatch (hook :b-after)}]
               :nexus/effects {:fx (fn [_ _] (swap! log conj :effect) nil)}}]
    (nexus/dispatch n {} {} [[:fx]])
    (is (= [:a-before :b-before :a-effect :effect :a-effect-after :b-after :a-after] @log))))

(deftest before-dispatch-sees-the-documented-ctx
  (let [seen (atom nil)
        n    {:nexus/interceptors [{:id :spy :before-dispatch #(do (reset! seen %) %)}]
              :nexus/effects {:fx (constantly nil)}}]
    (nexus/dispatch n {:sse :s :request :r} {:k :v} [[:fx 1]])
    (is (= {:sse :s :request :r} (:system @seen)))
    (is (= {:k :v} (:dispatch-data @seen)))
    (is (= [[:fx 1]] (:actions @seen)))
    (is (= {:fx (get-in n [:nexus/effects :fx])} (get-in @seen [:nexus :nexus/effects])) "the nexus itself")
    (is (every? #(contains? @seen %) [:queue :stack]))))

(deftest a-throwing-hook-leaves-ctx-unchanged-and-is-recorded
  (let [boom (ex-info "boom" {})
        n    {:nexus/interceptors [{:id :bad :before-dispatch (fn [_] (throw boom))}]
              :nexus/effects {:fx (fn [{:keys [dispatch-data]} _] (:k dispatch-data))}}
        out  (nexus/dispatch n {} {:k :v} [[:fx]])]
    (is (= [{:effect [:fx] :res :v}] (:results out)) "dispatch carried on")
    (is (= [{:phase :before-dispatch :err boom :id :bad :trace nil}] (:errors out)))))

(deftest errors-are-not-caught-for-throwables-that-are-not-exceptions
  (let [n {:nexus/interceptors [{:id :bad :before-dispatch (fn [_] (throw (AssertionError. "no")))}]
           :nexus/effects {:fx (constantly nil)}}]
    (is (thrown? AssertionError (nexus/dispatch n {} {} [[:fx]])))))

(deftest effects-see-interceptor-changes-to-system-dispatch-data-and-actions
  (let [n   {:nexus/interceptors [{:id :i :before-dispatch #(-> %
                                                               (assoc-in [:system :sse] :changed)
                                                               (assoc-in [:dispatch-data :extra] 1))}]
             :nexus/effects {:fx (fn [{:keys [dispatch-data]} system] [(:sse system) (:extra dispatch-data)])}}
        out (nexus/dispatch n {:sse :original} {} [[:fx]])]
    (is (= [:changed 1] (-> out :results first :res))))
  (testing "an interceptor that empties :actions makes the dispatch run nothing"
    (let [ran (atom 0)
          n   {:nexus/interceptors [{:id :i :before-dispatch #(assoc % :actions [])}]
               :nexus/effects {:fx (fn [_ _] (swap! ran inc))}}
          out (nexus/dispatch n {} {} [[:fx] [:fx]])]
      (is (zero? @ran))
      (is (nil? (:results out))))))

(deftest an-effect-hook's-ctx-changes-carry-on-to-the-next-effects
  (let [n   {:nexus/interceptors [{:id :i
                                   :before-effect (fn [ctx] (cond-> ctx
                                                              (= [:fx :a] (:effect ctx)) (assoc-in [:system :sse] :changed)))
                                   :after-effect (fn [ctx] (assoc ctx ::after (:effect ctx)))}]
             :nexus/effects {:fx (fn [_ {:keys [sse]} _] sse)}}
        out (nexus/dispatch n {:sse :original} {} [[:fx :a] [:fx :b]])]
    (is (= [:changed :changed] (map :res (:results out))) "the :system of one effect is the next one's")
    (is (= [:fx :b] (::after out)) "and the ctx comes out of the dispatch with them")))

(deftest nested-dispatch-uses-the-original-system-and-dispatch-data-and-inherits-the-ctx
  (let [seen (atom [])
        n    {:nexus/interceptors [{:id :i :before-dispatch
                                    (fn [ctx]
                                      (swap! seen conj [(:actions ctx) (-> ctx :system :sse)
                                                        (-> ctx :dispatch-data :extra) (::mark ctx)])
                                      (-> ctx
                                          (assoc-in [:dispatch-data :extra] :added)
                                          (assoc-in [:system :sse] :changed)
                                          (assoc ::mark :set-by-the-outer-dispatch)))}]
              :nexus/effects {:outer (fn [{:keys [dispatch]} _] (:results (dispatch [[:inner]] {:more 1})))
                              :inner (fn [{:keys [dispatch-data]} system] [(:sse system) dispatch-data])}}
        out  (nexus/dispatch n {:sse :s} {} [[:outer]])]
    (is (= [[[[:outer]] :s nil nil] [[[:inner]] :s nil :set-by-the-outer-dispatch]] @seen))
    (is (= [{:effect [:inner] :res [:changed {:more 1 :extra :added}]}] (-> out :results first :res))
        "the nested dispatch's own interceptor run changed it again")))

(deftest actions-expand-and-every-effect-result-is-kept
  (let [n   {:nexus/system->state (constantly {})
             :nexus/actions {:double (fn [_ x] [[:echo x] [:echo x]])}
             :nexus/effects {:echo (fn [_ _ x] x) :none (constantly nil)}}
        out (nexus/dispatch n {} {} [[:double 2] [:none]])]
    (is (= [{:effect [:echo 2] :res 2} {:effect [:echo 2] :res 2} {:effect [:none] :res nil}]
           (:results out)))))

(deftest a-throwing-effect-is-an-error-without-a-result
  (let [boom (ex-info "effect broke" {})
        n    {:nexus/effects {:bad (fn [_ _] (throw boom)) :ok (constantly :ok)}}
        out  (nexus/dispatch n {} {} [[:bad] [:ok]])]
    (is (= [{:effect [:ok] :res :ok}] (:results out)))
    (is (= [[:execute-effect boom [:bad]]] (map (juxt :phase :err :effect) (:errors out))))))

(deftest unknown-effects-are-errors
  (is (= "No such effect :nope" (-> (nexus/dispatch {} {} {} [[:nope]]) :errors first :err ex-message))))

(deftest placeholders-are-resolved-from-dispatch-data
  (let [n {:nexus/placeholders {:from-data (fn [data k] (get data k))}
           :nexus/effects {:echo (fn [_ _ x] x)}}]
    (is (= [{:effect [:echo {:v 42}] :res {:v 42}}]
           (:results (nexus/dispatch n {} {:n 42} [[:echo {:v [:from-data :n]}]]))))))

(deftest an-interceptor-can-dispatch-again-with-the-ctx-nexus-and-another-system
  (let [n   {:nexus/interceptors [{:id :fan
                                   :before-dispatch
                                   (fn [ctx]
                                     (if (-> ctx :dispatch-data ::nested)
                                       ctx
                                       (do (doseq [sse [:t1 :t2]]
                                             (nexus/dispatch (:nexus ctx) (assoc (:system ctx) :sse sse)
                                                             (assoc (:dispatch-data ctx) ::nested true)
                                                             (:actions ctx)))
                                           (assoc ctx :actions []))))}]
             :nexus/effects {:write (fn [_ {:keys [sse]} x] (swap! (:log x) conj sse))}}
        log (atom [])]
    (nexus/dispatch n {:sse :outer} {} [[:write {:log log}]])
    (is (= [:t1 :t2] @log))))

(deftest registries-are-merged-like-datastar-wow
  (let [i1 {:id :one} i2 {:id :two}
        nexus (wow/create-registry [{:datastar.wow/interceptors [i1]}
                                    (fn [] {:datastar.wow/interceptors [i2]})
                                    [(fn [x] {:datastar.wow/effects {:mine x}}) :fx]
                                    (reify clojure.lang.IFn (invoke [_] {:datastar.wow/interceptors [{:id :ignored}]}))])]
    (is (= [i1 i2] (:nexus/interceptors nexus)) "a Java IFn that is not fn? registers nothing")
    (is (= :fx (get-in nexus [:nexus/effects :mine])))
    (is (contains? (:nexus/effects nexus) :datastar.wow/connection))))

(deftest sends-answer-false-on-a-closed-stream-and-never-throw
  (let [sse (wow/fake-sse)]
    (is (true? (wow/send! sse [:e 1])))
    (wow/close! sse)
    (is (false? (wow/send! sse [:e 2])))
    (is (= [[:e 1]] (wow/events sse))))
  (testing "the send effect's result is the SDK's answer"
    (let [dispatch (wow/create-dispatch [])
          sse      (wow/fake-sse)
          _        (wow/close! sse)
          out      (dispatch {:sse sse} {} [[:datastar.wow/patch-signals {:a 1}]])]
      (is (= [{:effect [:datastar.wow/send :datastar.wow/patch-signals {:a 1}] :res false}] (:results out)))
      (is (nil? (:errors out)))))
  (testing "something that is not a stream throws, as the SDK's protocol does"
    (is (thrown? clojure.lang.ExceptionInfo (wow/send! ::not-a-stream [:e])))))

(deftest datastar-wow-request-paths
  (let [seen     (atom [])
        spy      {:datastar.wow/interceptors
                  [{:id :spy :before-dispatch (fn [ctx] (swap! seen conj [(:actions ctx) (-> ctx :system :sse)
                                                                          (-> ctx :dispatch-data :datastar.wow/connection)]) ctx)}]}
        dispatch (wow/create-dispatch [spy])]
    (testing "a response naming its connection skips the look-up dispatch"
      (reset! seen [])
      (let [sse (wow/fake-sse)
            out (wow/request! dispatch (wow/request) {:datastar.wow/connection sse
                                                      :🚀 [[:datastar.wow/patch-signals {:a 1}]]})]
        (is (= 204 (:status out)))
        (is (= [[[[:datastar.wow/patch-signals {:a 1}]] sse nil]] @seen))
        (is (= [[:datastar.wow/patch-signals {:a 1}]] (wow/events sse)))))
    (testing "otherwise a look-up dispatch with {:sse nil}, then a new stream"
      (reset! seen [])
      (let [out (wow/request! dispatch (wow/request) {:datastar.wow/fx [[:datastar.wow/patch-signals {:a 2}]]})
            sse (:sse out)]
        (is (= 200 (:status out)))
        (is (= [[[[:datastar.wow/connection]] nil nil] [[[:datastar.wow/patch-signals {:a 2}]] sse nil]] @seen))
        (is (wow/open? sse))
        (testing "and closing it dispatches sse-closed with {:sse nil}"
          (reset! seen [])
          (wow/close! sse)
          (is (= [[[[:datastar.wow/sse-closed]] nil nil]] @seen)))))
    (testing "with-open-sse? closes the stream after the actions"
      (reset! seen [])
      (let [out (wow/request! dispatch (wow/request) {:datastar.wow/with-open-sse? true
                                                      :datastar.wow/fx [[:datastar.wow/patch-signals {:a 3}]]})]
        (is (not (wow/open? (:sse out))))
        (is (= [[:datastar.wow/sse-closed]] (first (last @seen))))))
    (testing "the close dispatch carries that request's dispatch-data"
      (let [data (atom nil)
            d    (wow/create-dispatch [{:datastar.wow/interceptors
                                        [{:id :spy :before-dispatch (fn [ctx] (reset! data (:dispatch-data ctx)) ctx)}]}])
            req  (wow/request)
            out  (wow/request! d req {:datastar.wow/fx []})]
        (wow/close! (:sse out))
        (is (identical? req (:datastar.wow/request @data)))
        (is (false? (:datastar.wow/with-open-sse? @data)))))
    (testing "a connection found at look-up: 204, effects on it, with the ORIGINAL dispatch-data"
      (let [found (wow/fake-sse)
            d     (wow/create-dispatch [{:datastar.wow/interceptors
                                         [{:id :finder
                                           :before-dispatch (fn [ctx]
                                                              (swap! seen conj [(:actions ctx) (-> ctx :system :sse)
                                                                                (-> ctx :dispatch-data :datastar.wow/connection)])
                                                              (cond-> ctx
                                                                (= [[:datastar.wow/connection]] (:actions ctx))
                                                                (assoc-in [:dispatch-data :datastar.wow/connection] found)))}]}])]
        (reset! seen [])
        (let [out (wow/request! d (wow/request) {:datastar.wow/fx [[:datastar.wow/patch-signals {:a 4}]]})]
          (is (= 204 (:status out)))
          (is (= [[[[:datastar.wow/connection]] nil nil] [[[:datastar.wow/patch-signals {:a 4}]] found nil]] @seen))
          (is (= [[:datastar.wow/patch-signals {:a 4}]] (wow/events found))))))))

(deftest the-sdk-stand-ins-answer-as-the-sdk-does
  (testing "the adapter's option keys are the SDK's (adapter.common's :d*.sse/on-open and :d*.sse/on-close)"
    (is (= :d*.sse/on-open hk/on-open))
    (is (= :d*.sse/on-close hk/on-close)))
  (let [opened (atom nil)
        closed (atom nil)
        ring   (hk/->sse-response (wow/request) {hk/on-open  #(reset! opened %)
                                                 hk/on-close (fn [sse status] (reset! closed [sse status]))})
        sse    @opened]
    (testing "->sse-response calls on-open with the stream, before it returns a 200"
      (is (some? sse))
      (is (= 200 (:status ring))))
    (testing "a send function answers true on an open stream, false on a closed one, and never throws"
      (is (true? (sdk/patch-signals! sse "{}")))
      (is (true? (sdk/close-sse! sse)))
      (is (false? (sdk/patch-signals! sse "{}"))))
    (testing "closing the stream runs on-close with the stream and a status"
      (is (identical? sse (first @closed)))
      (is (some? (second @closed))))))

(deftest the-stand-ins-write-ids-and-retry-as-the-sdk-does
  ;; Read in the Datastar Clojure SDK, starfederation/datastar-clojure at tag v1.0.0-RC9 (the
  ;; SDK of the real stack, DESIGN.md), libraries/sdk/src/main/starfederation/datastar/clojure/:
  ;; - api/common.clj, lines 8-9: the options are :d*.sse/id and :d*.sse/retry-duration;
  ;; - api/sse.clj, lines 93-100 (append-opts!): an "id: " line when the id is truthy, then a
  ;;   "retry: " line when the retry duration is; lines 120-127 (write-event!): the event: line,
  ;;   those, a data: line per data line, then the blank line; lines 138-164 (rework-options,
  ;;   send-event!): the API layer turns an empty id and the default retry (1000) into false
  ;;   before calling the protocol's send-event!, which writes whatever it is handed;
  ;; - the generators' send-event! writes through write-event! holding the generator's own lock:
  ;;   libraries/sdk-http-kit/.../adapter/http_kit/impl.cljc lines 76-88, and
  ;;   libraries/sdk-ring/.../adapter/ring/impl.clj lines 58-59.
  ;; Deacon's replay hands the protocol's send-event! {:d*.sse/id id} (and the event's retry
  ;; duration, if it had one); the stand-ins must turn that into the SDK's lines.
  (testing "the socket stand-in writes an event's text as write-event! does"
    (is (= "event: datastar-patch-signals\ndata: signals {a: 1}\n\n"
           (http/event-text "datastar-patch-signals" ["signals {a: 1}"] {})))
    (is (= "event: e\nid: 3kq-0000000000001\ndata: x\n\n"
           (http/event-text "e" ["x"] {:d*.sse/id "3kq-0000000000001"})))
    (is (= "event: e\nid: 7\nretry: 5000\ndata: a\ndata: b\n\n"
           (http/event-text "e" ["a" "b"] {:d*.sse/retry-duration 5000 :d*.sse/id "7"}))
        "id: before retry:, both before the data lines, whatever the order of the options")
    (is (= "event: e\nretry: 1000\ndata: x\n\n" (http/event-text "e" ["x"] {:d*.sse/retry-duration 1000}))
        "the protocol writes even the default retry; only the API layer drops it")
    (is (= "event: e\ndata: x\n\n" (http/event-text "e" ["x"] {:d*.sse/id false :d*.sse/retry-duration false}))
        "what the API layer leaves of an empty id and the default retry writes neither line"))
  (testing "the fake stream records the id the SDK would write, nil for none"
    (let [sse (wow/fake-sse)]
      (is (true? (p/send-event! sse "e" ["x"] {:d*.sse/id "3kq-0000000000001"})))
      (is (true? (p/send-event! sse "e" ["y"] {})))
      (is (= [["e" ["x"]] ["e" ["y"]]] (wow/events sse)))
      (is (= ["3kq-0000000000001" nil] (wow/event-ids sse)))))
  (testing "the fake stream writes holding its own lock, as the SDK's generators do"
    (let [sse    (wow/fake-sse)
          ^ReentrantLock lock (p/get-lock sse)
          writer (promise)
          _      (.lock lock)
          sent   (future (deliver writer (Thread/currentThread)) (p/send-event! sse "e" ["x"] {}))]
      (try
        (while (not (or (.hasQueuedThread lock ^Thread @writer) (realized? sent))) (Thread/onSpinWait))
        (is (not (realized? sent)) "the send waits for the stream's lock")
        (finally (.unlock lock)))
      (is (true? @sent))))
  (testing "an action's SDK options reach send-event!, as datastar.wow's actions pass them"
    (let [seen     (atom nil)
          sse      (reify p/SSEGenerator
                     (send-event! [_ _ _ opts] (reset! seen opts) true)
                     (get-lock [_] (ReentrantLock.))
                     (close-sse! [_] true)
                     (sse-gen? [_] true))
          dispatch (wow/create-dispatch [])]
      (dispatch {:sse sse} {} [[:datastar.wow/patch-signals {:a 1} {:d*.sse/retry-duration 3000}]])
      (is (= {:d*.sse/retry-duration 3000} @seen))
      (dispatch {:sse sse} {} [[:datastar.wow/patch-signals {:a 1}]])
      (is (= {} @seen) "none given: none passed"))))
