(ns datastar.wow.deacon.test.wow
  "A stand-in for datastar.wow's middleware (com.github.brianium/datastar.wow,
  1.0.0-RC3-wow1 .. RC11) for tests on machines that cannot download it: its
  registry merging and its per-request dispatch strategy, over
  `nexus.core` (the Nexus stand-in), with fake SSE streams that behave like
  the Datastar SDK's: a send answers true, or false once the stream is
  closed, and never throws.

  Per Datastar request whose handler response holds `:datastar.wow/fx` (or
  `:🚀`):
  1. a `:datastar.wow/connection` in the response is used as the connection:
     the actions go to it, HTTP 204;
  2. else `[[:datastar.wow/connection]]` is dispatched with `{:sse nil}`; a
     non-nil first result is the connection: actions go to it, HTTP 204;
  3. else a new stream opens and the actions are dispatched on it (and it is
     closed after them when with-open-sse?); when it closes,
     `[[:datastar.wow/sse-closed]]` is dispatched with `{:sse nil}` and that
     request's dispatch-data."
  (:require [nexus.core :as nexus]
            [starfederation.datastar.clojure.protocols :as sdk]))

(set! *warn-on-reflection* true)

;;; Fake SSE streams

(declare close!)

(deftype FakeSse [id events sent-ids open on-close ^java.util.concurrent.locks.ReentrantLock lock]
  sdk/SSEGenerator
  (send-event! [_ event-type data-lines opts]
    ;; the SDK renders the event text here, with an id: line from :d*.sse/id; a fake
    ;; records [event-type data], and the id apart. As the SDK's generators, it
    ;; writes holding the stream's own lock: an event and its id go in together.
    (.lock lock)
    (try
      (if @open
        (do (swap! events conj [event-type data-lines])
            (swap! sent-ids conj (:d*.sse/id opts))
            true)
        false)
      (finally (.unlock lock))))
  (get-lock [_] lock)
  (close-sse! [this] (close! this))
  (sse-gen? [_] true)
  Object
  (toString [_] (str "#fake-sse[" id (if @open "" " closed") "]")))

(defonce ^:private ids (atom 0))

(def renders
  "How many events the send effect has rendered (the SDK turns a payload into
  event text once per send call, whatever the stream)."
  (atom 0))

(defn fake-sse
  "A new open stream. `events` is an atom of what was sent down it."
  []
  (->FakeSse (swap! ids inc) (atom []) (atom []) (atom true) (atom nil) (java.util.concurrent.locks.ReentrantLock.)))

(defn events [^FakeSse sse] @(.-events sse))

(defn event-ids
  "The SSE id each event written to `sse` carried (`:d*.sse/id` of its
  options, as the SDK writes it), nil for none, in the order of `events`."
  [^FakeSse sse]
  @(.-sent-ids sse))
(defn open? [^FakeSse sse] @(.-open sse))

(defn send!
  "Write `[event-type data]` to `sse` through the SDK's protocol, as the SDK's
  send functions do: true when written, false when the stream is closed
  (never an exception for that). Throws when `sse` is not a stream at all."
  [sse [event-type data]]
  (sdk/send-event! sse event-type data {}))

(defn vanish!
  "The client of `sse` went away without the server noticing (an adapter that
  missed the close): writes now answer false, no on-close runs."
  [^FakeSse sse]
  (reset! (.-open sse) false))

(defn close!
  "Close `sse` (client gone or server close); runs its on-close callback once.
  True when it closed, false when it was already closed, as the SDK's."
  [^FakeSse sse]
  (if (compare-and-set! (.-open sse) true false)
    (do (when-let [f @(.-on-close sse)] (f)) true)
    false))

;;; Registries, merged as datastar.wow merges them

(def default-registry
  {:datastar.wow/system->state (fn [{:keys [request]}] (:signals request))
   :datastar.wow/effects
   {:datastar.wow/connection (fn [{:keys [dispatch-data]} _]
                               (:datastar.wow/connection dispatch-data))
    :datastar.wow/close-sse  (fn [_ {:keys [sse]}] (sdk/close-sse! sse))
    :datastar.wow/sse-closed (constantly nil)
    ;; as datastar.wow's: every send goes through this one effect, which renders
    ;; the payload and hands it to the SDK, which ends in send-event! on :sse. The SDK
    ;; writes a patch's own options (selector, mode) as data lines of the event, so a fake
    ;; records an event sent with them as [action [payload opts]]: replayed, it keeps
    ;; them, as the SDK's rendered event does. The SSE options (:d*.sse/id,
    ;; :d*.sse/retry-duration) go to send-event!, as the SDK hands them on.
    :datastar.wow/send       (fn [_ {:keys [sse]} & [action payload opts]]
                               (swap! renders inc)
                               (let [sse-opt? (fn [[k]] (= "d*.sse" (namespace k)))
                                     own      (into {} (remove sse-opt?) opts)]
                                 (sdk/send-event! sse action (if (seq own) [payload own] payload)
                                                  (into {} (filter sse-opt?) opts))))}
   :datastar.wow/actions
   {:datastar.wow/patch-signals  (fn [_ signals & [opts]]
                                   [(cond-> [:datastar.wow/send :datastar.wow/patch-signals signals] opts (conj opts))])
    :datastar.wow/patch-elements (fn [_ elements & [opts]]
                                   [(cond-> [:datastar.wow/send :datastar.wow/patch-elements elements] opts (conj opts))])}})

(def ^:private aliases
  {:datastar.wow/effects      :nexus/effects
   :datastar.wow/actions      :nexus/actions
   :datastar.wow/placeholders :nexus/placeholders
   :datastar.wow/interceptors :nexus/interceptors
   :datastar.wow/system->state :nexus/system->state})

(defn- merge-registry [nexus registry]
  (reduce-kv (fn [acc k v]
               (if-let [nk (aliases k)]
                 (case nk
                   :nexus/interceptors  (update acc nk (fnil into []) v)
                   :nexus/system->state (assoc acc nk v)
                   (update acc nk merge v))
                 acc))
             nexus registry))

(defn create-registry
  "Nexus config from registry specs: a map is used as is, a `fn?` is called
  with no arguments, a vector `[f & args]` is applied; anything else is
  ignored (so a Java IFn that is not `fn?` registers nothing)."
  [specs]
  (reduce (fn [nexus spec]
            (merge-registry nexus (cond
                                    (map? spec)    spec
                                    (fn? spec)     (spec)
                                    (vector? spec) (apply (first spec) (rest spec))
                                    :else          {})))
          {} (cons default-registry specs)))

(defn create-dispatch
  "A dispatch fn over the merged registries, as datastar.wow builds one."
  [registries]
  (let [nexus (create-registry registries)]
    (fn [system dispatch-data actions]
      (nexus/dispatch nexus system dispatch-data actions))))

;;; Requests

(defn wrap-signals
  "datastar.wow's signal reading (`with-signals`) over the Datastar SDK's
  `get-signals`: for a Datastar request (header `datastar-request: true`) the
  raw signals of a GET or DELETE are `(get-in request [:query-params
  \"datastar\"])` — so an app without a params middleware sees none — and of
  any other method the body; when present they are parsed with `read-json`
  (datastar.wow's `::d*/read-json`, keyword keys) into `:signals`."
  [handler read-json]
  (fn [request]
    (if (= "true" (get-in request [:headers "datastar-request"]))
      (let [raw (case (:request-method request)
                  (:get :delete) (get-in request [:query-params "datastar"])
                  (:body request))]
        (handler (cond-> request (some? raw) (assoc :signals (read-json raw)))))
      (handler request))))


(defn on-close!
  "Makes `f` (no arguments) what `close!` runs, once, when `sse` closes."
  [^FakeSse sse f]
  (reset! (.-on-close sse) f))

(defn request!
  "Handle one Datastar request whose handler returned `response`, the way
  datastar.wow does. Returns `{:status 204|200 :sse stream-if-opened
  :dispatch dispatch-result :lookup lookup-result}`. With option
  `:->sse-response` (an SDK adapter's, as `d*/with-datastar` takes) the
  stream is opened through it and `:ring` holds the Ring response it made."
  ([dispatch request response]
   (request! dispatch request response {}))
  ([dispatch request response {:keys [with-open-sse? ->sse-response] :or {with-open-sse? false}}]
   (let [response (cond-> response
                    (contains? response :🚀)
                    (-> (assoc :datastar.wow/fx (:🚀 response)) (dissoc :🚀)))
         actions  (:datastar.wow/fx response)
         data     {:datastar.wow/response response
                   :datastar.wow/request request
                   :datastar.wow/with-open-sse? (get response :datastar.wow/with-open-sse? with-open-sse?)}
         lookup   (when-not (contains? response :datastar.wow/connection)
                    (dispatch {:sse nil :request request} data [[:datastar.wow/connection]]))
         conn     (or (:datastar.wow/connection response)
                      (some-> lookup :results first :res))]
     (if (some? conn)
       {:status 204 :lookup lookup
        :dispatch (dispatch {:sse conn :request request} data actions)}
       (let [opened   (atom nil)
             on-open  (fn [sse]
                        (let [result (dispatch {:sse sse :request request} data actions)]
                          (reset! opened [sse result])
                          (when (:datastar.wow/with-open-sse? data) (sdk/close-sse! sse))))
             on-close (fn [_sse _status]
                        (dispatch {:sse nil :request request} data [[:datastar.wow/sse-closed]]))
             ring     (if ->sse-response
                        (->sse-response request {:d*.sse/on-open on-open :d*.sse/on-close on-close})
                        (let [sse (fake-sse)]
                          (on-close! sse #(on-close sse nil))
                          (on-open sse)
                          nil))
             [sse result] @opened]
         (cond-> {:status 200 :sse sse :lookup lookup :dispatch result}
           ring (assoc :ring ring)))))))

(defn request
  "A fresh Ring-like request map (a new object each call, as a server makes)."
  ([] (request {}))
  ([m] (merge {:request-method :get :uri "/" :headers {"datastar-request" "true"}
               ::id (Object.)}
              m)))
