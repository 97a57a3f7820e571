(ns datastar.wow.deacon.replay-property-test
  "A generated property of replay (`:replay`), against a model of each key's
  history: random programs of open, close, keyed push, `send!` (to a key or a
  pattern), broadcast, `recoverable?`, the clock moving on, and resume with a
  `last-event-id` that is a tab's own last id, any id seen so far (another
  key's, one pushed out of the history, one older than the window), an id of
  another store, or nonsense. Every stream must receive exactly what the
  model says (on resume: the events after the id, then its opening effect,
  then live events), every event but an opening carries an id, one id per
  event and key, ordered along each stream; `recoverable?` must answer what
  the model answers.

  The model of a key: a ring of its last N events, each with the time it was
  recorded, and when the key last had a stream (stored, or written to). An
  event sent to a key is recorded when the key has a stream, or had one
  within the window T; a resume's id is recoverable when the key's ring holds
  it and it is no older than T.

  Runs over an atom store and a Caffeine store built from Clojure options
  (a window far longer than the run: the model's clock stands still), and a
  Caffeine store built in Java with a ticker the program moves (the window
  is modelled too), with and without fan-out."
  (:require [clojure.test :refer [is]]
            [clojure.test.check.clojure-test :refer [defspec]]
            [clojure.test.check.generators :as gen]
            [clojure.test.check.properties :as prop]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (com.github.benmanes.caffeine.cache Ticker)
           (datastar.wow.deacon CaffeineStore CaffeineStore$Builder)
           (java.time Duration)
           (java.util.concurrent Executor)))

(set! *warn-on-reflection* true)

(def ^:private runs (if (Boolean/getBoolean "deacon.long") 1000 100))

(def ^:private ring "Events a key keeps: small, so that programs push ids out of it." 3)

(def ^:private window-ns
  "The window of the store with a ticker: one second and a nanosecond, so that
  the clock, moved in whole milliseconds, never lands on its edge."
  1000000001)

(def ^:private ks [::a ::b])
(def ^:private targets [["s1" ::a] ["s1" ::b] [:* ::a] ["s1" :*]])

(def ^:private id-choice
  (gen/one-of [(gen/tuple (gen/return :own) gen/nat)
               (gen/tuple (gen/return :seen) gen/nat)
               (gen/elements [[:unknown] [:foreign] [:none]])]))

(def ^:private op
  (gen/frequency
   [[3 (gen/tuple (gen/return :open) (gen/elements ks))]
    [4 (gen/tuple (gen/return :resume) (gen/elements ks) id-choice)]
    [3 (gen/tuple (gen/return :close) gen/nat)]
    [3 (gen/tuple (gen/return :push) (gen/elements ks))]
    [3 (gen/tuple (gen/return :send) (gen/elements targets))]
    [2 (gen/tuple (gen/return :broadcast) (gen/elements (conj ks :*)))]
    [2 (gen/tuple (gen/return :recoverable) (gen/elements ks) id-choice)]
    [2 (gen/tuple (gen/return :advance) (gen/choose 0 700))]]))

;;; The stores

(defn- ticking-store
  "A Caffeine store whose clock is `clock` (nanoseconds), replay window
  `window-ns`; callbacks on the calling thread."
  [fan-out? clock]
  (let [^CaffeineStore$Builder b (CaffeineStore/builder)]
    (.executor b (reify Executor (execute [_ r] (.run r))))
    (.ticker b (reify Ticker (read [_] (long @clock))))
    (.fanOut b (boolean fan-out?))
    (.replay b (int ring) (Duration/ofNanos window-ns))
    (.build b)))

(defn- store
  "The store of `kind`, and the window its model uses (nil: the clock stands
  still, the window is never reached)."
  [kind fan-out? clock]
  (case kind
    :atom     [(d*conn/store {:type :atom :fan-out? fan-out? :replay {:events ring :ms 600000}}) nil]
    :caffeine [(d*conn/store {:type :caffeine :fan-out? fan-out? :replay {:events ring :ms 600000}
                              :executor (fn [^Runnable r] (.run r))})
               nil]
    :ticking  [(ticking-store fan-out? clock) window-ns]))

;;; The model

(defn- within? [window now at]
  (or (nil? window) (<= (- (long now) (long at)) (long window))))

(defn- recording?
  "Whether an event sent to `k` now is recorded: the key has a stream, or had
  one within the window."
  [{:keys [held tracks now window]} k]
  (or (seq (held k))
      (when-let [{:keys [last-stream]} (tracks k)] (within? window now last-stream))))

(defn- record
  "The model after event `tag` was sent to `k`: recorded, and written to the
  key's streams, when the key records."
  [{:keys [held now] :as m} k tag]
  (if-not (recording? m k)
    m
    (-> m
        (update-in [:tracks k :events] #(vec (take-last ring (conj (or % []) [tag now]))))
        (cond-> (seq (held k)) (assoc-in [:tracks k :last-stream] now))
        (update :expected (fn [e] (reduce #(update %1 %2 conj tag) e (held k)))))))

(defn- stored
  "The model after stream `sse` was stored under `k`."
  [{:keys [fan-out? now] :as m} k sse]
  (-> m
      (update-in [:held k] #(if fan-out? (conj (or % []) sse) [sse]))
      (assoc-in [:tracks k :last-stream] now)))

(defn- after
  "The tags the model replays to a stream resuming under `k` after `id`, or
  nil when it is not recoverable."
  [{:keys [tracks now window ids]} k id]
  (when-let [[ik tag] (ids id)]
    (when (= ik k)
      (let [events (get-in tracks [k :events])
            i      (first (keep-indexed (fn [i [t]] (when (= t tag) i)) events))]
        (when (and i (within? window now (second (events i))))
          (mapv first (subvec events (inc i))))))))

(defn- scoped-keys
  "The keys of the model that `target` (a key or pattern) reaches."
  [target]
  (filter #(d*conn/matches? target %) (for [k ks] ["s1" k])))

;;; Running a program

(defn- observe
  "The model's `:ids` with every id seen on the streams: id -> [key tag]."
  [{:keys [streams] :as m}]
  (assoc m :ids (into {} (for [{:keys [sse k]} streams
                               [[_ {:keys [tag]}] id] (map vector (wow/events sse) (wow/event-ids sse))
                               :when id]
                           [id [k tag]]))))

(defn- choose-id [{:keys [streams ids foreign]} [how i]]
  (case how
    :own     (when (seq streams)
               (last (remove nil? (wow/event-ids (:sse (nth streams (mod i (count streams))))))))
    :seen    (when (seq ids) (nth (sort (keys ids)) (mod i (count ids))))
    :unknown "nonsense-42"
    :foreign foreign
    :none    nil))

(defn- foreign-id
  "An id given by another store."
  []
  (let [s        (d*conn/store {:type :atom :replay {}})
        dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn (constantly "s1")}]])
        tab      (:sse (wow/request! dispatch (wow/request) {::d*conn/subscribe ::a :🚀 []}))]
    (d*conn/send! s ["s1" ::a] [[:datastar.wow/patch-signals {:tag :elsewhere}]])
    (first (wow/event-ids tab))))

(defn- patch [tag] [:datastar.wow/patch-signals {:tag tag}])

(defn- step
  "Runs `op` on the store and on the model; returns the model."
  [{:keys [s dispatch streams n clock window] :as m} [kind a b]]
  (let [m       (-> m observe (update :n inc))
        request (fn [id] (wow/request (cond-> {:session "s1"}
                                        id (assoc :headers {"datastar-request" "true" "last-event-id" id}))))
        open    (fn [m k id]
                  (let [sse    (:sse (wow/request! dispatch (request id) {::d*conn/subscribe k :🚀 [(patch [:open n])]}))
                        missed (when id (after m ["s1" k] id))]
                    (-> m
                        (update :streams conj {:sse sse :k ["s1" k]})
                        (assoc-in [:expected sse] (conj (vec missed) [:open n]))
                        (stored ["s1" k] sse))))]
    (case kind
      :open   (open m a nil)
      :resume (let [id (choose-id m b)]
                (swap! (:checks m) conj [(d*conn/recoverable? s ["s1" a] id) (some? (after m ["s1" a] id)) [kind a b]])
                (open m a id))
      :close  (if (empty? streams)
                m
                (let [{:keys [sse k]} (nth streams (mod a (count streams)))]
                  (if (wow/close! sse)
                    (update-in m [:held k] (fn [held] (vec (remove #(identical? sse %) held))))
                    m)))
      :push   (do (wow/request! dispatch (request nil) {::d*conn/key a :datastar.wow/with-open-sse? true :🚀 [(patch n)]})
                  ;; no stream under the key: the request's own stream took it, and closed
                  (if (seq (get-in m [:held ["s1" a]])) (record m ["s1" a] n) m))
      :send   (do (d*conn/send! s a [(patch n)])
                  (reduce #(record %1 %2 n) m (scoped-keys a)))
      :broadcast (do (wow/request! dispatch (request nil) {::d*conn/broadcast a :🚀 [(patch n)]})
                     (reduce #(record %1 %2 n) m (scoped-keys ["s1" a])))
      :recoverable (let [id (choose-id m b)]
                     (swap! (:checks m) conj [(d*conn/recoverable? s ["s1" a] id) (some? (after m ["s1" a] id)) [kind a b]])
                     m)
      :advance (if window
                 (do (swap! clock + (* 1000000 (long a))) (update m :now + (* 1000000 (long a))))
                 m))))

(defn- run-program [kind fan-out? ops]
  (let [clock    (atom 0)
        [s window] (store kind fan-out? clock)
        errors   (atom [])
        dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn (fn [{{:keys [request]} :system}] (:session request))
                                                           :on-error (fn [e _] (swap! errors conj e))}]])
        m        (reduce step {:s s :dispatch dispatch :fan-out? fan-out? :clock clock :window window
                               :now 0 :n 0 :streams [] :held {} :tracks {} :expected {} :ids {}
                               :checks (atom []) :foreign (foreign-id)}
                         ops)]
    (assoc m :errors @errors)))

(defn- ids-hold
  "Every event but an opening effect carries an id; one id per key and event,
  never given twice; ids ordered along each stream."
  [streams]
  (let [pairs (for [{:keys [sse k]} streams
                    [[_ {:keys [tag]}] id] (map vector (wow/events sse) (wow/event-ids sse))]
                [k tag id])
        given (distinct (for [[k tag id] pairs :when id] [k tag id]))]
    (and (is (every? (fn [[_ tag id]] (if (and (vector? tag) (= :open (first tag))) (nil? id) (string? id))) pairs)
             "an opening effect has no id, every other event has one")
         (is (= (count given) (count (distinct (map pop given))) (count (distinct (map peek given))))
             "one id per key and event, never given twice")
         (every? (fn [{:keys [sse]}]
                   (let [ids (remove nil? (wow/event-ids sse))]
                     (is (= ids (sort ids)) "ids ordered along a stream")))
                 streams))))

(defspec every-stream-gets-what-the-history-model-says runs
  (prop/for-all [ops (gen/vector op 1 50)
                 kind (gen/elements [:atom :caffeine :ticking])
                 fan-out? gen/boolean]
    (let [{:keys [streams expected checks errors]} (run-program kind fan-out? ops)
          label (str kind (when fan-out? " fan-out"))]
      (and (is (empty? errors))
           (every? (fn [{:keys [sse]}]
                     (is (= (expected sse) (mapv (fn [[_ {:keys [tag]}]] tag) (wow/events sse))) label))
                   streams)
           (ids-hold streams)
           (every? (fn [[actual model op]] (is (= model actual) (str label " recoverable? at " op)))
                   @checks)))))
