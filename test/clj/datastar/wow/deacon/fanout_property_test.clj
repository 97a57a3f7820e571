(ns datastar.wow.deacon.fanout-property-test
  "A generated property of fan-out and broadcast: for random sequences of
  subscribe, close, keyed push, broadcast and broadcast-all over several
  scopes and tabs, every stream receives exactly the events it matched while
  it was live, in order, and nothing else. Run over both stores, with and
  without fan-out, against a model of what the store should hold."
  (:require [clojure.test :refer [is]]
            [clojure.test.check.clojure-test :refer [defspec]]
            [clojure.test.check.generators :as gen]
            [clojure.test.check.properties :as prop]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
)

(set! *warn-on-reflection* true)

(def ^:private runs (if (Boolean/getBoolean "deacon.long") 1000 100))

(def ^:private sessions ["s1" "s2" "s3"])
(def ^:private ks [::feed [::tab 0] [::tab 1]])
(def ^:private patterns (concat ks [[::tab :*] :*]))

(def ^:private op
  (gen/one-of
   [(gen/tuple (gen/return :subscribe) (gen/elements sessions) (gen/elements ks))
    (gen/tuple (gen/return :close) gen/nat)
    (gen/tuple (gen/return :push) (gen/elements sessions) (gen/elements ks))
    (gen/tuple (gen/return :broadcast) (gen/elements sessions) (gen/elements patterns))
    (gen/tuple (gen/return :broadcast-all) (gen/elements patterns))]))

(defn- session [{{:keys [request]} :system}] (:session request))

(defn- expected-targets
  "The streams the model says an event reaches: `held` maps scoped key to
  the live streams under it, oldest first."
  [held [kind sid k]]
  (case kind
    :push          (get held [sid k])
    :broadcast     (mapcat val (filter #(d*conn/matches? [sid k] (key %)) held))
    :broadcast-all (mapcat val (filter #(d*conn/matches? [:* sid] (key %)) held))))

(defn- run-ops
  "Runs `ops` against a real store through the stand-ins and against the
  model; returns {stream [events the model expects]} and the streams."
  [type fan-out? render-once? ops]
  (let [store    (d*conn/store (cond-> {:type type :fan-out? fan-out?}
                                 (= type :caffeine) (assoc :executor (fn [^Runnable r] (.run r)))))
        errors   (atom [])
        dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn session :render-once? render-once? :on-error (fn [e _] (swap! errors conj e))}]])
        request  (fn [sid] (wow/request {:session sid}))]
    (loop [ops ops, n 0, opened [], held {}, expected {}]
      (if-let [[kind a b :as o] (first ops)]
        (case kind
          :subscribe
          (let [sse (:sse (wow/request! dispatch (request a) {::d*conn/subscribe b :🚀 []}))
                k   [a b]]
            (recur (rest ops) n (conj opened [k sse])
                   (if fan-out? (update held k (fnil conj []) sse) (assoc held k [sse]))
                   (assoc expected sse [])))
          :close
          (if (empty? opened)
            (recur (rest ops) n opened held expected)
            (let [[k sse] (nth opened (mod a (count opened)))]
              (wow/close! sse)
              (recur (rest ops) n opened
                     (let [left (vec (remove #(identical? sse %) (get held k)))]
                       (if (seq left) (assoc held k left) (dissoc held k)))
                     expected)))
          (let [event   [:datastar.wow/patch-signals {:n n}]
                live    (filter wow/open? (expected-targets held (if (= kind :broadcast-all) [kind a a] o)))
                response (case kind
                           :push          {::d*conn/key b :datastar.wow/with-open-sse? true}
                           :broadcast     {::d*conn/broadcast b}
                           :broadcast-all {::d*conn/broadcast-all a})]
            (wow/request! dispatch (request a) (assoc response :🚀 [event]))
            (recur (rest ops) (inc n) opened held
                   (reduce #(update %1 %2 conj event) expected live))))
        {:expected expected :errors @errors}))))

(defspec every-stream-gets-exactly-what-it-matched-while-live runs
  (prop/for-all [ops (gen/vector op 1 40)
                 type (gen/elements [:atom :caffeine])
                 fan-out? gen/boolean
                 render-once? gen/boolean]
    (let [{:keys [expected errors]} (run-ops type fan-out? render-once? ops)]
      (and (is (empty? errors))
           (every? (fn [[sse events]] (is (= events (wow/events sse)) (str type " fan-out " fan-out?)))
                   expected)))))
