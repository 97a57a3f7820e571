(ns demo.panel
  "The store panel every open page shows, live: who is here (sessions and
  tabs), every key with its streams and age, the last removals with their
  cause, and the store's stats. Whenever the store changes it is sent to
  every tab of every session with one `d*conn/send!` to the pattern
  `[:* counter/stream-key]`.

  `app` (see `demo.app/app`) holds `:store`, `:entries` (the store's atom),
  the atoms `:since` (key -> time first seen), `:removals` (newest first) and
  `:refreshing`, `:submit` (`(fn [f])`: runs `f` on the demo's one background thread) and
  `:now` (`(fn [])`: the time of day as text)."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.counter :as counter]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(def log-size
  "How many removals the panel lists."
  5)

(defn snapshot
  "What the panel shows now: `:rows` (`{:key k :streams n :since t}`, one per
  key), `:sessions` and `:tabs` (open counter streams), `:removals` (newest
  first) and `:stats` (`d*conn/stats`)."
  [{:keys [store since removals]}]
  (let [pairs  (d*conn/connections store)
        counts (frequencies (map first pairs))
        since  @since]
    {:rows     (vec (for [[k n] counts] {:key k :streams n :since (get since k)}))
     :sessions (count (d*conn/list-keys store [:* counter/stream-key]))
     :tabs     (d*conn/connection-count store [:* counter/stream-key])
     :removals @removals
     :stats    (d*conn/stats store)}))

(defn push!
  "Sends the panel to every tab of every session: one `send!` to every stream
  matching `[:* counter/stream-key]`, its hiccup built once."
  [{:keys [store] :as app}]
  (d*conn/send! store [:* counter/stream-key]
                [[:datastar.wow/patch-elements (view/store-panel (snapshot app))]]))

(defn refresh!
  "Asks for a `push!` on the demo's background thread. Requests made before
  that push starts are served by it, so a burst of changes (many tabs closing)
  costs one push, and pushes never overtake each other."
  [{:keys [refreshing submit] :as app}]
  (when (compare-and-set! refreshing false true)
    (submit (fn []
              (reset! refreshing false)
              (push! app))))
  nil)

(defn removed!
  "The store's `:on-remove` told of a removal: log it and refresh."
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
