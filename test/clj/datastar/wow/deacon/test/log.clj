(ns datastar.wow.deacon.test.log
  "Captures what the library logs, so that a test can assert it instead of
  printing it.

  The library logs through the `System.Logger` named \"datastar.wow.deacon\",
  which the JDK backs with java.util.logging. While a capture is open, every
  record of that logger and of its children, at every level, is kept and none
  reaches the console; closing the capture puts the logger back as it was.

      (with-captured-logs [logs]
        (d*conn/purge! store :k)                 ; the :on-evict callback throws
        (is (= [:error] (map :level @logs))))

  Each record is a map:

  | key        | value                                                    |
  |------------|----------------------------------------------------------|
  | `:level`   | `:error` `:warning` `:info` `:debug` or `:trace`         |
  | `:message` | the message, its `{0}` parameters filled in              |
  | `:thrown`  | the Throwable logged with it, or nil                     |
  | `:logger`  | the logger's name                                        |

  Captures may nest (each sees every record logged while it is open); records
  logged from any thread are captured."
  (:import (java.lang System$LoggerFinder)
           (java.util.logging Handler Level Logger LogRecord SimpleFormatter)))

(set! *warn-on-reflection* true)

(def logger-name
  "The name of the library's logger."
  "datastar.wow.deacon")

(def ^:private ^Logger jul
  ;; held for the life of this namespace, so that java.util.logging cannot
  ;; collect the logger while a capture has configured it
  (Logger/getLogger ^String logger-name))

(def ^:private lock (Object.))

(defn level-of
  "The System.Logger level, as a keyword, of java.util.logging level `level`:
  the inverse of the JDK's mapping (ERROR is SEVERE, DEBUG is FINE, TRACE is
  FINER)."
  [^Level level]
  (let [v (.intValue level)]
    (cond
      (= v (.intValue Level/OFF))        :off
      (>= v (.intValue Level/SEVERE))    :error
      (>= v (.intValue Level/WARNING))   :warning
      (>= v (.intValue Level/CONFIG))    :info
      (>= v (.intValue Level/FINE))      :debug
      (= v (.intValue Level/ALL))        :all
      :else                              :trace)))

(defn- require-java-util-logging
  "Throws unless System.Logger is backed by java.util.logging (the JDK's
  default): a capture that silently saw nothing would let tests pass for the
  wrong reason."
  []
  (let [finder (System$LoggerFinder/getLoggerFinder)]
    (when-not (= "java.logging" (.getName (.getModule (class finder))))
      (throw (IllegalStateException.
              (str "the log capture reads java.util.logging, but System.Logger is backed by "
                   (.getName (class finder))))))))

(defn- collector
  "A handler that adds each record, as a map, to atom `records`."
  [records]
  (let [formatter (SimpleFormatter.)]
    (doto (proxy [Handler] []
            (publish [^LogRecord r]
              (swap! records conj {:level   (level-of (.getLevel r))
                                   :logger  (str (.getLoggerName r))
                                   :message (.formatMessage formatter r)
                                   :thrown  (.getThrown r)}))
            (flush [])
            (close []))
      (.setLevel Level/ALL))))

(defn start!
  "Opens a capture and returns it; pass it to `stop!`. `(records capture)`
  reads what it kept. Prefer `with-captured-logs`."
  []
  (require-java-util-logging)
  (let [records (atom [])
        handler (collector records)]
    (locking lock
      (let [saved {:level (.getLevel jul) :use-parent-handlers? (.getUseParentHandlers jul)}]
        (.setUseParentHandlers jul false)
        (.setLevel jul Level/ALL)
        (.addHandler jul ^Handler handler)
        {:records records :handler handler :saved saved :open (atom true)}))))

(defn stop!
  "Closes `capture`, putting the logger back as it was when it opened.
  Captures close in the reverse order of their start. Stopping twice does
  nothing."
  [{:keys [handler saved open]}]
  (locking lock
    (when (compare-and-set! open true false)
      (.removeHandler jul ^Handler handler)
      (.setLevel jul ^Level (:level saved))
      (.setUseParentHandlers jul (boolean (:use-parent-handlers? saved))))))

(defn records
  "The records `capture` kept so far, oldest first."
  [capture]
  @(:records capture))

(defn with-captured-logs*
  "Calls `(f logs)` with a capture open, where `@logs` is the vector of records
  kept so far (still readable after the capture closed). Returns what `f`
  returns."
  [f]
  (let [capture (start!)]
    (try
      (f (reify clojure.lang.IDeref
           (deref [_] (records capture))))
      (finally
        (stop! capture)))))

(defmacro with-captured-logs
  "Runs `body` with the library's log records captured instead of printed;
  `logs` is bound to a reference whose value (`@logs`) is the vector of records
  kept so far, each `{:level :message :thrown :logger}`. Returns the value of
  `body`.

      (with-captured-logs [logs]
        (d*conn/purge! s :k)
        (is (= [:error] (map :level @logs))))"
  [[logs] & body]
  `(with-captured-logs* (fn [~logs] ~@body)))
