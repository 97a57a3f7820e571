(ns datastar.wow.deacon.lifecycle-test
  "Connection lifecycle through the Clojure API: eviction callbacks, purge by
  connection, key patterns and inspection, statistics, the heartbeat."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (datastar.wow.deacon InvalidInputException)
           (java.util.concurrent Executors ExecutorService TimeUnit)))

(set! *warn-on-reflection* true)

(defn- eventually [ms f]
  (let [deadline (+ (System/currentTimeMillis) ms)]
    (loop []
      (let [v (f)]
        (if (or v (> (System/currentTimeMillis) deadline)) v (do (Thread/sleep 5) (recur)))))))

(defn- recorder []
  (let [seen (atom [])]
    [seen (fn [k conn cause] (swap! seen conj [k conn cause]))]))

(deftest on-remove-on-both-stores
  (let [^ExecutorService pool (Executors/newSingleThreadExecutor)]
    (try
      (doseq [type [:atom :caffeine]]
        (testing type
          (let [[seen on-remove] (recorder)
                s (d*conn/store (cond-> {:type type :on-removal on-remove}
                                  (= type :caffeine) (assoc :executor pool)))]
            (d*conn/store! s :k ::a)
            (d*conn/store! s :k ::a)
            (d*conn/store! s :k ::b)
            (d*conn/purge! s :k)
            (is (eventually 2000 #(= 2 (count @seen))))
            (is (= #{[:k ::a :replaced] [:k ::b :explicit]} (set @seen))))))
      (finally (.shutdownNow pool)))))

(deftest on-remove-reports-caffeine-evictions-off-the-request-thread
  (let [threads (atom #{})
        seen    (atom [])
        s (d*conn/store {:type :caffeine :maximum-size 2
                         :on-removal (fn [k _ cause]
                                     (swap! threads conj (.getName (Thread/currentThread)))
                                     (swap! seen conj [k cause]))})]
    (dotimes [n 10] (d*conn/store! s n ::c))
    (is (eventually 2000 #(= 8 (count @seen))))
    (is (every? #(= :size (second %)) @seen))
    (is (not (contains? @threads (.getName (Thread/currentThread)))))))

(deftest purge-connection-removes-every-key-holding-it
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [s (d*conn/store {:type type})
            a (wow/fake-sse)
            b (wow/fake-sse)]
        (d*conn/store! s [:u1 ::feed] a)
        (d*conn/store! s [:u1 ::counter] a)
        (d*conn/store! s [:u2 ::feed] b)
        (is (= 2 (d*conn/purge-connection! s a)))
        (is (= [[:u2 ::feed]] (d*conn/list-keys s)))
        (is (zero? (d*conn/purge-connection! s a)))))))

(deftest an-adapter-on-close-can-purge-by-connection
  (let [s (d*conn/store {:type :caffeine})
        dispatch (wow/create-dispatch [[d*conn/registry s]])
        sse (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
    (is (= 1 (d*conn/purge-connection! s sse)) "what an http-kit on-close handler would do")
    (is (nil? (d*conn/list-keys s)))
    (wow/close! sse)
    (is (nil? (d*conn/list-keys s)) "the later sse-closed finds nothing left to purge")))

(deftest key-patterns-and-inspection
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [s (d*conn/store {:type type})]
        (d*conn/store! s [:alice ::counter] ::c1)
        (d*conn/store! s [:bob ::counter] ::c2)
        (d*conn/store! s [:alice [:room 7]] ::c3)
        (d*conn/store! s [:bob [:room 9]] ::c4)
        (d*conn/store! s :global ::c5)
        (is (= #{[:alice ::counter] [:bob ::counter]} (set (d*conn/list-keys s [:* ::counter]))))
        (is (= #{[:alice ::counter] [:alice [:room 7]]} (set (d*conn/list-keys s [:alice :*]))))
        (is (= #{[:alice [:room 7]] [:bob [:room 9]]} (set (d*conn/list-keys s [:* [:room :*]]))))
        (is (= 5 (count (d*conn/list-keys s :*))))
        (is (nil? (d*conn/list-keys s [:* [:hall :*]])))
        (is (= [:global] (d*conn/list-keys s :global)) "an exact key")
        (is (nil? (d*conn/list-keys s [:carol ::counter])))
        (is (= 5 (d*conn/connection-count s)))
        (is (= 2 (d*conn/connection-count s [:* ::counter])))
        (is (= #{[[:alice ::counter] ::c1] [[:bob ::counter] ::c2]}
               (set (d*conn/connections s [:* ::counter]))))
        (is (= 5 (count (d*conn/connections s))))
        (is (every? vector? (d*conn/connections s)) "pairs are vectors")
        (is (d*conn/matches? [:* ::counter] [:x ::counter]))
        (is (not (d*conn/matches? [:* ::counter] [:x ::counter :extra])))))))

(deftest stats-of-both-stores
  (let [a (d*conn/store {:type :atom})
        c (d*conn/store {:type :caffeine :record-stats? true :executor (fn [^Runnable r] (.run r))})]
    (doseq [s [a c]]
      (d*conn/store! s :k ::c)
      (d*conn/store! s :j ::c)
      (d*conn/purge! s :j)
      (d*conn/connection s :k)
      (d*conn/connection s :missing))
    (is (= {:size 1} (select-keys (d*conn/stats a) [:size :hits])))
    (is (= 1 (get-in (d*conn/stats a) [:removals :explicit])))
    (is (= {:size 1 :hits 1 :misses 1} (select-keys (d*conn/stats c) [:size :hits :misses])))
    (is (= 1 (get-in (d*conn/stats c) [:removals :explicit])))))

(deftest a-keyed-request-reads-the-caffeine-store-once
  ;; datastar.wow asks for the key's stream (a look-up), then dispatches the
  ;; effects on it carrying the key: that second check must not be a second
  ;; read, or every push pays Caffeine's read bookkeeping twice
  (let [c        (d*conn/store {:type :caffeine :record-stats? true :executor (fn [^Runnable r] (.run r))})
        dispatch (wow/create-dispatch [[d*conn/registry c]])
        response {::d*conn/key ::feed :datastar.wow/fx [[:datastar.wow/patch-signals {:n 1}]]}
        opened   (wow/request! dispatch (wow/request) response)]
    (is (= 200 (:status opened)))
    (is (= {:hits 0 :misses 1} (select-keys (d*conn/stats c) [:hits :misses])) "the look-up found nothing")
    (is (= 204 (:status (wow/request! dispatch (wow/request) response))))
    (is (= {:hits 1 :misses 1} (select-keys (d*conn/stats c) [:hits :misses])) "one look-up, one hit")
    (is (= 2 (count (wow/events (:sse opened)))) "both pushes reached the stream")))

(deftest a-keyed-request-to-every-tab-reads-the-caffeine-store-once
  (let [c        (d*conn/store {:type :caffeine :fan-out? true :record-stats? true
                                :executor (fn [^Runnable r] (.run r))})
        dispatch (wow/create-dispatch [[d*conn/registry c]])
        tabs     (for [_ (range 2)]
                   (:sse (wow/request! dispatch (wow/request) {::d*conn/subscribe ::feed :datastar.wow/fx []})))
        _        (doall tabs)
        before   (select-keys (d*conn/stats c) [:hits :misses])]
    (is (= {:hits 0 :misses 0} before) "a subscribe looks nothing up")
    (is (= 204 (:status (wow/request! dispatch (wow/request)
                                      {::d*conn/key ::feed :datastar.wow/fx [[:datastar.wow/patch-signals {:n 1}]]}))))
    (is (= {:hits 1 :misses 0} (select-keys (d*conn/stats c) [:hits :misses])) "one look-up, one hit")
    (is (= [1 1] (map (comp count wow/events) tabs)) "both tabs got the push")))

(deftest heartbeat-purges-dead-connections-with-cause-dead
  (doseq [type [:atom :caffeine]]
    (testing (str type ", the probe doc/lifecycle.md gives: an SDK send, which answers false when closed")
      (let [[seen on-remove] (recorder)
            s (d*conn/store (cond-> {:type type :on-removal on-remove
                                     :heartbeat {:interval-ms 10
                                                 :send (fn [sse] (wow/send! sse [:ping "{}"]))}}
                              (= type :caffeine) (assoc :executor (fn [^Runnable r] (.run r)))))]
        (try
          (let [alive (wow/fake-sse)
                dying (wow/fake-sse)]
            (d*conn/store! s :alive alive)
            (d*conn/store! s :dying dying)
            (is (eventually 2000 #(some #{[:ping "{}"]} (wow/events dying))) "probes are sent")
            (is (= 2 (d*conn/connection-count s)))
            (wow/vanish! dying) ; the client went away, unseen
            (is (eventually 2000 #(= [:alive] (d*conn/list-keys s))))
            (is (eventually 2000 #(= [[:dying dying :dead]] @seen)))
            (is (= 1 (get-in (d*conn/stats s) [:removals :dead]))))
          (finally (d*conn/close! s)))))))

(deftest heartbeat-probe-results
  (doseq [[label answer dead?] [["false is dead" false true]
                                ["nil is alive" nil false]
                                ["true is alive" true false]
                                ["any other value is alive" :sent false]
                                ["throwing is dead" ::throw true]]]
    (testing label
      (let [probed (promise)
            s (d*conn/store {:type :atom
                             :heartbeat {:interval-ms 5
                                         :send (fn [_]
                                                 (deliver probed true)
                                                 (if (= ::throw answer) (throw (java.io.IOException. "broken pipe")) answer))}})]
        (try
          (d*conn/store! s :k ::c)
          (deref probed 2000 nil)
          (if dead?
            (is (eventually 2000 #(nil? (d*conn/list-keys s))))
            (do (Thread/sleep 50) (is (= [:k] (d*conn/list-keys s)))))
          (finally (d*conn/close! s)))))))

(deftest bad-heartbeat-options
  (doseq [[hb input] [[{:interval-ms 0 :send identity} :interval-ms]
                      [{:interval-ms -1 :send identity} :interval-ms]
                      [{:interval-ms 10} :send]
                      [{:send identity} :interval-ms]
                      [{:interval-ms 10 :send "ping"} :send]
                      [{:interval-ms 10 :send identity :every 5} :every]
                      [:often :heartbeat]]]
    (let [e (is (thrown? clojure.lang.ExceptionInfo (d*conn/store {:type :atom :heartbeat hb})))]
      (is (re-find (re-pattern (str input)) (ex-message e)) (pr-str hb)))))

(deftest close!-is-idempotent-keeps-entries-and-refuses-new-ones
  (doseq [type [:atom :caffeine]]
    (let [s (d*conn/store {:type type :heartbeat {:interval-ms 50 :send (fn [_])}})]
      (d*conn/store! s :k ::c)
      (d*conn/close! s)
      (d*conn/close! s)
      (is (= ::c (d*conn/connection s :k)))
      (is (thrown-with-msg? IllegalStateException #"is closed" (d*conn/store! s :other ::d)))
      (is (true? (d*conn/purge! s :k)) "streams closing later still leave")))
  (is (thrown-with-msg? InvalidInputException #"store must be a connection store" (d*conn/close! {}))
      "not a store: the same clear error as the other functions"))
