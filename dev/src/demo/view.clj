(ns demo.view
  "The page and the store panel, as hiccup data (datastar.wow renders it).
  Session ids are never shown: keys print them as short hashes
  (`demo.session/short-id`), and the page knows its own short hash (the `me`
  signal) to mark its session's rows. Also what the demo tells a browser
  when a command does not fully work (`no-tab`, `unreachable`, `only-here`,
  shown as the page's `notice`)."
  (:require [clojure.string :as str]
            [clojure.walk :as walk]
            [demo.session :as session]))

(set! *warn-on-reflection* true)

;;; What a command could not do, in the same words as the Java example
;;; (`datastar.wow.deacon.examples.Notices`, kept equal by a test):
;;;
;;; - no tab of the session is open: the command answers 404 with `no-tab`
;;;   and changes nothing (nobody would see it, and a timer nobody watches
;;;   would tick for nobody);
;;; - the cluster's directory does not answer: 503 with `unreachable`,
;;;   nothing changed;
;;; - a command applied here that could not reach the other nodes: 204, and
;;;   the session's tabs here are sent `only-here` as the `notice` signal.
;;;
;;; The page shows the `notice` signal above its buttons; for an answer of 400
;;; or more it sets it itself (`on-fetch-error`): Datastar dispatches a
;;; `datastar-fetch` event of type `error`, with the status, for such an
;;; answer.

(defn no-tab
  "The body of the 404 a command gets when no tab of its session is open
  (`clustered?`: on any node of the cluster)."
  [clustered?]
  (str "no tab of this session is open" (when clustered? " on any node") ": open the page first"))

(def unreachable
  "The body of the 503 a command gets when the cluster's directory does not
  answer."
  "the other nodes could not be reached (Redis did not answer): nothing changed, try again")

(def only-here
  "The notice a command applied here that could not reach the other nodes
  leaves on the session's tabs here."
  (str "Redis did not answer: only the tabs on this node got this change, and it may be lost when"
       " the other nodes are back"))

(def on-fetch-error
  "The page's `data-on:datastar-fetch` expression: a response of 400 or more
  to one of its requests sets the notice."
  (str "evt.detail.type === 'error' && ($notice = evt.detail.argsRaw.status == 503"
       " ? 'The other nodes could not be reached: nothing changed, try again.'"
       " : 'The server answered ' + evt.detail.argsRaw.status + ': reload the page.')"))

;;; The page

(defn key-label
  "How the panel prints a stored key: strings (session ids) shortened."
  [k]
  (pr-str (walk/postwalk #(if (string? %) (symbol (session/short-id %)) %) k)))

(defn- mine
  "Attributes marking a row of the page's own session, decided in the
  browser: the same table goes to every page."
  [k]
  (when (and (vector? k) (string? (first k)))
    {:data-class:mine (str "$me == '" (session/short-id (first k)) "'")}))

(defn- key-rows [rows more]
  (concat
   (if (empty? rows)
     [[:tr [:td.muted {:colspan 4} "No streams: every open page keeps one here."]]]
     (for [{:keys [key streams since here?]} rows]
       [:tr (mine key)
        [:td [:code (key-label key)]]
        [:td.num (if here? streams "")]
        [:td (if since (str "since " since) "")]
        [:td.muted (if here? "this node" "another node")]]))
   (when (pos? (long (or more 0)))
     [[:tr [:td.muted {:colspan 4} (str "and " more (if (= 1 more) " more key" " more keys"))]]])))

(defn- removal-log [removals]
  (if (empty? removals)
    [:p.muted "None yet. Close a tab to see one."]
    (into [:ol.log]
          (for [{:keys [key cause at]} removals]
            [:li [:time at] [:span {:class (str "cause " (name cause))} (name cause)] [:code (key-label key)]]))))

(defn- stats-line [{:keys [size removals cluster]} note]
  (let [counted (sort-by (comp name key) (filter (comp pos? val) removals))]
    (str "Stats: " size (if (= 1 size) " stream" " streams") " stored; removals: "
         (if (empty? counted)
           "none"
           (str/join ", " (for [[cause n] counted] (str (name cause) " " n))))
         (when cluster
           (str "; node " (:node cluster) (if (:connected cluster) ", connected to Redis" ", not connected to Redis")))
         (when note (str "; " note)))))

(defn store-panel
  "`section#store`: who is here, every key with its streams, age and node,
  the last removals and the store's stats, from `demo.panel/snapshot`."
  [{:keys [rows more sessions tabs removals stats node note]}]
  [:section#store.card
   [:div.card-head
    [:h2 "The store"]
    [:p.visitors
     [:strong sessions] (if (= 1 sessions) " browser, " " browsers, ")
     [:strong tabs] (str (if (= 1 tabs) " tab open" " tabs open") (when node (str " on " node)))]]
   [:p.hint (if node
              (str "Each open tab keeps one stream on the node that served it, stored under its "
                   "browser's key. Each node sends its tabs its own panel; the keys only other nodes "
                   "hold come from the cluster's directory.")
              (str "Each open tab keeps one stream, stored under its browser's key. Every page "
                   "sees this panel: it is sent to all of them with one send!."))]
   [:table
    [:thead [:tr [:th "key"] [:th.num "streams"] [:th "age"] [:th "node"]]]
    (into [:tbody] (key-rows rows more))]
   [:h3 "Last removals"]
   (removal-log removals)
   [:p.stats.muted (stats-line stats note)]])

(defn- wave-ids
  "The ids of `waves` as a JavaScript array, for the page's `waves` signal."
  [waves]
  (str "[" (str/join ", " (for [{:keys [id]} waves] (str "'" id "'"))) "]"))

(defn- signals
  [{:keys [counter running]} sid waves]
  (str "{counter: " counter ", running: " running ", me: '" (session/short-id sid) "', waves: "
       (wave-ids waves) ", notice: ''}"))

;;; The waves: one line each, appended as they come

(def waves-selector
  "The CSS selector of the page's list of waves, where each wave's line is
  appended."
  "#waves")

(def append-wave
  "The options of a wave's line, `[:datastar.wow/patch-elements line
  append-wave]`: appended to the page's list."
  {:d*.elements/selector   waves-selector
   :d*.elements/patch-mode "append"})

(defn wave-line
  "The line of one wave as it is appended to the list: shown unless the
  list the page was last given (its `waves` signal, a wave's id each) holds
  that wave already. Ids are hex digits (`demo.waves/new-id`)."
  [{:keys [id text]}]
  [:li {:data-wave id :data-show (str "!$waves.includes('" id "')")} text])

(defn wave-list
  "The whole list of `waves`, oldest first, as the page is given it when
  its stream opens afresh; `waves-signals` goes with it."
  [waves]
  (into [:ol#waves.log.waves]
        (for [{:keys [id text]} waves]
          [:li {:data-wave id} text])))

(defn waves-signals
  "The page's `waves` signal for the list of `waves`: the ids it holds."
  [waves]
  {:waves (mapv :id waves)})

(defn page
  "The whole page. `:cdn` is the Datastar script's URL; `:counter` the
  session's counter; `:sid` the session id; `:panel` the store panel's
  snapshot; `:waves` the waves this node keeps. On load the page opens its
  stream, `GET /updates`. Datastar closes it while the tab is hidden and
  opens it again, with the `last-event-id` of the last event it got, when
  the tab is shown: what it missed then comes first."
  [{:keys [cdn counter sid panel waves]}]
  [:html {:lang "en"}
   [:head
    [:meta {:charset "utf-8"}]
    [:meta {:name "viewport" :content "width=device-width, initial-scale=1"}]
    [:title "deacon demo"]
    [:link {:rel "icon" :href "/favicon.ico"}]
    [:link {:rel "stylesheet" :href "/style.css"}]
    [:script {:type "module" :src cdn}]]
   [:body {:data-signals            (signals counter sid waves)
           :data-init               "@get('/updates')"
           :data-on:datastar-fetch  on-fetch-error}
    [:header
     [:span.logo]
     [:div
      [:h1 "datastar.wow.deacon"]
      [:p "SSE streams stored by key: one key per browser, one stream per tab"]]]
    [:main
     [:section.card
      [:h2 "Your counter"]
      [:p.hint "Shared by every tab of this browser: open another tab and both count."]
      [:output#counter.count {:data-text "$counter"} (:counter counter)]
      ;; the status's class and the buttons' disabled as Datastar will keep them, from the first paint
      [(if (:running counter) :p.status.running :p.status)
       {:data-text "$running ? 'running' : 'stopped'" :data-class:running "$running"}
       (if (:running counter) "running" "stopped")]
      [:div.buttons
       [:button.primary {:data-on:click "$notice = ''; @put('/')" :data-attr:disabled "$running"
                         :disabled (boolean (:running counter))} "Start timer"]
       [:button {:data-on:click "$notice = ''; @post('/jump')" :data-attr:disabled "!$running"
                 :disabled (not (:running counter))} "Add ten"]
       [:button.danger {:data-on:click "$notice = ''; @delete('/')" :data-attr:disabled "!$running"
                        :disabled (not (:running counter))} "Stop and reset"]]
      ;; what a command could not do (see no-tab above); empty, and hidden, otherwise
      [:p.notice {:role "status" :data-text "$notice"}]]
     [:section.card
      [:h2 "Everyone"]
      [:p.hint (str "Reaches every open page of every browser: open one in a private window too. "
                    "A hidden tab gets the waves it missed when it is shown again.")]
      [:div.buttons
       [:button {:data-on:click "@post('/wave')"} "Wave to everyone"]]
      (wave-list waves)]
     (store-panel panel)]]])
