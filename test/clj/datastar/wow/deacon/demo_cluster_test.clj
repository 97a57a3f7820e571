(ns datastar.wow.deacon.demo-cluster-test
  "The REPL demo as two nodes of a cluster, in one JVM: each node is the
  demo's state over its own store (a member of one cluster over a real
  redis-server) and its own dispatch (the datastar.wow stand-ins), as
  `(dev {:redis ... :node ...})` makes them. A button on a page of one node
  drives the tabs of the other, a tab opening on the other node shows the
  counter as the session has it, a command on a node holding no tab of the
  session runs where the tabs are, and each node's panel says which node
  holds each key."
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing use-fixtures]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.demo :refer [ann bob command! eventually find-all label
                                                   open-tab! panel-of req rows send! shown
                                                   signals test-app text tick! waves]]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.redis :as redis]
            [datastar.wow.deacon.test.wow :as wow]
            [demo.config :as config]
            [demo.counter :as counter]
            [demo.handlers :as handlers]
            [demo.panel :as panel]
            [demo.session :as demo-session]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(def ^:private server (atom nil))

(use-fixtures :once (redis/fixture server "demo-cluster-test"))

(defn- connected? [app]
  (get-in (d*conn/stats (:store app)) [:cluster :connected]))

(defmacro ^:private with-nodes
  "Body with `a` and `b` bound to the demo's state on nodes node-a and
  node-b of a cluster of their own, connected (to the Redis at `uri`, by
  default the tests' one); their stores closed after."
  [[a b uri] & body]
  `(let [prefix# (str "demo" (System/nanoTime))
         uri#    (or ~uri (:uri @server))
         opts#   (fn [node#] {:cluster (config/cluster-options {:redis uri# :node node#
                                                                 :prefix prefix# :lease-ms 2000})})
         ~a      (test-app (opts# "node-a"))
         ~b      (test-app (opts# "node-b"))]
     (try
       (is (eventually #(and (connected? ~a) (connected? ~b))) "both nodes connected")
       ~@body
       (finally (d*conn/close! (:store ~a)) (d*conn/close! (:store ~b))))))

(defn- listed?
  "True once `app`'s node sees session `sid`'s key in the cluster's directory."
  [app sid]
  (some #{[sid counter/stream-key]} (d*conn/cluster-keys (:store app) [:* counter/stream-key])))

(deftest the-cluster-options-come-from-dev's-options
  (is (nil? (config/cluster-options {:port 3000})) "no :redis: a demo on its own")
  (is (= {:redis "redis://127.0.0.1:6379" :prefix "deacon-demo" :node "web-1"}
         (config/cluster-options {:redis "redis://127.0.0.1:6379" :node "web-1" :port 3000})))
  (is (= {:redis "redis://h:1" :prefix "p" :lease-ms 2000}
         (config/cluster-options {:redis "redis://h:1" :prefix "p" :lease-ms 2000})))
  (doseq [k [:node :prefix :lease-ms]]
    (let [e (is (thrown? clojure.lang.ExceptionInfo (config/cluster-options {k "x"})))]
      (is (= (str "demo: " k " is a cluster option: give :redis too, e.g. \"redis://127.0.0.1:6379\"")
             (ex-message e)))))
  (is (= "redis://***@h:6379/0" (config/shown-uri "redis://:secret@h:6379/0")) "never the password")
  (is (= "redis://h:6379" (config/shown-uri "redis://h:6379"))))

(deftest a-button-on-one-node-drives-the-tabs-on-the-other
  (with-nodes [a b]
    (let [on-a (open-tab! a ann)]
      (is (eventually #(listed? b ann)))
      (let [on-b (open-tab! b ann)]
        (testing "start on node-b: node-a's tab shows it, and node-b runs the timer"
          (is (= 204 (command! b handlers/index ann :put)))
          (is (= {:counter 0 :running true} (shown on-b)))
          (is (eventually #(= {:counter 0 :running true} (shown on-a))))
          (is (= 1 (count @(:ticks b))))
          (is (empty? @(:ticks a)) "one timer for the session, on one node"))
        (testing "node-b's ticks reach node-a's tab"
          (tick! b)
          (is (eventually #(= {:counter 1 :running true} (shown on-a)))))
        (testing "add ten on node-a: node-b's tab, and node-b's timer, go on from it"
          (is (= 204 (command! a handlers/jump ann :post)))
          (is (= {:counter 11 :running true} (shown on-a)))
          (is (eventually #(= {:counter 11 :running true} (shown on-b))))
          (tick! b)
          (is (eventually #(= {:counter 12 :running true} (shown on-a) (shown on-b)))))
        (testing "stop on node-a: node-b's timer stops"
          (is (= 204 (command! a handlers/index ann :delete)))
          (is (eventually #(= counter/initial (shown on-a) (shown on-b))))
          (is (eventually #(= #{0} @(:cancelled b))))
          (is (not (contains? @(:counters a) ann)))
          (is (eventually #(not (contains? @(:counters b) ann))) "stopped and reset: nothing kept"))))))

(deftest a-tab-opening-on-the-other-node-shows-the-counter-as-the-session-has-it
  (with-nodes [a b]
    (let [on-a (open-tab! a ann)]
      (command! a handlers/jump ann :post)
      (command! a handlers/jump ann :post)
      (is (= {:counter 20 :running false} (shown on-a)))
      (is (eventually #(listed? b ann)))
      (let [on-b (open-tab! b ann)]
        (is (eventually #(= {:counter 20 :running false} (shown on-b))) "node-b asked node-a for it")
        (is (= 204 (command! b handlers/jump ann :post)))
        (is (eventually #(= {:counter 30 :running false} (shown on-a) (shown on-b)))
            "node-b's change is the newer")))))

(deftest a-command-on-a-node-without-a-tab-runs-where-the-tabs-are
  (with-nodes [a b]
    (let [tab1 (open-tab! a ann)
          tab2 (open-tab! a ann)]
      (is (eventually #(listed? b ann)))
      (let [{:keys [status sse]} (send! b handlers/jump (req b ann {:request-method :post}))]
        (is (= 204 status) "node-b holds no tab of ann's: the keyed response runs on node-a's")
        (is (nil? sse)))
      (is (eventually #(= {:counter 10 :running false} (shown tab1) (shown tab2))))
      (is (= 10 (:counter (counter/of @(:counters a) ann))) "applied once on node-a, for its two tabs")
      (is (not (contains? @(:counters b) ann)) "node-b keeps no copy"))
    (testing "a session with no tab on any node: 404, nothing changed, no timer"
      (doseq [[handler method] [[handlers/index :put] [handlers/jump :post]]]
        (let [{:keys [status body]} (send! b handler (req b bob {:request-method method}))]
          (is (= 404 status))
          (is (= "no tab of this session is open on any node: open the page first" body))))
      (is (not (contains? @(:counters b) bob)))
      (is (empty? @(:ticks b))))
    (testing "sent for the other nodes' tabs, a command that finds none after all says so on its own stream"
      (let [{:keys [status sse]} (send! b (fn [_] {::d*conn/key        counter/stream-key
                                                   :datastar.wow/with-open-sse? true
                                                   :datastar.wow/fx    [[:demo.effects/command
                                                                         {:op :jump :id "x" :from "node-b"}]]})
                                        (req b bob {:request-method :post}))]
        (is (= 200 status))
        (is (= [{:notice (view/no-tab true)}] (map second (wow/events sse))))
        (is (not (wow/open? sse)))
        (is (not (contains? @(:counters b) bob)) "nothing applied")))))

(deftest a-wave-reaches-every-tab-on-every-node
  (with-nodes [a b]
    (let [on-a (open-tab! a ann)
          on-b (open-tab! b bob)]
      (is (eventually #(and (listed? a bob) (listed? b ann))))
      (is (= 204 (:status (send! b handlers/wave (req b bob {:request-method :post})))))
      (is (eventually #(= 1 (count (waves on-a)) (count (waves on-b))))))))

(deftest each-node's-panel-shows-which-node-holds-each-key
  (with-nodes [a b]
    (let [_    (open-tab! a ann)
          on-b (open-tab! b bob)]
      (is (eventually #(and (listed? b ann) (listed? b bob))))
      ;; as the demo does every heartbeat: a node looks at the directory again
      (is (eventually #(do (panel/refresh! b false)
                           (= (sort-by first [[(label ann) "" "" "another node"]
                                              [(label bob) "1" "since 12:00:00" "this node"]])
                              (rows (panel-of on-b))))))
      (let [p (panel-of on-b)]
        (is (= "2 browsers, 1 tab open on node-b" (text (first (find-all :p.visitors p)))))
        (is (str/ends-with? (text (first (find-all :p.stats p))) "; node node-b, connected to Redis"))))))

(deftest during-a-redis-outage-a-command-says-what-it-could-not-reach
  (let [own (redis/start!)]
    (try
      (with-captured-logs [logs]
        (with-nodes [a b (:uri own)]
          (let [ann-a (open-tab! a ann)
                _     (open-tab! a bob)
                _     (is (eventually #(and (listed? b ann) (listed? b bob))))
                ann-b (open-tab! b ann)]
            (is (= 204 (command! b handlers/index ann :put)) "start, on node-b: node-b ticks")
            (is (eventually #(= {:counter 0 :running true} (shown ann-a))))
            (redis/stop! own)
            (is (eventually #(not (or (connected? a) (connected? b)))) "both nodes saw Redis go")
            (testing "a command on node-a: its tabs there show it, and say it reached no other node"
              (is (= 204 (command! a handlers/jump ann :post)))
              (is (= {:counter 10 :running true} (shown ann-a)))
              (is (eventually #(= [view/only-here] (keep :notice (signals ann-a)))))
              (is (= {:counter 0 :running true} (counter/of @(:counters b) ann)) "node-b never got it")
              (is (= {:counter 0 :running true} (shown ann-b))))
            (testing "bob's tabs are on node-a, which node-b cannot ask about: 503, nothing changed"
              (let [{:keys [status body]} (send! b handlers/jump (req b bob {:request-method :post}))]
                (is (= 503 status))
                (is (= view/unreachable body)))
              (is (not (contains? @(:counters a) bob)))
              (is (not (contains? @(:counters b) bob))))))
        (is (some #(str/includes? (:message %) (str "a command of session " (demo-session/short-id ann)
                                                    " reached only this node's tabs"))
                  @logs)
            (pr-str (map :message @logs))))
      (finally (redis/stop! own)))))
