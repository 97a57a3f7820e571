(ns demo.counter
  "The counter of each browser session, as pure functions over a map
  `{session-id {:counter n :running bool}}` (the value of the demo's atom).
  A session with nothing to keep (never started, or stopped and reset) has
  no entry, so the map only holds counters worth showing.

  With several nodes, each node holding a tab of a session keeps a copy of
  its counter, whose entry also says which node runs its timer (`:ticker`)
  and the stamp of the change it comes from (`:version`, a Lamport time, and
  `:origin`, the node that made it). A change travels to the other nodes as
  its result, and each keeps the newest (`adopt`): the copies agree whatever
  order changes cross in.")

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
  "Session `sid`'s counter in `counters`, as a tab shows it."
  [counters sid]
  (if-let [c (get counters sid)]
    (select-keys c [:counter :running])
    initial))

(defn- entry
  "Session `sid`'s entry, with whatever else it holds (see `stamp`)."
  [counters sid]
  (get counters sid initial))

(defn- tidy
  "Drops `sid`'s entry when it holds nothing but the initial counter."
  [counters sid]
  (if (= initial (of counters sid)) (dissoc counters sid) counters))

(defn start
  "The timer of `sid` runs."
  [counters sid]
  (assoc counters sid (assoc (entry counters sid) :running true)))

(defn tick
  "One second passed: a running counter adds one."
  [counters sid]
  (let [c (entry counters sid)]
    (if (:running c)
      (assoc counters sid (update c :counter inc))
      counters)))

(defn jump
  "Adds a whopping ten."
  [counters sid]
  (assoc counters sid (update (entry counters sid) :counter + 10)))

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

;;; Copies on several nodes

(defn replica
  "Session `sid`'s counter with who runs its timer and its stamp:
  `{:counter :running :ticker :version :origin}` (version 0, origin \"\" for
  a counter no change made here or seen)."
  [counters sid]
  (merge initial {:ticker nil :version 0 :origin ""} (get counters sid)))

(defn stamp
  "After a change made on `node` at Lamport time `version`: a running counter
  is ticked by `node` unless another node already ticks it, a stopped one by
  nobody, and the change is stamped. A counter with nothing to keep stays
  without an entry."
  [counters sid node version]
  (if-let [c (get counters sid)]
    (assoc counters sid (assoc c
                               :ticker  (when (:running c) (or (:ticker c) node))
                               :version version
                               :origin  node))
    counters))

(defn newer?
  "True when copy `a` comes from a later change than copy `b`: a higher
  version, or the same made by a node whose id sorts later."
  [a b]
  (let [c (compare (long (:version a 0)) (long (:version b 0)))]
    (or (pos? c) (and (zero? c) (pos? (compare (str (:origin a "")) (str (:origin b ""))))))))

(defn adopt
  "Keeps another node's copy `other` of `sid`'s counter when it is newer than
  this one."
  [counters sid other]
  (if (newer? other (replica counters sid))
    (tidy (assoc counters sid (select-keys other [:counter :running :ticker :version :origin])) sid)
    counters))
