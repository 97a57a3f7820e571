(ns demo.handlers
  "The demo's Ring handlers: pure functions from a request to a datastar.wow
  response map. State changes and timers are effects (`demo.effects`), so a
  handler only says what should happen, and on which stream."
  (:require [datastar.wow :as-alias d*]
            [datastar.wow.deacon :as d*conn]
            [demo.counter :as counter]
            [demo.effects :as-alias fx]
            [demo.session :as session]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(def counter-key
  "The key of a session's counter stream; stored as `[session-id ::counter]`."
  ::counter)

(defn panel-key
  "The key of one page's key-panel stream: one per tab, so that two tabs of a
  session each keep a live panel."
  [tab]
  [::panel tab])

(defn app
  "The demo's state (`demo.system/app`), put in the request by `wrap-app`."
  [request]
  (::app request))

(defn wrap-app
  "Ring middleware giving handlers the demo's state."
  [handler app]
  (fn [request] (handler (assoc request ::app app))))

(defn index
  "GET / renders the page; PUT / starts the timer on a new stream that deacon
  stores under `::counter`; DELETE / stops it on the stored stream and closes
  it, which purges the key."
  [{:keys [request-method] :as request}]
  (let [{:keys [counters store cdn doctype]} (app request)
        sid (session/id request)]
    (case request-method
      :get    {:body (cond->> (view/page {:cdn     cdn
                                          :counter (counter/of @counters sid)
                                          :keys    (d*conn/list-keys store)
                                          :sid     sid
                                          :tab     (::session/tab request)})
                       doctype (list doctype))}
      :put    {::d*conn/key        counter-key      ; store the stream this request opens
               ::d*/with-open-sse? false            ; and keep it open
               ::d*/fx             [[::fx/counter :start]
                                    [::fx/start-timer]]}
      :delete {::d*conn/key        counter-key      ; the stored stream, if any
               ::d*/with-open-sse? true             ; (none stored: answer on a short one)
               ::d*/fx             [[::fx/stop-timer]
                                    [::fx/counter :stop]
                                    [::d*/close-sse]]})))

(defn jump
  "POST /jump adds ten, sent down the stream the PUT stored: same key, so
  deacon hands datastar.wow that stream and this request answers 204."
  [_request]
  {::d*conn/key        counter-key
   ::d*/with-open-sse? true                         ; no stored stream: don't store this one
   ::d*/fx             [[::fx/counter :jump]]})

(defn- tab
  "The page's tab id, from its `tab` signal (a GET's signals arrive in the
  `datastar` query parameter, see `demo.params`). Anything but a UUID, as the
  page makes them, is not used as a key: the request's own fresh id is."
  [{:keys [signals] :as request}]
  (let [t (:tab signals)]
    (if (and (string? t) (parse-uuid t))
      t
      (::session/tab request))))

(defn panel
  "GET /keys, from the page's `data-init`: a stream per tab, stored so that
  changes to the store can be pushed to it."
  [request]
  {::d*conn/key        (panel-key (tab request))
   ::d*/with-open-sse? false
   ::d*/fx             [[::fx/show-keys]]})
