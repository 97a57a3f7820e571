(ns datastar.wow.deacon.docs-test
  "Every fenced code block of README.md and doc/*.md runs.

  A block whose fence follows the line `<!-- fragment: reason -->` (a
  non-empty reason: a shell command, a deps entry, a REPL transcript, a
  snippet that needs a Redis) is skipped. A block whose fence follows
  `<!-- output: reason -->` is what the ```java block just before it prints:
  the test runs that block and compares. Every other block is ```clojure or
  ```java:

  - the Clojure blocks of one file are evaluated in order, form by form, in
    one fresh namespace, so a later block may use what an earlier one defined
    (a block's `ns` form switches the namespace for the blocks after it);
  - a Java block is compiled with the JDK's compiler against the test
    classpath, into target/docs-test, and run: a class with a `main` as it
    is, and statements (after any imports) as the body of a `main`; when an
    output block follows it, what it prints must be that block's text.

  datastar.wow and the Datastar SDK are the working stand-ins of test/clj.
  A failure names the file and line of the block and the error."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing use-fixtures]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (clojure.lang LineNumberingPushbackReader)
           (java.io ByteArrayOutputStream File PrintStream StringReader)
           (java.lang.reflect InvocationTargetException Method)
           (java.net URL URLClassLoader)
           (java.util Locale)
           (javax.tools Diagnostic Diagnostic$Kind DiagnosticCollector JavaCompiler
                        StandardJavaFileManager ToolProvider)))

(set! *warn-on-reflection* true)

;;; Blocks

(defn doc-files
  "README.md and every .md file of doc/, sorted, as paths relative to the
  project root."
  []
  (cons "README.md"
        (->> (.listFiles (io/file "doc"))
             (map #(.getName ^File %))
             (filter #(str/ends-with? % ".md"))
             sort
             (map #(str "doc/" %)))))

(def ^:private fragment-marker #"^\s*<!--\s*fragment\b(.*?)-->\s*$")

(def ^:private output-marker #"^\s*<!--\s*output\b.*-->\s*$")

(defn blocks
  "The fenced code blocks of markdown `text`, read from file `file`, in order:
  `{:file :line (the opening fence's) :lang :code :fragment reason-or-nil}`.
  `:fragment` is `\"\"` for a marker without a reason; a block after an
  output marker has `:output? true`; a fence never closed makes a block with
  `:unclosed? true`."
  [file text]
  (let [lines (vec (str/split-lines text))]
    (loop [i 0 out []]
      (if (>= i (count lines))
        out
        (if-let [[_ lang] (re-matches #"^```\s*(\S*)\s*$" (nth lines i))]
          (let [end    (first (filter #(re-matches #"^```\s*$" (nth lines %))
                                      (range (inc i) (count lines))))
                marker (when (pos? i) (re-matches fragment-marker (nth lines (dec i))))
                output (and (pos? i) (re-matches output-marker (nth lines (dec i))))
                reason (when marker
                         (str/trim (str/replace-first (second marker) #"^\s*:" "")))]
            (recur (long (if end (inc (long end)) (count lines)))
                   (conj out (cond-> {:file     file
                                      :line     (inc i)
                                      :lang     lang
                                      :code     (str/join "\n" (subvec lines (inc i) (or end (count lines))))
                                      :fragment reason}
                               output     (assoc :output? true)
                               (nil? end) (assoc :unclosed? true)))))
          (recur (inc i) out))))))

(defn file-blocks
  "The fenced code blocks of markdown file `file` (see `blocks`)."
  [file]
  (blocks file (slurp file)))

(defn- before-each
  "For each of `blocks`, the last block before it that is not a fragment (a
  shell command may stand between a Java block and its output), or nil."
  [blocks]
  (reductions (fn [last-runnable b] (if (:fragment b) last-runnable b))
              nil
              (butlast blocks)))

(defn marking-problems
  "What is wrong with how `blocks` are marked: a fence never closed, a
  fragment marker without a reason, an output block that does not follow a
  ```java block, a block neither a fragment, an output nor ```clojure or
  ```java. One message per problem, naming file and line."
  [blocks]
  (keep (fn [[before {:keys [file line lang fragment unclosed? output?]}]]
          (cond
            unclosed? (str file ":" line ": the fence is never closed")
            (= "" fragment) (str file ":" line ": a fragment marker needs a reason: <!-- fragment: reason -->")
            fragment nil
            output? (when-not (and (= "java" (:lang before)) (nil? (:fragment before)) (not (:output? before)))
                      (str file ":" line ": an output block must follow the ```java block whose output it is"))
            (#{"clojure" "java"} lang) nil
            :else (str file ":" line ": a ```" lang " block must be ```clojure or ```java,"
                       " or follow <!-- fragment: reason --> or <!-- output: reason -->")))
        (map vector (before-each blocks) blocks)))

(defn- runnable
  "The blocks of `lang` that run; a Java block followed by an output block
  (fragments between them aside) gets its text as `:expected-output`."
  [blocks lang]
  (let [outputs (into {} (for [[before b] (map vector (before-each blocks) blocks)
                               :when (and before (:output? b))]
                           [(:line before) (:code b)]))]
    (keep (fn [b]
            (when (and (= lang (:lang b)) (nil? (:fragment b)) (not (:unclosed? b)) (not (:output? b)))
              (cond-> b
                (contains? outputs (:line b)) (assoc :expected-output (get outputs (:line b))))))
          blocks)))

(defn- causes [^Throwable e]
  (->> (iterate #(.getCause ^Throwable %) e)
       (take-while some?)
       (map #(str (.getName (class %)) ": " (.getMessage ^Throwable %)))
       distinct
       (str/join "\n  caused by ")))

;;; Clojure blocks

(defn- fresh-ns [file]
  (let [n (create-ns (symbol (str "docs-test." (str/replace file #"[^A-Za-z0-9]+" "-")
                                  "-" (System/nanoTime))))]
    (binding [*ns* n] (refer-clojure))
    n))

(defn eval-clojure
  "Evaluates `blocks` (Clojure, of one file, in order) form by form in one
  fresh namespace. Returns `{:ns ns-at-the-end :evaluated n :problems
  [message]}`; evaluation stops at the first error, reported with the file
  and line of the form and of its block."
  [blocks]
  (let [n0 (fresh-ns (:file (first blocks) "none"))]
    (loop [[{:keys [file line code]} & more :as todo] blocks
           n n0
           done 0]
      (if (empty? todo)
        {:ns n :evaluated done :problems []}
        (let [rdr   (doto (LineNumberingPushbackReader. (StringReader. code))
                      (.setLineNumber (inc (long line))))
              state (volatile! n)
              error (binding [*ns* n *file* file]
                      (try
                        (loop []
                          (let [form-line (.getLineNumber rdr)
                                form      (try (read {:eof ::eof :read-cond :allow} rdr)
                                               (catch Exception e (throw (ex-info "read" {:line form-line} e))))]
                            (when-not (= ::eof form)
                              (try (eval form)
                                   (catch Throwable e
                                     (throw (ex-info "eval" {:line (:line (meta form) form-line)} e))))
                              (recur))))
                        (vreset! state *ns*)
                        nil
                        (catch clojure.lang.ExceptionInfo e
                          (str file ":" (:line (ex-data e)) " (the block at line " line "): "
                               (causes (or (ex-cause e) e))))))]
          (if error
            {:ns @state :evaluated done :problems [error]}
            (recur more @state (inc done))))))))

;;; Java blocks

(defn- test-classpath []
  (or (System/getProperty "surefire.test.class.path")
      (System/getProperty "java.class.path")))

(defn java-source
  "`{:class name :source text}` for Java `code` of a block: a class with a
  `main` method as it is, else a class named `default-name` whose `main`
  holds the code, its imports hoisted above the class. Every line of the
  code keeps its line number in the source."
  [code default-name]
  (let [klass (second (re-find #"(?m)^\s*(?:public\s+)?(?:final\s+)?class\s+(\w+)" code))]
    (if (and klass (re-find #"static\s+void\s+main\s*\(" code))
      {:class klass :source code}
      (let [lines   (vec (str/split-lines code))
            import? #(re-matches #"\s*import\s+[^;]+;\s*" %)
            imports (str/join " " (map str/trim (filter import? lines)))
            body    (mapv #(if (import? %) "" %) lines)
            ;; the class opens on the first line of statements, after the imports
            at      (or (first (filter #(not (str/blank? (nth body %))) (range (count body)))) 0)
            header  (str imports (when (seq imports) " ")
                         "public class " default-name
                         " { public static void main(String[] args) throws Exception { ")]
        {:class  default-name
         :source (str (str/join "\n" (update (if (seq body) body [""]) at #(str header %)))
                      "\n}}\n")}))))

(defn- delete-tree [^File f]
  (when (.isDirectory f)
    (run! delete-tree (.listFiles f)))
  (.delete f))

(def ^:private out-lock (Object.))

(defn- printed-by
  "What `(f)` prints to System.out, which goes to a buffer meanwhile."
  ^String [f]
  (locking out-lock
    (let [saved  System/out
          buffer (ByteArrayOutputStream.)]
      (System/setOut (PrintStream. buffer true "UTF-8"))
      (try (f)
           (finally (System/setOut saved)))
      (.toString buffer "UTF-8"))))

(defn- tidy
  "Text as printed, compared: Unix line ends, no trailing blank space."
  [s]
  (str/trimr (str/replace (str s) "\r\n" "\n")))

(defn run-java
  "Compiles the Java `block` against the test classpath into a directory of
  target/docs-test and runs its `main`. Returns nil, or a message naming the
  block's file and line and the error (compiler errors with their own
  lines), or, with `:expected-output`, what it printed when that differs."
  [{:keys [file line code expected-output]}]
  (let [label  (str file ":" line)
        name   (str "DocBlock_" (str/replace file #"[^A-Za-z0-9]+" "_") "_" line)
        {class-name :class source :source} (java-source code name)
        dir    (io/file "target" "docs-test" name)
        src    (io/file dir "src" (str class-name ".java"))
        out    (io/file dir "classes")
        _      (delete-tree dir)
        _      (io/make-parents src)
        _      (.mkdirs out)
        _      (spit src source)
        ^JavaCompiler javac (ToolProvider/getSystemJavaCompiler)
        diagnostics (DiagnosticCollector.)
        ^StandardJavaFileManager files (.getStandardFileManager javac diagnostics Locale/ROOT nil)
        ok?    (try
                 (.call (.getTask javac nil files diagnostics
                                  ["-classpath" (test-classpath) "-d" (str out) "-proc:none"
                                   "-encoding" "UTF-8" "-nowarn"]
                                  nil (.getJavaFileObjectsFromFiles files [src])))
                 (finally (.close files)))]
    (if-not ok?
      (str label " (Java, compiled as " src "): "
           (->> (.getDiagnostics diagnostics)
                (filter #(= Diagnostic$Kind/ERROR (.getKind ^Diagnostic %)))
                (map (fn [^Diagnostic d]
                       (str file ":" (+ (long line) (.getLineNumber d)) ": "
                            (.getMessage d Locale/ROOT))))
                (str/join "\n")))
      (with-open [loader (URLClassLoader. (into-array URL [(.toURL (.toURI out))])
                                          (.getClassLoader clojure.lang.RT))]
        (try
          (let [^Method main (.getMethod (.loadClass loader class-name) "main"
                                         (into-array Class [(class (make-array String 0))]))
                run          #(.invoke main nil (object-array [(make-array String 0)]))]
            (if (nil? expected-output)
              (do (run) nil)
              (let [printed (printed-by run)]
                (when-not (= (tidy expected-output) (tidy printed))
                  (str label " (Java, output): it printed\n" printed
                       "\nbut the output block after it says\n" expected-output)))))
          (catch InvocationTargetException e
            (str label " (Java, run): " (causes (.getCause e))))
          (catch Exception e
            (str label " (Java, run): " (causes e))))))))

;;; The tests

(defn- restoring-store-types
  "Runs `f`, then removes the `d*conn/store` methods it added (doc/extending.md
  defines a store type of its own), so that other tests see the built-in
  types only."
  [f]
  (let [before (set (keys (methods d*conn/store)))]
    (try (f)
         (finally
           (doseq [k (keys (methods d*conn/store))
                   :when (not (contains? before k))]
             (remove-method d*conn/store k))))))

(use-fixtures :each restoring-store-types)

(deftest every-block-is-clojure-java-or-a-marked-fragment
  (doseq [file (doc-files)]
    (is (= [] (marking-problems (file-blocks file))) file)))

(deftest clojure-blocks-run
  (doseq [file (doc-files)
          :let [bs (runnable (file-blocks file) "clojure")]
          :when (seq bs)]
    (testing file
      (is (= [] (:problems (eval-clojure bs)))))))

(deftest java-blocks-compile-and-run
  (doseq [file (doc-files)
          block (runnable (file-blocks file) "java")]
    (is (nil? (run-java block)))))

(deftest the-readme-quick-start-answers-requests
  ;; the handlers of the Clojure quick start, through its middleware
  (let [{:keys [ns problems]} (eval-clojure (runnable (file-blocks "README.md") "clojure"))]
    (is (= [] problems))
    (when (empty? problems)
      (let [the     #(deref (ns-resolve ns %))
            wrap    (the 'wrap-datastar)
            request #(wow/request {:session {:user-id "u1"}})
            tab1    ((wrap (the 'watch)) (request))
            tab2    ((wrap (the 'watch)) (request))
            liked   ((wrap (the 'like)) (request))
            feed    (keyword (str ns) "feed")]
        (is (= [200 200 204] (map :status [tab1 tab2 liked])))
        (is (= 2 (d*conn/connection-count (the 'store) ["u1" feed])))
        (is (= 2 (d*conn/send! (the 'store) ["u1" feed] [[:datastar.wow/patch-signals {:unread 3}]]))
            "from outside a request")
        (doseq [tab [tab1 tab2]]
          (is (= [[:datastar.wow/patch-signals {:liked true}] [:datastar.wow/patch-signals {:unread 3}]]
                 (wow/events (:body tab)))))
        (wow/close! (:body tab1))
        (is (= 1 (d*conn/connection-count (the 'store) ["u1" feed])) "a closed tab is removed")))))

(deftest the-check-fails-on-what-does-not-run
  (let [md (str "# t\n"                                   ; 1
                "```bash\nls\n```\n"                      ; 2-4
                "<!-- fragment: -->\n```clojure\n1\n```\n" ; 5-8
                "<!-- fragment: shell -->\n```sh\nls\n```\n" ; 9-12
                "```clojure\n(def a 1)\n```\n"            ; 13-15
                "```clojure\n(inc a)\n(undefined-thing a)\n```\n" ; 16-19
                "```java\nint x = \"s\";\n```\n"          ; 20-22
                "```java\nthrow new IllegalStateException(\"boom\");\n```\n" ; 23-25
                "```java\nimport java.util.List;\n\nList<String> l = List.of(\"a\");\nimport java.util.Set;\nif (l.size() != Set.of(1).size()) throw new AssertionError();\n```\n" ; 26-32
                "```clojure\n(oops\n")                    ; 33-
        bs (blocks "t.md" md)]
    (is (= ["t.md:2: a ```bash block must be ```clojure or ```java, or follow <!-- fragment: reason --> or <!-- output: reason -->"
            "t.md:6: a fragment marker needs a reason: <!-- fragment: reason -->"
            "t.md:33: the fence is never closed"]
           (vec (marking-problems bs))))
    (let [{:keys [evaluated problems]} (eval-clojure (runnable bs "clojure"))]
      (is (= 1 evaluated) "the first block ran, the second failed")
      (is (re-find #"(?s)^t\.md:18 \(the block at line 16\): .*undefined-thing" (first problems))
          (pr-str problems)))
    (let [[compile-error run-error fine] (map run-java (runnable bs "java"))]
      (is (re-find #"^t\.md:20 \(Java, compiled as [^)]*\): t\.md:21: incompatible types" (str compile-error))
          compile-error)
      (is (re-find #"^t\.md:23 \(Java, run\): java.lang.IllegalStateException: boom" (str run-error))
          run-error)
      (is (nil? fine)))))

(deftest an-output-block-is-what-the-java-block-before-it-prints
  (let [md (str "```java\nSystem.out.println(\"one\");\nSystem.out.println(1 + 1);\n```\n" ; 1-4
                "<!-- fragment: how to run it -->\n```bash\njava A.java\n```\n"         ; 5-8
                "<!-- output: what it prints -->\n```text\none\n2\n```\n"             ; 9-13
                "```java\nSystem.out.println(\"three\");\n```\n"                      ; 14-16
                "<!-- output: what it does not print -->\n```text\nfour\n```\n"        ; 17-20
                "```clojure\n(+ 1 2)\n```\n"                                          ; 21-23
                "<!-- output: not after Java -->\n```text\n3\n```\n"                   ; 24-27
                "<!-- output: a second one -->\n```text\n3\n```\n")                    ; 28-31
        bs (blocks "o.md" md)]
    (is (= ["o.md:25: an output block must follow the ```java block whose output it is"
            "o.md:29: an output block must follow the ```java block whose output it is"]
           (vec (marking-problems bs))))
    (let [[same differs :as java] (runnable bs "java")]
      (is (= 2 (count java)) "output blocks do not run")
      (is (= "one\n2" (:expected-output same)))
      (is (nil? (run-java same)) "printed what its output block says")
      (is (= (str "o.md:14 (Java, output): it printed\nthree\n\nbut the output block after it says\nfour")
             (run-java differs))))))
