(ns datastar.wow.deacon.static-checks-test
  "No reflection and no boxed math in the library, its tests and the demo.
  Every namespace under src/clj, test/clj and dev/src is loaded in a fresh JVM,
  where nothing is loaded or compiled yet, and what that JVM writes to *err*
  must hold no compiler warning (a loop local boxed by `recur` included).
  Every namespace of the project declares `*warn-on-reflection*` itself, so
  that the check does not depend on who loads it."
  (:require [clojure.java.io :as io]
            [clojure.java.shell :as sh]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]])
  (:import (java.io File)
           (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(set! *warn-on-reflection* true)

(def ^:private warning
  #"(?:Reflection|Boxed math|Performance) warning[^\n]*|[^\n]*recur arg for primitive local[^\n]*")

(defn- clj-files
  "The .clj files under `dir`, sorted."
  [dir]
  (->> (file-seq (io/file dir))
       (filter #(str/ends-with? (.getName ^File %) ".clj"))
       (sort-by str)))

(defn- namespace-of
  "The namespace symbol that `file` under `root` defines."
  [root ^File file]
  (let [relative (str (.relativize (.toPath (io/file root)) (.toPath file)))]
    (-> relative
        (str/replace #"\.clj$" "")
        (str/replace File/separator ".")
        (str/replace "_" "-")
        symbol)))

(defn- run-fresh
  "Evaluates `form` in a new JVM whose classpath is `roots` followed by this
  JVM's classpath. Returns `{:exit n :out text :warnings [..]}`, where `:out`
  holds what it wrote to *out* and *err*."
  [roots form]
  (let [java (str (io/file (System/getProperty "java.home") "bin" "java"))
        cp   (str/join File/pathSeparator (conj (vec roots) (System/getProperty "java.class.path")))
        {:keys [exit err out]} (sh/sh java "-cp" cp "clojure.main" "-e" (pr-str form))
        text (str err out)]
    {:exit exit :out text :warnings (vec (re-seq warning text))}))

(defn- load-fresh
  "Requires namespaces `nss` (default: those of every .clj file under `root`)
  in a new JVM whose classpath starts with `roots`."
  ([root]
   (load-fresh [root] (map #(namespace-of root %) (clj-files root))))
  ([roots nss]
   (run-fresh roots `(do (doseq [n# '~nss] (require n#)) (shutdown-agents)))))

(deftest the-library-loads-without-reflection-or-boxed-math
  (let [{:keys [exit out warnings]} (load-fresh "src/clj")]
    (is (= 0 exit) out)
    (is (= [] warnings))))

(deftest the-demo's-testable-namespaces-load-without-reflection
  ;; demo.app, demo.server and user need Clojars libraries: not loadable here.
  (let [{:keys [exit out warnings]}
        (load-fresh ["dev/src"] '[demo.config demo.params demo.counter demo.session demo.assets
                                  demo.view demo.panel demo.live demo.waves
                                  demo.effects demo.handlers])]
    (is (= 0 exit) out)
    (is (= [] warnings))))

(deftest the-whole-demo-compiles-against-stand-ins
  ;; The demo's Clojars libraries are stood in for: datastar.wow and the
  ;; Datastar SDK by the working stand-ins of test/clj (the documentation's
  ;; examples run over them too), reitit-ring, http-kit's server and chassis
  ;; by the signature stand-ins of test/stubs, without behaviour. Every symbol
  ;; must resolve and no call may reflect. Every namespace under dev/src, so
  ;; that a new one is covered too.
  (let [{:keys [exit out warnings]}
        (load-fresh ["dev/src" "test/clj" "test/stubs"] (map #(namespace-of "dev/src" %) (clj-files "dev/src")))]
    (is (= 0 exit) out)
    (is (= [] warnings))))

(deftest the-tests-load-without-reflection-or-boxed-math
  ;; every namespace under test/clj, helpers included; the demo's pure
  ;; namespaces that tests require come from dev/src
  (let [{:keys [exit out warnings]}
        (load-fresh ["test/clj" "dev/src"] (map #(namespace-of "test/clj" %) (clj-files "test/clj")))]
    (is (= 0 exit) out)
    (is (= [] warnings))))

(deftest dev-is-idempotent-and-restarts
  ;; user.clj's lifecycle over the stand-ins: the server calls do nothing there,
  ;; but the demo's state is really built, started, stopped and rebuilt.
  (let [{:keys [exit out]}
        (run-fresh ["dev/src" "test/clj" "test/stubs"]
                   '(do (println :first (user/dev {:port 0}))
                        (println :again (user/dev {:port 0}))
                        (println :stop (user/stop))
                        (println :stop-again (user/stop))
                        (println :restart (user/restart {:port 0}))
                        (println :bad-port (try (user/restart {:port "3000"})
                                                (catch Exception e (ex-message e))))
                        (println :bad-ip (try (user/dev {:ip "localhost"})
                                              (catch Exception e (ex-message e))))
                        (println :any-ip (user/dev {:ip "0.0.0.0" :port 0}))
                        (println :stop (user/stop))
                        (shutdown-agents)))]
    (is (= 0 exit) out)
    (is (re-find #":first :started" out) out)
    (is (re-find #":again :running" out) out)
    (is (re-find #"demo stopped\n:stop :stopped" out) out)
    (is (re-find #":stop-again :stopped" out) out)
    (is (re-find #"demo stopped\n(?s).*:restart :started" out) out)
    (is (re-find #":bad-port demo: :port must be an integer from 0 to 65535, got \"3000\"" out) out)
    (is (re-find #"demo: http://localhost:\S*  \(listening on 127.0.0.1\)\n:first :started" out)
        "loopback by default")
    (is (re-find #":bad-ip demo: :ip must be an IP address such as \"127.0.0.1\" or \"0.0.0.0\", got \"localhost\"" out) out)
    (is (re-find #"\(listening on 0.0.0.0\)\n:any-ip :started" out) out)))

(deftest the-check-sees-warnings-when-there-are-some
  (let [dir  (Files/createTempDirectory "deacon-static" (make-array FileAttribute 0))
        file (io/file (str dir) "sloppy" "core.clj")]
    (io/make-parents file)
    (spit file (str "(ns sloppy.core)\n"
                    "(set! *warn-on-reflection* true)\n"
                    "(set! *unchecked-math* :warn-on-boxed)\n"
                    "(defn size [x] (.length x))\n"
                    "(defn plus [a b] (+ a b))\n"))
    ;; as in test code: reflection warnings only, yet a boxed loop local is reported
    (spit (io/file (str dir) "sloppy" "loop.clj")
          (str "(ns sloppy.loop)\n"
               "(set! *warn-on-reflection* true)\n"
               "(defn upto [n] (loop [i 0] (if (< i 3) (recur (+ i n)) i)))\n"))
    (let [{:keys [exit warnings]} (load-fresh (str dir))]
      (is (= 0 exit))
      (is (= 3 (count warnings)) (pr-str warnings))
      (is (some #(str/starts-with? % "Reflection warning") warnings))
      (is (some #(str/starts-with? % "Boxed math warning") warnings))
      (is (some #(str/includes? % "recur arg for primitive local: i") warnings)))))

(deftest every-public-var-has-a-docstring
  (doseq [n '[datastar.wow.deacon datastar.wow.deacon.protocols datastar.wow.deacon.http-kit-version
              demo.config demo.params demo.counter demo.session demo.assets demo.view
              demo.panel demo.live demo.waves demo.effects demo.handlers]]
    (require n)
    (doseq [[sym v] (ns-publics n)]
      (is (not (str/blank? (:doc (meta v)))) (str n "/" sym)))))

(deftest every-namespace-declares-its-warnings
  (testing "reflection warnings on, in the library, its tests and the demo"
    (doseq [f (concat (clj-files "src/clj") (clj-files "test/clj") (clj-files "dev/src"))]
      (is (str/includes? (slurp f) "(set! *warn-on-reflection* true)") (str f))))
  (testing "boxed-math warnings on in the library"
    (doseq [f (clj-files "src/clj")]
      (is (str/includes? (slurp f) "(set! *unchecked-math* :warn-on-boxed)") (str f)))))
