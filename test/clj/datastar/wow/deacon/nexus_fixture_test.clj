(ns datastar.wow.deacon.nexus-fixture-test
  "Pins the behaviours of the Nexus and datastar.wow stand-ins that deacon's
  tests rely on, as documented by those libraries (DESIGN.md, 'The
  datastar.wow contract')."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon.test.nexus :as nexus]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(deftest hooks-run-in-order-and-after-hooks-in-reverse
  (let [log   (atom [])
        hook  (fn [tag] (fn [ctx] (swap! log conj tag) ctx))
        n     {:nexus/interceptors [{:id :a :before-dispatch (hook :a-before) :after-dispatch (hook :a-after)}
                                    {:id :b :before-dispatch (hook :b-before) :after-dispatch (hook :b-after)}]
               :nexus/effects {:fx (fn [_ _] (swap! log conj :effect) nil)}}]
    (nexus/dispatch n {} {} [[:fx]])
    (is (= [:a-before :b-before :effect :b-after :a-after] @log))))

(deftest before-dispatch-sees-the-documented-ctx
  (let [seen (atom nil)
        n    {:nexus/interceptors [{:id :spy :before-dispatch #(do (reset! seen %) %)}]
              :nexus/effects {:fx (constantly nil)}}]
    (nexus/dispatch n {:sse :s :request :r} {:k :v} [[:fx 1]])
    (is (= {:sse :s :request :r} (:system @seen)))
    (is (= {:k :v} (:dispatch-data @seen)))
    (is (= [[:fx 1]] (:actions @seen)))
    (is (every? #(contains? @seen %) [:queue :stack :state]))))

(deftest a-throwing-hook-leaves-ctx-unchanged-and-is-recorded
  (let [boom (ex-info "boom" {})
        n    {:nexus/interceptors [{:id :bad :before-dispatch (fn [_] (throw boom))}]
              :nexus/effects {:fx (fn [{:keys [dispatch-data]} _] (:k dispatch-data))}}
        out  (nexus/dispatch n {} {:k :v} [[:fx]])]
    (is (= [{:effect [:fx] :res :v}] (:results out)) "dispatch carried on")
    (is (= [{:phase :before-dispatch :err boom :id :bad}] (:errors out)))))

(deftest errors-are-not-caught-for-throwables-that-are-not-exceptions
  (let [n {:nexus/interceptors [{:id :bad :before-dispatch (fn [_] (throw (AssertionError. "no")))}]
           :nexus/effects {:fx (constantly nil)}}]
    (is (thrown? AssertionError (nexus/dispatch n {} {} [[:fx]])))))

(deftest effects-see-interceptor-changes-to-system-and-dispatch-data
  (let [n   {:nexus/interceptors [{:id :i :before-dispatch #(-> %
                                                               (assoc-in [:system :sse] :changed)
                                                               (assoc-in [:dispatch-data :extra] 1))}]
             :nexus/effects {:fx (fn [{:keys [dispatch-data]} system] [(:sse system) (:extra dispatch-data)])}}
        out (nexus/dispatch n {:sse :original} {} [[:fx]])]
    (is (= [:changed 1] (-> out :results first :res)))))

(deftest nested-dispatch-uses-the-original-system-and-dispatch-data
  (let [seen (atom [])
        n    {:nexus/interceptors [{:id :i :before-dispatch
                                    (fn [ctx]
                                      (swap! seen conj [(:actions ctx) (-> ctx :system :sse) (-> ctx :dispatch-data :extra)])
                                      (assoc-in ctx [:dispatch-data :extra] :added))}]
              :nexus/effects {:outer (fn [{:keys [dispatch]} _] (dispatch [[:inner]]) nil)
                              :inner (constantly nil)}}]
    (nexus/dispatch n {:sse :s} {} [[:outer]])
    (is (= [[[[:outer]] :s nil] [[[:inner]] :s nil]] @seen))))

(deftest actions-expand-and-only-non-nil-results-are-kept
  (let [n   {:nexus/actions {:double (fn [_ x] [[:echo x] [:echo x]])}
             :nexus/effects {:echo (fn [_ _ x] x) :none (constantly nil)}}
        out (nexus/dispatch n {} {} [[:double 2] [:none]])]
    (is (= [{:effect [:echo 2] :res 2} {:effect [:echo 2] :res 2}] (:results out)))))

(deftest unknown-effects-are-errors
  (is (= "No such effect" (-> (nexus/dispatch {} {} {} [[:nope]]) :errors first :err ex-message))))

(deftest registries-are-merged-like-datastar-wow
  (let [i1 {:id :one} i2 {:id :two}
        nexus (wow/create-registry [{:datastar.wow/interceptors [i1]}
                                    (fn [] {:datastar.wow/interceptors [i2]})
                                    [(fn [x] {:datastar.wow/effects {:mine x}}) :fx]
                                    (reify clojure.lang.IFn (invoke [_] {:datastar.wow/interceptors [{:id :ignored}]}))])]
    (is (= [i1 i2] (:nexus/interceptors nexus)) "a Java IFn that is not fn? registers nothing")
    (is (= :fx (get-in nexus [:nexus/effects :mine])))
    (is (contains? (:nexus/effects nexus) :datastar.wow/connection))))

(deftest datastar-wow-request-paths
  (let [seen     (atom [])
        spy      {:datastar.wow/interceptors
                  [{:id :spy :before-dispatch (fn [ctx] (swap! seen conj [(:actions ctx) (-> ctx :system :sse)]) ctx)}]}
        dispatch (wow/create-dispatch [spy])]
    (testing "a response naming its connection skips the look-up dispatch"
      (reset! seen [])
      (let [sse (wow/fake-sse)
            out (wow/request! dispatch (wow/request) {:datastar.wow/connection sse
                                                      :🚀 [[:datastar.wow/patch-signals {:a 1}]]})]
        (is (= 204 (:status out)))
        (is (= [[[[:datastar.wow/patch-signals {:a 1}]] sse]] @seen))
        (is (= [[:datastar.wow/patch-signals {:a 1}]] (wow/events sse)))))
    (testing "otherwise a look-up dispatch with {:sse nil}, then a new stream"
      (reset! seen [])
      (let [out (wow/request! dispatch (wow/request) {:datastar.wow/fx [[:datastar.wow/patch-signals {:a 2}]]})
            sse (:sse out)]
        (is (= 200 (:status out)))
        (is (= [[[[:datastar.wow/connection]] nil] [[[:datastar.wow/patch-signals {:a 2}]] sse]] @seen))
        (is (wow/open? sse))
        (testing "and closing it dispatches sse-closed with {:sse nil}"
          (reset! seen [])
          (wow/close! sse)
          (is (= [[[[:datastar.wow/sse-closed]] nil]] @seen)))))
    (testing "with-open-sse? closes the stream after the actions"
      (reset! seen [])
      (let [out (wow/request! dispatch (wow/request) {:datastar.wow/with-open-sse? true
                                                      :datastar.wow/fx [[:datastar.wow/patch-signals {:a 3}]]})]
        (is (not (wow/open? (:sse out))))
        (is (= [:datastar.wow/sse-closed] (ffirst (last @seen))))))
    (testing "the close dispatch carries that request's dispatch-data"
      (let [data (atom nil)
            d    (wow/create-dispatch [{:datastar.wow/interceptors
                                        [{:id :spy :before-dispatch (fn [ctx] (reset! data (:dispatch-data ctx)) ctx)}]}])
            req  (wow/request)
            out  (wow/request! d req {:datastar.wow/fx []})]
        (wow/close! (:sse out))
        (is (identical? req (:datastar.wow/request @data)))
        (is (false? (:datastar.wow/with-open-sse? @data)))))))
