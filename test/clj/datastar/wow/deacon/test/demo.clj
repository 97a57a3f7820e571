(ns datastar.wow.deacon.test.demo
  "The REPL demo (dev/src/demo) over the datastar.wow and Nexus stand-ins,
  for demo_test and demo_cluster_test: the demo's state with hand-driven
  time, requests and tabs of a session (opened afresh or reopened with a
  `last-event-id`), and readers of what a tab was sent (counters, waves,
  the store panel, event ids)."
  (:require [clojure.string :as str]
            [clojure.test :refer [is]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow]
            [demo.counter :as counter]
            [demo.effects :as effects]
            [demo.handlers :as handlers]
            [demo.panel :as panel]
            [demo.session :as session]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(defn sdk-send
  "A probe's send as the Datastar SDK's send functions behave: false on a
  closed stream, never an exception. Records `[:probe nil]` on an open one."
  [sse]
  (wow/send! sse [:probe nil]))

(defn dispatch-for
  "The dispatch the demo builds (demo.app/dispatch), over the stand-ins."
  [app]
  (wow/create-dispatch [[d*conn/registry (:store app) (effects/deacon-options app)]
                        [effects/registry app]]))

(defn test-app
  "The demo's state as demo.app builds it, with hand-driven time: `(:ticks
  app)` holds the scheduled tick fns by number, `(:laters app)` the delayed
  `[ms f]`s by number, `(:cancelled app)` the numbers cancelled (`[:later n]`
  for delayed ones). Panel refreshes run at once; the clock says 12:00:00.
  Close its store when done: `with-app`."
  ([] (test-app {}))
  ([overrides]
   (let [ticks     (atom [])
         laters    (atom [])
         cancelled (atom #{})
         app       (merge (effects/fresh-state)
                          {:dispatch     (atom nil)
                           :ticks        ticks
                           :laters       laters
                           :cancelled    cancelled
                           :heartbeat-ms 3600000
                           :schedule     (fn [f]
                                           (let [n (count (swap! ticks conj f))]
                                             #(swap! cancelled conj (dec n))))
                           :later        (fn [ms f]
                                           (let [n (count (swap! laters conj [ms f]))]
                                             #(swap! cancelled conj [:later (dec n)])))
                           :submit       (fn [f] (f))
                           :now          (constantly "12:00:00")
                           :cdn          "https://cdn.example/datastar.js"}
                          overrides)
         app       (assoc app :store (reset! (:store-ref app) (d*conn/store (effects/store-options app sdk-send))))
         app       (assoc app :test-dispatch (dispatch-for app))]
     (panel/watch! app)
     app)))

(defmacro with-app
  "`(with-app [app] body)` or `(with-app [app overrides] body)`: body with a
  `test-app`, whose store (and heartbeat thread) is closed afterwards."
  [[sym overrides] & body]
  `(let [~sym (test-app ~(or overrides {}))]
     (try ~@body
          (finally (d*conn/close! (:store ~sym))))))

(def ann
  "A session id."
  "session-of-ann")
(def bob
  "Another session id."
  "session-of-bob")

(defn req
  "A request of session `sid` to `app`, with the Ring keys of `m`."
  [app sid m]
  (wow/request (merge {::session/id sid ::handlers/app app} m)))

(defn send!
  "One request through `handler` and the datastar.wow stand-in: a response
  with `:datastar.wow/fx` is handled as datastar.wow does, any other is
  returned as it is (a 404 in plain text)."
  [app handler request]
  (let [response (handler request)]
    (if (contains? response :datastar.wow/fx)
      (wow/request! (:test-dispatch app) request response)
      response)))

(defn open-tab!
  "A page of session `sid` loads and opens its stream (`GET /updates`);
  returns the stream. With `last-event-id`, the stream reopens as Datastar
  reopens it when a hidden tab is shown again: with the header
  `last-event-id`."
  ([app sid] (open-tab! app sid nil))
  ([app sid last-event-id]
   (let [request (cond-> (req app sid {:request-method :get})
                   last-event-id (assoc-in [:headers "last-event-id"] last-event-id))
         {:keys [status sse]} (send! app handlers/updates request)]
     (is (= 200 status))
     sse)))

(defn last-id
  "The id of the last event sent down `sse` that had one, as the browser
  keeps it for `last-event-id`."
  [sse]
  (last (remove nil? (wow/event-ids sse))))

(defn command!
  "A command of session `sid` (`handler` and `method`); returns the status."
  [app handler sid method]
  (:status (send! app handler (req app sid {:request-method method}))))

(defn tick!
  "Runs the `n`th scheduled tick (default the first)."
  ([app] (tick! app 0))
  ([app n] ((nth @(:ticks app) n))))

(defn signals
  "The signals patched on `sse`, in order."
  [sse]
  (for [[kind payload] (wow/events sse) :when (= :datastar.wow/patch-signals kind)] payload))

(defn counters-seen
  "The counters a tab was shown, in order."
  [sse]
  (filter #(contains? % :counter) (signals sse)))

(defn shown
  "The last counter a tab was shown."
  [sse]
  (last (counters-seen sse)))

(declare tag?)

(defn- wave-line?
  "True for an event appending a wave's line to the page's list."
  [[kind payload]]
  (and (= :datastar.wow/patch-elements kind)
       (vector? payload) (map? (second payload))
       (= "#waves" (:d*.elements/selector (second payload)))))

(defn waves
  "The waves a tab was sent, one line each, appended, in order: their texts."
  [sse]
  (for [e (wow/events sse) :when (wave-line? e)]
    (last (first (second e)))))

(defn wave-events
  "The events of `sse` that append a wave's line, with their SSE ids:
  `[[id [:li ...] opts] ...]`."
  [sse]
  (for [[id e] (map vector (wow/event-ids sse) (wow/events sse)) :when (wave-line? e)]
    (into [id] (second e))))

(defn wave-lists
  "The whole lists of waves sent down `sse` (each `[:ol#waves ...]`), in
  order."
  [sse]
  (for [[kind el] (wow/events sse)
        :when (and (= :datastar.wow/patch-elements kind) (tag? :ol#waves el))]
    el))

(defn tag?
  "True when hiccup `x` is an element of tag `t` (id and classes aside)."
  [t x] (and (vector? x) (keyword? (first x)) (str/starts-with? (name (first x)) (name t))))

(defn find-all
  "The elements of tag `t` in hiccup `el`."
  [t el] (filter #(tag? t %) (tree-seq vector? seq el)))

(defn text
  "The text of hiccup `el`: its strings and numbers, joined."
  [el]
  (str/join (filter #(or (string? %) (number? %)) (tree-seq vector? seq el))))

(defn panel-of
  "The last store panel sent down `sse`."
  [sse]
  (last (for [[kind el] (wow/events sse)
              :when (and (= :datastar.wow/patch-elements kind) (tag? :section#store el))]
          el)))

(defn rows
  "The key table of a store panel: `[key-label streams age node]` per row."
  [panel-el]
  (vec (for [tr (find-all :tr (first (find-all :tbody panel-el)))
             :let [tds (filter #(tag? :td %) tr)]
             :when (= 4 (count tds))]
         (mapv text tds))))

(defn label
  "How the panel prints session `sid`'s key."
  [sid]
  (view/key-label [sid counter/stream-key]))

(defn eventually
  "Polls `f` until it returns truthy or 10 s pass; returns its last value."
  [f]
  (let [deadline (+ (System/currentTimeMillis) 10000)]
    (loop []
      (or (f)
          (when (< (System/currentTimeMillis) deadline)
            (Thread/sleep 5)
            (recur))))))
