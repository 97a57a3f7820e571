(ns datastar.wow.deacon.doc-links-test
  "Every relative link of README.md, CHANGELOG.md and doc/*.md leads
  somewhere: the file exists, and a `#fragment` names a heading of it, as
  GitHub makes a heading's anchor (lower case, punctuation dropped, spaces
  made hyphens). Links in code blocks and to other sites are not checked."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]))

(set! *warn-on-reflection* true)

(defn- doc-files []
  (concat ["README.md" "CHANGELOG.md"]
          (sort (for [^java.io.File f (.listFiles (io/file "doc")) :when (str/ends-with? (.getName f) ".md")]
                  (str "doc/" (.getName f))))))

(defn- prose
  "The lines of markdown `text` outside fenced code blocks."
  [text]
  (loop [[line & more] (str/split-lines text) fenced? false out []]
    (cond
      (nil? line)                           out
      (str/starts-with? (str/trim line) "```") (recur more (not fenced?) out)
      fenced?                                (recur more fenced? out)
      :else                                  (recur more fenced? (conj out line)))))

(defn anchor
  "The anchor GitHub gives a heading's text."
  [heading]
  (-> heading
      str/lower-case
      (str/replace #"[^\p{L}\p{N} _-]" "")
      (str/replace " " "-")))

(defn- anchors [text]
  (set (for [line (prose text) :let [[_ h] (re-matches #"#{1,6}\s+(.*?)\s*#*\s*" line)] :when h] (anchor h))))

(defn- links
  "The relative link targets of markdown `text`: `[path fragment]`."
  [text]
  (for [line (prose text)
        ;; inline code is not a link
        :let [line (str/replace line #"`[^`]*`" "")]
        [_ target] (re-seq #"\]\(([^)\s]+)\)" line)
        :when (not (re-find #"^[a-z][a-z0-9+.-]*:" target))
        :let [[path fragment] (str/split target #"#" 2)]]
    [path fragment]))

(deftest github-anchors
  (is (= "capacity-and-past-one-redis" (anchor "Capacity, and past one Redis")))
  (is (= "across-nodes-and-through-a-redis-blip" (anchor "Across nodes, and through a Redis blip")))
  (is (= "d_conn-store" (anchor "`d_conn` store"))))

(deftest every-relative-link-leads-somewhere
  (doseq [doc (doc-files)
          :let [text (slurp doc)
                dir  (.getParentFile (.getAbsoluteFile (io/file doc)))]
          [path fragment] (links text)]
    (testing (str doc ": " path (when fragment (str "#" fragment)))
      (let [target (if (str/blank? path) (io/file doc) (io/file dir path))]
        (is (.exists target) "the file exists")
        (when (and fragment (.isFile target) (str/ends-with? (.getName target) ".md"))
          (is (contains? (anchors (slurp target)) fragment) "the fragment names a heading of it"))))))
