(ns demo.live
  "Each session's counter over time, shared by every tab of the session.

  - A command (`command!`: start, add ten, stop) changes the counter once, and
    starts or stops the session's one timer.
  - The timer ticks every second and shows the counter on every tab of the
    session with `d*conn/send!`: one call, every stream of the session's key.
  - When no tab has watched for `grace-ticks` ticks, the timer stops and the
    count is kept (a reload closes the tab's stream and opens a new one, and
    must not stop the counter).
  - A stopped counter nobody watches is forgotten `(:keep-ms app)` later, so
    the demo's state shrinks with its visitors.

  `app` (see `demo.app/app`) holds `:store`, the atoms `:counters`, `:timers`
  and `:forgets`, `:schedule` (`(fn [f])` runs `f` every second and
  returns a cancel fn) and `:later` (`(fn [ms f])` runs `f` once after `ms`,
  returns a cancel fn). Changes to counters and timers are made under one
  lock; nothing is sent while holding it."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.counter :as counter]
            [demo.session :as session]))

(set! *warn-on-reflection* true)

(def grace-ticks
  "How many ticks the timer runs with no tab of its session open before it
  stops (count kept)."
  5)

(def keep-ms
  "How long a stopped count nobody watches is kept, in milliseconds."
  (* 10 60 1000))

(defn watchers
  "How many streams (tabs) session `sid` has open."
  [{:keys [store]} sid]
  (d*conn/connection-count store (d*conn/scoped-key sid counter/stream-key)))

(defn show!
  "Shows session `sid`'s counter on every tab of the session: `send!` runs the
  effect on every stream of the session's key, as if in the request that
  opened it. True when some tab was reached."
  [{:keys [store]} sid]
  (pos? (d*conn/send! store (d*conn/scoped-key sid counter/stream-key) [[:demo.effects/show-counter]])))

(defn- cancel-timer! [{:keys [timers]} sid]
  (when-let [{:keys [cancel]} (get (first (swap-vals! timers dissoc sid)) sid)]
    (cancel)))

(defn- cancel-forget! [{:keys [forgets]} sid]
  (when-let [cancel (get (first (swap-vals! forgets dissoc sid)) sid)]
    (cancel)))

(declare tick! forget!)

(defn- settle!
  "Under the lock: the timer runs exactly when the counter does, and a stopped
  counter nobody watches is forgotten later."
  [{:keys [counters timers forgets schedule later] :as app} sid]
  (if (:running (counter/of @counters sid))
    (do (cancel-forget! app sid)
        (when-not (contains? @timers sid)
          (swap! timers assoc sid {:cancel (schedule #(tick! app sid)) :idle 0})))
    (do (cancel-timer! app sid)
        (when (and (contains? @counters sid)
                   (not (contains? @forgets sid))
                   (zero? (long (watchers app sid))))
          (swap! forgets assoc sid (later (:keep-ms app keep-ms) #(forget! app sid)))))))

(defn command!
  "Applies command `op` (`:start`, `:jump` or `:stop`, see `demo.counter/ops`)
  to session `sid`'s counter, once, and starts or stops its timer to match.
  Returns the counter. Showing it is the caller's business."
  [{:keys [counters] :as app} sid op]
  (locking counters
    (swap! counters (counter/ops op) sid)
    (settle! app sid)
    (counter/of @counters sid)))

(defn tick!
  "One tick of session `sid`'s timer: the counter adds one and every tab of
  the session shows it. After `grace-ticks` ticks without any tab, the timer
  stops and the count is kept."
  [{:keys [counters timers] :as app} sid]
  (let [show? (locking counters
                (when (contains? @timers sid)
                  (let [watched? (pos? (long (watchers app sid)))
                        idle     (get-in (swap! timers update-in [sid :idle] #(if watched? 0 (inc (long %))))
                                         [sid :idle])]
                    (if (>= (long idle) grace-ticks)
                      (do (swap! counters counter/pause sid)
                          (settle! app sid)
                          false)
                      (do (swap! counters counter/tick sid)
                          watched?)))))]
    (when show? (show! app sid))
    nil))

(defn forget!
  "Forgets session `sid`'s counter if it is stopped and nobody watches it."
  [{:keys [counters forgets] :as app} sid]
  (locking counters
    (swap! forgets dissoc sid)
    (when (zero? (long (watchers app sid)))
      (swap! counters counter/forget sid)))
  nil)

(defn stream-gone!
  "Store key `k` lost a stream (tab closed, found dead): when it was session's
  last counter stream and the counter is stopped, it is forgotten later. A
  running counter's timer sees the session gone by itself."
  [{:keys [counters] :as app} k]
  (when (and (vector? k) (= 2 (count k)) (= counter/stream-key (second k)))
    (locking counters
      (settle! app (first k))))
  nil)
