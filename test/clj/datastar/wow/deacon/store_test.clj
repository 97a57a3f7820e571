(ns datastar.wow.deacon.store-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing are]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.protocols :as p])
  (:import (com.github.benmanes.caffeine.cache Caffeine Scheduler)
           (datastar.wow.deacon AtomStore CaffeineStore InvalidInputException)
           (java.time Duration)))

(set! *warn-on-reflection* true)

(defn- stores
  "One of each built-in store, fresh."
  []
  {:atom (d*conn/store {:type :atom}) :caffeine (d*conn/store {:type :caffeine})})

(defn- eventually
  "Polls `f` every 10 ms until it returns truthy or `ms` pass; returns its last value."
  [ms f]
  (let [deadline (+ (System/currentTimeMillis) ms)]
    (loop []
      (let [v (f)]
        (if (or v (> (System/currentTimeMillis) deadline)) v (do (Thread/sleep 10) (recur)))))))

(deftest store-look-up-purge-on-both-stores
  (doseq [[type s] (stores)]
    (testing type
      (is (= ::conn (d*conn/store! s :k ::conn)) "store! returns the connection")
      (is (= ::conn (d*conn/connection s :k)))
      (is (nil? (d*conn/connection s :absent)))
      (is (= [:k] (d*conn/list-keys s)))
      (is (true? (d*conn/purge! s :k)))
      (is (false? (d*conn/purge! s :k)) "purging an absent key is a no-op")
      (is (nil? (d*conn/connection s :k)))
      (is (nil? (d*conn/list-keys s)) "an empty store lists nil, like (keys {})"))))

(deftest store-replaces-and-keys-are-clojure-values
  (doseq [[type s] (stores)]
    (testing type
      (d*conn/store! s [:user 1 ::counter] ::a)
      (d*conn/store! s [:user 1 ::counter] ::b)
      (is (= ::b (d*conn/connection s [:user 1 ::counter])))
      (is (= ::b (d*conn/connection s (list :user 1 ::counter))) "keys compare with =")
      (d*conn/store! s {:room "x"} ::c)
      (d*conn/store! s "str" ::d)
      (is (= #{[:user 1 ::counter] {:room "x"} "str"} (set (d*conn/list-keys s)))))))

(deftest atom-store-writes-through-the-callers-atom
  (let [a (atom {})
        s (d*conn/store {:type :atom :atom a})]
    (d*conn/store! s :k ::conn)
    (is (= ::conn (@a :k)))
    (is (= {:k ::conn} @a))
    (d*conn/purge! s :k)
    (is (= {} @a))
    (testing "watches see every write"
      (let [seen (atom [])]
        (add-watch a ::w (fn [_ _ _ new] (swap! seen conj new)))
        (d*conn/store! s :w ::conn)
        (is (= [{:w ::conn}] @seen))))
    (testing "entries written to the atom directly are seen by the store"
      (swap! a assoc :direct ::x)
      (is (= ::x (d*conn/connection s :direct))))))

(deftest caffeine-maximum-size-evicts
  (let [s (d*conn/store {:type :caffeine :maximum-size 5})]
    (dotimes [n 15] (d*conn/store! s [:test n] ::conn))
    (is (eventually 2000 #(<= (d*conn/connection-count s) 5)))
    (testing "the store's printed form shows its size"
      (is (re-find #"size=\d+" (str s))))))

(deftest caffeine-idle-expiry
  (doseq [k [:idle-ms :duration-ms]]
    (let [s (d*conn/store {:type :caffeine k 40})]
      (d*conn/store! s :idle ::conn)
      (Thread/sleep 60)
      (is (nil? (d*conn/connection s :idle)) (str k)))))

(deftest caffeine-idle-expiry-is-sliding
  (let [s (d*conn/store {:type :caffeine :idle-ms 300})]
    (d*conn/store! s :k ::conn)
    (dotimes [_ 5]
      (Thread/sleep 100)
      (is (= ::conn (d*conn/connection s :k)) "each look-up restarts the idle clock"))))

(deftest caffeine-fixed-expiry-with-a-scheduler
  (doseq [scheduler [true (Scheduler/systemScheduler)]]
    (let [evicted (promise)
          s (d*conn/store {:type :caffeine :duration-ms 500 :scheduler scheduler
                           :on-removal (fn [k _ cause] (deliver evicted [k cause]))})
          t0 (System/nanoTime)
          ms #(quot (- (System/nanoTime) t0) 1000000)]
      (d*conn/store! s :k ::a)
      (Thread/sleep 200)
      ;; on a loaded machine the sleep can overrun the deadline: then there is nothing to extend
      (when (< (ms) 400)
        (d*conn/connection s :k)
        (d*conn/store! s :k ::a))
      (testing "neither reading nor re-storing extends a fixed deadline"
        (Thread/sleep (long (max 0 (- 750 (long (ms))))))
        (is (nil? (d*conn/connection s :k))))
      (testing "the scheduler removes the entry without any access"
        (is (= [:k :expired] (deref evicted 2000 :timeout)))))))

(deftest caffeine-accepts-an-existing-cache
  (let [cache (.build (.maximumSize (Caffeine/newBuilder) 1))
        s     (d*conn/store {:type :caffeine :cache cache})]
    (d*conn/store! s :a 1)
    (d*conn/store! s :b 2)
    (.cleanUp cache)
    (is (= 1 (d*conn/connection-count s)) "the cache's own bound applies")
    (is (= 1 (.estimatedSize cache)) "entries live in the given cache")
    (is (= 1 (d*conn/purge-connection! s 2)) "purge by connection scans without an index"))
  (is (thrown-with-msg? InvalidInputException #":maximum-size cannot be combined with :cache"
                        (d*conn/store {:type :caffeine :cache (.build (Caffeine/newBuilder)) :maximum-size 1}))))

(deftest store?-true-and-false
  (are [x expected] (= expected (d*conn/store? x))
    (d*conn/store {:type :atom})     true
    (d*conn/store {:type :caffeine}) true
    (reify p/ConnectionStore
      (store! [_ _ _]) (connection [_ _]) (purge! [_ _]) (list-keys [_])) true
    {}                               false
    (atom {})                        false
    nil                              false
    "store"                          false))

(deftest unknown-store-type
  (let [e (is (thrown? clojure.lang.ExceptionInfo (d*conn/store {:type :redis :url "x"})))]
    (is (re-find #":type is not a known store type" (ex-message e)))
    (is (re-find #"got :redis" (ex-message e)) "names the bad type")
    (is (re-find #"\[:atom :caffeine\]" (ex-message e)) "names the known types")
    (is (= {:input ":type" :value :redis} (select-keys (ex-data e) [:input :value]))))
  (let [e (is (thrown? clojure.lang.ExceptionInfo (d*conn/store {})))]
    (is (re-find #":type is required, e.g. \{:type :atom\}; known types: \[:atom :caffeine\]" (ex-message e)))
    (is (= {:input ":type" :value nil} (select-keys (ex-data e) [:input :value]))))
  (let [e (is (thrown? clojure.lang.ExceptionInfo (d*conn/store)))]
    (is (re-find #"options of store are required, e.g. \(d\*conn/store \{:type :atom\}\); known types: \[:atom :caffeine\]"
                 (ex-message e))
        "no arity error from an anonymous dispatch function"))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"options of store must be a map.*got nil" (d*conn/store nil)))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"options of store must be a map.*got :atom" (d*conn/store :atom))))

(deftest bad-store-options-name-the-option-and-value
  (are [opts option] (let [e (try (d*conn/store opts) nil (catch InvalidInputException e e))]
                       (and e
                            (= (str option) (:input (ex-data e)))
                            (= (get opts option) (:value (ex-data e)))
                            (str/includes? (ex-message e) (str option))))
    {:type :caffeine :maximum-size -1}       :maximum-size
    {:type :caffeine :maximum-size 1.5}      :maximum-size
    {:type :caffeine :maximum-size "10"}     :maximum-size
    {:type :caffeine :maximum-size (bigint 1e30)} :maximum-size
    {:type :caffeine :idle-ms -5}            :idle-ms
    {:type :caffeine :duration-ms :soon}     :duration-ms
    {:type :caffeine :scheduler "yes"}       :scheduler
    {:type :caffeine :cache {}}              :cache
    {:type :caffeine :executor 3}            :executor
    {:type :caffeine :record-stats? "yes"}   :record-stats?
    {:type :caffeine :on-removal 42}          :on-removal
    {:type :caffeine :maximum-size 0}        :maximum-size
    {:type :caffeine :idle-ms 0}             :idle-ms
    {:type :caffeine :duration-ms 0}         :duration-ms
    {:type :caffeine :maxium-size 5}         :maxium-size
    {:type :atom :atom {}}                   :atom
    {:type :atom :on-removal "no"}             :on-removal
    {:type :atom :idle-ms 5}                 :idle-ms))

(deftest both-idle-and-duration-is-refused
  (is (thrown-with-msg? InvalidInputException #":idle-ms cannot be combined with :duration-ms: they name the same setting"
                        (d*conn/store {:type :caffeine :idle-ms 1 :duration-ms 2}))))

(deftest nil-option-values-mean-the-default
  (let [s (d*conn/store {:type :caffeine :maximum-size nil :idle-ms nil :scheduler nil})]
    (d*conn/store! s :k ::c)
    (is (= ::c (d*conn/connection s :k)))))

(deftest qualified-option-keys-are-left-alone
  (is (d*conn/store? (d*conn/store {:type :atom :my.app/label "conns"}))))

(deftest nil-keys-and-connections
  (doseq [[type s] (stores)]
    (testing type
      (is (thrown-with-msg? InvalidInputException #"key must not be nil" (d*conn/store! s nil ::c)))
      (is (thrown-with-msg? InvalidInputException #"connection must not be nil" (d*conn/store! s :k nil)))
      (is (nil? (d*conn/connection s nil)) "looking up nil is a miss")
      (is (false? (d*conn/purge! s nil)) "purging nil is a no-op")
      (is (nil? (d*conn/list-keys s)) "nothing was stored"))))

(deftest java-builders-match-the-option-maps
  (let [s (-> (CaffeineStore/builder) (.duration (Duration/ofMillis 40)) (.maximumSize 3) (.build))]
    (.store s :k ::c)
    (is (= ::c (d*conn/connection s :k)))
    (Thread/sleep 60)
    (is (nil? (d*conn/connection s :k))))
  (let [s (.build (AtomStore/builder))]
    (is (= ::c (d*conn/store! s :k ::c)))
    (is (= {:k ::c} @(.atom s)))))

(deftest string-and-symbol-option-keys-are-refused
  (is (thrown-with-msg? InvalidInputException #"\"maximum-size\" is not an option of store :caffeine \(option keys are keywords\)"
                        (d*conn/store {:type :caffeine "maximum-size" 5})))
  (is (thrown-with-msg? InvalidInputException #"maximum-size is not an option"
                        (d*conn/store {:type :caffeine 'maximum-size 5}))))
