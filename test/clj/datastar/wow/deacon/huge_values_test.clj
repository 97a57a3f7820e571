(ns datastar.wow.deacon.huge-values-test
  "The largest values every numeric option takes: accepted, no overflow, and
  the store works (and closes) as usual."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn])
  (:import (com.github.benmanes.caffeine.cache Scheduler)
           (datastar.wow.deacon AtomStore AtomStore$Builder CaffeineStore CaffeineStore$Builder)
           (java.time Duration)))

(set! *warn-on-reflection* true)

(deftest a-heartbeat-interval-of-long-max-value-ms-is-accepted
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [s (d*conn/store {:type type :heartbeat {:interval-ms Long/MAX_VALUE :send (fn [_])}})]
        (d*conn/store! s :k ::c)
        (is (= ::c (d*conn/connection s :k)))
        (d*conn/close! s)
        (is (= ::c (d*conn/connection s :k)) "entries outlive close")))))

(deftest java-builders-take-the-longest-durations
  (doseq [[label build]
          [["atom heartbeat" #(let [^AtomStore$Builder b (.heartbeat (AtomStore/builder) (Duration/ofSeconds Long/MAX_VALUE) (reify datastar.wow.deacon.ConnectionProbe (send [_ _] true)))] (.build b))]
           ["caffeine heartbeat" #(let [^CaffeineStore$Builder b (.heartbeat (CaffeineStore/builder) (Duration/ofSeconds Long/MAX_VALUE) (reify datastar.wow.deacon.ConnectionProbe (send [_ _] true)))] (.build b))]
           ["caffeine duration" #(-> (CaffeineStore/builder) (.duration (Duration/ofSeconds Long/MAX_VALUE)) (.build))]
           ["caffeine fixed duration" #(-> (CaffeineStore/builder) (.duration (Duration/ofSeconds Long/MAX_VALUE)) (.scheduler (Scheduler/systemScheduler)) (.build))]
           ["caffeine maximum size" #(-> (CaffeineStore/builder) (.maximumSize Long/MAX_VALUE) (.build))]]]
    (testing label
      (with-open [^java.lang.AutoCloseable s (build)]
        (d*conn/store! s :k ::c)
        (is (= ::c (d*conn/connection s :k)))))))

(deftest option-maps-take-long-max-value
  (doseq [opts [{:type :caffeine :idle-ms Long/MAX_VALUE}
                {:type :caffeine :duration-ms Long/MAX_VALUE :scheduler true}
                {:type :caffeine :maximum-size Long/MAX_VALUE}]]
    (testing (pr-str opts)
      (let [s (d*conn/store opts)]
        (d*conn/store! s :k ::c)
        (is (= ::c (d*conn/connection s :k)))))))
