(ns datastar.wow.deacon.log-capture-test
  "The test log capture (`datastar.wow.deacon.test.log`): what it keeps, that
  nothing it keeps reaches the console, and that the logger is put back."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.log :as log :refer [with-captured-logs]])
  (:import (java.lang System$Logger System$Logger$Level)
           (java.util.logging Handler Logger LogRecord)))

(set! *warn-on-reflection* true)

(def ^:private ^System$Logger lib-logger (System/getLogger log/logger-name))

(defn- log!
  ([level msg] (.log lib-logger ^System$Logger$Level level ^String msg))
  ([level msg ^Throwable e] (.log lib-logger ^System$Logger$Level level ^String msg e)))

(defn- reaching-the-console
  "Runs `f` with the root logger's handlers (the console) swapped for one that
  keeps the messages reaching it; returns them."
  [f]
  (let [root    (Logger/getLogger "")
        console (vec (.getHandlers root))
        seen    (atom [])
        keep    (proxy [Handler] []
                  (publish [^LogRecord r] (swap! seen conj (.getMessage r)))
                  (flush [])
                  (close []))]
    (doseq [^Handler h console] (.removeHandler root h))
    (.addHandler root keep)
    (try
      (f)
      (finally
        (.removeHandler root keep)
        (doseq [^Handler h console] (.addHandler root h))))
    @seen))

(deftest keeps-level-message-and-throwable
  (let [boom (IllegalStateException. "boom")]
    (with-captured-logs [logs]
      (log! System$Logger$Level/ERROR "datastar.wow.deacon: it broke" boom)
      (let [[r & more] @logs]
        (is (nil? more))
        (is (= {:level :error :logger "datastar.wow.deacon" :message "datastar.wow.deacon: it broke"}
               (dissoc r :thrown)))
        (is (identical? boom (:thrown r)))))))

(deftest keeps-every-level-and-returns-the-body's-value
  (is (= :done
         (with-captured-logs [logs]
           (doseq [l [System$Logger$Level/WARNING System$Logger$Level/INFO
                      System$Logger$Level/DEBUG System$Logger$Level/TRACE]]
             (log! l (str l)))
           (is (= [:warning :info :debug :trace] (map :level @logs)))
           (is (every? nil? (map :thrown @logs)))
           :done))))

(deftest nothing-captured-reaches-the-console-and-the-logger-is-restored
  (let [jul     (Logger/getLogger ^String log/logger-name)
        before  [(.getLevel jul) (.getUseParentHandlers jul) (count (.getHandlers jul))]
        console (reaching-the-console
                 (fn []
                   (with-captured-logs [logs]
                     (log! System$Logger$Level/ERROR "captured")
                     (.log (System/getLogger (str log/logger-name ".child"))
                           System$Logger$Level/ERROR "child, captured")
                     (is (= ["captured" "child, captured"] (map :message @logs))))
                   (log! System$Logger$Level/ERROR "after the capture")))]
    (is (= ["after the capture"] console))
    (is (= before [(.getLevel jul) (.getUseParentHandlers jul) (count (.getHandlers jul))]))))

(deftest the-logger-is-restored-when-the-body-throws
  (let [jul (Logger/getLogger ^String log/logger-name)
        parents? (.getUseParentHandlers jul)]
    (is (thrown-with-msg? clojure.lang.ExceptionInfo #"body broke"
                          (with-captured-logs [_] (throw (ex-info "body broke" {})))))
    (is (= parents? (.getUseParentHandlers jul)))))

(deftest captures-nest
  (with-captured-logs [outer]
    (log! System$Logger$Level/ERROR "one")
    (with-captured-logs [inner]
      (log! System$Logger$Level/ERROR "two")
      (is (= ["two"] (map :message @inner))))
    (log! System$Logger$Level/ERROR "three")
    (is (= ["one" "two" "three"] (map :message @outer)))))

(deftest records-from-other-threads-are-captured
  (with-captured-logs [logs]
    @(future (log! System$Logger$Level/ERROR "from a future"))
    (is (= ["from a future"] (map :message @logs)))))

(deftest the-records-stay-readable-after-the-capture
  (let [logs (with-captured-logs [logs] (log! System$Logger$Level/ERROR "kept") logs)]
    (log! System$Logger$Level/DEBUG "not captured, and below the console's level")
    (is (= ["kept"] (map :message @logs)))))

(deftest captures-what-the-library-logs
  (testing "an :on-removal callback that throws is logged at ERROR with its exception"
    (let [s (d*conn/store {:type :atom :on-removal (fn [_ _ _] (throw (ex-info "remove boom" {})))})]
      (with-captured-logs [logs]
        (d*conn/store! s :k ::c)
        (is (true? (d*conn/purge! s :k)))
        (is (= [:error] (map :level @logs)))
        (is (re-find #"the removal listener threw for key :k" (:message (first @logs))))
        (is (= "remove boom" (ex-message (:thrown (first @logs)))))))))
