(ns datastar.wow.deacon.http-kit-version
  "A warning, logged once, when the http-kit on the classpath is older than
  2.9.0-beta4.

  http-kit 2.9.0-beta3 misses the close of an SSE stream that arrives on a
  keep-alive connection whose previous SSE response the server closed, and
  the stream's sends keep answering true, so no heartbeat removes it: its key
  stays stored. 2.9.0-beta4 delivers that close.

  http-kit is built with Leiningen, whose jars carry
  `META-INF/maven/http-kit/http-kit/pom.properties` with a `version=` line;
  that is where the version is read. No such resource (no http-kit, or a jar
  built otherwise) or a version this namespace cannot read means no warning:
  it warns only about what it knows."
  (:require [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.io Reader)
           (java.lang System$Logger System$Logger$Level)
           (java.util Properties)))

(set! *warn-on-reflection* true)
(set! *unchecked-math* :warn-on-boxed)

(def resource-path
  "Where http-kit's jar keeps its Maven coordinates."
  "META-INF/maven/http-kit/http-kit/pom.properties")

(def first-fixed
  "The first http-kit release that delivers every close the demo depends on."
  "2.9.0-beta4")

(def ^:private qualifier-rank
  {"alpha" 0 "beta" 1 "rc" 2 nil 3})

(defn parse
  "Version text `v` as a vector that compares as versions do:
  `[major minor patch rank n]`, where rank orders alpha < beta < RC < the
  release, and n is the qualifier's number (`\"2.9.0-beta4\"` is
  `[2 9 0 1 4]`, `\"2.9.0\"` is `[2 9 0 3 0]`). nil for anything else (a
  SNAPSHOT, another qualifier, not a version)."
  [v]
  (when (string? v)
    (when-let [[_ major minor patch qualifier n]
               (re-matches #"(\d{1,9})\.(\d{1,9})\.(\d{1,9})(?:-(?i:(alpha|beta|rc))(\d{0,9}))?" v)]
      (let [q (some-> qualifier str/lower-case)]
        [(Long/parseLong major) (Long/parseLong minor) (Long/parseLong patch)
         (qualifier-rank q)
         (if (seq n) (Long/parseLong n) 0)]))))

(defn older-than-fixed?
  "True when http-kit version `v` is one that misses closes (older than
  `first-fixed`); false for `first-fixed` and newer, and for a version
  `parse` cannot read."
  [v]
  (if-let [parsed (parse v)]
    (neg? (compare parsed (parse first-fixed)))
    false))

(defn version
  "The version of http-kit that `loader` (a ClassLoader; default Clojure's
  base loader) finds, from its jar's pom.properties, or nil."
  ([] (version (clojure.lang.RT/baseLoader)))
  ([^ClassLoader loader]
   (when-let [url (.getResource loader ^String resource-path)]
     (try
       (with-open [^Reader r (io/reader url)]
         (let [p (Properties.)]
           (.load p r)
           (.getProperty p "version")))
       (catch java.io.IOException _ nil)))))

(defn warning
  "The warning for http-kit version `v`, or nil when there is nothing to
  warn about."
  [v]
  (when (older-than-fixed? v)
    (str "datastar.wow.deacon: http-kit " v " is on the classpath; releases before " first-fixed
         " miss the close of an SSE stream that arrives on a keep-alive connection whose previous"
         " SSE response the server closed, and its sends keep answering true, so no heartbeat"
         " removes it: its key stays stored (and a timer sending to it runs on). Use http-kit "
         first-fixed " or newer.")))

(defonce ^:private warned (atom false))

(defn warn-once!
  "Logs `(warning v)` at WARNING on the `datastar.wow.deacon` System.Logger,
  the first time it is called with a version to warn about, for `v` (default:
  the http-kit on the classpath, see `version`). `once` is an atom holding
  whether it already warned (default this namespace's own). Returns the
  message logged, or nil."
  ([] (warn-once! (version) warned))
  ([v once]
   (when-let [message (warning v)]
     (when (compare-and-set! once false true)
       (.log ^System$Logger (System/getLogger "datastar.wow.deacon") System$Logger$Level/WARNING
             ^String message)
       message))))
