(ns datastar.wow.deacon.unscoped-requests-test
  "On real sockets, through the datastar.wow and SDK stand-ins: a request
  whose `:id-fn` gives no id (no session yet) gets its response's effects,
  and then the end of its stream, since no key holds the stream and nothing
  could reach it again. A request with a session keeps its stream open, and
  later pushes reach it."
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow :as d*]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.http :as http])
  (:import (java.net.http HttpResponse)))

(set! *warn-on-reflection* true)

(defn- session [{{:keys [request]} :system}] (get-in request [:headers "x-session"]))

(defn- handler [{:keys [uri]}]
  (case uri
    "/like"  {::d*conn/key ::feed ::d*/fx [[::d*/patch-signals {:liked true}]]}
    "/watch" {::d*conn/subscribe ::feed ::d*/fx [[::d*/patch-signals {:watching true}]]}
    "/wave"  {::d*conn/broadcast [::feed] ::d*/fx [[::d*/patch-signals {:wave true}]]}
    {:status 404 :body "not found"}))

(defn- app
  "The app as datastar.wow serves it, with deacon's registry over `store`."
  [store]
  ((d*/with-datastar http/->sse-response {::d*/registries [[d*conn/registry store {:id-fn session}]]})
   handler))

(defn- request
  ^HttpResponse [port method path sid]
  (http/send-request port method path (cond-> {"datastar-request" "true"} sid (assoc "x-session" sid))))

(defn- content-type [^HttpResponse r]
  (.orElse (.firstValue (.headers r) "content-type") nil))

(deftest a-request-without-a-scope-gets-its-effects-then-the-end-of-its-stream
  (doseq [type [:atom :caffeine]
          [path event] [["/like" "{:liked true}"] ["/watch" "{:watching true}"]]]
    (testing (str type " " path)
      (let [store (d*conn/store {:type type})]
        (http/with-server [port (app store)]
          (let [r (request port :post path nil)]
            (is (= 200 (.statusCode r)))
            (is (= "text/event-stream" (content-type r)))
            (is (= [event] (map :data (http/events-until-end r 5000)))
                "the effects arrived, and the server ended the response")
            (is (zero? (d*conn/connection-count store)) "nothing stored")))))))

(deftest a-broadcast-without-a-scope-opens-nothing
  (http/with-server [port (app (d*conn/store {:type :atom}))]
    (let [r (request port :post "/wave" nil)]
      (is (= 204 (.statusCode r)))
      (is (= [] (http/events-until-end r 5000))))))

(deftest a-request-with-a-scope-keeps-its-stream-and-gets-later-pushes
  (let [store (d*conn/store {:type :atom :fan-out? true})]
    (http/with-server [port (app store)]
      (let [tab (request port :get "/watch" "s1")
            in  (http/reader tab)]
        (is (= 200 (.statusCode tab)))
        (is (= "{:watching true}" (:data (http/next-event in))))
        (is (= 1 (d*conn/connection-count store ["s1" ::feed])))
        (let [like (request port :post "/like" "s1")]
          (is (= 204 (.statusCode like)) "the session's stream took the effects")
          (is (= "{:liked true}" (:data (http/next-event in)))))
        (is (str/includes? (str (d*conn/connection store ["s1" ::feed])) "open"))
        (.close in)))))
