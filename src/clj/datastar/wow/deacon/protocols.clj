(ns datastar.wow.deacon.protocols
  "The connection store contract, for stores written in Clojure.

  A record or `reify` implementing `ConnectionStore` works everywhere a built-in
  store does, the registry included. The built-in stores are Java classes
  implementing `datastar.wow.deacon.ConnectionStore`; this protocol is extended
  to that interface, so both kinds answer the same four functions.")

(set! *warn-on-reflection* true)
(set! *unchecked-math* :warn-on-boxed)

(defprotocol ConnectionStore
  "Where connections live, by key: four functions make a store. Keys are
  compared with `=`; connections are opaque values, compared by identity."
  (store! [store k conn]
    "Store connection `conn` under key `k`, replacing what was there.")
  (connection [store k]
    "The connection stored under `k`, or nil.")
  (purge! [store k]
    "Remove the connection stored under `k`, if any; truthy when one was.")
  (list-keys [store]
    "A sequence of the keys in the store (nil or empty when there are none)."))

(extend-protocol ConnectionStore
  datastar.wow.deacon.ConnectionStore
  (store! [s k conn] (.store s k conn))
  (connection [s k] (.connection s k))
  (purge! [s k] (.purge s k))
  (list-keys [s] (seq (.keys s))))

(defn store?
  "True when `x` satisfies `ConnectionStore`: a built-in store, or anything
  extending the protocol."
  [x]
  (satisfies? ConnectionStore x))
