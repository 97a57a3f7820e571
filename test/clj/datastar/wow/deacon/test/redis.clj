(ns datastar.wow.deacon.test.redis
  "A real redis-server (Debian's) for the Clojure cluster tests, started on a
  free loopback port with no persistence and stopped after them. Tests that
  need it skip, with one line, when redis-server is not installed (.ci/run
  installs it)."
  (:require [clojure.java.io :as io])
  (:import (java.io File)
           (java.net InetSocketAddress ServerSocket Socket)
           (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)
           (java.util.concurrent TimeUnit)))

(set! *warn-on-reflection* true)

(defonce ^{:private true
           :doc "Lettuce logs each reconnect attempt through java.util.logging; the tests
  stop Redis (or cut a node off) on purpose, and deacon reports what matters
  through its own logger. Held here so that the level stays."}
  lettuce-log
  (doto (java.util.logging.Logger/getLogger "io.lettuce") (.setLevel java.util.logging.Level/SEVERE)))

(defn binary
  "The redis-server executable, or nil."
  []
  (some (fn [dir] (let [f (io/file dir "redis-server")] (when (.canExecute f) (.getPath f))))
        (concat (some-> (System/getenv "PATH") (.split File/pathSeparator)) ["/usr/bin" "/usr/local/bin" "/usr/sbin"])))

(defn- free-port []
  (with-open [s (ServerSocket. 0)] (.getLocalPort s)))

(defn- listening? [port]
  (try (with-open [s (Socket.)] (.connect s (InetSocketAddress. "127.0.0.1" (int port)) 200) true)
       (catch java.io.IOException _ false)))

(defn start!
  "Starts a server, on `port` when given (to restart one that was stopped);
  returns `{:uri :port :process :dir}`."
  ([] (start! (free-port)))
  ([port]
  (let [dir  (Files/createTempDirectory "deacon-redis-clj" (make-array FileAttribute 0))
        ^java.util.List command [(binary) "--bind" "127.0.0.1" "--port" (str port) "--save" "" "--appendonly" "no"
                                 "--dir" (str dir) "--protected-mode" "no" "--logfile" (str (.resolve dir "redis.log"))]
        p    (-> (ProcessBuilder. command)
                 (.redirectErrorStream true)
                 (.redirectOutput (.toFile (.resolve dir "stdout.log")))
                 (.start))
        deadline (+ (System/currentTimeMillis) 10000)]
    (loop []
      (cond
        (listening? port) {:uri (str "redis://127.0.0.1:" port) :port port :process p :dir dir}
        (or (not (.isAlive p)) (> (System/currentTimeMillis) deadline))
        (throw (ex-info "redis-server did not start" {:port port :dir (str dir)}))
        :else (do (Thread/sleep 20) (recur)))))))

(defn command!
  "Runs one Redis command against `server` with redis-cli (it ships with
  redis-server) and returns its reply, one line per element."
  [{:keys [port]} & args]
  (let [cli (some-> (binary) io/file .getParentFile (io/file "redis-cli") .getPath)
        ^java.util.List command (into [(or cli "redis-cli") "--raw" "-p" (str port)] (map str) args)
        p   (-> (ProcessBuilder. command) (.redirectErrorStream true) (.start))
        out (slurp (.getInputStream p))]
    (when-not (.waitFor p 10 TimeUnit/SECONDS)
      (.destroyForcibly p)
      (throw (ex-info "redis-cli did not finish" {:args args})))
    (if (zero? (.exitValue p))
      (vec (remove empty? (.split ^String out "\n")))
      (throw (ex-info (str "redis-cli failed: " out) {:args args})))))

(defn stop!
  "Stops a server started by `start!`."
  [{:keys [^Process process]}]
  (when process
    (.destroy process)
    (when-not (.waitFor process 10 TimeUnit/SECONDS)
      (.destroyForcibly process))))

(defn fixture
  "A `:once` fixture that keeps a server started for the tests in the atom
  `server` (a test that restarts it puts the new one there) and stops it
  after; without redis-server it prints one line naming namespace `who` and
  runs nothing."
  [server who]
  (fn [f]
    (if-not (binary)
      (println (str who ": redis-server is not installed: skipped (apt-get install -y redis-server)"))
      (do (reset! server (start!))
          (try (f) (finally (stop! @server) (reset! server nil)))))))
