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

  On several nodes (a store with `:cluster`), each node holding a tab of a
  session keeps a copy of its counter (see `demo.counter`). Every change is
  stamped from this node's Lamport clock and shown with `message`, the
  counter after the change, which the effect on every tab, on every node,
  hands to `received!`: a node keeps the newest copy it sees, and runs the
  session's timer exactly when its copy says it is the ticker. A tab opening
  asks the other nodes for their copy (`joined!`); a command given on a node
  holding no tab of the session is applied by the nodes that hold one
  (`apply-command!`, once per node).

  `app` (see `demo.app/app`) holds `:store`, the atoms `:counters`, `:timers`,
  `:forgets`, `:clock`, `:answering` and `:applied`, `:schedule` (`(fn [f])`
  runs `f` every second and returns a cancel fn), `:later` (`(fn [ms f])`
  runs `f` once after `ms`, returns a cancel fn) and `:submit` (`(fn [f])`
  runs `f` soon on the demo's thread). Changes to counters and timers are made
  under one lock; nothing is sent while holding it."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.counter :as counter]))

(set! *warn-on-reflection* true)

(def grace-ticks
  "How many ticks the timer runs with no tab of its session open before it
  stops (count kept): a minute. Datastar closes a tab's stream while the tab
  is hidden, so a user who looks at another tab for a while comes back to a
  running counter."
  60)

(def keep-ms
  "How long a stopped count nobody watches is kept, in milliseconds."
  (* 10 60 1000))

(def ^:private remembered-commands
  "How many forwarded commands a node remembers having applied."
  1024)

(defn node
  "This node's id in its cluster, or \"\" for a demo on its own."
  [{:keys [store]}]
  (or (d*conn/node store) ""))

(defn clustered?
  "True when the demo's store is a member of a cluster."
  [{:keys [store]}]
  (some? (d*conn/node store)))

(defn- session-key [sid] (d*conn/scoped-key sid counter/stream-key))

(defn watchers
  "How many streams (tabs) session `sid` has open on this node."
  [{:keys [store]} sid]
  (d*conn/connection-count store (session-key sid)))

(defn tabs-of
  "Where session `sid` has tabs open: `:here` (this node), `:elsewhere` (only
  other nodes of the cluster), `:nowhere`, or `:unknown` (this node has none,
  and the cluster's directory did not answer)."
  [{:keys [store] :as app} sid]
  (cond
    (pos? (long (watchers app sid))) :here
    (not (clustered? app))           :nowhere
    :else (try (if (pos? (long (d*conn/cluster-count store (session-key sid)))) :elsewhere :nowhere)
               (catch RuntimeException _ :unknown))))

(defn notice!
  "Shows `text` as the notice on every tab of session `sid` (on the other
  nodes too, when they can be reached)."
  [{:keys [store]} sid text]
  (d*conn/send! store (session-key sid) [[:datastar.wow/patch-signals {:notice text}]])
  nil)

(defn- watched?
  "True when session `sid` has a tab open here or, on several nodes, on any
  node. When Redis cannot say, it counts as watched: the timer runs on."
  [{:keys [store] :as app} sid]
  (or (pos? (long (watchers app sid)))
      (and (clustered? app)
           (try (pos? (long (d*conn/cluster-count store (session-key sid))))
                (catch RuntimeException _ true)))))

(defn message
  "Session `sid`'s counter as it travels to the tabs: the counter after the
  last change, with who ticks it, its stamp, and the node sending it
  (`:from`). `:ask?` asks the other nodes for their copy."
  ([app sid] (message app sid false))
  ([{:keys [counters] :as app} sid ask?]
   (assoc (counter/replica @counters sid) :from (node app) :ask? ask?)))

(defn show!
  "Shows session `sid`'s counter on every tab of the session: `send!` runs the
  effect on every stream of the session's key (on every node), as if in the
  request that opened it. True when some tab here was reached."
  [{:keys [store] :as app} sid]
  (pos? (d*conn/send! store (session-key sid) [[:demo.effects/show-counter (message app sid)]])))

(defn- cancel-timer! [{:keys [timers]} sid]
  (when-let [{:keys [cancel]} (get (first (swap-vals! timers dissoc sid)) sid)]
    (cancel)))

(defn- cancel-forget! [{:keys [forgets]} sid]
  (when-let [cancel (get (first (swap-vals! forgets dissoc sid)) sid)]
    (cancel)))

(declare tick! forget!)

(defn- settle!
  "Under the lock: the timer runs here exactly when the counter runs and this
  node ticks it, and a counter this node does not tick, with no tab here, is
  forgotten later."
  [{:keys [counters timers forgets schedule later] :as app} sid]
  (let [{:keys [running ticker]} (counter/replica @counters sid)]
    (if (and running (= ticker (node app)))
      (do (cancel-forget! app sid)
          (when-not (contains? @timers sid)
            (swap! timers assoc sid {:cancel (schedule #(tick! app sid)) :idle 0})))
      (do (cancel-timer! app sid)
          (when (and (contains? @counters sid)
                     (not (contains? @forgets sid))
                     (zero? (long (watchers app sid))))
            (swap! forgets assoc sid (later (:keep-ms app keep-ms) #(forget! app sid))))))))

(defn- change!
  "Under the lock: applies `f` to the counters, stamps the change from this
  node's clock, and settles the timer. Returns the counter as `message`
  gives it: a counter stopped and reset, which leaves no entry, travels as
  the initial counter with the change's stamp."
  [{:keys [counters clock] :as app} sid f]
  (let [version (swap! clock inc)]
    (swap! counters f sid)
    (swap! counters counter/stamp sid (node app) version)
    (settle! app sid)
    (assoc (counter/replica @counters sid) :version version :origin (node app) :from (node app) :ask? false)))

(defn command!
  "Applies command `op` (`:start`, `:jump` or `:stop`, see `demo.counter/ops`)
  to session `sid`'s counter, once, and starts or stops its timer to match.
  Returns the counter as `message` gives it, for the effect that shows it."
  [{:keys [counters] :as app} sid op]
  (locking counters
    (change! app sid (counter/ops op))))

(defn tick!
  "One tick of session `sid`'s timer: the counter adds one and every tab of
  the session shows it. After `grace-ticks` ticks without any tab, the timer
  stops and the count is kept."
  [{:keys [counters timers] :as app} sid]
  (let [seen? (when (contains? @timers sid) (watched? app sid)) ; asks Redis, so not under the lock
        show? (locking counters
                (when (contains? @timers sid)
                  (let [idle (get-in (swap! timers update-in [sid :idle] #(if seen? 0 (inc (long %))))
                                     [sid :idle])]
                    (if (>= (long idle) grace-ticks)
                      (do (change! app sid counter/pause)
                          false)
                      (do (change! app sid counter/tick)
                          seen?)))))]
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

;;; Several nodes

(defn- answer-later!
  "Answers another node's question about `sid` with this node's copy, once
  however many tabs of the session this node holds."
  [{:keys [answering counters submit] :as app} sid]
  (when-not (contains? (first (swap-vals! answering conj sid)) sid)
    (submit (fn []
              (swap! answering disj sid)
              (when (contains? @counters sid) (show! app sid))))))

(defn own-question?
  "True for a counter `message` this node sent to ask the others: its own
  tabs have nothing to show for it."
  [app message]
  (and (:ask? message) (= (:from message) (node app))))

(defn received!
  "The effect on a tab of session `sid` here met counter `message`: another
  node's copy is kept if newer (the timer then runs here exactly when the
  copy says so), and a question is answered when this node's copy is newer
  than the asker's."
  [{:keys [counters clock] :as app} sid message]
  (when (and message (not= (:from message) (node app)))
    (locking counters
      (swap! clock max (long (:version message 0)))
      (swap! counters counter/adopt sid message)
      (settle! app sid)))
  ;; answered only with a newer copy than the question's: with a shared history, every tab of
  ;; the session shows the answer, so an answer no newer than what the asker holds could only
  ;; land after, and over, a change the asker made meanwhile
  (when (and (:ask? message) (not= (:from message) (node app))
             (counter/newer? (counter/replica @counters sid) message))
    (answer-later! app sid))
  nil)

(defn joined!
  "A tab of session `sid` opened here. On several nodes this node's copy may
  be out of date: it asks the nodes holding the session's other tabs for
  theirs (sending its own, which they keep if newer). The directory takes in
  the tab's stream before the question, so the answer reaches it."
  [{:keys [store submit] :as app} sid]
  (when (clustered? app)
    (submit #(d*conn/send! store (session-key sid) [[:demo.effects/show-counter (message app sid true)]])))
  nil)

(defn apply-command!
  "A command given on a node that held no tab of session `sid` reached a tab
  here (or, held by no node, the request's own stream): applied once on this
  node, whatever the number of its tabs it reaches."
  [{:keys [applied counters] :as app} sid op id]
  (let [[before] (swap-vals! applied (fn [ids] (if (some #{id} ids) ids (vec (take-last remembered-commands (conj ids id))))))]
    (when-not (some #{id} before)
      (locking counters
        (change! app sid (counter/ops op)))))
  nil)
