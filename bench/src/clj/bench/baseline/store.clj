(ns bench.baseline.store
  "The baseline store: connection storage written the idiomatic pure-Clojure
  way, a protocol and two records (an atom of a map, a Caffeine cache), with
  patterns and purge-by-connection done by scanning. The benchmarks measure
  deacon's Java stores against it in the same run."
  (:import (com.github.benmanes.caffeine.cache Cache Caffeine)
           (java.time Duration)))

(set! *warn-on-reflection* true)

(defprotocol Store
  (store! [s k conn] "Store `conn` under `k`.")
  (connection [s k] "The connection under `k`, or nil.")
  (purge! [s k] "Remove `k`.")
  (list-keys [s] "A seq of the stored keys."))

(defrecord AtomStore [a]
  Store
  (store! [_ k conn] (swap! a assoc k conn))
  (connection [_ k] (get @a k))
  (purge! [_ k] (swap! a dissoc k))
  (list-keys [_] (keys @a)))

(defrecord CaffeineStore [^Cache cache]
  Store
  (store! [_ k conn] (.put cache k conn))
  (connection [_ k] (.getIfPresent cache k))
  (purge! [_ k] (.invalidate cache k))
  (list-keys [_] (keys (.asMap cache))))

(defn atom-store
  "A baseline store in a fresh `(atom {})`."
  []
  (->AtomStore (atom {})))

(defn caffeine-store
  "A baseline store in a Caffeine cache with idle expiry, configured like
  deacon's: `:idle-ms` (default 10 minutes) and `:maximum-size` (default
  10000)."
  [{:keys [idle-ms maximum-size] :or {idle-ms 600000 maximum-size 10000}}]
  (->CaffeineStore (-> (Caffeine/newBuilder)
                       (.maximumSize (long maximum-size))
                       (.expireAfterAccess (Duration/ofMillis idle-ms))
                       (.build))))

(defn matches?
  "True when key `k` matches `pattern`, where `:*` stands for any one element."
  [pattern k]
  (cond
    (= :* pattern) true
    (vector? pattern) (and (vector? k)
                           (= (count pattern) (count k))
                           (every? true? (map matches? pattern k)))
    :else (= pattern k)))

(defn all-keys
  "Every key of store `s`, realized in a vector."
  [s]
  (vec (list-keys s)))

(defn matching-keys
  "The keys of store `s` matching `pattern`, by a scan, in a vector."
  [s pattern]
  (filterv #(matches? pattern %) (list-keys s)))

(defn purge-connection!
  "Remove every key of store `s` holding `conn`, by a scan; returns how many."
  [s conn]
  (reduce (fn [n k]
            (if (identical? conn (connection s k))
              (do (purge! s k) (inc n))
              n))
          0
          (list-keys s)))
