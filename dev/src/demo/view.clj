(ns demo.view
  "The page and the key panel, as hiccup data (datastar.wow renders it)."
  (:require [clojure.walk :as walk]))

(set! *warn-on-reflection* true)

(defn- short-id
  "A short, stable stand-in for an id, so that the panel never shows session
  cookies."
  [s]
  (format "%08x" (hash s)))

(defn key-label
  "How the panel prints a stored key: strings (session and tab ids) shortened."
  [k]
  (pr-str (walk/postwalk #(if (string? %) (symbol (short-id %)) %) k)))

(defn keys-panel
  "`ul#keys`: every key in the store, this session's marked."
  [ks sid]
  (into [:ul#keys]
        (for [k (sort-by key-label ks)]
          [:li (when (and (vector? k) (= sid (first k))) {:class "mine"})
           [:code (key-label k)]])))

(defn- signals
  [{:keys [counter running]} tab]
  (str "{counter: " counter ", running: " running ", tab: '" tab "'}"))

(defn page
  "The whole page. `:cdn` is the Datastar script's URL; `:counter` the
  session's counter; `:keys` the store's keys; `:tab` this page load's id."
  [{:keys [cdn counter keys sid tab]}]
  [:html {:lang "en"}
   [:head
    [:meta {:charset "utf-8"}]
    [:title "deacon demo"]
    [:script {:type "module" :src cdn}]
    [:style ".mine { font-weight: bold }"]]
   [:body {:data-signals (signals counter tab)}
    [:h1 "datastar.wow.deacon"]
    [:p#counter {:data-text "$counter"} (:counter counter)]
    [:button {:data-on:click "@put('/')" :data-attr:disabled "$running"} "start timer"]
    [:button {:data-on:click "@post('/jump')" :data-attr:disabled "!$running"} "add ten"]
    [:button {:data-on:click "@delete('/')" :data-attr:disabled "!$running"} "stop timer"]
    [:h2 "Keys in the store"]
    [:section {:data-init "@get('/keys')"}
     (keys-panel keys sid)]]])
