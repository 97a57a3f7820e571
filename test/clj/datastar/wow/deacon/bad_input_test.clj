(ns datastar.wow.deacon.bad-input-test
  "Bad input, table-driven: every option of every constructor (the `store`
  option maps, the Java builders, `registry`), store operations with nil and
  odd keys, and hostile responses through the interceptor. Each case ends in a
  clear error naming what and why, or in a documented no-op; never in a
  corrupted store or a lost purge."
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.protocols :as p]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (clojure.lang ExceptionInfo)
           (com.github.benmanes.caffeine.cache Caffeine)
           (datastar.wow.deacon AtomStore CaffeineStore CaffeineStore$Builder ConnectionProbe Deacon RemovalListener
                                InvalidInputException RegistryOptions)
           (java.time Duration)))

(set! *warn-on-reflection* true)

(def ^:private f (fn [& _]))
(def ^:private probe (reify ConnectionProbe (send [_ _] true)))

(defn- refused
  "Runs `thunk`; returns the InvalidInputException it threw, or nil."
  [thunk]
  (try (thunk) nil (catch InvalidInputException e e)))

(defn- check-refused
  "`thunk` must throw InvalidInputException naming `option` (a keyword for a
  Clojure option, shown with its colon; a string for a Java method or an
  argument) in `input()`, `:input` and the message, and saying why."
  [label thunk option]
  (testing label
    (let [^InvalidInputException e (refused thunk)
          input (str option)]
      (is (some? e) (str label " should be refused"))
      (when e
        (is (= input (.input e) (:input (ex-data e))) (str label ": names the input, always as a string"))
        (is (str/includes? (ex-message e) input) (str label ": message names " input))
        (is (string? (:reason (ex-data e))) (str label ": says why"))))))

(def store-option-cases
  "[options, the option the error must name]"
  (concat
   (for [[opts option]
         [[{:atom 42} :atom] [{:atom "a"} :atom] [{:atom (atom [])} :atom] [{:atom (atom nil)} :atom]
          [{:atom (atom 1)} :atom] [{:atom {}} :atom]
          [{:on-removal 42} :on-removal] [{:on-removal :kw} :on-removal] [{:on-removal "f"} :on-removal] [{:on-removal [f]} :on-removal]
          [{:fan-out? "yes"} :fan-out?] [{:fan-out? 1} :fan-out?]
          [{"atom" (atom {})} "\"atom\""] [{'on-remove f} "on-remove"] [{:on-evict f} :on-evict]
          [{:heartbeat 5} "options of :heartbeat"] [{:heartbeat {}} :interval-ms]
          [{:heartbeat {:interval-ms 0 :send f}} :interval-ms]
          [{:heartbeat {:interval-ms -1 :send f}} :interval-ms]
          [{:heartbeat {:interval-ms Long/MIN_VALUE :send f}} :interval-ms]
          [{:heartbeat {:interval-ms "10" :send f}} :interval-ms]
          [{:heartbeat {:interval-ms 1.5 :send f}} :interval-ms]
          [{:heartbeat {:interval-ms (bigint 1e30) :send f}} :interval-ms]
          [{:heartbeat {:interval-ms 10}} :send]
          [{:heartbeat {:interval-ms 10 :send 3}} :send]
          [{:heartbeat {:interval-ms 10 :send f :jitter 1}} :jitter]
          [{:maximum-size 10} :maximum-size] [{:idle-ms 10} :idle-ms] [{:nope 1} :nope]]]
     [(assoc opts :type :atom) option])
   (for [[opts option]
         [[{:idle-ms -1} :idle-ms] [{:idle-ms "10"} :idle-ms] [{:idle-ms 1.5} :idle-ms]
          [{:idle-ms Long/MIN_VALUE} :idle-ms] [{:idle-ms (bigint 1e30)} :idle-ms] [{:idle-ms 1 :duration-ms 2} :idle-ms]
          [{:idle-ms 0} :idle-ms] [{:duration-ms 0} :duration-ms] [{:maximum-size 0} :maximum-size]
          [{:duration-ms -5} :duration-ms] [{:duration-ms :soon} :duration-ms] [{:duration-ms 2/3} :duration-ms]
          [{:maximum-size -1} :maximum-size] [{:maximum-size "x"} :maximum-size] [{:maximum-size 1.5} :maximum-size]
          [{:maximum-size (bigint 1e30)} :maximum-size] [{:maximum-size Long/MIN_VALUE} :maximum-size]
          [{:scheduler "yes"} :scheduler] [{:scheduler 42} :scheduler] [{:scheduler f} :scheduler]
          [{:cache {}} :cache] [{:cache "c"} :cache]
          [{:cache (.build (Caffeine/newBuilder)) :on-removal f} :on-removal]
          [{:cache (.build (Caffeine/newBuilder)) :maximum-size 5} :maximum-size]
          [{:cache (.build (Caffeine/newBuilder)) :idle-ms 5} :idle-ms]
          [{:cache (.build (Caffeine/newBuilder)) :duration-ms 5} :duration-ms]
          [{:cache (.build (Caffeine/newBuilder)) :scheduler true} :scheduler]
          [{:cache (.build (Caffeine/newBuilder)) :executor (fn [^Runnable r] (.run r))} :executor]
          [{:cache (.build (Caffeine/newBuilder)) :record-stats? true} :record-stats?]
          [{:on-removal 1} :on-removal] [{:on-removal :kw} :on-removal] [{:fan-out? :yes} :fan-out?]
          [{:executor 42} :executor] [{:executor :pool} :executor] [{:executor "pool"} :executor]
          [{:record-stats? "yes"} :record-stats?] [{:record-stats? 1} :record-stats?]
          [{:heartbeat []} "options of :heartbeat"] [{:heartbeat {:interval-ms 0 :send f}} :interval-ms]
          [{:heartbeat {:interval-ms 5 :send "f"}} :send]
          [{:max-size 5} :max-size] [{:atom (atom {})} :atom]]]
     [(assoc opts :type :caffeine) option])
   (for [type [:atom :caffeine]
         [replay option]
         [[5 "options of :replay"] [[:events 5] "options of :replay"] [{:evnets 5} :evnets]
          [{:events 0} :events] [{:events -1} :events] [{:events "5"} :events] [{:events 1.5} :events]
          [{:events (bigint 1e30)} :events] [{:ms 0} :ms] [{:ms -5} :ms] [{:ms "300000"} :ms]
          [{:ms 2/3} :ms] [{:ms Long/MIN_VALUE} :ms]]]
     [{:type type :replay replay} option])))

(def cluster-option-cases
  "[options, the option the error must name]: `:cluster` on either store type.
  Every value is checked before anything connects to Redis."
  (for [type [:atom :caffeine]
        [cluster option]
        [[5 "options of :cluster"] [{} :redis] [{:redis 42} :redis] [{:redis "http://127.0.0.1:6379"} :redis]
         [{:redis "not a uri"} :redis]
         [{:redis "redis://127.0.0.1:1" :lease-ms 0} :lease-ms]
         [{:redis "redis://127.0.0.1:1" :lease-ms "15000"} :lease-ms]
         [{:redis "redis://127.0.0.1:1" :send-timeout-ms 0} :send-timeout-ms]
         [{:redis "redis://127.0.0.1:1" :send-timeout-ms 5000} :send-timeout-ms]
         [{:redis "redis://127.0.0.1:1" :max-message-bytes 0} :max-message-bytes]
         [{:redis "redis://127.0.0.1:1" :max-message-bytes 1.5} :max-message-bytes]
         [{:redis "redis://127.0.0.1:1" :node ""} :node]
         [{:redis "redis://127.0.0.1:1" :node 7} :node]
         [{:redis "redis://127.0.0.1:1" :prefix ""} :prefix]
         [{:redis "redis://127.0.0.1:1" :ca-certificate "/no/such/ca.pem"} :ca-certificate]
         [{:redis "redis://127.0.0.1:1" :port 6379} :port]]]
    [{:type type :cluster cluster} option]))

(deftest every-cluster-option-refuses-bad-values
  (doseq [[opts option] cluster-option-cases]
    (check-refused (pr-str opts) #(d*conn/close! (d*conn/store opts)) option)))

(deftest every-store-option-refuses-bad-values
  (doseq [[opts option] store-option-cases]
    (check-refused (pr-str opts) #(d*conn/store opts) option)))

(deftest options-that-are-not-a-map-or-of-unknown-type
  (doseq [opts [nil "atom" 42 [:type :atom] :atom]]
    (check-refused (pr-str opts) #(d*conn/store opts) "options of store")
    (is (re-find #"must be a map" (ex-message (refused #(d*conn/store opts))))))
  (doseq [opts [{} {:type nil} {:type :redis} {:type "atom"} {:type 'atom}]]
    (check-refused (pr-str opts) #(d*conn/store opts) ":type")
    (is (re-find #"known types: \[:atom :caffeine\]" (ex-message (refused #(d*conn/store opts)))))))

(def java-builder-cases
  "[label, thunk, the Java input the error must name]"
  [["atom nil" #(.atom (AtomStore/builder) nil) "atom"]
   ["atom of a vector" #(.atom (AtomStore/builder) (atom [])) "atom"]
   ["atom nil listener" #(.onRemoval (AtomStore/builder) nil) "onRemoval"]
   ["atom heartbeat nil interval" #(.heartbeat (AtomStore/builder) nil probe) "heartbeat"]
   ["atom heartbeat zero" #(.heartbeat (AtomStore/builder) Duration/ZERO probe) "heartbeat"]
   ["atom heartbeat under a millisecond" #(.heartbeat (AtomStore/builder) (Duration/ofNanos 10) probe) "heartbeat"]
   ["atom heartbeat negative" #(.heartbeat (AtomStore/builder) (Duration/ofMillis -1) probe) "heartbeat"]
   ["atom heartbeat nil probe" #(.heartbeat (AtomStore/builder) (Duration/ofMillis 5) nil) "heartbeat"]
   ["caffeine nil duration" #(.duration (CaffeineStore/builder) nil) "duration"]
   ["caffeine zero duration" #(.duration (CaffeineStore/builder) Duration/ZERO) "duration"]
   ["caffeine negative duration" #(.duration (CaffeineStore/builder) (Duration/ofMillis -1)) "duration"]
   ["caffeine zero size" #(.maximumSize (CaffeineStore/builder) 0) "maximumSize"]
   ["caffeine negative size" #(.maximumSize (CaffeineStore/builder) -1) "maximumSize"]
   ["caffeine min size" #(.maximumSize (CaffeineStore/builder) Long/MIN_VALUE) "maximumSize"]
   ["caffeine nil scheduler" #(.scheduler (CaffeineStore/builder) nil) "scheduler"]
   ["caffeine nil cache" #(.cache (CaffeineStore/builder) nil) "cache"]
   ["caffeine nil executor" #(.executor (CaffeineStore/builder) nil) "executor"]
   ["caffeine nil listener" #(.onRemoval (CaffeineStore/builder) nil) "onRemoval"]
   ["caffeine heartbeat zero" #(.heartbeat (CaffeineStore/builder) Duration/ZERO probe) "heartbeat"]
   ["caffeine heartbeat nil probe" #(.heartbeat (CaffeineStore/builder) (Duration/ofMillis 5) nil) "heartbeat"]
   ["caffeine cache with a listener"
    #(let [^CaffeineStore$Builder b (-> (CaffeineStore/builder) (.cache (.build (Caffeine/newBuilder)))
                                        (.onRemoval (reify RemovalListener (onRemoval [_ _ _ _]))))]
       (.build b))
    "onRemoval"]
   ["caffeine cache with a size"
    #(-> (CaffeineStore/builder) (.cache (.build (Caffeine/newBuilder))) (.maximumSize 5) (.build))
    "maximumSize"]
   ["atom replay of no events" #(.replay (AtomStore/builder) 0 (Duration/ofMinutes 5)) "replay"]
   ["atom replay nil window" #(.replay (AtomStore/builder) 10 nil) "replay"]
   ["caffeine replay negative events" #(.replay (CaffeineStore/builder) -1 (Duration/ofMinutes 5)) "replay"]
   ["caffeine replay zero window" #(.replay (CaffeineStore/builder) 10 Duration/ZERO) "replay"]
   ["caffeine replay negative window" #(.replay (CaffeineStore/builder) 10 (Duration/ofMillis -1)) "replay"]
   ["registry nil id-fn" #(.idFn (RegistryOptions/builder) nil) "idFn"]
   ["registry nil on-purge" #(.onPurge (RegistryOptions/builder) nil) "onPurge"]
   ["registry nil on-error" #(.onError (RegistryOptions/builder) nil) "onError"]
   ["interceptor nil store" #(Deacon/interceptor nil (RegistryOptions/defaults)) "store"]
   ["interceptor nil options" #(Deacon/interceptor (.build (AtomStore/builder)) nil) "options"]])

(deftest every-java-builder-setter-refuses-bad-values
  (doseq [[label thunk option] java-builder-cases]
    (check-refused label thunk option)))

(deftest java-errors-speak-java
  (is (= "datastar.wow.deacon: maximumSize(0) refused: must be at least 1"
         (ex-message (refused #(.maximumSize (CaffeineStore/builder) 0)))))
  (is (= "datastar.wow.deacon: duration(PT0S) refused: must be at least 1 millisecond"
         (ex-message (refused #(.duration (CaffeineStore/builder) Duration/ZERO))))))

(deftest clojure-errors-speak-clojure-and-show-the-value-given
  (let [e (refused #(d*conn/store {:type :caffeine :maximum-size 0}))]
    (is (= "datastar.wow.deacon: :maximum-size must be at least 1, got 0 (java.lang.Long)" (ex-message e))))
  (let [listener [:not :a :fn]
        e (refused #(d*conn/store {:type :atom :on-removal listener}))]
    (is (identical? listener (:value (ex-data e))) "the user's own value, not a wrapper")))

(deftest every-registry-option-refuses-bad-values
  (let [s (d*conn/store {:type :atom})]
    (doseq [[opts option] [[{:id-fn "user"} :id-fn] [{:id-fn 42} :id-fn] [{:id-fn :user-id} :id-fn]
                           [{:id-fn 'user-id} :id-fn] [{:id-fn {:a 1}} :id-fn] [{:id-fn #{:a}} :id-fn]
                           [{:on-purge 42} :on-purge] [{:on-purge :log} :on-purge] [{:on-purge [f]} :on-purge]
                           [{:on-error :log} :on-error] [{:on-error "log"} :on-error]
                           [{:id-func identity} :id-func] [{:store s} :store]]]
      (check-refused (pr-str opts) #(d*conn/registry s opts) option))
    (doseq [opts ["x" 42 [:id-fn f] '(:id-fn)]]
      (check-refused (pr-str opts) #(d*conn/registry s opts) "options of registry"))
    (doseq [bad [nil 42 "store" {} {:type :atom}]]
      (check-refused (pr-str bad) #(d*conn/registry bad) "store"))))

(defn- stores []
  [[:atom (d*conn/store {:type :atom})] [:caffeine (d*conn/store {:type :caffeine})]])

(deftest store-functions-given-something-that-is-not-a-store
  (doseq [bad [nil {} {:type :atom} "store" 42]]
    (check-refused (str "store! " (pr-str bad)) #(d*conn/store! bad :k ::c) "store")
    (check-refused (str "connection " (pr-str bad)) #(d*conn/connection bad :k) "store")
    (check-refused (str "purge! " (pr-str bad)) #(d*conn/purge! bad :k) "store")
    (check-refused (str "list-keys " (pr-str bad)) #(d*conn/list-keys bad) "store")
    (check-refused (str "connection-count " (pr-str bad)) #(d*conn/connection-count bad) "store")
    (check-refused (str "purge-connection! " (pr-str bad)) #(d*conn/purge-connection! bad ::c) "store")))

(deftest store-operations-with-nil-and-odd-keys
  (doseq [[type s] (stores)]
    (testing type
      (d*conn/store! s :keep ::kept)
      (testing "nil: refused on write, a miss or no-op elsewhere"
        (check-refused "store! nil key" #(d*conn/store! s nil ::c) "key")
        (check-refused "store! nil conn" #(d*conn/store! s :k nil) "connection")
        (is (nil? (d*conn/connection s nil)))
        (is (false? (d*conn/purge! s nil)))
        (is (nil? (d*conn/list-keys s nil)) "nil pattern: an exact key, not present")
        (is (zero? (d*conn/connection-count s nil)))
        (is (zero? (d*conn/purge-connection! s nil))))
      (testing "odd keys are just keys, found by equality"
        (let [g (fn [])
              arr (byte-array [1 2])
              big (vec (range 100000))]
          (doseq [k [g arr (Object.) 1.5 ##Inf -0.0 "" [] {} #{} '() (java.util.HashMap.) \c
                     (symbol "s") big [nil] {nil nil} (Long/valueOf Long/MAX_VALUE) (bigint 1e40)]]
            (d*conn/store! s k ::odd)
            (is (= ::odd (d*conn/connection s k)) (str "found: " (type k)))
            (is (true? (d*conn/purge! s k))))))
      (testing "list-keys with odd patterns"
        (doseq [pattern [42 "x" (fn []) [:* :* :*] [[:*]] {:* 1} #{:*}]]
          (is (not-any? #{:keep} (d*conn/list-keys s pattern)) (pr-str pattern))))
      (is (= [:keep] (d*conn/list-keys s)) "the store is intact after all of it")
      (is (= ::kept (d*conn/connection s :keep))))))

(def ^:private patch [[:datastar.wow/patch-signals {:n 1}]])

(defn- app [store opts]
  (let [errors (atom [])]
    [(wow/create-dispatch [[d*conn/registry store (merge {:on-error (fn [e _] (swap! errors conj e))} opts)]])
     errors]))

(deftest responses-with-odd-keys
  (let [s (d*conn/store {:type :atom})
        [dispatch errors] (app s {})]
    (testing "a nil key is no key: documented no-op"
      (let [out (wow/request! dispatch (wow/request) {::d*conn/key nil :🚀 patch})]
        (is (= 200 (:status out)))
        (is (nil? (d*conn/list-keys s)))))
    (testing "a function as key works as an identity key"
      (let [g (fn [])
            out (wow/request! dispatch (wow/request) {::d*conn/key g :🚀 []})]
        (is (identical? (:sse out) (d*conn/connection s [::d*conn/id g])))
        (is (= 204 (:status (wow/request! dispatch (wow/request) {::d*conn/key g :🚀 patch}))))
        (is (= patch (wow/events (:sse out))))
        (wow/close! (:sse out))
        (is (nil? (d*conn/list-keys s)))))
    (testing "a huge but shallow key works"
      (let [k (vec (range 200000))
            out (wow/request! dispatch (wow/request) {::d*conn/key k :🚀 []})]
        (is (identical? (:sse out) (d*conn/connection s [::d*conn/id k])))
        (wow/close! (:sse out))
        (is (nil? (d*conn/list-keys s)))))
    (is (empty? @errors))))

(deftest callbacks-that-fail
  (testing ":id-fn returning nil (no session yet): silent, nothing stored, request still served"
    (let [s (d*conn/store {:type :atom})
          [dispatch errors] (app s {:id-fn (constantly nil)})
          out (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 patch})]
      (is (= patch (wow/events (:sse out))))
      (wow/close! (:sse out))
      (is (nil? (d*conn/list-keys s)))
      (is (empty? @errors))
      (is (nil? (:errors (:dispatch out))))))
  (testing ":id-fn throwing an Error subclass that is not fatal (AssertionError)"
    (let [s (d*conn/store {:type :atom})
          [dispatch errors] (app s {:id-fn (fn [_] (assert false "no user"))})
          out (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 patch})]
      (is (= 200 (:status out)))
      (is (nil? (d*conn/list-keys s)))
      (is (re-find #":id-fn threw" (ex-message (first @errors))))))
  (testing ":on-purge throwing: the entry is purged anyway and the error is reported"
    (let [s (d*conn/store {:type :caffeine})
          [dispatch errors] (app s {:on-purge (fn [_ _] (throw (IllegalStateException. "boom")))})
          out (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 []})]
      (wow/close! (:sse out))
      (is (nil? (d*conn/list-keys s)))
      (is (re-find #":on-purge threw for key" (ex-message (first @errors))))))
  (testing ":on-removal throwing, even a checked exception: the removal happened and is counted"
    (doseq [[type ex] [[:atom (ex-info "remove boom" {})] [:atom (java.io.IOException. "close failed")]
                       [:caffeine (java.io.IOException. "close failed")]]]
      (with-captured-logs [logs]
        (let [s (d*conn/store (cond-> {:type type :on-removal (fn [_ _ _] (throw ex))}
                                (= type :caffeine) (assoc :executor (fn [^Runnable r] (.run r)))))]
          (d*conn/store! s :k ::c)
          (is (true? (d*conn/purge! s :k)))
          (d*conn/store! s :k ::c)
          (is (= 1 (d*conn/purge-connection! s ::c)))
          (is (nil? (d*conn/list-keys s)))
          (is (= 2 (get-in (d*conn/stats s) [:removals :explicit])))
          (is (= [ex ex] (map :thrown @logs)) "each failure logged once, with what was thrown"))))))

(deftest a-custom-store-that-throws-on-every-operation
  (let [s (reify p/ConnectionStore
            (store! [_ _ _] (throw (ex-info "store! failed" {})))
            (connection [_ _] (throw (ex-info "connection failed" {})))
            (purge! [_ _] (throw (ex-info "purge! failed" {})))
            (list-keys [_] (throw (ex-info "list-keys failed" {}))))
        [dispatch errors] (app s {})
        out (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 patch})]
    (is (= 200 (:status out)) "the look-up failed, so a stream opened")
    (is (= patch (wow/events (:sse out))))
    (wow/close! (:sse out))
    (is (= ["connection failed" "connection failed" "connection failed"] (map ex-message @errors))
        "each failure is reported: the look-up, the read that comes before any write, the close")
    (is (= 1 (count (:errors (:lookup out))) (count (:errors (:dispatch out))))
        "and each is recorded as Nexus records errors, in its own dispatch")))
