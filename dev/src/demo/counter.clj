(ns demo.counter
  "The counter of each browser session, as pure functions over a map
  `{session-id {:counter n :running bool}}` (the value of the demo's atom).")

(set! *warn-on-reflection* true)

(def initial
  "A session's counter before anything happened."
  {:counter 0 :running false})

(defn of
  "Session `sid`'s counter in `counters`."
  [counters sid]
  (get counters sid initial))

(defn start
  "The timer of `sid` runs."
  [counters sid]
  (assoc counters sid (assoc (of counters sid) :running true)))

(defn tick
  "One second passed: a running counter adds one."
  [counters sid]
  (let [c (of counters sid)]
    (if (:running c)
      (assoc counters sid (update c :counter inc))
      counters)))

(defn jump
  "Adds a whopping ten."
  [counters sid]
  (assoc counters sid (update (of counters sid) :counter + 10)))

(defn pause
  "The timer of `sid` stopped without a reset (its stream went away)."
  [counters sid]
  (assoc counters sid (assoc (of counters sid) :running false)))

(defn stop
  "Stops the timer and resets the counter."
  [counters sid]
  (assoc counters sid initial))

(def ops
  "The operations effects may name: `[::fx/counter :jump]`."
  {:start start :tick tick :jump jump :stop stop})
