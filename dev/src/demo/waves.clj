(ns demo.waves
  "The waves every page lists: this node keeps the last `kept`, oldest
  first, each `{:id :text}`. A wave's id is drawn where it was made and
  travels with it, so a node keeps each wave once, whether it was made here
  or reached this node's tabs from another node (`seen!`).

  A page is given the whole list when its stream opens and cannot be caught
  up (`demo.effects`, `::show-waves`), and one line per wave after that,
  appended. The page also holds the ids the list was last given with (the
  `waves` signal): an appended line whose wave that list already held is
  not shown (`demo.view/wave-line`), so a wave made while a tab's list is
  being sent shows once.

  `app` (see `demo.app/app`) holds the atom `:waves`."
  (:require [clojure.string :as str]))

(set! *warn-on-reflection* true)

(def kept
  "How many waves a node keeps for the pages that open."
  20)

(defn new-id
  "A fresh wave id: 8 hex digits, safe inside a Datastar expression."
  []
  (subs (str/replace (str (random-uuid)) "-" "") 0 8))

(defn seen!
  "Keeps `wave` (`{:id :text}`) in this node's list unless it holds it
  already; returns the wave."
  [{:keys [waves]} wave]
  (swap! waves (fn [ws]
                 (if (some #(= (:id wave) (:id %)) ws)
                   ws
                   (vec (take-last kept (conj ws (select-keys wave [:id :text])))))))
  wave)

(defn listed
  "The waves this node keeps, oldest first."
  [{:keys [waves]}]
  @waves)
