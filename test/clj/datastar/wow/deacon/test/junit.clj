(ns datastar.wow.deacon.test.junit
  "Runs clojure.test vars one at a time for the JUnit bridge
  (`datastar.wow.deacon.ClojureTests`), so that Surefire counts and reports
  each `deftest` as a test of its own."
  (:require [clojure.test :as t]))

(set! *warn-on-reflection* true)

(defn test-vars
  "Loads namespace `ns-sym` and returns its test vars in source order."
  [ns-sym]
  (require ns-sym)
  (->> (vals (ns-interns ns-sym))
       (filter (comp :test meta))
       (sort-by (comp :line meta))
       vec))

(defn run
  "Runs test var `v` with its namespace's fixtures. Returns nil when it passed,
  else `{:report text :cause throwable-or-nil}` with clojure.test's own report
  of every failure and error."
  [v]
  (let [original t/report
        out      (java.io.StringWriter.)
        problems (atom [])]
    (binding [t/report (fn [m]
                         (when (#{:fail :error} (:type m))
                           (swap! problems conj m)
                           (binding [t/*test-out* out]
                             (original m))))]
      (t/test-vars [v]))
    (when (seq @problems)
      {:report (str out)
       :cause  (some #(when (instance? Throwable (:actual %)) (:actual %)) @problems)})))
