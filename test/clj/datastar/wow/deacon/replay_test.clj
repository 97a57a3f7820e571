(ns datastar.wow.deacon.replay-test
  "Replay (`:replay`), through the datastar.wow, Nexus and SDK stand-ins, on
  both store types, with and without fan-out: every event delivered to a
  key's streams carries an id ordered per key; a stream opening with a
  `last-event-id` gets what it missed first, then its opening effects, then
  live events; an unknown id replays nothing, and `recoverable?` says so
  before the request answers."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(defn- session [{{:keys [request]} :system}] (:session request))

(defn- patch [n] [:datastar.wow/patch-signals {:n n}])

(defn- app
  "A dispatch over deacon's registry for `store` (scoped by `:session`), and
  the errors it reported."
  [store]
  (let [errors (atom [])]
    [(wow/create-dispatch [[d*conn/registry store {:id-fn session :on-error (fn [e _] (swap! errors conj e))}]])
     errors]))

(defn- request
  ([sid] (wow/request {:session sid}))
  ([sid last-id] (wow/request {:session sid :headers {"datastar-request" "true" "last-event-id" last-id}})))

(defn- open!
  "A tab of session `sid` opening its stream under `k` (opening effects
  `fx`), with `last-id` as its `last-event-id` when given."
  ([dispatch sid k fx] (:sse (wow/request! dispatch (request sid) {::d*conn/subscribe k :🚀 fx})))
  ([dispatch sid k fx last-id] (:sse (wow/request! dispatch (request sid last-id) {::d*conn/subscribe k :🚀 fx}))))

(defn- push! [dispatch sid k n]
  (wow/request! dispatch (request sid) {::d*conn/key k :🚀 [(patch n)]}))

(def ^:private kinds
  (for [type [:atom :caffeine] fan-out? [false true]] {:type type :fan-out? fan-out?}))

(defn- store [kind]
  (d*conn/store (cond-> (assoc kind :replay {:events 50 :ms 60000})
                  (= :caffeine (:type kind)) (assoc :executor (fn [^Runnable r] (.run r))))))

(defn- n-of [[_ {:keys [n]}]] n)

(deftest every-pushed-event-carries-an-id-ordered-per-key
  (doseq [kind kinds]
    (testing kind
      (let [s (store kind)
            [dispatch errors] (app s)
            tab (open! dispatch "s1" ::feed [[:datastar.wow/patch-signals {:open true}]])]
        (dotimes [n 3] (push! dispatch "s1" ::feed n))
        (is (= [{:open true} {:n 0} {:n 1} {:n 2}] (map second (wow/events tab))))
        (let [[opening & pushed] (wow/event-ids tab)]
          (is (nil? opening) "the stream's own opening effects keep no id of deacon's")
          (is (every? string? pushed))
          (is (apply distinct? pushed))
          (is (= pushed (sort-by #(Long/parseLong (subs % (inc (.lastIndexOf ^String % "-")))) pushed))
              "ordered per key")
          (is (= pushed (sort pushed)) "and as strings too, for a reader that compares them"))
        (is (empty? @errors))))))

(deftest a-tab-that-comes-back-gets-what-it-missed-then-its-opening-then-live
  (doseq [kind kinds]
    (testing kind
      (let [s (store kind)
            [dispatch errors] (app s)
            tab (open! dispatch "s1" ::feed [])]
        (push! dispatch "s1" ::feed 1)
        (let [last-id (last (wow/event-ids tab))]
          (wow/close! tab)                                ; the tab is hidden: its only stream closes
          (is (zero? (d*conn/connection-count s ["s1" ::feed])))
          (d*conn/send! s ["s1" ::feed] [(patch 2)])      ; sent while no stream is open
          (d*conn/send! s [:* ::feed] [(patch 3)])
          (is (d*conn/recoverable? s ["s1" ::feed] last-id) "the app can tell before it answers")
          (let [back (open! dispatch "s1" ::feed [[:datastar.wow/patch-signals {:open true}]] last-id)]
            (push! dispatch "s1" ::feed 4)
            (is (= [{:n 2} {:n 3} {:open true} {:n 4}] (map second (wow/events back)))
                "missed, in order, once; then its own opening effects; then live")
            (let [ids (wow/event-ids back)]
              (is (nil? (nth ids 2)) "the opening effect keeps no id")
              (is (apply distinct? (remove nil? ids))))))
        (is (empty? @errors))))))

(deftest an-unknown-or-missing-id-replays-nothing
  (doseq [kind kinds]
    (testing kind
      (let [s (store kind)
            [dispatch errors] (app s)
            tab (open! dispatch "s1" ::feed [])]
        (push! dispatch "s1" ::feed 1)
        (wow/close! tab)
        (push! dispatch "s1" ::feed 2)
        (is (not (d*conn/recoverable? s ["s1" ::feed] "nonsense-7")))
        (is (not (d*conn/recoverable? s ["s1" ::feed] nil)))
        (is (not (d*conn/recoverable? s ["s2" ::feed] (first (wow/event-ids tab)))) "another key's id")
        (let [back (open! dispatch "s1" ::feed [[:datastar.wow/patch-signals {:full true}]] "nonsense-7")]
          (is (= [{:full true}] (map second (wow/events back))) "only its own full state"))
        (is (empty? @errors))))))

(deftest a-store-of-another-process-does-not-know-these-ids
  (let [a (store {:type :atom})
        [dispatch-a] (app a)
        b (store {:type :atom})
        tab (open! dispatch-a "s1" ::feed [])]
    (push! dispatch-a "s1" ::feed 1)
    (is (d*conn/recoverable? a ["s1" ::feed] (first (wow/event-ids tab))))
    (is (not (d*conn/recoverable? b ["s1" ::feed] (first (wow/event-ids tab)))))))

(deftest the-history-keeps-the-last-events-only
  (let [s (d*conn/store {:type :atom :replay {:events 3}})
        [dispatch] (app s)
        tab (open! dispatch "s1" ::feed [])]
    (dotimes [n 6] (push! dispatch "s1" ::feed n))
    (let [ids (wow/event-ids tab)]
      (is (not (d*conn/recoverable? s ["s1" ::feed] (nth ids 1))) "older than the last three")
      (is (d*conn/recoverable? s ["s1" ::feed] (nth ids 3)))
      (wow/close! tab)
      (let [back (open! dispatch "s1" ::feed [] (nth ids 3))]
        (is (= [4 5] (map n-of (wow/events back))))))))

(deftest a-key-without-a-stream-for-longer-than-the-window-records-nothing
  (let [s (d*conn/store {:type :atom :replay {:events 10 :ms 50}})
        [dispatch] (app s)
        tab (open! dispatch "s1" ::feed [])]
    (push! dispatch "s1" ::feed 1)
    (let [last-id (last (wow/event-ids tab))]
      (wow/close! tab)
      (Thread/sleep 120)
      (d*conn/send! s ["s1" ::feed] [(patch 2)])
      (is (not (d*conn/recoverable? s ["s1" ::feed] last-id)) "the id is older than the window"))))

(deftest broadcasts-and-sends-carry-ids-too
  (doseq [kind kinds]
    (testing kind
      (let [s (store kind)
            [dispatch errors] (app s)
            a (open! dispatch "s1" ::feed [])
            b (open! dispatch "s2" ::feed [])]
        (wow/request! dispatch (request "s1") {::d*conn/broadcast-all ::feed :🚀 [(patch 1)]})
        (d*conn/send! s [:* ::feed] [(patch 2)])
        (is (= [1 2] (map n-of (wow/events a))))
        (is (= [1 2] (map n-of (wow/events b))))
        (is (every? string? (concat (wow/event-ids a) (wow/event-ids b))))
        (is (apply distinct? (concat (wow/event-ids a) (wow/event-ids b))) "one store never gives an id twice")
        (is (empty? @errors))))))

(deftest replay-options-are-checked
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #":events must be at least 1"
                        (d*conn/store {:type :atom :replay {:events 0}})))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #":ms must be a positive number of milliseconds, got -5"
                        (d*conn/store {:type :caffeine :replay {:ms -5}})))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #":evnets is not an option of :replay"
                        (d*conn/store {:type :atom :replay {:evnets 5}})))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"options of :replay must be a map"
                        (d*conn/store {:type :atom :replay 5})))
  (is (= 100 (.events ^datastar.wow.deacon.Replay
                      (.get (.replay (.policy ^datastar.wow.deacon.ConnectionStore (d*conn/store {:type :atom :replay {}}))))))
      "defaults"))
