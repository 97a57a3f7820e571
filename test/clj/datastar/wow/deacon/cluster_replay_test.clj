(ns datastar.wow.deacon.cluster-replay-test
  "Replay across the nodes of a cluster, over a real redis-server: the
  history of a key is shared, so a tab that drops on one node and comes back
  on another gets what it missed there; every tab of a key, on any node, sees
  the same events with the same ids in the same order; a node cut off from
  Redis (a proxy in front of it is cut) gets, once it is back, what the others
  sent meanwhile, once each; a Redis killed and restarted loses its history,
  and tabs then start afresh; a message that arrives twice is written once."
  (:require [clojure.test :refer [deftest is testing use-fixtures]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.proxy :as proxy]
            [datastar.wow.deacon.test.redis :as redis]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(def ^:private server (atom nil))

(use-fixtures :once (redis/fixture server "cluster-replay-test"))

(defn- session [{{:keys [request]} :system}] (:session request))

(defn- eventually
  "Polls `f` until it returns truthy or 10 s pass; returns its last value."
  [f]
  (let [deadline (+ (System/currentTimeMillis) 10000)]
    (loop []
      (or (f) (when (< (System/currentTimeMillis) deadline) (Thread/sleep 10) (recur))))))

(defn- node
  "One node of the cluster `prefix`, reaching Redis at `uri`."
  [prefix n uri opts]
  (let [errors (atom [])
        store  (d*conn/store (merge {:type :atom :fan-out? true :replay {:events 50 :ms 60000}
                                     :cluster {:redis uri :node n :prefix prefix :lease-ms 2000}}
                                    opts))]
    {:name n :prefix prefix :store store :errors errors
     :dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn session :on-error (fn [e _] (swap! errors conj e))}]])}))

(defn- connected? [{:keys [store]}]
  (get-in (d*conn/stats store) [:cluster :connected]))

(defmacro ^:private with-nodes
  "Nodes named by `names`, connected (bound as `binding`), closed after `body`;
  `uris` maps a node's name to the Redis it reaches, when not the server's."
  [[binding names & [opts uris]] & body]
  `(let [prefix# (str "r" (System/nanoTime))
         all# (mapv #(node prefix# % (get ~uris % (:uri @server)) ~(or opts {})) ~names)
         ~binding all#]
     (try
       (is (eventually #(every? connected? all#)) "every node connected")
       ~@body
       (finally (doseq [n# all#] (d*conn/close! (:store n#)))))))

(defn- request
  ([sid] (wow/request {:session sid}))
  ([sid last-id] (wow/request {:session sid :headers {"datastar-request" "true" "last-event-id" last-id}})))

(defn- open!
  "A tab of session `sid` opening its stream under `k` on node `n`."
  ([n sid k fx] (:sse (wow/request! (:dispatch n) (request sid) {::d*conn/subscribe k :🚀 fx})))
  ([n sid k fx last-id] (:sse (wow/request! (:dispatch n) (request sid last-id) {::d*conn/subscribe k :🚀 fx}))))

(defn- push! [n sid k v]
  (wow/request! (:dispatch n) (request sid) {::d*conn/key k :🚀 [[:datastar.wow/patch-signals {:n v}]]}))

(defn- ns-of [tab] (map (comp :n second) (wow/events tab)))

(defn- held-everywhere? [ns k]
  (every? #(some #{k} (d*conn/cluster-keys (:store %) k)) ns))

(defn- id-order [id]
  (let [[ms n] (.split ^String id "-")] [(Long/parseLong ms) (Long/parseLong n)]))

(defn- errors-of [ns] (mapcat (comp deref :errors) ns))

(defn- logged
  "The ids the shared log of key `k` holds, read from Redis (`P:ev:<edn>`)."
  [{:keys [prefix]} k]
  (redis/command! @server "EVAL"
                  "local o = {} for i, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do o[i] = e[1] end return o"
                  "1" (str prefix ":ev:" (pr-str k))))

(deftest every-tab-of-a-key-on-every-node-sees-the-same-ids-in-the-same-order
  (with-nodes [[a b] ["a" "b"]]
    (let [on-a (open! a "s1" ::feed [])
          on-b (open! b "s1" ::feed [])]
      (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
      (let [pushers (for [[n from] [[a 0] [b 100]]]
                      (future (dotimes [i 20] (push! n "s1" ::feed (+ from i)))))]
        (run! deref (doall pushers)))
      (d*conn/send! (:store b) ["s1" ::feed] [[:datastar.wow/patch-signals {:n 999}]])
      (is (eventually #(and (= 41 (count (wow/events on-a))) (= 41 (count (wow/events on-b))))))
      (is (= (wow/event-ids on-a) (wow/event-ids on-b)) "the same ids, in the same order, on both nodes")
      (is (= (ns-of on-a) (ns-of on-b)))
      (is (= (range 20) (filter #(< % 100) (ns-of on-a))) "each node's pushes in the order it made them")
      (is (= (range 100 120) (filter #(<= 100 % 200) (ns-of on-a))))
      (let [ids (wow/event-ids on-a)]
        (is (every? #(re-matches #"\d+-\d+" %) ids) "ids the log gave")
        (is (apply distinct? ids))
        (is (= ids (sort-by id-order ids)) "ordered"))
      (is (empty? (errors-of [a b]))))))

(deftest a-tab-that-drops-on-one-node-comes-back-on-another-and-gets-what-it-missed
  (with-nodes [[a b] ["a" "b"]]
    (let [tab (open! a "s1" ::feed [])]
      (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
      (push! a "s1" ::feed 1)
      (is (eventually #(= [1] (ns-of tab))))
      (let [last-id (last (wow/event-ids tab))]
        (wow/close! tab)                                  ; hidden: no stream of the key anywhere
        (is (eventually #(empty? (d*conn/cluster-keys (:store b) ["s1" ::feed]))))
        ;; from b, which never held the key: relayed to a, which held it last, and renders it
        (d*conn/send! (:store b) ["s1" ::feed] [[:datastar.wow/patch-signals {:n 2}]])
        (d*conn/send! (:store b) [:* ::feed] [[:datastar.wow/patch-signals {:n 3}]])
        (is (eventually #(= 3 (count (logged a ["s1" ::feed])))) "both kept for the hidden tab")
        (is (d*conn/recoverable? (:store b) ["s1" ::feed] last-id)
            "node b can tell, before it answers, that the tab will be caught up")
        (let [back (open! b "s1" ::feed [[:datastar.wow/patch-signals {:n :opening}]] last-id)]
          (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
          (push! a "s1" ::feed 4)
          (is (eventually #(= 4 (count (wow/events back)))))
          (is (= [2 3 :opening 4] (ns-of back)) "missed, in order, once; then its opening; then live")
          (is (nil? (nth (wow/event-ids back) 2)) "its opening effects keep no id"))
        (testing "an id the log never gave, or none: nothing is replayed"
          (is (not (d*conn/recoverable? (:store b) ["s1" ::feed] "1-0")))
          (is (not (d*conn/recoverable? (:store b) ["s1" ::feed] "nonsense")))
          (let [fresh (open! b "s1" ::feed [[:datastar.wow/patch-signals {:n :full}]] "nonsense")]
            (is (= [:full] (ns-of fresh)))))))
    (is (empty? (errors-of [a b])))))

(deftest a-broadcast-reaching-a-key-held-on-several-nodes-is-kept-once
  (with-nodes [[a b c] ["a" "b" "c"]]
    (let [on-a (open! a "s1" ::feed [])
          on-b (open! b "s1" ::feed [])
          other (open! b "s2" ::feed [])]
      (is (eventually #(held-everywhere? [a b c] ["s1" ::feed])))
      (is (eventually #(held-everywhere? [a b c] ["s2" ::feed])))
      (push! a "s1" ::feed 0)
      (is (eventually #(= [0] (ns-of on-b))))
      (let [mark (last (wow/event-ids on-b))]
        (wow/request! (:dispatch c) (request "s9") {::d*conn/broadcast-all ::feed :🚀 [[:datastar.wow/patch-signals {:n 1}]]})
        (d*conn/send! (:store c) [:* ::feed] [[:datastar.wow/patch-signals {:n 2}]])
        (is (eventually #(and (= [0 1 2] (ns-of on-a)) (= [0 1 2] (ns-of on-b)) (= [1 2] (ns-of other)))))
        (Thread/sleep 200) ; a second copy, were one kept, would have arrived by now
        (is (= [0 1 2] (ns-of on-a)) "a and b both appended it: kept once")
        (is (= [0 1 2] (ns-of on-b)))
        (is (= (wow/event-ids on-a) (wow/event-ids on-b)))
        (let [back (open! c "s1" ::feed [] mark)]
          (is (= [1 2] (ns-of back)) "the log holds each once"))))
    (is (empty? (errors-of [a b c])))))

(deftest a-push-the-pushing-node-renders-as-nothing-is-nothing-on-every-node
  ;; ::said-by-others sends only on the nodes that did not push it: the pushing node's empty
  ;; rendering is the one the log keeps, and no other node's rendering reaches a tab later,
  ;; after pushes made since
  (with-nodes [[a b] ["a" "b"]]
    (let [others-say (fn [n] {:datastar.wow/effects
                              {::said-by-others (fn [{:keys [dispatch]} _ from]
                                                  (when-not (= from (:name n))
                                                    (dispatch [[:datastar.wow/patch-signals {:n (:name n)}]])))}})
          dispatch (fn [n] (wow/create-dispatch [[d*conn/registry (:store n) {:id-fn session}] [others-say n]]))
          a (assoc a :dispatch (dispatch a))
          b (assoc b :dispatch (dispatch b))
          on-a (open! a "s1" ::feed [])
          on-b (open! b "s1" ::feed [])]
      (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
      (wow/request! (:dispatch b) (request "s1") {::d*conn/key ::feed :🚀 [[::said-by-others "b"]]})
      (push! b "s1" ::feed 1)
      (is (eventually #(= [1] (ns-of on-a))))
      (Thread/sleep 200) ; node a's rendering, were it kept, would have arrived by now
      (is (= [1] (ns-of on-a) (ns-of on-b)) "node a's rendering, {:n \"a\"}, was dropped")
      (is (= (wow/event-ids on-a) (wow/event-ids on-b))))
    (is (empty? (errors-of [a b])))))

(deftest a-node-cut-off-from-redis-gets-what-was-sent-meanwhile-once-it-is-back
  (let [cut (proxy/start! (:port @server))]
    (try
      (with-captured-logs [logs]
      (with-nodes [[a b] ["a" "b"] {} {"b" (:uri cut)}]
        (let [tab (open! b "s1" ::feed [])]
          (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
          (push! a "s1" ::feed 1)
          (is (eventually #(= [1] (ns-of tab))))
          (proxy/cut! cut)
          (is (eventually #(not (connected? b))) "b is cut off")
          (dotimes [i 3] (push! a "s1" ::feed (+ 2 i)))
          (is (= [1] (ns-of tab)) "nothing reaches b meanwhile")
          (proxy/mend! cut)
          (is (eventually #(connected? b)) "b is back")
          (is (eventually #(= [1 2 3 4] (ns-of tab))) "what it missed, in order")
          (push! a "s1" ::feed 5)
          (is (eventually #(= [1 2 3 4 5] (ns-of tab))))
          (Thread/sleep 200)
          (is (= [1 2 3 4 5] (ns-of tab)) "once each")
          (is (apply distinct? (wow/event-ids tab)))
          (is (empty? (errors-of [a])))))
      (is (some #(re-find #"lost the connection to Redis" (:message %)) @logs) "b said it was cut off"))
      (finally (proxy/stop! cut)))))

(deftest a-push-made-while-cut-off-reaches-the-tabs-here-and-is-reported
  (let [cut (proxy/start! (:port @server))]
    (try
      (with-captured-logs [logs]
      (with-nodes [[a b] ["a" "b"] {} {"b" (:uri cut)}]
        (let [on-a (open! a "s1" ::feed [])
              on-b (open! b "s1" ::feed [])]
          (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
          (proxy/cut! cut)
          (is (eventually #(not (connected? b))))
          (push! b "s1" ::feed 1)
          (is (= [1] (ns-of on-b)) "b's own tab at once, with an id of b's own")
          (is (string? (first (wow/event-ids on-b))))
          ;; the relay's failure is reported when its stage completes: the push does not wait
          (is (eventually #(seq @(:errors b))) "the registry's :on-error heard that the others were not reached")
          (Thread/sleep 200)
          (is (= [] (ns-of on-a)))
          (proxy/mend! cut)
          (is (eventually #(connected? b)))
          (push! a "s1" ::feed 2)
          (is (eventually #(= [1 2] (ns-of on-b))))
          (is (eventually #(= [2] (ns-of on-a))))))
      (is (some #(re-find #"lost the connection to Redis" (:message %)) @logs) "b said it was cut off"))
      (finally (proxy/stop! cut)))))

(deftest a-redis-restarted-without-its-data-loses-the-history-and-tabs-start-afresh
  (with-nodes [[a b] ["a" "b"]]
    (let [tab (open! b "s1" ::feed [])]
      (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
      (push! a "s1" ::feed 1)
      (is (eventually #(= [1] (ns-of tab))))
      (let [before (first (wow/event-ids tab))
            port (:port @server)]
        ;; captured to the end: a node catching up after the restart says what it lost
        (with-captured-logs [logs]
          (redis/stop! @server)
          (is (eventually #(not (connected? a))))
          (reset! server (redis/start! port))
          (is (eventually #(and (connected? a) (connected? b))) "both nodes back")
          (is (some #(re-find #"lost the connection to Redis" (:message %)) @logs))
          (is (eventually #(held-everywhere? [a b] ["s1" ::feed])) "b wrote its keys again")
          (push! a "s1" ::feed 2)
          (is (eventually #(= [1 2] (ns-of tab))) "delivery resumes")
          (is (pos? (compare (second (wow/event-ids tab)) "")) "with ids of the new log")
          (is (neg? (compare (id-order before) (id-order (second (wow/event-ids tab)))))
              "which come after the old ones: the clock moved on")
          (is (not (d*conn/recoverable? (:store a) ["s1" ::feed] before)) "the old history is gone"))))))

(deftest a-node-back-after-a-redis-restart-gets-what-the-new-log-holds
  ;; b is cut off while Redis restarts empty; a pushes to the new log meanwhile. When b is back,
  ;; its last id is in no log: the hole is lost to it, and what the new log holds comes after
  ;; the hole, so b's tab gets it
  (let [cut (proxy/start! (:port @server))]
    (try
      (with-captured-logs [logs]
        (with-nodes [[a b] ["a" "b"] {} {"b" (:uri cut)}]
          (let [on-a (open! a "s1" ::feed [])
                on-b (open! b "s1" ::feed [])
                port (:port @server)]
            (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
            (push! a "s1" ::feed 1)
            (is (eventually #(= [1] (ns-of on-b))))
            (proxy/cut! cut)
            (is (eventually #(not (connected? b))) "b is cut off")
            (redis/stop! @server)
            (reset! server (redis/start! port))
            (is (eventually #(and (connected? a) (held-everywhere? [a] ["s1" ::feed]))) "a is back, its keys written again")
            (push! a "s1" ::feed 2)
            (push! a "s1" ::feed 3)
            (is (eventually #(= [1 2 3] (ns-of on-a))))
            (proxy/mend! cut)
            (is (eventually #(connected? b)) "b is back")
            (is (eventually #(= [1 2 3] (ns-of on-b))) "what the new log holds")
            (push! a "s1" ::feed 4)
            (is (eventually #(= [1 2 3 4] (ns-of on-a) (ns-of on-b))))
            (Thread/sleep 200)
            (is (= [1 2 3 4] (ns-of on-b)) "once each")))
        (is (some #(re-find #"left the shared history" (:message %)) @logs) "b said what it lost"))
      (finally (proxy/stop! cut)))))

(deftest an-event-that-arrives-twice-is-written-once
  (with-nodes [[a b] ["a" "b"]]
    (let [tab (open! b "s1" ::feed [])]
      (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
      (push! a "s1" ::feed 1)
      (is (eventually #(= [1] (ns-of tab))))
      (let [id (first (wow/event-ids tab))
            copy (str "{:v 1, :from \"a\", :key [\"s1\" " ::feed "], :prev nil, :ids [\"" id "\"],"
                      " :events [[:datastar.wow/patch-signals {:n 1} nil]]}")]
        (is (= ["1"] (redis/command! @server "PUBLISH" (str (:prefix a) ":to:b") copy)) "the copy reached b")
        (push! a "s1" ::feed 2)
        (is (eventually #(= [1 2] (ns-of tab))))
        (Thread/sleep 100)
        (is (= [1 2] (ns-of tab)) "the copy was dropped by its id")))))

(deftest a-worker-that-cannot-render-has-the-nodes-holding-the-key-render-and-log-it
  (with-nodes [[a b] ["a" "b"]]
    (let [worker (d*conn/store {:type :caffeine :replay {:events 50 :ms 60000}
                                :cluster {:redis (:uri @server) :node "w" :prefix (:prefix a) :lease-ms 2000}})]
      (try
        (is (eventually #(get-in (d*conn/stats worker) [:cluster :connected])))
        (let [on-a (open! a "s1" ::feed [])
              on-b (open! b "s1" ::feed [])]
          (is (eventually #(held-everywhere? [a b] ["s1" ::feed])))
          (is (= 0 (d*conn/send! worker ["s1" ::feed] [[:datastar.wow/patch-signals {:n 1}]])))
          (is (eventually #(and (= [1] (ns-of on-a)) (= [1] (ns-of on-b)))))
          (Thread/sleep 200)
          (is (= [1] (ns-of on-a)) "both holders rendered it; the log kept it once")
          (is (= (wow/event-ids on-a) (wow/event-ids on-b))))
        (finally (d*conn/close! worker))))
    (is (empty? (errors-of [a b])))))
