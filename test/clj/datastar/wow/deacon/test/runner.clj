(ns datastar.wow.deacon.test.runner
  "Runs the project's clojure.test namespaces from the Clojure CLI, with
  nothing but Maven Central artifacts on the classpath (deps.edn, alias
  `:test`). The Java core must be compiled first:

      clj -T:build compile-java && clj -X:test
      clj -X:test :nses '[datastar.wow.deacon.store-test]'
      clj -X:test :vars '[datastar.wow.deacon.store-test/atom-store-basics]'
      clj -M:test -n datastar.wow.deacon.store-test

  The test namespaces are those of the files under the test directories whose
  names end in `_test.clj`, the rule `mvn verify` uses as well (through
  `datastar.wow.deacon.ClojureTests`).

  | option (-X) | (-M)     | meaning                                              |
  |-------------|----------|------------------------------------------------------|
  | `:dirs`     | `-d DIR` | where to look for test namespaces; `[\"test/clj\"]`  |
  | `:nses`     | `-n NS`  | run only these namespaces                            |
  | `:vars`     | `-v VAR` | run only these test vars (qualified symbols)         |"
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :as t])
  (:import (java.io File)))

(set! *warn-on-reflection* true)

(def default-dirs
  "Where test namespaces are looked for when no directory is given."
  ["test/clj"])

(defn test-namespaces
  "The namespace symbols of the files ending in `_test.clj` under `dirs`,
  sorted."
  [dirs]
  (->> (for [dir dirs
             :let [root (.toPath (io/file dir))]
             ^File f (file-seq (io/file dir))
             :when (and (.isFile f) (str/ends-with? (.getName f) "_test.clj"))]
         (let [relative (str (.relativize root (.toPath f)))]
           (-> relative
               (subs 0 (- (count relative) (count ".clj")))
               (str/replace File/separator ".")
               (str/replace "_" "-")
               symbol)))
       distinct
       sort))

(defn- java-core-missing?
  "True when `e` comes from a class of the Java core that is not on the
  classpath."
  [^Throwable e]
  (some (fn [^Throwable c]
          (and (or (instance? ClassNotFoundException c) (instance? NoClassDefFoundError c))
               (re-find #"datastar[./]wow[./]deacon[./][A-Z]" (str (.getMessage c)))))
        (take-while some? (iterate #(.getCause ^Throwable %) e))))

(defn- load!
  "Requires namespace `n`; a missing Java core is said in words. (The error
  carries no cause: the Clojure CLI reports an error's root cause, which would
  hide the words.)"
  [n]
  (try
    (require n)
    (catch Throwable e
      (if (java-core-missing? e)
        (throw (ex-info (str "The Java core is not compiled: run `clj -T:build compile-java` first"
                             " (it writes target/classes, which deps.edn puts on the classpath).")
                        {:namespace n :error (str e)}))
        (throw e)))))

(defn- run-vars
  "Runs test vars `vars` (fixtures included) as clojure.test's `run-tests`
  runs namespaces, and returns the summary."
  [vars]
  (binding [t/*report-counters* (ref t/*initial-report-counters*)]
    (doseq [[the-ns vs] (group-by (comp :ns meta) vars)]
      (t/do-report {:type :begin-test-ns :ns the-ns})
      (t/test-vars vs))
    (let [summary (assoc @t/*report-counters* :type :summary)]
      (t/do-report summary)
      summary)))

(defn run-tests
  "Loads and runs the selected tests (see the namespace's option table);
  returns clojure.test's summary map (`:test :pass :fail :error`)."
  [{:keys [dirs nses vars]}]
  (let [vars (seq vars)
        nses (cond vars (distinct (map (comp symbol namespace symbol) vars))
                   (seq nses) (map symbol nses)
                   :else (test-namespaces (or (seq dirs) default-dirs)))]
    (when (empty? nses)
      (throw (ex-info (str "No test namespace found under " (pr-str (or (seq dirs) default-dirs))) {})))
    (run! load! nses)
    (if vars
      (run-vars (map (fn [v] (or (resolve (symbol v))
                                 (throw (ex-info (str "No such test var: " v) {:var v}))))
                     vars))
      (apply t/run-tests nses))))

(defn run
  "Entry point of `clj -X:test`: runs the tests and throws when any failed or
  erred, so that the command exits non-zero."
  [opts]
  (let [{:keys [fail error] :as summary} (run-tests opts)]
    (when (pos? (+ fail error))
      (throw (ex-info (str "Tests failed: " fail " failures, " error " errors.")
                      (select-keys summary [:test :pass :fail :error]))))
    summary))

(defn parse-args
  "The options of the command-line arguments of `clj -M:test`: `-d DIR`,
  `-n NS` and `-v VAR`, each any number of times."
  [args]
  (loop [opts {} [flag value & more :as args] args]
    (cond
      (empty? args) opts
      (nil? value) (throw (ex-info (str "Missing value after " flag) {:arg flag}))
      :else (let [k (case flag "-d" :dirs "-n" :nses "-v" :vars
                          (throw (ex-info (str "Unknown option " flag "; use -d DIR, -n NS or -v VAR")
                                          {:arg flag})))]
              (recur (update opts k (fnil conj []) value) more)))))

(defn -main
  "Entry point of `clj -M:test`: exits 0 when every test passed, 1 otherwise."
  [& args]
  (let [{:keys [fail error]} (run-tests (parse-args args))]
    (shutdown-agents)
    (System/exit (if (zero? (+ fail error)) 0 1))))
