(ns datastar.wow.deacon.packaging-test
  "Clojure CLI users get the library from deps.edn: its versions must match
  the pom, and its prep step (build.clj) must compile the Java core."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.test :refer [deftest is]])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(set! *warn-on-reflection* true)

(defn- pom-version [artifact]
  (let [pom (slurp "pom.xml")
        prop (second (re-find (re-pattern (str "<" artifact "\\.version>([^<]+)<")) pom))]
    prop))

(deftest deps-edn-names-the-pom's-runtime-versions
  (let [deps (:deps (edn/read-string (slurp "deps.edn")))]
    (is (= (pom-version "clojure") (get-in deps ['org.clojure/clojure :mvn/version])))
    (is (= (pom-version "caffeine") (get-in deps ['com.github.ben-manes.caffeine/caffeine :mvn/version])))
    (is (= 2 (count deps)) "runtime dependencies: Clojure and Caffeine only")))

(deftest the-prep-step-compiles-the-java-core
  (let [{:deps/keys [prep-lib] :keys [paths]} (edn/read-string (slurp "deps.edn"))
        dir (str (Files/createTempDirectory "deacon-prep" (make-array FileAttribute 0)))]
    (is (some #{(:ensure prep-lib)} paths) "the compiled classes are on the :paths")
    (load-file "build.clj")
    ((ns-resolve 'build (symbol (name (:fn prep-lib)))) {:class-dir dir})
    (doseq [class ["AtomStore" "CaffeineStore" "ConnectionInterceptor" "Deacon"]]
      (is (.exists (io/file dir "datastar/wow/deacon" (str class ".class"))) class))))
