(ns datastar.wow.deacon.demo-waves-test
  "The REPL demo's list of waves (dev/src/demo: waves, view, handlers,
  effects) over the datastar.wow stand-ins, with the store's history
  (`:replay`): a wave appends one line to every page; a tab that comes back
  with a `last-event-id` (Datastar reopens a hidden tab's stream so) gets the
  waves it missed, in order, once, before anything else, and no whole list;
  a tab whose id is unknown gets the whole list."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.demo :refer [ann bob find-all last-id open-tab! req send!
                                                   shown wave-events wave-lists waves with-app]]
            [datastar.wow.deacon.test.wow :as wow]
            [demo.counter :as counter]
            [demo.effects :as effects]
            [demo.handlers :as handlers]
            [demo.session :as session]
            [demo.waves :as demo-waves]))

(set! *warn-on-reflection* true)

(defn- wave! [app sid]
  (is (= 204 (:status (send! app handlers/wave (req app sid {:request-method :post}))))))

(def ^:private bob-waved (str (session/short-id "session-of-bob") " waved at 12:00:00"))

(deftest the-store-keeps-a-history
  (with-app [app]
    (is (= {:events 100 :ms 300000} effects/replay))
    (let [t (open-tab! app ann)]
      (wave! app bob)
      (is (some? (last-id t)) "every event deacon delivers to a key's streams carries an id")
      (is (d*conn/recoverable? (:store app) (d*conn/scoped-key ann counter/stream-key) (last-id t))))))

(deftest a-wave-appends-one-line-to-every-page
  (with-app [app]
    (let [tabs [(open-tab! app ann) (open-tab! app bob)]]
      (wave! app bob)
      (wave! app ann)
      (doseq [t tabs]
        (is (= [bob-waved (str (session/short-id ann) " waved at 12:00:00")] (waves t)) "one line per wave, in order")
        (is (= 1 (count (wave-lists t))) "the whole list only once, as the stream opened")
        (let [[[id li opts]] (wave-events t)
              wave-id (get-in li [1 :data-wave])]
          (is (string? id) "the line's event has an SSE id")
          (is (= {:d*.elements/selector "#waves" :d*.elements/patch-mode "append"} opts) "appended to the list")
          (is (re-matches #"[0-9a-f]{8}" wave-id))
          (is (= [:li {:data-wave wave-id :data-show (str "!$waves.includes('" wave-id "')")} bob-waved] li)
              "hidden when the list the page was last given held it already")))
      (is (= 2 (count (demo-waves/listed app))) "the node keeps the waves for pages that open later"))))

(deftest a-tab-that-comes-back-gets-the-waves-it-missed-once-in-order
  (with-app [app]
    (let [hidden (open-tab! app ann)
          other  (open-tab! app bob)]
      (wave! app bob)
      (let [seen (last-id hidden)]
        (wow/close! hidden) ; Datastar closes the stream of a tab being hidden
        (wave! app bob)
        (wave! app ann)
        (is (= 3 (count (waves other))))
        (is (d*conn/recoverable? (:store app) (d*conn/scoped-key ann counter/stream-key) seen))
        (let [back     (open-tab! app ann seen) ; shown again: reopened with last-event-id
              ;; replayed: the events with ids before its own opening effects, which have none
              replayed (count (take-while some? (wow/event-ids back)))]
          (is (= [bob-waved (str (session/short-id ann) " waved at 12:00:00")] (waves back))
              "the two waves it missed, in order, once")
          (is (pos? replayed))
          (is (every? #(some #{(first %)} (take replayed (wow/event-ids back))) (wave-events back))
              "replayed before anything else the stream gets")
          (is (= (map rest (drop 1 (wave-events other))) (map rest (wave-events back)))
              "the same lines another tab got live")
          (is (every? #(pos? (compare % seen)) (map first (wave-events back))) "ids after the one it came back with")
          (is (empty? (wave-lists back)) "caught up: no whole list")
          (is (= {:counter 0 :running false} (shown back)) "its own opening effects follow")
          (wave! app bob)
          (is (= 3 (count (waves back))) "then live waves"))))))

(deftest a-tab-whose-id-is-unknown-gets-the-whole-list
  (with-app [app]
    (open-tab! app bob)
    (wave! app bob)
    (wave! app bob)
    (testing "an id this store never gave"
      (let [t (open-tab! app ann "not-an-id-of-this-store")]
        (is (empty? (waves t)) "nothing replayed")
        (is (= 1 (count (wave-lists t))))
        (is (= 2 (count (find-all :li (first (wave-lists t))))) "every wave the node keeps")
        (is (some #{[:datastar.wow/patch-signals {:waves (mapv :id (demo-waves/listed app))}]} (wow/events t))
            "with the ids it holds, which hide a line that came twice")))
    (testing "no id: a page that opens"
      (let [t (open-tab! app ann)]
        (is (= 1 (count (wave-lists t))))))))

(deftest a-node-keeps-the-last-waves-each-once
  (with-app [app]
    (dotimes [_ (+ 5 demo-waves/kept)] (wave! app bob))
    (is (= demo-waves/kept (count (demo-waves/listed app))) "bounded")
    (let [w (last (demo-waves/listed app))]
      (is (= w (demo-waves/seen! app w)))
      (is (= demo-waves/kept (count (demo-waves/listed app))) "a wave seen again is kept once")
      (is (= w (last (demo-waves/listed app)))))))

(deftest a-wave-from-elsewhere-with-a-bad-id-is-not-kept
  (with-app [app]
    (open-tab! app ann)
    (d*conn/send! (:store app) [:* counter/stream-key] [[::effects/keep-wave {:id "x'); alert(1); ('" :text "no"}]])
    (is (empty? (demo-waves/listed app)) "an id that is not 8 hex digits never reaches a page's expression")
    (d*conn/send! (:store app) [:* counter/stream-key] [[::effects/keep-wave {:id "0badc0de" :text "from another node"}]])
    (is (= [{:id "0badc0de" :text "from another node"}] (demo-waves/listed app)))))
