(ns demo.config
  "The demo server's options, checked: where http-kit listens, the URL to
  print, and the cluster to join, if any. Loopback (127.0.0.1) unless told
  otherwise: http-kit's own default, 0.0.0.0, would open the demo to the
  whole network."
  (:require [clojure.string :as str])
  (:import (java.net Inet6Address InetAddress UnknownHostException)))

(set! *warn-on-reflection* true)

(def defaults
  "`:ip` and `:port` when `(dev)` is given none."
  {:ip "127.0.0.1" :port 3000})

(def ^:private ipv4
  #"(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)")

(def ^:private ipv6-chars
  #"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")

(defn- address
  "The `InetAddress` of the literal `s`, or nil when `s` is not an IPv4 or IPv6
  address. Never asks DNS: only strings of an address's form reach
  `getAllByName`, which parses those itself."
  ^InetAddress [s]
  (when (and (string? s) (or (re-matches ipv4 s) (re-matches ipv6-chars s)))
    (try (first (InetAddress/getAllByName s))
         (catch UnknownHostException _ nil))))

(defn- bad [k v expected]
  (throw (ex-info (str "demo: " k " must be " expected ", got " (pr-str v))
                  {:input k :value v})))

(defn server-options
  "http-kit's `run-server` options from `(dev opts)`: `:ip` (default
  \"127.0.0.1\"; \"0.0.0.0\" for every interface) and `:port` (default 3000; 0
  for any free port). Throws `ex-info` naming the option and value when one is
  not an IP address or a port."
  [opts]
  (let [{:keys [ip port]} (merge defaults opts)]
    (when-not (address ip)
      (bad :ip ip "an IP address such as \"127.0.0.1\" or \"0.0.0.0\""))
    (when-not (and (int? port) (<= 0 port 65535))
      (bad :port port "an integer from 0 to 65535"))
    {:ip ip :port port :legacy-return-value? false}))

(defn url
  "The URL to open for a server on `ip` and `port`: localhost when it listens
  on loopback or on every interface."
  [ip port]
  (let [a (address ip)]
    (str "http://"
         (cond (or (nil? a) (.isLoopbackAddress a) (.isAnyLocalAddress a)) "localhost"
               (instance? Inet6Address a) (str "[" (str/lower-case ip) "]")
               :else ip)
         ":" port)))

(def default-prefix
  "The cluster's prefix when `(dev)` is given `:redis` without `:prefix`."
  "deacon-demo")

(defn cluster-options
  "The store's `:cluster` options from `(dev opts)`, or nil without `:redis`:
  `:redis` (e.g. \"redis://127.0.0.1:6379\"), `:node` (this node's id; the
  library makes one by default), `:prefix` (default \"deacon-demo\") and
  `:lease-ms`. The store checks each value and names a bad one. `:node`,
  `:prefix` or `:lease-ms` without `:redis` throw `ex-info` naming the
  option: they would be ignored.

  The nodes need no shared secret: the demo's session cookie is a random id,
  not signed, so a cookie one node set is a session on every node."
  [{:keys [redis node prefix lease-ms] :as opts}]
  (if (nil? redis)
    (when-let [k (some #(when (contains? opts %) %) [:node :prefix :lease-ms])]
      (throw (ex-info (str "demo: " k " is a cluster option: give :redis too, e.g. \"redis://127.0.0.1:6379\"")
                      {:input k :value (get opts k)})))
    (cond-> {:redis redis :prefix (or prefix default-prefix)}
      node     (assoc :node node)
      lease-ms (assoc :lease-ms lease-ms))))

(defn shown-uri
  "A Redis URI with its password, if any, hidden."
  [uri]
  (str/replace (str uri) #"(?<=://)[^/@]*@" "***@"))
