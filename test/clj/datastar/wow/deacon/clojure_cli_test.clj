(ns datastar.wow.deacon.clojure-cli-test
  "`clj -X:test` (deps.edn, alias `:test`) must have what the tests need:
  every namespace and class the test code requires or imports, and what the
  files it loads with `load-file` require (build.clj), comes from the project's
  own paths, the JDK, or an artifact that deps.edn names, from Maven Central
  (a :mvn/version, no git or local dependency). Checked here, in `mvn verify`,
  because the Clojure CLI is not part of the build."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]])
  (:import (java.io File PushbackReader)
           (java.net URL)))

(set! *warn-on-reflection* true)

(def ^:private deps (edn/read-string (slurp "deps.edn")))
(def ^:private test-alias (get-in deps [:aliases :test]))

(defn- clj-files [dir]
  (->> (file-seq (io/file dir))
       (filter #(str/ends-with? (.getName ^File %) ".clj"))
       (sort-by str)))

(defn- ns-form
  "The first form of `file`, read as data."
  [file]
  (with-open [r (PushbackReader. (io/reader file))]
    (binding [*read-eval* false]
      (read {:read-cond :allow} r))))

(defn- libspec-namespaces
  "The namespace symbols named by one `:require` entry (a symbol, a vector, or
  a prefix list)."
  [spec]
  (cond
    (symbol? spec) [spec]
    ;; [n :as-alias a] loads nothing
    (and (vector? spec) (symbol? (first spec)))
    (if (= [:as-alias] (filter #{:as :as-alias :refer} (rest spec))) [] [(first spec)])
    (seq? spec) (let [[prefix & more] spec]
                  (for [s more
                        n (libspec-namespaces s)]
                    (symbol (str prefix "." n))))
    :else []))

(defn- import-classes
  "The class names named by one `:import` entry."
  [spec]
  (cond
    (symbol? spec) [(str spec)]
    (sequential? spec) (let [[pkg & classes] spec] (map #(str pkg "." %) classes))
    :else []))

(defn- uses
  "`{:requires #{ns-sym} :imports #{class-name}}` of the ns form of `file`."
  [file]
  (let [clauses (filter seq? (drop 2 (ns-form file)))
        of      (fn [k] (mapcat rest (filter #(= k (first %)) clauses)))]
    {:requires (set (mapcat libspec-namespaces (of :require)))
     :imports  (set (mapcat import-classes (of :import)))}))

(defn- loaded-files
  "Files that `file` loads by a literal `(load-file \"...\")`."
  [file]
  (map second (re-seq #"\(load-file \"([^\"]+)\"\)" (slurp file))))

(defn- test-code
  "Every .clj file of the test paths, and the files they load."
  []
  (let [files (clj-files "test/clj")]
    (distinct (concat files (map io/file (mapcat loaded-files files))))))

(defn- project-paths
  "The directories `clj -X:test` puts on the classpath."
  []
  (concat (:paths deps) (:extra-paths test-alias)))

(defn- in-project?
  "True when `resource` (a path such as \"demo/view.clj\") is under one of
  the project's classpath directories, or is a class of the Java core, which
  `clj -T:build compile-java` compiles from src/java into target/classes."
  [resource]
  (or (some #(.isFile (io/file % resource)) (project-paths))
      (and (str/ends-with? resource ".class")
           (some #{"target/classes"} (project-paths))
           (.isFile (io/file "src/java" (str/replace resource #"(\$.*)?\.class$" ".java"))))))

(def ^:private bundled-with-clojure
  "What org.clojure/clojure itself depends on."
  '#{org.clojure/spec.alpha org.clojure/core.specs.alpha})

(defn- named-artifacts
  "The libs `clj -X:test` has by name: the project's deps, the alias's extra
  deps, and what Clojure brings."
  []
  (set (concat (keys (:deps deps)) (keys (:extra-deps test-alias)) bundled-with-clojure)))

(defn- artifact-of
  "Where the resource at `url` comes from: :jdk for the JDK's own classes, the
  lib symbol of the named artifact whose jar holds it (a Maven repository
  keeps group/artifact/version/artifact-version.jar), or `[:unnamed url]`."
  [^URL url]
  (let [s (str url)]
    (if (str/starts-with? s "jrt:")
      :jdk
      (or (first (for [lib (named-artifacts)
                       :let [dir (str "/" (str/replace (namespace lib) "." "/") "/" (name lib) "/")]
                       :when (and (str/includes? s dir)
                                  (re-find (re-pattern (str (java.util.regex.Pattern/quote dir) "[^/]+/"
                                                            (java.util.regex.Pattern/quote (name lib)) "-[^/]*\\.jar!"))
                                           s))]
                   lib))
          [:unnamed s]))))

(defn- ns-resource
  "The resource path of namespace `n` (its .clj, .cljc or AOT class) found in
  the project or on the classpath; nil when there is none."
  [n]
  (let [base (-> (str n) (str/replace "-" "_") (str/replace "." "/"))]
    (first (filter #(or (in-project? %) (io/resource %)) (map #(str base %) [".clj" ".cljc" "__init.class"])))))

(defn- class-resource [class-name]
  (str (str/replace class-name "." "/") ".class"))

(defn- origin
  "Where resource `r` comes from for `clj -X:test`: :project, :jdk, a lib
  symbol, or `[:unknown r]`."
  [r]
  (cond
    (in-project? r)    :project
    :else              (if-let [url (io/resource r)] (artifact-of url) [:not-found r])))

(deftest the-test-alias-names-what-the-tests-require
  (let [named (named-artifacts)]
    (doseq [^File f (test-code)
            :let [{:keys [requires imports]} (uses f)]]
      (testing (str f)
        (doseq [n requires
                :let [r (ns-resource n)
                      o (if r (origin r) [:not-found n])]]
          (is (or (= :project o) (contains? named o))
              (str n " comes from " (pr-str o) ": add it to deps.edn's :test alias")))
        (doseq [c imports
                :let [o (origin (class-resource c))]]
          (is (or (#{:project :jdk} o) (contains? named o))
              (str c " comes from " (pr-str o) ": add it to deps.edn's :test alias")))))))

(deftest the-check-knows-where-things-come-from
  ;; tools.build (for build.clj) is what the :test alias once lacked
  (is (= 'io.github.clojure/tools.build (origin (ns-resource 'clojure.tools.build.api))))
  (is (= 'org.clojure/test.check (origin (ns-resource 'clojure.test.check.generators))))
  (is (= :project (origin (ns-resource 'demo.view))))
  (let [java-class (->> (file-seq (io/file "src/java")) (map str) (filter #(str/ends-with? % ".java")) first)]
    (is (= :project (origin (class-resource (-> java-class (subs (count "src/java/")) (str/replace #"\.java$" "")
                                                (str/replace "/" ".")))))
        java-class))
  (is (= [:not-found "org/example/Nothing.class"] (origin (class-resource "org.example.Nothing"))))
  (is (= :jdk (origin (class-resource "java.time.Duration"))))
  (is (some #{"build.clj"} (map str (test-code))) "files loaded with load-file are followed")
  (is (= '#{clojure.string clojure.set x.y.z} (set (mapcat libspec-namespaces '[clojure.string [clojure.set :as s] (x.y z)])))))

(deftest the-test-alias-needs-only-maven-central
  (doseq [[lib coord] (:extra-deps test-alias)]
    (is (= [:mvn/version] (keys coord)) (str lib " must be a Maven Central :mvn/version dependency"))))

(deftest the-test-alias-runs-the-project's-runner
  (let [runner-file (fn [sym] (-> (namespace sym) (str/replace "-" "_") (str/replace "." "/") (str ".clj")))
        main-ns     (second (drop-while #(not= "-m" %) (:main-opts test-alias)))]
    (is (in-project? (runner-file (:exec-fn test-alias))) (str (:exec-fn test-alias)))
    (is (in-project? (runner-file (symbol main-ns "-main"))) main-ns)
    (is (= ["test/clj"] (:dirs (:exec-args test-alias))))))

(deftest the-test-alias-and-the-pom-agree-on-versions
  (let [pom (slurp "pom.xml")]
    (doseq [[lib {:mvn/keys [version]}] (:extra-deps test-alias)]
      (is (re-find (re-pattern (str "<artifactId>" (name lib) "</artifactId>\\s*<version>"
                                    (java.util.regex.Pattern/quote version) "</version>"))
                   pom)
          (str lib " " version " is the pom's version")))
    (is (= (get-in deps [:aliases :build :deps 'io.github.clojure/tools.build])
           (get-in test-alias [:extra-deps 'io.github.clojure/tools.build]))
        "the :build and :test aliases use one tools.build")))
