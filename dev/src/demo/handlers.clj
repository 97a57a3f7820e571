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
            [demo.view :as view]
            [demo.waves :as waves])
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
                                          :panel   (panel/snapshot app)
                                          :waves   (waves/listed app)})
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
  others for theirs) and, unless replay catches it up, the list of waves.
  The key panel, the counter and each wave reach it from then on; its close
  removes this stream only.

  The store keeps a history (`:replay`): a page Datastar reopens (the tab
  was hidden, or the stream dropped) sends `last-event-id`, and deacon
  writes it the events it missed first, then these effects. `::fx/show-waves`
  asks `d*conn/recoverable?` and sends the whole list only when the answer is
  no: asked in the effect, which runs under the key's lock when the stream
  resumes, the answer is the one the replay acted on."
  [_request]
  {::d*conn/subscribe  counter/stream-key
   ::d*/with-open-sse? false
   ::d*/fx             [[::fx/show-counter] [::fx/show-waves] [::fx/joined]]})

(defn wave
  "POST /wave: every open page of every session appends a line saying who
  waved and when (HTTP 204). The wave is kept in this node's list first
  (pages that open later are given it); then one broadcast-all response, on
  every stream of every node: `[::fx/keep-wave ...]` keeps it in the other
  nodes' lists, and datastar.wow's patch appends its line. That patch is
  sent as the response's own action, not from inside an effect, so that the
  store's history records it, with an SSE id, for the tabs that are hidden."
  [request]
  (let [{:keys [now] :as app} (app request)
        w (waves/seen! app {:id   (waves/new-id)
                            :text (str (session/short-id (session/id request)) " waved at " (now))})]
    {::d*conn/broadcast-all counter/stream-key
     ::d*/fx                [[::fx/keep-wave w]
                             [::d*/patch-elements (view/wave-line w) view/append-wave]]}))

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
