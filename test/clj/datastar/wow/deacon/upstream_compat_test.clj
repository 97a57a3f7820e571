(ns datastar.wow.deacon.upstream-compat-test
  "The behaviours the original library's own suite checks, exercised the way it
  exercises them: `update-nexus` on a bare Nexus map, one interceptor per
  dispatch helper, a constant request, effects stubbed with `constantly`."
  (:require [clojure.test :refer [deftest is testing use-fixtures]]
            [datastar.wow.deacon :as d*conn]
            [nexus.core :as nexus]))

(set! *warn-on-reflection* true)

(def conns (atom {}))

(use-fixtures :each (fn [f] (reset! conns {}) (f)))

(defn- size-of [s]
  (parse-long (second (re-find #"size=(\d+)" (str s)))))

(deftest atom-store-as-the-original-suite-uses-it
  (let [s (d*conn/store {:type :atom :atom conns})]
    (is (= ::conn (d*conn/store! s :test ::conn)))
    (is (= ::conn (@conns :test)))
    (is (= ::conn (d*conn/connection s :test)))
    (is (nil? (d*conn/connection s :nope)))
    (d*conn/store! s :purge ::conn)
    (d*conn/purge! s :purge)
    (is (nil? (d*conn/connection s :purge)))))

(deftest caffeine-size-shows-in-its-string-and-shrinks
  (let [s (d*conn/store {:type :caffeine :maximum-size 5})]
    (dotimes [n 15] (d*conn/store! s [:test n] ::conn))
    (is (loop [waited 0]
          (cond (< (size-of s) 15) true
                (>= waited 2000) false
                :else (do (Thread/sleep 50) (recur (+ waited 50))))))))

(defn- dispatcher
  "A fresh interceptor per helper call, as the original suite builds them."
  [store fx opts {:keys [close-effect? sse]}]
  (let [request  {:session-id ::test-id}
        data     {:datastar.wow/response {::d*conn/key ::test-name}
                  :datastar.wow/request request
                  :datastar.wow/with-open-sse? false}
        n ((d*conn/update-nexus store opts)
           {:nexus/effects
            (cond-> {:datastar.wow/connection (constantly nil)
                     :datastar.wow/sse-closed (constantly ::closed)
                     :datastar.wow/send       (constantly ::send)}
              close-effect? (assoc :datastar.wow/close-sse
                                   (fn [{:keys [dispatch]} & _] (dispatch [[:datastar.wow/sse-closed]]))))})]
    (fn []
      (nexus/dispatch n {:sse nil :request request} data [[:datastar.wow/connection]])
      (nexus/dispatch n {:sse (or sse ::test-conn) :request request} data fx))))

(defn- id-fn [{{:keys [request]} :system}] (:session-id request))

(deftest dispatch-with-the-connection-interceptor
  (let [store (d*conn/store {:type :atom :atom conns})
        run   (fn [fx & [opts extra]] ((dispatcher store fx (or opts {}) (or extra {}))))]
    (testing "default storage"
      (run [[:datastar.wow/send :arg1 :arg2]])
      (is (some? (d*conn/connection store [::d*conn/id ::test-name]))))
    (testing "using an id-fn"
      (run [[:datastar.wow/send :arg1 :arg2]] {:id-fn id-fn})
      (is (some? (d*conn/connection store [::test-id ::test-name]))))
    (testing "purging on sse-closed dispatched from a close effect"
      (run [[:datastar.wow/send :arg1 :arg2] [:datastar.wow/close-sse]] {} {:close-effect? true})
      (is (nil? (d*conn/connection store [::d*conn/id ::test-name]))))
    (testing "purging when using an id-fn"
      (run [[:datastar.wow/send :arg1 :arg2] [:datastar.wow/sse-closed]] {:id-fn id-fn})
      (is (nil? (d*conn/connection store [::test-id ::test-name]))))
    (testing "an on-purge fn of one argument gets the ctx"
      (let [purged (atom nil)]
        (run [[:datastar.wow/send :arg1 :arg2]] {} {:sse (atom ::test-conn)})
        (run [[:datastar.wow/sse-closed]] {:on-purge (fn [{{:keys [request]} :system}]
                                                        (reset! purged (:session-id request)))}
             {:sse (atom ::test-conn)})
        (is (= ::test-id @purged))
        (is (nil? (d*conn/connection store [::d*conn/id ::test-name])))))))

(deftest update-nexus-arities
  (is (= [:datastar.wow.deacon/connections]
         (map :id (:nexus/interceptors ((d*conn/update-nexus) {})))))
  (is (= [:other :datastar.wow.deacon/connections]
         (map :id (:nexus/interceptors ((d*conn/update-nexus (d*conn/store {:type :atom}))
                                        {:nexus/interceptors [{:id :other}]}))))))
