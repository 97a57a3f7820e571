(ns demo.params
  "The one query parameter the demo reads: `datastar`. For a GET, Datastar's
  browser script sends the page's signals as JSON in it, and the SDK (so
  datastar.wow) looks for them at `(get-in request [:query-params
  \"datastar\"])`, which only a params middleware fills. Rather than a
  dependency for one parameter, `wrap-query-signals` decodes that one."
  (:require [clojure.string :as str])
  (:import (java.net URLDecoder)
           (java.nio.charset StandardCharsets)))

(set! *warn-on-reflection* true)

(defn- decode
  "`s` form-decoded as UTF-8 (`+` and `%20` are spaces), or nil when an
  escape is malformed."
  [^String s]
  (try (URLDecoder/decode s StandardCharsets/UTF_8)
       (catch IllegalArgumentException _ nil)))

(defn query-param
  "The value of parameter `k` in `query-string` (`a=1&b=2`), decoded, or nil.
  Names are decoded too; a pair whose escapes are malformed is skipped; the
  first well-formed `k` wins."
  [query-string k]
  (when query-string
    (some (fn [pair]
            (let [[n v] (str/split pair #"=" 2)]
              (when (= k (decode n)) (decode (or v "")))))
          (str/split query-string #"&"))))

(defn wrap-query-signals
  "Ring middleware: puts the decoded `datastar` query parameter at
  `[:query-params \"datastar\"]`, where the SDK reads a GET's signals. A
  `\"datastar\"` some other middleware put there is kept; an empty one is
  left out (there are no signals to read)."
  [handler]
  (fn [request]
    (let [signals (when-not (contains? (:query-params request) "datastar")
                    (query-param (:query-string request) "datastar"))]
      (handler (if (str/blank? signals)
                 request
                 (assoc-in request [:query-params "datastar"] signals))))))
