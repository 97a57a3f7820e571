(ns build
  "Compiles the Java core for Clojure CLI users: `clj -T:build compile-java`.
  Maven users never need this; `mvn install` builds the same classes."
  (:require [clojure.tools.build.api :as b]))

(def ^:private java-opts
  ["--release" "11" "-Xlint:all" "-Werror" "-encoding" "UTF-8"])

(defn compile-java
  "Compile src/java into `:class-dir` (default target/classes)."
  [{:keys [class-dir] :or {class-dir "target/classes"}}]
  (b/javac {:src-dirs   ["src/java"]
            :class-dir  class-dir
            ;; :cluster puts Lettuce on the compile classpath only (see deps.edn)
            :basis      (b/create-basis {:project "deps.edn" :aliases [:cluster]})
            :javac-opts java-opts}))
