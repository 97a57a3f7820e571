(ns datastar.wow.deacon.ownership-test
  "Who owns a stored stream: only the request that opened it may purge it on
  close, whatever later requests do with that stream, and whatever kind of
  store holds it."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.protocols :as p]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (datastar.wow.deacon ConnectionStore)))

(set! *warn-on-reflection* true)

(def ^:private patch [[:datastar.wow/patch-signals {:n 1}]])

(defn- app [store]
  (let [errors (atom [])]
    [(wow/create-dispatch [[d*conn/registry store {:on-error (fn [e _] (swap! errors conj e))}]])
     errors]))

(defn- k [x] [::d*conn/id x])

(deftest a-response-carrying-its-own-connection-is-not-stored
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type})
            [dispatch errors] (app store)
            a (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
        (testing "an action sent down A's stream (datastar.wow path 1) with another key"
          (let [out (wow/request! dispatch (wow/request)
                                  {:datastar.wow/connection a ::d*conn/key ::other :🚀 patch})]
            (is (= 204 (:status out)))
            (is (= patch (wow/events a)) "the action went down A's stream")
            (is (nil? (d*conn/connection store (k ::other)))
                "A's stream is not stored again under a key no close will purge")))
        (testing "the same, under A's own key: ownership stays with A"
          (wow/request! dispatch (wow/request)
                        {:datastar.wow/connection a ::d*conn/key ::counter :🚀 patch})
          (is (identical? a (d*conn/connection store (k ::counter)))))
        (testing "A's close purges everything A's stream is stored under"
          (wow/close! a)
          (is (nil? (d*conn/list-keys store)) "no leak"))
        (is (empty? @errors))))))

(deftest a-closed-stream-named-in-a-response-is-not-resurrected
  (let [store (d*conn/store {:type :atom})
        [dispatch] (app store)
        a (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))
        _ (d*conn/purge! store (k ::counter)) ; A is forgotten (e.g. evicted) but still open
        b (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
    (is (identical? b (d*conn/connection store (k ::counter))) "B took the key")
    (wow/request! dispatch (wow/request) {:datastar.wow/connection a ::d*conn/key ::counter :🚀 []})
    (is (identical? b (d*conn/connection store (k ::counter)))
        "a late action on A's stream does not displace B")
    (wow/close! b)
    (is (nil? (d*conn/list-keys store)))))

(deftest the-reuse-form-with-an-unknown-key-stores-no-keyword
  (let [store (d*conn/store {:type :atom})
        [dispatch] (app store)]
    (wow/request! dispatch (wow/request) {:datastar.wow/connection ::counter ::d*conn/key ::counter :🚀 []})
    (is (nil? (d*conn/list-keys store)) "the keyword ::counter is not a connection to keep")))

(defrecord MapStore [a]
  p/ConnectionStore
  (store! [_ k conn] (swap! a assoc k conn))
  (connection [_ k] (get @a k))
  (purge! [_ k] (swap! a dissoc k))
  (list-keys [_] (keys @a)))

(defn- java-four-method-store
  "A Java store implementing only the four required methods."
  []
  (let [a (atom {})]
    (reify ConnectionStore
      (store [_ k conn] (swap! a assoc k conn) conn)
      (connection [_ k] (get @a k))
      (purge [_ k] (let [[old] (swap-vals! a dissoc k)] (contains? old k)))
      (keys [_] (vec (keys @a))))))

(deftest custom-stores-keep-the-stale-close-guarantee
  (doseq [[label make] [["protocol store" #(->MapStore (atom {}))]
                        ["Java store with four methods" java-four-method-store]]]
    (testing label
      (let [store (make)
            purged (atom [])
            dispatch (wow/create-dispatch [[d*conn/registry store {:on-purge (fn [_ k] (swap! purged conj k))}]])
            a (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))
            _ (d*conn/purge! store (k ::counter))
            b (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
        (is (identical? b (d*conn/connection store (k ::counter))))
        (wow/close! a)
        (is (identical? b (d*conn/connection store (k ::counter))) "A's close left B alone")
        (is (= [] @purged))
        (wow/close! b)
        (is (nil? (d*conn/connection store (k ::counter))))
        (is (= [(k ::counter)] @purged))))))

(deftest custom-stores-lose-no-purge-when-id-fn-fails-on-close
  (let [store (->MapStore (atom {}))
        fail? (atom false)
        dispatch (wow/create-dispatch
                  [[d*conn/registry store {:id-fn (fn [_] (if @fail? (throw (ex-info "no session" {})) :u))
                                           :on-error (fn [_ _])}]])
        a (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
    (is (= [[:u ::counter]] (d*conn/list-keys store)))
    (reset! fail? true)
    (wow/close! a)
    (is (nil? (d*conn/list-keys store)) "the closing request's entries are purged by owner")))
