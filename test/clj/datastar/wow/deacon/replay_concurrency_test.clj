(ns datastar.wow.deacon.replay-concurrency-test
  "Replay (`:replay`) under many threads, through the datastar.wow, Nexus and
  SDK stand-ins, on both store types, with and without fan-out. Threads push
  to one key all at once: keyed responses, `send!` to the key, and pattern
  deliveries (`broadcast`, `broadcast-all`, `send!` to a pattern). Meanwhile
  tabs close their stream again and again and come back with the id of the
  last event they saw (`last-event-id`). Every tab's whole view (what each of
  its streams received before it closed, then what it was replayed, then what
  came live) must be the key's sequence: every event recorded for the key,
  in order, none missing, none twice.

  No sleeps: threads start together on a latch, a tab cycles once the pushers
  made progress (a monitor they notify), and every count is bounded. Which
  push interleaves with which resume varies from run to run; what is checked
  holds for every interleaving.

  One race is known and tolerated here, because it would make this test
  fail only sometimes: a keyed response whose look-up found a stream that
  then closed before its effects ran. That push is counted apart here, and
  pinned deterministically by
  `a-keyed-push-whose-stream-closed-before-its-effects-is-still-replayed`."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (java.util.concurrent CountDownLatch)))

(set! *warn-on-reflection* true)

(def ^:private long-run? (Boolean/getBoolean "deacon.long"))

(def ^:private tabs "Tabs that keep closing and coming back." 3)
(def ^:private pushes "Pushes per pushing thread." (if long-run? 600 120))
(def ^:private cycles "Close-and-resume cycles per tab." (if long-run? 150 30))
(def ^:private progress "Pushes a tab waits for while open, then while closed." 2)

(defn- session [{{:keys [request]} :system}] (:session request))

(def ^:private k ["s1" ::feed])

(defn- patch [tag] [:datastar.wow/patch-signals {:tag tag}])

(defn- tag-of [[_ {:keys [tag]}]] tag)

(defn- request
  ([] (wow/request {:session "s1"}))
  ([last-id] (wow/request {:session "s1" :headers {"datastar-request" "true" "last-event-id" last-id}})))

(defn- store [type fan-out?]
  (d*conn/store (cond-> {:type type :fan-out? fan-out? :replay {:events 10000 :ms 600000}}
                  (= :caffeine type) (assoc :executor (fn [^Runnable r] (.run r))))))

(defn- open!
  "A tab's new stream under the key, with `last-id` as its `last-event-id`
  when given; its opening effect is tagged `[:open tab incarnation]`."
  [dispatch tab incarnation last-id]
  (:sse (wow/request! dispatch (if last-id (request last-id) (request))
                      {::d*conn/subscribe ::feed :🚀 [(patch [:open tab incarnation])]})))

(defn- seen
  "What `sse` received: `[tag id]` pairs, in order."
  [sse]
  (mapv (fn [event id] [(tag-of event) id]) (wow/events sse) (wow/event-ids sse)))

(defn- last-id [view] (some second (rseq view)))

;;; The pushers

(defn- keyed-push!
  "A keyed response. Returns how it went: `:recorded` (it went down the key's
  streams through deacon, with an id), `:opened` (no stream was stored: the
  request opened one, and the event is its opening effect, by design not
  recorded), or `:raced` (the look-up found a stream that closed before the
  effects ran; see the namespace's docstring)."
  [dispatch tag]
  (let [{:keys [status dispatch]} (wow/request! dispatch (request) {::d*conn/key ::feed :🚀 [(patch tag)]})]
    (cond
      (= 200 status)           :opened
      (empty? (:results dispatch)) :recorded
      :else                    :raced)))

(defn- pusher
  "The pushes of one thread: `[kind n]` -> how it went."
  [kind s dispatch]
  (fn [n]
    (let [tag [kind n]]
      (case kind
        :keyed (keyed-push! dispatch tag)
        :send  (do (d*conn/send! s k [(patch tag)]) :recorded)
        :fan   (do (case (rem (long n) 3)
                     0 (wow/request! dispatch (request) {::d*conn/broadcast ::feed :🚀 [(patch tag)]})
                     1 (wow/request! dispatch (request) {::d*conn/broadcast-all ::feed :🚀 [(patch tag)]})
                     2 (d*conn/send! s [:* ::feed] [(patch tag)]))
                   :recorded)))))

;;; The run

(defn- run-all
  "Runs pushers and cycling tabs on one store; returns what each tab saw
  (its views, one per incarnation), how each push went, the anchor's view
  (fan-out only: a tab that never closes) and the errors reported."
  [type fan-out?]
  (let [s        (store type fan-out?)
        errors   (atom [])
        dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session :on-error (fn [e _] (swap! errors conj e))}]])
        anchor   (when fan-out? (open! dispatch :anchor 0 nil))
        ;; each tab opens, then gets an event of its own, so that it has an id to come back with
        streams  (vec (for [t (range tabs)]
                        (let [sse (open! dispatch t 0 nil)]
                          (d*conn/send! s k [(patch [:seed t])])
                          (atom sse))))
        views    (vec (repeatedly tabs #(atom [])))
        checks   (atom [])
        mon      (Object.)
        pushed   (atom 0)
        done?    (atom false)
        start    (CountDownLatch. 1)
        await!   (fn []
                   ;; until the pushers made `progress` more pushes, or are done
                   (let [target (+ (long @pushed) progress)]
                     (locking mon
                       (while (and (< (long @pushed) target) (not @done?)) (.wait mon)))))
        close!   (fn [t]
                   (let [old @(streams t)]
                     (wow/close! old)
                     ;; what the tab saw is what had arrived when it hung up
                     (swap! (views t) conj (seen old))))
        resume!  (fn [t incarnation]
                   (let [id (last-id (into [] cat @(views t)))]
                     (swap! checks conj [t incarnation id (d*conn/recoverable? s k id)])
                     (reset! (streams t) (open! dispatch t incarnation id))))
        pushers  (doall
                  (for [kind [:keyed :send :fan]]
                    (future
                      (.await start)
                      (let [push (pusher kind s dispatch)]
                        (into {} (for [n (range pushes)]
                                   (let [outcome (push n)]
                                     (locking mon (swap! pushed inc) (.notifyAll mon))
                                     [[kind n] outcome])))))))
        cyclers  (doall
                  (for [t (range tabs)]
                    (future
                      (.await start)
                      (doseq [c (range 1 (inc cycles))]
                        (await!)                  ; live for a while
                        (close! t)
                        (await!)                  ; hidden for a while: events go on without it
                        (resume! t c)))))]
    (.countDown start)
    (let [outcomes (into {} (map deref) pushers)]
      (locking mon (reset! done? true) (.notifyAll mon))
      (run! deref cyclers)
      ;; every push has returned: each tab comes back once more, and sees the end of the sequence
      (doseq [t (range tabs)] (close! t) (resume! t (inc cycles)))
      (doseq [t (range tabs)] (swap! (views t) conj (seen @(streams t))))
      {:views    (mapv deref views)
       :outcomes outcomes
       :anchor   (some-> anchor seen)
       :checks   @checks
       :errors   @errors})))

(defn- with-ids [view] (filterv second view))

(deftest every-resumed-tab-sees-the-key's-sequence-once-in-order
  (doseq [type [:atom :caffeine] fan-out? [false true]]
    (testing (str type (when fan-out? " fan-out"))
      (let [{:keys [views outcomes anchor checks errors]} (run-all type fan-out?)
            recorded  (set (concat (for [t (range tabs)] [:seed t])
                                   (for [[tag outcome] outcomes :when (= :recorded outcome)] tag)))
            raced     (set (for [[tag outcome] outcomes :when (= :raced outcome)] tag))
            ;; tab 0 opened first and got the first event: its view is the whole sequence
            sequence  (with-ids (into [] cat (views 0)))]
        (is (empty? errors))
        (testing "the key's sequence: every recorded event once, ids distinct and ordered"
          (is (= (count recorded) (count sequence)) "none missing, none twice")
          (is (= recorded (set (map first sequence))))
          (is (apply distinct? (map second sequence)))
          (is (= (map second sequence) (sort (map second sequence))) "ids ordered per key")
          (doseq [kind [:keyed :send :fan]]
            (let [mine (keep (fn [[tag]] (when (= kind (first tag)) (second tag))) sequence)]
              (is (= mine (sort mine)) (str kind ": each thread's pushes in the order it made them")))))
        (when anchor
          (is (= sequence (with-ids anchor)) "a tab that never closed saw exactly the sequence"))
        (doseq [t (range tabs)]
          (testing (str "tab " t)
            (let [view  (into [] cat (views t))
                  ids   (with-ids view)
                  from  (.indexOf ^java.util.List (mapv first sequence) [:seed t])]
              (is (= (subvec sequence from) ids)
                  "from its first event on: the key's sequence, in order, none missing, none twice")
              (is (= (+ 2 cycles) (count (filter (fn [[tag]] (= [:open t] (pop (vec tag)))) view)))
                  "each of its streams got its own opening effect, once")
              (is (every? (fn [[tag]] (or (= :open (first tag)) (raced tag))) (remove second view))
                  "an event without an id is an opening effect (or a raced keyed push)"))))
        (is (= (* tabs (inc cycles)) (count checks)))
        (is (every? (fn [[_ _ id ok?]] (and id ok?)) checks)
            "every tab came back with an id the key still held, and recoverable? said so first")))))

(deftest a-keyed-push-whose-stream-closed-before-its-effects-is-still-replayed
  ;; datastar.wow looks the key up (the stream is found), then dispatches the
  ;; effects on what it found. A tab that closes in between is the window:
  ;; the push must still be recorded, so that the tab gets it when it comes back.
  (doseq [type [:atom :caffeine] fan-out? [false true]]
    (testing (str type (when fan-out? " fan-out"))
      (let [s        (store type fan-out?)
            errors   (atom [])
            inner    (wow/create-dispatch [[d*conn/registry s {:id-fn session :on-error (fn [e _] (swap! errors conj e))}]])
            between  (atom nil)
            dispatch (fn [system data actions]
                       (let [result (inner system data actions)]
                         (when (= [[:datastar.wow/connection]] actions)
                           (when-let [f @between] (reset! between nil) (f)))
                         result))
            tab      (open! dispatch 0 0 nil)]
        (wow/request! dispatch (request) {::d*conn/key ::feed :🚀 [(patch 1)]})
        (let [id (last (wow/event-ids tab))]
          (reset! between #(wow/close! tab))        ; the tab hides right after the look-up found it
          (wow/request! dispatch (request) {::d*conn/key ::feed :🚀 [(patch 2)]})
          (is (nil? @between) "the tab closed between the look-up and the effects")
          (is (zero? (d*conn/connection-count s k)) "the closed stream is not stored again")
          (let [back (open! dispatch 0 1 id)]
            (is (= [2 [:open 0 1]] (map tag-of (wow/events back)))
                "the push made while the tab was going is replayed, then the opening effect")))
        (is (empty? @errors))))))
