(ns datastar.wow.deacon.replay-wire-test
  "Replay over real sockets, with a real `Last-Event-ID` header: the JDK's
  HTTP server and client (`datastar.wow.deacon.test.http`), the datastar.wow
  stand-in and the SDK-shaped adapter, whose streams write SSE text as the
  SDK does. A tab reads its events' `id:` lines, its connection is dropped,
  events are sent to its key while it is gone (`send!` from a job, another
  user's broadcast), and it comes back on a new connection with the header:
  on the wire it gets the missed events first, with their ids (and the
  `retry:` line of the one sent with the SDK's retry option), exactly as they
  were first written, then its own opening event, then live ones."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow :as d*]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.http :as http])
  (:import (java.io BufferedReader InputStream)
           (java.net.http HttpResponse)))

(set! *warn-on-reflection* true)

(defn- session [{{:keys [request]} :system}] (get-in request [:headers "x-session"]))

(defn- handler [{:keys [uri query-params]}]
  (let [n (get query-params "n")]
    (case uri
      "/watch" {::d*conn/subscribe ::feed ::d*/fx [[::d*/patch-signals {:watching true}]]}
      "/push"  {::d*conn/key ::feed ::d*/fx [[::d*/patch-signals {:n n}]]}
      "/wave"  {::d*conn/broadcast-all ::feed ::d*/fx [[::d*/patch-signals {:n n}]]}
      {:status 404 :body "not found"})))

(defn- app
  "The app as datastar.wow serves it, with deacon's registry over `store`."
  [store]
  ((d*/with-datastar http/->sse-response {::d*/registries [[d*conn/registry store {:id-fn session}]]})
   handler))

(defn- request
  (^HttpResponse [port method path] (request port method path nil))
  (^HttpResponse [port method path last-id]
   (http/send-request port method path (cond-> {"datastar-request" "true" "x-session" "s1"}
                                         last-id (assoc "Last-Event-ID" last-id)))))

(defn- push! [port path n]
  (let [r (request port :post (str path "?n=" n))]
    (is (= 204 (.statusCode r)) (str "the key's stream took it: " path " " n))
    (.close ^InputStream (.body r))))

(defn- wave!
  "Another user's broadcast to every user's feed."
  [port n]
  (let [r (http/send-request port :post (str "/wave?n=" n) {"datastar-request" "true" "x-session" "s2"})]
    (is (= 204 (.statusCode r)))
    (.close ^InputStream (.body r))))

(defn- event-lines
  "The lines of the next event on `in`, as they came over the wire, without
  the blank line that ends it. Fails when none comes within ten seconds."
  [^BufferedReader in]
  (let [lines (future (loop [out []]
                        (let [line (.readLine in)]
                          (cond (nil? line)                 (if (seq out) out nil)
                                (and (= "" line) (seq out)) out
                                (= "" line)                 (recur out)
                                :else                       (recur (conj out line))))))
        got   (deref lines 10000 ::none)]
    (when (= ::none got) (throw (ex-info "no event within 10 s" {})))
    got))

(defn- id-of [lines]
  (some #(second (re-matches #"id: (.+)" %)) lines))

(defn- watch [port last-id]
  (let [r (request port :get "/watch" last-id)]
    (is (= 200 (.statusCode r)))
    [r (http/reader r)]))

(deftest a-dropped-tab-comes-back-with-last-event-id-and-gets-what-it-missed-on-the-wire
  (doseq [type [:atom :caffeine] fan-out? [false true]]
    (testing (str type (when fan-out? " fan-out"))
      (let [store (d*conn/store (cond-> {:type type :fan-out? fan-out? :replay {:events 20 :ms 60000}}
                                  (= :caffeine type) (assoc :executor (fn [^Runnable r] (.run r)))))]
        (http/with-server [port (app store)]
          (let [[tab in]  (watch port nil)
                ;; with fan-out, a second tab of the same user stays connected: the witness
                [_ other] (when fan-out? (watch port nil))]
            (is (= ["event: patch-signals" "data: {:watching true}"] (event-lines in))
                "the opening event carries no id")
            (when other (event-lines other))
            (push! port "/push" 1)
            (push! port "/push" 2)
            (let [seen    [(event-lines in) (event-lines in)]
                  last-id (id-of (peek seen))]
              (is (= [["event: patch-signals" (str "id: " (id-of (first seen))) "data: {:n \"1\"}"]
                      ["event: patch-signals" (str "id: " last-id) "data: {:n \"2\"}"]]
                     seen)
                  "each pushed event: its id: line between event: and data:")
              (is (neg? (compare (id-of (first seen)) last-id)) "ids ordered")
              ;; the tab's connection drops (its user switched away)
              (.close ^InputStream (.body ^HttpResponse tab))
              ;; while it is gone: a job sends to the user's feed, another user broadcasts
              (d*conn/send! store ["s1" ::feed] [[::d*/patch-signals {:n "3"}]])
              (d*conn/send! store ["s1" ::feed] [[::d*/patch-signals {:n "4"} {:d*.sse/retry-duration 3000}]])
              (wave! port "5")
              (is (d*conn/recoverable? store ["s1" ::feed] last-id) "the app can tell before it answers")
              (let [witness (when other (vec (repeatedly 5 #(event-lines other))))
                    [back in2] (watch port last-id)
                    missed  (vec (repeatedly 3 #(event-lines in2)))
                    opening (event-lines in2)]
                (push! port "/push" 6)
                (let [live (event-lines in2)
                      ids  (map id-of (conj missed live))]
                  (is (= [["event: patch-signals" (str "id: " (nth ids 0)) "data: {:n \"3\"}"]
                          ["event: patch-signals" (str "id: " (nth ids 1)) "retry: 3000" "data: {:n \"4\"}"]
                          ["event: patch-signals" (str "id: " (nth ids 2)) "data: {:n \"5\"}"]]
                         missed)
                      "the missed events first, in order, with their ids and retry: line")
                  (is (every? string? ids))
                  (is (= (sort (cons last-id ids)) (cons last-id ids)) "ids after the last one seen, ordered")
                  (is (= ["event: patch-signals" "data: {:watching true}"] opening) "then its own opening event")
                  (is (= ["event: patch-signals" (str "id: " (nth ids 3)) "data: {:n \"6\"}"] live) "then live")
                  (when witness
                    (is (= (take 3 (drop 2 witness)) missed)
                        "replayed byte for byte as the connected tab got them live")
                    (is (= live (event-lines other)))))
                (.close ^InputStream (.body ^HttpResponse back))))))))))
