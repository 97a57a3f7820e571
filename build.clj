(ns build
  "Compiles the Java core for Clojure CLI users: `clj -T:build compile-java`.
  Maven users never need this; `mvn install` builds the same classes."
  (:require [clojure.tools.build.api :as b]))

(def ^:private java-opts
  ["--release" "11" "-Xlint:all" "-Werror" "-encoding" "UTF-8"])

(defn- pom-property
  "The value of property `name` in pom.xml."
  [name]
  (second (re-find (re-pattern (str "<" name ">([^<]+)</" name ">")) (slurp "pom.xml"))))

(defn compile-java
  "Compile src/java into `:class-dir` (default target/classes), with the file
  that names the Lettuce version, as Maven's resource filtering writes it."
  [{:keys [class-dir] :or {class-dir "target/classes"}}]
  (b/javac {:src-dirs   ["src/java"]
            :class-dir  class-dir
            ;; :cluster puts Lettuce on the compile classpath only (see deps.edn)
            :basis      (b/create-basis {:project "deps.edn" :aliases [:cluster]})
            :javac-opts java-opts})
  (let [file (java.io.File. (str class-dir "/datastar/wow/deacon/cluster/lettuce.version"))]
    (.mkdirs (.getParentFile file))
    (spit file (str (pom-property "lettuce.version") "\n"))))
