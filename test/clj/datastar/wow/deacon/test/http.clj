(ns datastar.wow.deacon.test.http
  "Real sockets for the tests: a Ring handler served by the JDK's HTTP server
  (`com.sun.net.httpserver`) on a free loopback port, with an SSE adapter in
  the shape of the Datastar SDK's (`->sse-response`, taking the SDK's option
  keys) whose streams write real SSE text to the socket, and a client over
  `java.net.http` that reads a response event by event.

  The adapter's streams behave as the SDK's generic Ring adapter: a send
  answers true when written and false once closed, an `IOException` while
  writing (the client went away) closes the stream, and closing runs the
  on-close callback once. An event's `id:` and `retry:` lines are written
  from the options `:d*.sse/id` and `:d*.sse/retry-duration`, as the SDK
  does (see `event-text`)."
  (:require [clojure.string :as str]
            [starfederation.datastar.clojure.protocols :as sdk])
  (:import (com.sun.net.httpserver HttpExchange HttpHandler HttpServer)
           (java.io BufferedReader IOException InputStream InputStreamReader OutputStream)
           (java.net InetAddress InetSocketAddress URI URLDecoder)
           (java.net.http HttpClient HttpRequest HttpRequest$BodyPublishers HttpResponse
                          HttpResponse$BodyHandlers)
           (java.nio.charset StandardCharsets)
           (java.time Duration)
           (java.util.concurrent Executors ExecutorService TimeUnit)
           (java.util.concurrent.locks ReentrantLock)))

(set! *warn-on-reflection* true)

;;; Streams

(defn event-text
  "One SSE event as text, as the SDK's `write-event!` assembles it for
  `send-event!` on its generators (dev.data-star.clojure/sdk 1.0.0-RC9,
  `starfederation/datastar-clojure` tag v1.0.0-RC9,
  libraries/sdk/src/main/starfederation/datastar/clojure/api/sse.clj, lines
  93-100 and 120-127): an `event:` line; an `id:` line when the option
  `:d*.sse/id` is truthy; a `retry:` line when `:d*.sse/retry-duration` is
  truthy; a `data:` line per data line; a blank line. (The SDK's API layer,
  `sse/send-event!`, lines 138-164, turns an empty id and the default retry
  into `false` before that; deacon hands ids to `send-event!` directly.) A
  keyword event type is written by its name, data that is not a sequence of
  strings as one `pr-str` line: the stand-in's own shapes."
  [event-type data-lines opts]
  (let [id    (get opts :d*.sse/id)
        retry (get opts :d*.sse/retry-duration)
        lines (if (and (sequential? data-lines) (every? string? data-lines))
                data-lines
                [(pr-str data-lines)])]
    (str "event: " (if (keyword? event-type) (name event-type) event-type) "\n"
         (when id (str "id: " id "\n"))
         (when retry (str "retry: " retry "\n"))
         (str/join (map #(str "data: " % "\n") lines))
         "\n")))

(deftype SocketSse [^HttpExchange exchange ^OutputStream out open on-close ^ReentrantLock lock]
  sdk/SSEGenerator
  (send-event! [this event-type data-lines opts]
    (.lock lock)
    (try
      (if-not @open
        false
        (try
          (.write out (.getBytes ^String (event-text event-type data-lines opts) StandardCharsets/UTF_8))
          (.flush out)
          true
          (catch IOException _
            (sdk/close-sse! this)
            false)))
      (finally (.unlock lock))))
  (get-lock [_] lock)
  (close-sse! [_]
    (if (compare-and-set! open true false)
      (do (try (.close exchange) (catch Exception _ nil))
          (when-let [f @on-close] (f))
          true)
      false))
  (sse-gen? [_] true)
  Object
  (toString [_] (str "#socket-sse[" (if @open "open" "closed") "]")))

(defn open?
  "True while `sse` is open."
  [^SocketSse sse]
  @(.-open sse))

(defrecord SseBody [opts])

(defn ->sse-response
  "An SSE Ring response, as the SDK's adapters make one: the server opens the
  stream once the headers are out and calls the `:d*.sse/on-open` option with
  it; its close calls `:d*.sse/on-close` with the stream and `:closed`."
  [_request opts]
  {:status 200 :headers {"Content-Type" "text/event-stream"} :body (->SseBody opts)})

;;; The server

(defn- query-params [^String query]
  (into {} (for [pair (when query (str/split query #"&"))
                 :let [[^String k ^String v] (str/split pair #"=" 2)]
                 :when (seq k)]
             [(URLDecoder/decode k StandardCharsets/UTF_8)
              (URLDecoder/decode (or v "") StandardCharsets/UTF_8)])))

(defn- request-of [^HttpExchange ex]
  (let [uri (.getRequestURI ex)]
    {:request-method (keyword (str/lower-case (.getRequestMethod ex)))
     :uri            (.getPath uri)
     :query-string   (.getRawQuery uri)
     :query-params   (query-params (.getRawQuery uri))
     :headers        (into {} (for [[k vs] (.getRequestHeaders ex)]
                                [(str/lower-case k) (first vs)]))
     :body           (String. (.readAllBytes ^InputStream (.getRequestBody ex)) StandardCharsets/UTF_8)
     ::exchange      ex}))

(defn- respond! [^HttpExchange ex {:keys [status headers body]}]
  (doseq [[k v] headers] (.add (.getResponseHeaders ex) (str k) (str v)))
  (if (instance? SseBody body)
    (let [{:keys [opts]} body
          _   (.sendResponseHeaders ex (int (or status 200)) 0)
          ^SocketSse sse (->SocketSse ex (.getResponseBody ex) (atom true) (atom nil) (ReentrantLock.))]
      (when-let [f (:d*.sse/on-close opts)] (reset! (.-on-close sse) #(f sse :closed)))
      (when-let [f (:d*.sse/on-open opts)] (f sse)))
    (let [bytes (.getBytes (str (or body "")) StandardCharsets/UTF_8)]
      (.sendResponseHeaders ex (int (or status 200)) (if (zero? (alength bytes)) -1 (alength bytes)))
      (with-open [out (.getResponseBody ex)] (.write out bytes)))))

(defn start!
  "Serves Ring `handler` on a free loopback port; returns `{:port :server}`."
  [handler]
  (let [server (HttpServer/create (InetSocketAddress. (InetAddress/getLoopbackAddress) 0) 64)
        pool   (Executors/newFixedThreadPool 8)]
    (.setExecutor server pool)
    (.createContext server "/" (reify HttpHandler
                                 (handle [_ ex]
                                   (try (respond! ex (handler (request-of ex)))
                                        (catch Throwable t
                                          (try (.sendResponseHeaders ex 500 -1) (catch Exception _ nil))
                                          (.close ex)
                                          (throw t))))))
    (.start server)
    {:port (.getPort (.getAddress server)) :server server :pool pool}))

(defn stop!
  "Stops a server `start!` made."
  [{:keys [^HttpServer server ^ExecutorService pool]}]
  (.stop server 0)
  (.shutdownNow pool)
  (.awaitTermination pool 5 TimeUnit/SECONDS))

(defmacro with-server
  "Runs `body` with `port` bound to the port of a server of Ring `handler`,
  stopped after."
  [[port handler] & body]
  `(let [server# (start! ~handler)
         ~port   (:port server#)]
     (try ~@body (finally (stop! server#)))))

;;; The client

(def ^:private ^HttpClient client (HttpClient/newHttpClient))

(defn send-request
  "Sends `method` `path` to the server on `port` with `headers` (a map) and
  returns the `java.net.http.HttpResponse`, its body an `InputStream`."
  ^HttpResponse [port method path headers]
  (let [b (-> (HttpRequest/newBuilder (URI/create (str "http://127.0.0.1:" port path)))
              (.method (str/upper-case (name method)) (HttpRequest$BodyPublishers/noBody))
              (.timeout (Duration/ofSeconds 30)))]
    (doseq [[k v] headers] (.header b (str k) (str v)))
    (.send client (.build b) (HttpResponse$BodyHandlers/ofInputStream))))

(defn reader
  "A reader over a response's body."
  ^BufferedReader [^HttpResponse response]
  (BufferedReader. (InputStreamReader. ^InputStream (.body response) StandardCharsets/UTF_8)))

(defn next-event
  "The next event of an SSE body, `{:event :id :data}`, or nil at its end."
  [^BufferedReader in]
  (loop [event {}]
    (let [line (.readLine in)]
      (cond
        (nil? line)       nil
        (= "" line)       (if (seq event) event (recur event))
        (str/starts-with? line ":") (recur event)
        :else (let [[k v] (str/split line #": ?" 2)]
                (recur (case k
                         "event" (assoc event :event v)
                         "id"    (assoc event :id v)
                         "data"  (update event :data #(if % (str % "\n" v) v))
                         event)))))))

(defn events-until-end
  "Every event until the body ends; throws when it has not ended within `ms`
  milliseconds (a stream that nothing closes)."
  [^HttpResponse response ms]
  (let [in  (reader response)
        all (future (loop [out []] (if-let [e (next-event in)] (recur (conj out e)) out)))
        got (deref all ms ::open)]
    (when (= ::open got)
      ;; the body itself, not the reader, whose lock the blocked read holds
      (.close ^InputStream (.body response))
      (throw (ex-info (str "the response did not end within " ms " ms") {})))
    got))
