(ns datastar.wow.deacon.churn-test
  "Churn through the datastar.wow and Nexus stand-ins: many open -> reuse ->
  close cycles over many users and keys. The store ends empty, every entry is
  purged (and reported) exactly once, and threads and heap return to where
  they started, stores with heartbeats that were closed or merely dropped
  included. 10,000 cycles per store type by default, 100,000 under -Plong."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (java.lang.management ManagementFactory MemoryMXBean)))

(set! *warn-on-reflection* true)

(def ^:private long-run? (Boolean/getBoolean "deacon.long"))
(def ^:private cycles (if long-run? 100000 10000))
(def ^:private users 200)
(def ^:private key-names [::counter ::feed ::chat [:room 1] [:room 2] {:board 7}])
(def ^:private batch 100)

(defn- heartbeat-threads []
  (->> (keys (Thread/getAllStackTraces))
       (filter #(.isAlive ^Thread %))
       (map #(.getName ^Thread %))
       (filter #(.startsWith ^String % "deacon-heartbeat-"))
       set))

(defn- live-threads
  "Names of live threads, leaving out the JVM-wide common fork-join pool (which
  Caffeine borrows by default and which retires idle workers after a minute)."
  []
  (->> (keys (Thread/getAllStackTraces))
       (filter #(.isAlive ^Thread %))
       (map #(.getName ^Thread %))
       (remove #(.startsWith ^String % "ForkJoinPool.commonPool-worker-"))
       set))

(defn- heap-used-after-gc []
  (let [^MemoryMXBean mx (ManagementFactory/getMemoryMXBean)]
    (dotimes [_ 3] (System/gc))
    (.getUsed (.getHeapMemoryUsage mx))))

(defn- eventually
  "Polls `f` until it returns truthy or `ms` pass; returns the last value."
  [ms f]
  (let [deadline (+ (System/currentTimeMillis) ms)]
    (loop []
      (let [v (f)]
        (if (or v (> (System/currentTimeMillis) deadline))
          v
          (do (System/gc) (Thread/sleep 20) (recur)))))))

(defn- cycle-key
  "The user and key of cycle `c`."
  [c]
  [(mod c users) (nth key-names (mod (quot c users) (count key-names)))])

(defn- run-cycles!
  "Runs `n` open -> reuse -> close cycles through `dispatch`, a batch at a
  time (streams of a batch are open together and close in shuffled order).
  Returns the number of cycles run."
  [dispatch n]
  (loop [done 0]
    (if (>= done n)
      done
      (let [size (long (min batch (- n done)))
            streams
            (vec (for [i (range size)]
                   (let [c    (+ done i)
                         [user k] (cycle-key c)
                         open (wow/request! dispatch (wow/request {:user-id user}) {::d*conn/key k :🚀 []})
                         sse  (:sse open)]
                     (when-not (= 200 (:status open))
                       (throw (ex-info "open did not open a stream" {:cycle c :out open})))
                     (let [reuse (wow/request! dispatch (wow/request {:user-id user})
                                               {::d*conn/key k :🚀 [[:datastar.wow/patch-signals {:c c}]]})]
                       (when-not (and (= 204 (:status reuse))
                                      (= [[:datastar.wow/patch-signals {:c c}]] (wow/events sse)))
                         (throw (ex-info "reuse missed the stream" {:cycle c :out reuse}))))
                     sse)))]
        (doseq [sse (shuffle streams)] (wow/close! sse))
        (recur (+ done size))))))

(defn- counting []
  (let [counts (atom {})]
    [counts (fn [k] (swap! counts update k (fnil inc 0)))]))

(deftest churn-leaves-nothing-behind
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [[purges count-purge!] (counting)
            [evicts count-evict!] (counting)
            store (d*conn/store (cond-> {:type type
                                         :on-removal (fn [k _ cause] (count-evict! [k cause]))}
                                  (= type :caffeine) (assoc :executor (fn [^Runnable r] (.run r))
                                                            :maximum-size (* 2 users (count key-names)))))
            errors (atom 0)
            dispatch (wow/create-dispatch
                      [[d*conn/registry store {:id-fn (fn [ctx] (-> ctx :system :request :user-id))
                                               :on-purge (fn [_ k] (count-purge! k))
                                               :on-error (fn [_ _] (swap! errors inc))}]])
            _ (run-cycles! dispatch 500) ; warm up before taking the baseline
            _ (reset! purges {})
            _ (reset! evicts {})
            explicit-before (get-in (d*conn/stats store) [:removals :explicit])
            threads-before (heartbeat-threads)
            all-threads-before (live-threads)
            heap-before (heap-used-after-gc)
            started (System/nanoTime)
            n (run-cycles! dispatch cycles)
            ;; stores with their own threads, made and let go during the churn
            held (atom (vec (for [i (range 20)]
                              (let [s (d*conn/store {:type type :heartbeat {:interval-ms 5 :send (fn [_])}})]
                                (d*conn/store! s [:u i] ::conn)
                                (when (even? i) (d*conn/close! s))
                                s))))
            threads-during (heartbeat-threads)
            dropped (reset! held nil) ; the ten unclosed stores are now only dropped
            elapsed-ms (quot (- (System/nanoTime) started) 1000000)]
        (is (nil? dropped))
        (is (zero? @errors))
        (is (nil? (d*conn/list-keys store)) "the store ends empty")
        (is (zero? (d*conn/connection-count store)))
        (let [total-purges (reduce + (vals @purges))]
          (is (= n total-purges) "one :on-purge per cycle")
          (is (= (frequencies (map cycle-key (range n))) @purges)
              "each scoped key purged exactly once per cycle that used it"))
        (is (= n (reduce + (vals @evicts))) "one :on-removal per entry")
        (is (= #{:explicit} (set (map second (keys @evicts)))))
        (is (= n (- (get-in (d*conn/stats store) [:removals :explicit]) explicit-before)))
        (is (<= 10 (count threads-during)) "the undropped heartbeat stores had threads")
        (is (eventually 10000 #(= threads-before (heartbeat-threads)))
            "heartbeat threads of closed and dropped stores are gone")
        (is (eventually 10000 #(empty? (remove all-threads-before (live-threads))))
            (str "no thread left behind: " (vec (remove all-threads-before (live-threads)))))
        (let [heap-after (heap-used-after-gc)
              grown-mb (/ (- heap-after heap-before) 1048576.0)]
          (is (< grown-mb 32) (str "heap returned near its start, grew " grown-mb " MB"))
          (println (format "churn-test %s: %d open->reuse->close cycles over %d users x %d keys in %d ms; heap %+.1f MB after GC; heartbeat threads before/during/after %d/%d/%d; live threads before/after %d/%d"
                           type n users (count key-names) elapsed-ms grown-mb
                           (count threads-before) (count threads-during) (count (heartbeat-threads))
                           (count all-threads-before) (count (live-threads)))))))))
