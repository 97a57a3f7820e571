(ns demo.handlers
  "The demo's Ring handlers, from a request to a datastar.wow response map.

  Every open page keeps one stream, `GET /updates`, which subscribes under
  its session's key: the store fans out, so the key holds one stream per tab.
  A command (start, add ten, stop) answers with that key: its effects run on
  every tab of the session and the request gets 204; with no tab of the
  session open, 404 (`demo.view/no-tab`). With fan-out the effects
  run once per tab, so a handler changes the state itself, once
  (`demo.live/command!`), and its effects only show it."
  (:require [datastar.wow :as-alias d*]
            [datastar.wow.deacon :as-alias d*conn]
            [demo.assets :as assets]
            [demo.counter :as counter]
            [demo.effects :as-alias fx]
            [demo.live :as live]
            [demo.panel :as panel]
            [demo.session :as session]
            [demo.view :as view])
  (:import (java.io ByteArrayInputStream)))

(set! *warn-on-reflection* true)

(defn app
  "The demo's state (`demo.app/app`), put in the request by `wrap-app`."
  [request]
  (::app request))

(defn wrap-app
  "Ring middleware giving handlers the demo's state."
  [handler app]
  (fn [request] (handler (assoc request ::app app))))

(defn- plain
  "A plain-text answer: datastar.wow hands a response without `::d*/fx` on
  as it is."
  [status text]
  {:status status :headers {"Content-Type" "text/plain; charset=utf-8"} :body text})

(defn- command
  "Applies `op` to the session's counter, then shows it on every tab of the
  session (HTTP 204). With no tab of the session open it answers 404 and
  changes nothing (`demo.view/no-tab`).

  On several nodes, a node holding no tab of the session cannot know its
  counter: when the directory says other nodes hold its tabs, it answers
  with the command itself, `[::fx/command ...]`, which deacon runs on the
  tabs the other nodes hold, each node applying it once (204). When no node
  holds one, 404; when the directory does not answer, 503. A command applied
  here that cannot reach the other nodes is told by deacon's `:on-error`
  (`demo.effects/on-error!`)."
  [request op]
  (let [app (app request)
        sid (session/id request)]
    (case (live/tabs-of app sid)
      :here      {::d*conn/key        counter/stream-key
                  ::d*/with-open-sse? true
                  ::d*/fx             [[::fx/show-counter (live/command! app sid op)]]}
      :elsewhere {::d*conn/key        counter/stream-key
                  ::d*/with-open-sse? true
                  ::d*/fx             [[::fx/command {:op op :id (str (random-uuid)) :from (live/node app)}]]}
      :nowhere   (plain 404 (view/no-tab (live/clustered? app)))
      :unknown   (plain 503 view/unreachable))))

(defn index
  "GET / renders the page, with the session's counter as it is (another tab
  may be running it); PUT / starts the session's timer; DELETE / stops it
  and resets the counter."
  [{:keys [request-method] :as request}]
  (let [{:keys [counters cdn doctype] :as app} (app request)
        sid (session/id request)]
    (case request-method
      :get    {:body (cond->> (view/page {:cdn     cdn
                                          :counter (counter/of @counters sid)
                                          :sid     sid
                                          :panel   (panel/snapshot app)})
                       doctype (list doctype))}
      :put    (command request :start)
      :delete (command request :stop))))

(defn jump
  "POST /jump adds ten; every tab of the session shows it."
  [request]
  (command request :jump))

(defn updates
  "GET /updates, from the page's `data-init`: the tab's own stream, stored
  (subscribed) under the session's key beside the session's other tabs, and
  given the counter as it is now (on several nodes, this node then asks the
  others for theirs). The key panel and the counter reach it from then on;
  its close removes this stream only."
  [_request]
  {::d*conn/subscribe  counter/stream-key
   ::d*/with-open-sse? false
   ::d*/fx             [[::fx/show-counter] [::fx/joined]]})

(defn wave
  "POST /wave: every open page of every session shows who waved and when
  (HTTP 204). One broadcast-all response, run on each stream."
  [request]
  (let [{:keys [now]} (app request)]
    {::d*conn/broadcast-all counter/stream-key
     ::d*/fx                [[::d*/patch-signals
                              {:wave (str (session/short-id (session/id request)) " waved at " (now))}]]}))

(defn stylesheet
  "GET /style.css."
  [_request]
  {:status  200
   :headers {"Content-Type" "text/css; charset=utf-8" "Cache-Control" "no-cache"}
   :body    assets/stylesheet})

(defn favicon
  "GET /favicon.ico."
  [_request]
  {:status  200
   :headers {"Content-Type" "image/x-icon" "Cache-Control" "max-age=86400"}
   :body    (ByteArrayInputStream. assets/favicon)})
