(ns datastar.wow.deacon.test.proxy
  "A TCP proxy on a free loopback port, in front of one node's Redis: `cut!`
  drops every connection through it and refuses new ones until `mend!`, so
  that one node is cut off from Redis while the others are not."
  (:import (java.io InputStream OutputStream)
           (java.net InetSocketAddress ServerSocket Socket SocketException)
           (java.util.concurrent ConcurrentHashMap)))

(set! *warn-on-reflection* true)

(defn- pipe [^InputStream in ^OutputStream out]
  (let [buf (byte-array 8192)]
    (try
      (loop []
        (let [n (.read in buf)]
          (when (pos? n)
            (.write out buf 0 n)
            (.flush out)
            (recur))))
      (catch java.io.IOException _))))

(defn- close-quietly [^java.io.Closeable c]
  (try (.close c) (catch java.io.IOException _)))

(defn start!
  "Starts a proxy to 127.0.0.1:`port`; returns `{:uri :server :open :cut}`."
  [port]
  (let [server (doto (ServerSocket.) (.bind (InetSocketAddress. "127.0.0.1" 0)))
        open   (ConcurrentHashMap/newKeySet)
        cut    (atom false)
        proxy  {:uri (str "redis://127.0.0.1:" (.getLocalPort server)) :server server :open open :cut cut}]
    (doto (Thread.
           (fn []
             (try
               (loop []
                 (let [^Socket client (.accept server)]
                   (if @cut
                     (close-quietly client)
                     (try
                       (let [upstream (Socket. "127.0.0.1" (int port))]
                         (.add open client)
                         (.add open upstream)
                         (doto (Thread. #(do (pipe (.getInputStream client) (.getOutputStream upstream))
                                             (close-quietly upstream) (close-quietly client)))
                           (.setDaemon true) (.start))
                         (doto (Thread. #(do (pipe (.getInputStream upstream) (.getOutputStream client))
                                             (close-quietly upstream) (close-quietly client)))
                           (.setDaemon true) (.start)))
                       (catch java.io.IOException _ (close-quietly client)))))
                 (recur))
               (catch SocketException _))))
      (.setDaemon true)
      (.start))
    proxy))

(defn cut!
  "Drops every connection through the proxy and refuses new ones."
  [{:keys [open cut]}]
  (reset! cut true)
  (doseq [s (vec open)] (close-quietly s) (.remove ^java.util.Set open s)))

(defn mend!
  "Lets connections through again."
  [{:keys [cut]}]
  (reset! cut false))

(defn stop!
  "Stops the proxy and drops its connections."
  [{:keys [^ServerSocket server] :as proxy}]
  (cut! proxy)
  (close-quietly server))
