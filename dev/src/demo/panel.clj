(ns demo.panel
  "The store panel every open page shows, live: who is here (sessions and
  tabs), every key with its streams, age and node, the last removals with
  their cause, and the store's stats. Whenever the store changes it is
  rendered once, kept in `(:panel-view app)`, and one `d*conn/send!` to the
  pattern `[:* counter/stream-key]` runs `[:demo.effects/show-panel ...]` on
  every tab, which patches it with that view.

  On several nodes each node renders its own panel: its keys (\"this node\")
  and, from one `d*conn/cluster-keys` call, those only other nodes hold
  (\"another node\"). The same send reaches the other nodes' tabs, and tells
  those nodes to render theirs again (`:tell-others?`); theirs tell no one.

  `app` (see `demo.app/app`) holds `:store`, `:entries` (the store's atom),
  the atoms `:since` (key -> time first seen), `:removals` (newest first),
  `:refreshing`, `:tell-others` and `:panel-view`, `:submit` (`(fn [f])`:
  runs `f` soon on the demo's one background thread) and `:now` (`(fn [])`:
  the time of day as text)."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.counter :as counter]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(def log-size
  "How many removals the panel lists."
  5)

(def max-rows
  "How many keys the panel lists; the others are counted."
  25)

(defn- cluster-rows
  "Rows for the keys only other nodes hold, and a note when Redis did not
  answer: `[rows note]`."
  [store local-sessions]
  (try
    [(vec (for [k (d*conn/cluster-keys store [:* counter/stream-key])
                :when (not (contains? local-sessions (first k)))]
            {:key k :here? false}))
     nil]
    (catch RuntimeException e
      [[] (str "other nodes' keys unknown (" (ex-message e) ")")])))

(defn snapshot
  "What the panel shows now: `:rows` (`{:key k :streams n :since t :here?
  true}` per key here, `{:key k :here? false}` per key only other nodes
  hold; at most `max-rows`, sorted), `:more` (the keys left out), `:sessions`
  (on any node) and `:tabs` (open counter streams here), `:removals` (newest
  first), `:stats` (`d*conn/stats`), `:node` (nil for a demo on its own) and
  `:note`."
  [{:keys [store since removals]}]
  (let [pairs     (d*conn/connections store)
        counts    (frequencies (map first pairs))
        since     @since
        local     (vec (for [[k n] counts] {:key k :streams n :since (get since k) :here? true}))
        sessions  (set (keep (fn [[k]] (when (= counter/stream-key (second k)) (first k))) pairs))
        node      (d*conn/node store)
        [remote note] (if node (cluster-rows store sessions) [[] nil])
        rows      (sort-by (comp view/key-label :key) (into local remote))]
    {:rows     (vec (take max-rows rows))
     :more     (max 0 (- (count rows) max-rows))
     :sessions (+ (count sessions) (count remote))
     :tabs     (d*conn/connection-count store [:* counter/stream-key])
     :removals @removals
     :stats    (d*conn/stats store)
     :node     node
     :note     note}))

(defn push!
  "Renders the panel and, when it changed or the other nodes are to be told,
  sends every tab `[:demo.effects/show-panel {:from node :tell-others? ..}]`:
  one `send!` to every stream matching `[:* counter/stream-key]`, on every
  node."
  [{:keys [store panel-view tell-others] :as app}]
  (let [others? (first (reset-vals! tell-others false))
        view    (view/store-panel (snapshot app))
        [old]   (reset-vals! panel-view view)]
    (when (or others?
              (and (not= old view) (pos? (long (d*conn/connection-count store [:* counter/stream-key])))))
      (d*conn/send! store [:* counter/stream-key]
                    [[:demo.effects/show-panel {:from (or (d*conn/node store) "") :tell-others? (boolean others?)}]]))
    nil))

(defn refresh!
  "Asks for a `push!` on the demo's background thread. Requests made before
  that push starts are served by it, so a burst of changes (many tabs closing)
  costs one push, and pushes never overtake each other. A change of this
  node's store (the default) is one the other nodes' panels show too:
  `others?` true tells them."
  ([app] (refresh! app true))
  ([{:keys [refreshing submit tell-others] :as app} others?]
   (when others? (reset! tell-others true))
   (when (compare-and-set! refreshing false true)
     (submit (fn []
               (reset! refreshing false)
               (push! app))))
   nil))

(defn removed!
  "The store's `:on-removal` told of a removal: log it and refresh."
  [{:keys [removals now] :as app} k cause]
  (swap! removals #(vec (take log-size (cons {:key k :cause cause :at (now)} %))))
  (refresh! app))

(defn watch!
  "Watches the store's atom (`(:entries app)`): every change is refreshed,
  and the time each key was first seen is kept for the panel's age column."
  [{:keys [entries since now] :as app}]
  (add-watch entries ::panel
             (fn [_ _ old new]
               (when-not (identical? old new)
                 (swap! since (fn [m]
                                (let [ks (set (keys new))]
                                  (reduce (fn [m k] (if (contains? m k) m (assoc m k (now))))
                                          (select-keys m ks) ks))))
                 (refresh! app)))))
