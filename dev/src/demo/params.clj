(ns demo.params
  "The page's signals. For a GET or DELETE, Datastar's browser script sends
  them as JSON in the `datastar` query parameter, and the SDK (so
  datastar.wow) looks for them at `(get-in request [:query-params
  \"datastar\"])`, which only a params middleware fills. Rather than a
  dependency for one parameter, `wrap-query-signals` decodes that one.

  datastar.wow parses the signals of every Datastar request before the
  handler runs, and its parser throws on malformed JSON, which would make the
  request fail with a server error. The demo gives it `read-json` instead, and
  `wrap-malformed-signals` answers such a request 400."
  (:require [clojure.data.json :as json]
            [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.io PushbackReader Reader StringReader)
           (java.net URLDecoder)
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

(defn- malformed
  "The exception `read-json` throws: an ex-info `wrap-malformed-signals`
  recognises."
  ([reason] (malformed reason nil))
  ([reason cause]
   (ex-info (str "malformed Datastar signals: " reason) {::malformed true} cause)))

(defn- read-one
  "The one JSON value in `reader`, keys as keywords; `::none` when it holds
  only whitespace. Anything after the value but whitespace is malformed."
  [^Reader reader]
  (let [in    (PushbackReader. reader 64)
        value (json/read in :key-fn keyword :eof-error? false :eof-value ::none)]
    (loop []
      (let [c (.read in)]
        (cond (neg? c)                            value
              (Character/isWhitespace (char c))   (recur)
              :else (throw (malformed "text after the JSON value")))))))

(defn read-json
  "datastar.wow's `::d*/read-json`: the page's signals, a JSON object, as a
  map with keyword keys. `raw` is the text of the `datastar` query parameter
  (GET, DELETE) or the request's body (an `InputStream`, read as UTF-8); an
  empty body is no signals (nil). Malformed JSON, a value that is not an
  object, or JSON nested too deeply to read throws an ex-info that
  `wrap-malformed-signals` turns into HTTP 400."
  [raw]
  (let [signals (try
                  (if (string? raw)
                    (read-one (StringReader. raw))
                    (with-open [r (io/reader raw :encoding "UTF-8")] (read-one r)))
                  (catch clojure.lang.ExceptionInfo e
                    (throw (if (::malformed (ex-data e)) e (malformed "not valid JSON" e))))
                  (catch Exception e (throw (malformed "not valid JSON" e)))
                  (catch StackOverflowError e (throw (malformed "nested too deeply" e))))]
    (cond (= ::none signals) nil
          (map? signals)     signals
          :else              (throw (malformed "expected a JSON object")))))

(defn- malformed-cause
  "`read-json`'s exception among `e` and its causes, or nil."
  [^Throwable e]
  (first (filter #(::malformed (ex-data %)) (take-while some? (iterate ex-cause e)))))

(defn wrap-malformed-signals
  "Ring middleware: a request whose signals `read-json` refused answers 400
  (plain text, saying what was wrong without echoing the input) instead of
  failing with a server error."
  [handler]
  (fn [request]
    (try
      (handler request)
      (catch Exception e
        (if-let [m (malformed-cause e)]
          {:status  400
           :headers {"Content-Type" "text/plain; charset=utf-8"}
           :body    (str (ex-message m) "\n")}
          (throw e))))))
