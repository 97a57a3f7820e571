(ns datastar.wow.deacon.http-kit-version-test
  "The warning about an http-kit older than 2.9.0-beta4: which versions warn,
  where the version is read from, that it is logged once at WARNING on the
  library's logger, and that loading `datastar.wow.deacon` is what logs it."
  (:require [clojure.java.io :as io]
            [clojure.java.shell :as sh]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon.http-kit-version :as hkv]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]])
  (:import (java.io File)
           (java.net URL URLClassLoader)
           (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(set! *warn-on-reflection* true)

(deftest which-versions-warn
  (doseq [v ["2.8.0" "2.8.1" "2.9.0-alpha1" "2.9.0-alpha6" "2.9.0-beta1" "2.9.0-beta2" "2.9.0-beta3"
             "2.7.0-RC1" "1.0.0"]]
    (is (true? (hkv/older-than-fixed? v)) v)
    (is (str/includes? (str (hkv/warning v)) (str "http-kit " v " is on the classpath")) v))
  (doseq [v ["2.9.0-beta4" "2.9.0-beta10" "2.9.0-RC1" "2.9.0-rc2" "2.9.0" "2.9.1" "2.10.0" "3.0.0-alpha1"]]
    (is (false? (hkv/older-than-fixed? v)) v)
    (is (nil? (hkv/warning v)) v))
  (testing "a version it cannot read warns about nothing"
    (doseq [v [nil "" "2.9.0-SNAPSHOT" "2.9.0-beta3-SNAPSHOT" "2.9" "two" 290]]
      (is (nil? (hkv/parse v)) (pr-str v))
      (is (nil? (hkv/warning v)) (pr-str v)))))

(deftest versions-compare-as-versions
  (is (= [2 9 0 1 4] (hkv/parse "2.9.0-beta4")))
  (is (= [2 9 0 3 0] (hkv/parse "2.9.0")))
  (is (= (sort-by hkv/parse ["2.10.0" "2.9.0" "2.9.0-RC1" "2.9.0-beta10" "2.9.0-beta4" "2.9.0-alpha1" "2.8.1"])
         ["2.8.1" "2.9.0-alpha1" "2.9.0-beta4" "2.9.0-beta10" "2.9.0-RC1" "2.9.0" "2.10.0"])))

(defn- temp-dir ^File []
  (.toFile (Files/createTempDirectory "deacon-http-kit" (make-array FileAttribute 0))))

(defn- with-pom-properties
  "A directory holding http-kit's pom.properties with `text`."
  ^File [text]
  (let [dir (temp-dir)
        f   (io/file dir hkv/resource-path)]
    (io/make-parents f)
    (spit f text)
    dir))

(defn- loader ^ClassLoader [^File dir]
  (URLClassLoader. (into-array URL [(.toURL (.toURI dir))]) nil))

(deftest the-version-is-read-from-http-kit's-pom-properties
  (is (= "2.9.0-beta3"
         (hkv/version (loader (with-pom-properties "#Leiningen\ngroupId=http-kit\nartifactId=http-kit\nversion=2.9.0-beta3\n"))))
      "as Leiningen writes it into http-kit's jar")
  (is (nil? (hkv/version (loader (temp-dir)))) "no http-kit: no version")
  (is (nil? (hkv/version (loader (with-pom-properties "groupId=http-kit\n")))) "no version line")
  (is (nil? (hkv/version)) "the test classpath has http-kit's signature stubs, not its jar"))

(deftest it-warns-once-at-warning-on-the-library's-logger
  (with-captured-logs [logs]
    (let [once (atom false)]
      (is (nil? (hkv/warn-once! "2.9.0-beta4" once)) "a fixed release: nothing")
      (is (nil? (hkv/warn-once! nil once)) "no http-kit: nothing")
      (is (= [] @logs))
      (let [message (hkv/warn-once! "2.9.0-beta3" once)]
        (is (str/includes? message "2.9.0-beta4 or newer"))
        (is (nil? (hkv/warn-once! "2.9.0-beta3" once)) "once")
        (is (nil? (hkv/warn-once! "2.8.1" once)) "once, whatever the version")
        (is (= [{:level :warning :logger "datastar.wow.deacon" :message message :thrown nil}] @logs))))))

(defn- run-fresh
  "Evaluates `form` in a new JVM whose classpath is `dir` followed by this
  JVM's; returns what it wrote to *err* and *out*."
  [^File dir form]
  (let [java (str (io/file (System/getProperty "java.home") "bin" "java"))
        cp   (str dir File/pathSeparator (System/getProperty "java.class.path"))
        {:keys [exit err out]} (sh/sh java "-cp" cp "clojure.main" "-e" (pr-str form))]
    (is (zero? (long exit)) err)
    (str err out)))

(deftest loading-the-library-warns-once-about-an-old-http-kit
  (let [text (run-fresh (with-pom-properties "version=2.9.0-beta3\n")
                        '(do (require 'datastar.wow.deacon)
                             (require 'datastar.wow.deacon :reload-all)
                             (println "loaded")))]
    (is (str/includes? text "loaded"))
    (is (= 1 (count (re-seq #"WARNING: datastar\.wow\.deacon: http-kit 2\.9\.0-beta3 is on the classpath" text)))
        text)))
