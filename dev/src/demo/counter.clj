(ns demo.counter
  "The counter of each browser session, as pure functions over a map
  `{session-id {:counter n :running bool}}` (the value of the demo's atom).
  A session with nothing to keep (never started, or stopped and reset) has
  no entry, so the map only holds counters worth showing.")

(set! *warn-on-reflection* true)

(def stream-key
  "The key every tab's stream is stored under, scoped by session as
  `[session-id :demo/counter]`. The store fans out: the key holds one stream
  per open tab of the session."
  :demo/counter)

(def initial
  "A session's counter before anything happened."
  {:counter 0 :running false})

(defn of
  "Session `sid`'s counter in `counters`."
  [counters sid]
  (get counters sid initial))

(defn- tidy
  "Drops `sid`'s entry when it holds nothing but the initial counter."
  [counters sid]
  (if (= initial (get counters sid)) (dissoc counters sid) counters))

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
  "The timer of `sid` stopped without a reset (nobody watched it): the count
  is kept."
  [counters sid]
  (if (contains? counters sid)
    (tidy (assoc-in counters [sid :running] false) sid)
    counters))

(defn stop
  "Stops the timer and resets the counter: nothing left to keep."
  [counters sid]
  (dissoc counters sid))

(defn forget
  "Drops `sid`'s counter unless its timer runs (a paused count nobody came
  back for)."
  [counters sid]
  (if (:running (get counters sid)) counters (dissoc counters sid)))

(def ops
  "The commands a request may give a session's counter."
  {:start start :jump jump :stop stop})
