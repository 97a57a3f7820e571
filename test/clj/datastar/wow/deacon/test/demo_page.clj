(ns datastar.wow.deacon.test.demo-page
  "The REPL demo's page as HTML, for its screenshots (examples/java's
  Screenshots): the demo's own handlers, view and stylesheet, run over the
  datastar.wow stand-ins, with two sessions in it. The page is hiccup
  (`demo.view/page`), which datastar.wow would print with Chassis; `html`
  prints it here instead, a small printer that knows the hiccup the view
  uses: tags with `#id` and `.class`, an optional attribute map, strings,
  numbers and seqs."
  (:require [clojure.string :as str]
            [datastar.wow.deacon.test.demo :as demo]
            [datastar.wow.deacon.test.wow :as wow]
            [demo.assets :as assets]
            [demo.handlers :as handlers]))

(set! *warn-on-reflection* true)

(def ^:private void-tags #{"meta" "link" "br" "hr" "img" "input"})

(defn- escape [s]
  (-> (str s)
      (str/replace "&" "&amp;")
      (str/replace "<" "&lt;")
      (str/replace ">" "&gt;")
      (str/replace "\"" "&quot;")))

(defn- attributes
  "` k=\"v\"` for each attribute: true prints the bare name, false and nil
  leave it out."
  [attrs]
  (apply str (for [[k v] attrs
                   :when (and (some? v) (not (false? v)))]
               (if (true? v)
                 (str " " (name k))
                 (str " " (name k) "=\"" (escape v) "\"")))))

(defn html
  "Hiccup as HTML text: `[:tag#id.class {attrs} & children]`, seqs of
  children, strings and numbers (escaped); nil prints nothing."
  [node]
  (cond
    (vector? node)
    (let [[tag & more] node
          [_ tag-name id classes] (re-matches #"([^.#]+)(?:#([^.]+))?((?:\.[^.]+)*)" (name tag))
          attrs    (when (map? (first more)) (first more))
          children (if attrs (rest more) more)
          class    (->> (concat (str/split classes #"\.") [(:class attrs)])
                        (remove str/blank?)
                        (str/join " "))
          attrs    (concat (when id [[:id id]])
                           (when-not (str/blank? class) [[:class class]])
                           (dissoc attrs :class))]
      (str "<" tag-name (attributes attrs) ">"
           (when-not (void-tags tag-name)
             (str (apply str (map html children)) "</" tag-name ">"))))
    (seq? node) (apply str (map html node))
    (nil? node) ""
    :else (escape node)))

(defn render
  "The demo's page for a session whose counter was started, ticked four
  times and given ten, while another session has a tab open and has closed
  another; each session waved once. Returns a map of the page (\"html\", with its doctype), the
  stylesheet (\"css\") and the favicon's bytes (\"favicon\"), string keys,
  for Java."
  []
  (demo/with-app [app]
    (let [me    demo/ann
          other demo/bob]
      (demo/open-tab! app me)
      (demo/open-tab! app other)
      (wow/close! (demo/open-tab! app other))
      (demo/command! app handlers/index me :put)
      (dotimes [_ 4] (demo/tick! app))
      (demo/command! app handlers/jump me :post)
      (doseq [sid [other me]] (demo/send! app handlers/wave (demo/req app sid {:request-method :post})))
      (let [page (:body (handlers/index (demo/req app me {:request-method :get})))]
        {"html"    (str "<!doctype html>\n" (html page))
         "css"     assets/stylesheet
         "favicon" assets/favicon}))))
