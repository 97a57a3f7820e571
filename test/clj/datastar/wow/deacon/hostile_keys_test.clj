(ns datastar.wow.deacon.hostile-keys-test
  "Keys no one should send but someone will: nested so deeply that hashing or
  printing them would overflow the stack. They are refused with a clear error,
  never fatal, and leave the store intact."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (datastar.wow.deacon InvalidInputException)))

(set! *warn-on-reflection* true)

(defn deep
  "A vector nested `n` levels deep: [[[... :x ...]]]."
  [n]
  (loop [v [:x] i 0] (if (< i n) (recur [v] (inc i)) v)))

(def ^:private depth 1000000)

(deftest store-operations-refuse-a-key-too-deep-to-hash
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [s (d*conn/store {:type type})
            k (deep depth)]
        (d*conn/store! s :ok ::c)
        (doseq [[label op] [["store!" #(d*conn/store! s k ::c)]
                            ["connection" #(d*conn/connection s k)]
                            ["purge!" #(d*conn/purge! s k)]
                            ["list-keys" #(d*conn/list-keys s k)]
                            ["connection-count" #(d*conn/connection-count s k)]]]
          (testing label
            (let [e (is (thrown? InvalidInputException (op)))]
              (is (re-find #"nested too deeply" (ex-message e)))
              (is (string? (pr-str (ex-data e))) "the error itself prints"))))
        (is (= [:ok] (d*conn/list-keys s)) "the store is intact")
        (is (= ::c (d*conn/connection s :ok)))))))

(deftest a-response-key-too-deep-to-hash-is-reported-not-fatal
  (let [s (d*conn/store {:type :atom})
        errors (atom [])
        dispatch (wow/create-dispatch [[d*conn/registry s {:on-error (fn [e _] (swap! errors conj e))}]])
        out (wow/request! dispatch (wow/request) {::d*conn/key (deep depth) :🚀 [[:datastar.wow/patch-signals {:n 1}]]})]
    (is (= 200 (:status out)) "the request still gets its stream")
    (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events (:sse out))))
    (is (nil? (d*conn/list-keys s)))
    (is (seq @errors))
    (is (every? #(re-find #"nested too deeply" (ex-message %)) @errors))
    (wow/close! (:sse out))
    (is (nil? (d*conn/list-keys s)))))

(deftest a-response-key-too-deep-to-hash-reported-through-the-default-logger
  (with-captured-logs [logs]
    (let [s (d*conn/store {:type :atom})
          dispatch (wow/create-dispatch [[d*conn/registry s]])
          out (wow/request! dispatch (wow/request) {::d*conn/key (deep depth) :🚀 []})]
      (is (= 200 (:status out)) "logging the error does not overflow either")
      (is (seq (:errors (:dispatch out))))
      (is (= [:error :error] (map :level @logs)) "the look-up and the effects dispatch each report it")
      (is (every? #(re-find #"nested too deeply to hash" (:message %)) @logs)))))
