(ns datastar.wow.deacon.runner-test
  "The Clojure CLI's test runner (`datastar.wow.deacon.test.runner`): which
  namespaces it finds, what it runs, and its exit code."
  (:require [clojure.java.io :as io]
            [clojure.java.shell :as sh]
            [clojure.string :as str]
            [clojure.test :as t :refer [deftest is testing]]
            [datastar.wow.deacon.test.runner :as runner])
  (:import (clojure.lang Compiler$CompilerException)
           (java.io File StringWriter)
           (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(set! *warn-on-reflection* true)

(defn- temp-dir []
  (str (Files/createTempDirectory "deacon-runner" (make-array FileAttribute 0))))

(defn- write! [dir path text]
  (let [f (io/file dir path)]
    (io/make-parents f)
    (spit f text)))

(defn- sample-tests
  "A directory of sample test namespaces: one passing, one failing, and a
  helper that is not a test namespace."
  []
  (doto (temp-dir)
    (write! "sample/passing_test.clj"
            "(ns sample.passing-test (:require [clojure.test :refer [deftest is]]))
             (deftest adds (is (= 2 (+ 1 1))))
             (deftest subtracts (is (= 0 (- 1 1))))")
    (write! "sample/deeper/failing_test.clj"
            "(ns sample.deeper.failing-test (:require [clojure.test :refer [deftest is]]))
             (deftest fails (is (= 3 (+ 1 1))))")
    (write! "sample/helper.clj" "(ns sample.helper)")))

(deftest finds-the-files-ending-in-_test
  (is (= '[sample.deeper.failing-test sample.passing-test]
         (runner/test-namespaces [(sample-tests)])))
  (is (some #{'datastar.wow.deacon.runner-test} (runner/test-namespaces runner/default-dirs))
      "this very namespace, under the default directory"))

(deftest parses-the-main-arguments
  (is (= {:dirs ["a" "b"] :nses ["x.y"] :vars ["x.y/z"]}
         (runner/parse-args ["-d" "a" "-n" "x.y" "-d" "b" "-v" "x.y/z"])))
  (is (= {} (runner/parse-args [])))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"Unknown option -x" (runner/parse-args ["-x" "1"])))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"Missing value after -d" (runner/parse-args ["-d"]))))

(defn- quietly
  "Calls `f` with clojure.test's own report, sent to a string, whatever the
  enclosing run has bound (the JUnit bridge rebinds `report`); returns `[value
  text]` where value is what `f` returned."
  [f]
  (let [out (StringWriter.)]
    (binding [t/report (.getRawRoot #'t/report)
              t/*test-out* out
              t/*report-counters* nil]
      [(f) (str out)])))

(defn- in-memory-tests
  "Defines namespace sample.in-memory with tests `one` and `two`, which record
  in its atom `ran` that they ran; returns that atom."
  []
  (binding [*ns* *ns*]
    (eval '(do (ns sample.in-memory (:require [clojure.test :refer [deftest is]]))
               (def ran (atom []))
               (deftest one (swap! ran conj :one) (is true))
               (deftest two (swap! ran conj :two) (is true)))))
  @(resolve 'sample.in-memory/ran))

(deftest runs-only-the-vars-asked-for
  (let [ran (in-memory-tests)
        [summary text] (quietly #(runner/run-tests {:vars ['sample.in-memory/two]}))]
    (is (= [:two] @ran))
    (is (= {:test 1 :pass 1 :fail 0 :error 0} (select-keys summary [:test :pass :fail :error])))
    (is (str/includes? text "Testing sample.in-memory") text)
    (is (str/includes? text "Ran 1 tests") text))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"No such test var"
                        (first (quietly #(runner/run-tests {:vars ['sample.in-memory/nope]})))))
  (remove-ns 'sample.in-memory))

(deftest a-missing-java-core-is-said-in-words
  (let [missing (Compiler$CompilerException. "x.clj" 1 1
                                             (ClassNotFoundException. "datastar.wow.deacon.AtomStore"))]
    (is (#'runner/java-core-missing? missing))
    (is (not (#'runner/java-core-missing? (ClassNotFoundException. "org.example.Other"))))
    (is (not (#'runner/java-core-missing? (IllegalStateException. "datastar.wow.deacon.AtomStore"))))))

(defn- main
  "Runs the runner's -main in a new JVM with `dir` on the classpath; returns
  `{:exit n :out text}`."
  [dir & args]
  (let [java (str (io/file (System/getProperty "java.home") "bin" "java"))
        cp   (str/join File/pathSeparator [dir "test/clj" (System/getProperty "java.class.path")])
        {:keys [exit out err]} (apply sh/sh java "-cp" cp "clojure.main" "-m" "datastar.wow.deacon.test.runner" args)]
    {:exit exit :out (str out err)}))

(deftest main-exits-non-zero-when-a-test-fails
  (let [dir (sample-tests)]
    (testing "every namespace of the directory: one fails"
      (let [{:keys [exit out]} (main dir "-d" dir)]
        (is (= 1 exit) out)
        (is (str/includes? out "FAIL in (fails)") out)
        (is (str/includes? out "Ran 3 tests containing 3 assertions.") out)
        (is (str/includes? out "1 failures, 0 errors.") out)))
    (testing "only the passing namespace"
      (let [{:keys [exit out]} (main dir "-n" "sample.passing-test")]
        (is (= 0 exit) out)
        (is (str/includes? out "Ran 2 tests containing 2 assertions.") out)))))

(deftest run-throws-when-a-test-fails
  (let [dir (sample-tests)]
    ;; loaded from the temp directory by path, since it is not on this JVM's classpath
    (load-file (str (io/file dir "sample/deeper/failing_test.clj")))
    (let [[e text] (quietly #(try (runner/run {:nses ['sample.deeper.failing-test]})
                                  nil
                                  (catch clojure.lang.ExceptionInfo e e)))]
      (is (= "Tests failed: 1 failures, 0 errors." (ex-message e)) text)
      (is (= {:test 1 :pass 0 :fail 1 :error 0} (ex-data e))))
    (remove-ns 'sample.deeper.failing-test)))
