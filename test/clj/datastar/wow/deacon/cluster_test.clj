(ns datastar.wow.deacon.cluster-test
  "Three nodes in one JVM, each with its own store (a member of one cluster
  over a real redis-server) and its own datastar.wow dispatch (the stand-ins):
  a keyed response reaches the tab that node B holds from a request on node A;
  fan-out and broadcasts reach every node; send! too; the directory answers
  for the whole cluster; effects that are not data fail at the sender."
  (:require [clojure.test :refer [deftest is testing use-fixtures]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.redis :as redis]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(def ^:private server (atom nil))

(use-fixtures :once (redis/fixture server "cluster-test"))

(defn- session [{{:keys [request]} :system}] (:session request))

(defn- eventually
  "Polls `f` until it returns truthy or 5 s pass; returns its last value."
  [f]
  (let [deadline (+ (System/currentTimeMillis) 5000)]
    (loop []
      (or (f) (when (< (System/currentTimeMillis) deadline) (Thread/sleep 10) (recur))))))

(defn- nodes
  "Three nodes of one cluster (a prefix of their own): `[{:store :dispatch :errors}]`."
  [opts]
  (let [prefix (str "t" (System/nanoTime))]
    (vec (for [n ["a" "b" "c"]]
           (let [errors (atom [])
                 store  (d*conn/store (merge {:type :atom :fan-out? true
                                              :cluster {:redis (:uri @server) :node n :prefix prefix :lease-ms 2000}}
                                             opts))]
             {:name n
              :prefix prefix
              :store store
              :errors errors
              :dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn session :on-error (fn [e _] (swap! errors conj e))}]])})))))

(defn- connected? [{:keys [store]}]
  (get-in (d*conn/stats store) [:cluster :connected]))

(defmacro ^:private with-nodes
  "Three connected nodes (bound, or destructured, as `binding`), all closed after `body`."
  [[binding opts] & body]
  `(let [all# (nodes ~(or opts {}))
         ~binding all#]
     (try
       (is (eventually #(every? connected? all#)) "every node connected")
       ~@body
       (finally (doseq [n# all#] (d*conn/close! (:store n#)))))))

(defn- request [sid] (wow/request {:session sid}))

(defn- subscribe! [{:keys [dispatch]} sid k]
  (:sse (wow/request! dispatch (request sid) {::d*conn/subscribe k :🚀 []})))

(defn- patch [n] [:datastar.wow/patch-signals {:n n}])

(defn- known-everywhere?
  "True once every node's view of the cluster holds `k`."
  [ns k]
  (every? #(some #{k} (d*conn/cluster-keys (:store %) k)) ns))

(deftest a-worker-with-no-registry-sends-to-the-tabs-of-every-node
  ;; a process that serves no pages: a store in the cluster, no registry, no request ever
  (with-nodes [[a b _]]
    (let [worker (d*conn/store {:type :caffeine
                                :cluster {:redis (:uri @server) :node "worker" :prefix (:prefix a) :lease-ms 2000}})]
      (try
        (is (eventually #(get-in (d*conn/stats worker) [:cluster :connected])) "the worker connected")
        (let [on-a (subscribe! a "s1" ::feed)
              on-b (subscribe! b "s1" ::feed)
              other (subscribe! b "s2" ::feed)]
          (is (eventually #(known-everywhere? [a b] ["s1" ::feed])))
          (is (= 0 (d*conn/send! worker ["s1" ::feed] [(patch 1)])) "no stream of its own to write")
          (is (eventually #(and (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events on-a))
                                (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events on-b))))
              "each node rendered the effects for its own tab, with its own dispatch")
          (is (= 0 (d*conn/send! worker [:* ::feed] [(patch 2)])))
          (is (eventually #(= [[:datastar.wow/patch-signals {:n 2}]] (wow/events other))) "a broadcast too")
          (is (empty? (mapcat (comp deref :errors) [a b]))))
        (finally (d*conn/close! worker))))))

(deftest a-keyed-response-reaches-the-node-holding-the-key
  (with-nodes [[a b c]]
    (let [tab (subscribe! b "s1" ::counter)]
      (is (eventually #(known-everywhere? [a b c] ["s1" ::counter])) "the directory knows b holds it")
      (let [out (wow/request! (:dispatch a) (request "s1") {::d*conn/key ::counter :🚀 [(patch 1)]})]
        (is (= 204 (:status out)) "a opened no stream: the key's stream is on b")
        (is (nil? (:sse out)))
        (is (eventually #(= [[:datastar.wow/patch-signals {:n 1}]] (wow/events tab))) "b's tab got it")
        (is (nil? (d*conn/list-keys (:store a))) "nothing stored on a"))
      (testing "a key nobody holds: the request opens its stream here, as without a cluster"
        (let [out (wow/request! (:dispatch c) (request "s9") {::d*conn/key ::counter :🚀 [(patch 2)]})]
          (is (= 200 (:status out)))
          (is (= [["s9" ::counter]] (d*conn/list-keys (:store c))))))
      (is (every? #(empty? @(:errors %)) [a b c])))))

(deftest with-fan-out-every-tab-on-every-node-gets-a-push
  (with-nodes [[a b c]]
    (let [on-b (subscribe! b "s1" ::counter)
          on-c (subscribe! c "s2" ::counter)
          ;; b's registration must have reached the directory: a's alone would
          ;; make the key known everywhere too
          _    (is (eventually #(known-everywhere? [a b c] ["s1" ::counter])))
          on-a (subscribe! a "s1" ::counter)]
      (wow/request! (:dispatch a) (request "s1") {::d*conn/key ::counter :🚀 [(patch 1)]})
      (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events on-a)) "the local tab at once")
      (is (eventually #(= [[:datastar.wow/patch-signals {:n 1}]] (wow/events on-b))) "the tab on b too")
      (Thread/sleep 100)
      (is (= [] (wow/events on-c)) "another session's tab on c: nothing")
      (is (every? #(empty? @(:errors %)) [a b c])))))

(deftest broadcasts-reach-every-node
  (with-nodes [[a b c]]
    (let [s1-a (subscribe! a "s1" [::room 1])
          s1-b (subscribe! b "s1" [::room 2])
          s2-c (subscribe! c "s2" [::room 1])]
      (is (eventually #(known-everywhere? [a b c] ["s2" [::room 1]])))
      (testing "broadcast: this session's matching streams, on any node"
        (wow/request! (:dispatch c) (request "s1") {::d*conn/broadcast [::room :*] :🚀 [(patch :mine)]})
        (is (eventually #(= [[:datastar.wow/patch-signals {:n :mine}]] (wow/events s1-a) (wow/events s1-b))))
        (is (= [] (wow/events s2-c))))
      (testing "broadcast-all: every session's, on every node, the sender's included"
        (wow/request! (:dispatch a) (request "s3") {::d*conn/broadcast-all [::room 1] :🚀 [(patch :all)]})
        (is (eventually #(= [:datastar.wow/patch-signals {:n :all}] (last (wow/events s2-c)))))
        (is (eventually #(= [:datastar.wow/patch-signals {:n :all}] (last (wow/events s1-a)))))
        (Thread/sleep 100)
        (is (= 1 (count (wow/events s1-b))) "[::room 2] did not match"))
      (is (every? #(empty? @(:errors %)) [a b c])))))

(deftest send!-reaches-every-node
  (with-nodes [[a b c]]
    (let [on-b (subscribe! b "s1" ::feed)
          on-c (subscribe! c "s2" ::feed)
          _    (subscribe! a "s3" ::other)]
      (is (eventually #(known-everywhere? [a b c] ["s2" ::feed])))
      (is (= 0 (d*conn/send! (:store a) [:* ::feed] [(patch :news)])) "none here")
      (is (eventually #(= [[:datastar.wow/patch-signals {:n :news}]] (wow/events on-b) (wow/events on-c))))
      (d*conn/send! (:store a) ["s1" ::feed] [(patch :yours)])
      (is (eventually #(= [:datastar.wow/patch-signals {:n :yours}] (last (wow/events on-b)))))
      (Thread/sleep 100)
      (is (= 1 (count (wow/events on-c)))))))

(deftest a-node-that-has-stored-no-stream-yet-takes-broadcasts-quietly
  ;; A node just started: its registry has stored nothing, so its store knows
  ;; no dispatch yet. Another node's broadcast finds no stream of it to run
  ;; on: nothing to do, and nothing to report.
  (with-captured-logs [logs]
    (with-nodes [[a]]
      (let [tab (subscribe! a "s1" ::feed)]
        (is (= 1 (d*conn/send! (:store a) [:* ::feed] [(patch :news)])))
        (wow/request! (:dispatch a) (request "s1") {::d*conn/broadcast-all ::feed :🚀 [(patch :all)]})
        (is (= 2 (count (wow/events tab))))
        (Thread/sleep 300)
        (is (= [] (map :message (filter #(= :error (:level %)) @logs))) "no node reported anything")))))

(deftest the-directory-answers-for-the-whole-cluster
  (with-nodes [[a b c]]
    (let [tab (subscribe! a "s1" ::feed)]
      (subscribe! b "s2" ::feed)
      (subscribe! c "s3" [::room 5])
      (is (eventually #(= 3 (d*conn/cluster-count (:store c)))))
      (is (= #{["s1" ::feed] ["s2" ::feed]} (set (d*conn/cluster-keys (:store b) [:* ::feed]))))
      (is (= [["s1" ::feed]] (d*conn/list-keys (:store a))) "list-keys stays local")
      (is (= "a" (d*conn/node (:store a)) (get-in (d*conn/stats (:store a)) [:cluster :node])))
      (wow/close! tab)
      (is (eventually #(= 2 (d*conn/cluster-count (:store c)))) "a closed stream leaves the directory"))))

(deftest effects-that-are-not-data-fail-at-the-sender
  (with-nodes [[a b]]
    (let [tab (subscribe! b "s1" ::counter)]
      (is (eventually #(known-everywhere? [a b] ["s1" ::counter])))
      (wow/request! (:dispatch a) (request "s1")
                    {::d*conn/key ::counter :🚀 [[:datastar.wow/patch-signals {:on-click (fn [] :nope)}]]})
      (Thread/sleep 200)
      (is (= [] (wow/events tab)) "nothing was sent")
      (is (= 1 (count @(:errors a))))
      (is (re-find #"on-click" (ex-message (first @(:errors a)))) "the error names where the value sits"))))

(deftest a-closed-member-still-purges-and-closes-streams
  ;; As for any store: after close!, purges keep working, so streams that close
  ;; after the store still leave it cleanly. The member has left the cluster.
  (with-nodes [[a b]]
    (let [t1 (subscribe! a "s1" ::feed)
          t2 (subscribe! a "s2" ::feed)]
      (is (eventually #(known-everywhere? [a b] ["s2" ::feed])))
      (d*conn/close! (:store a))
      (is (true? (d*conn/purge! (:store a) ["s1" ::feed])) "an explicit purge")
      (wow/close! t2)
      (is (nil? (d*conn/list-keys (:store a))) "a stream closing after the store leaves it")
      (is (wow/open? t1) "a purge removes; closing is the app's (its :on-removal)")
      (is (eventually #(zero? (d*conn/cluster-count (:store b)))) "and nothing of it is listed")
      (is (every? #(empty? @(:errors %)) [a b])))))

(defn- without-redis []
  (let [port   (with-open [s (java.net.ServerSocket. 0)] (.getLocalPort s))
        errors (atom [])
        store  (d*conn/store {:type :atom :fan-out? true
                              :cluster {:redis (str "redis://127.0.0.1:" port) :node "alone" :send-timeout-ms 200}})
        dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn session :on-error (fn [e _] (swap! errors conj e))}]])]
    (try
      (let [tab (subscribe! {:dispatch dispatch} "s1" ::feed)]
        (is (= [["s1" ::feed]] (d*conn/list-keys store)) "stored here as without a cluster")
        (wow/request! dispatch (request "s1") {::d*conn/key ::feed :🚀 [(patch 1)]})
        (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events tab)) "the local tab is served")
        (let [t0  (System/nanoTime)
              out (wow/request! dispatch (request "s2") {::d*conn/key ::feed :🚀 [(patch 2)]})
              ms  (quot (- (System/nanoTime) t0) 1000000)]
          (is (< ms 1000) (str "the look-up asked Redis and gave up fast: " ms " ms"))
          (is (= 200 (:status out)) "nobody else known: the stream opens here")
          (is (eventually #(seq @errors)) "the failed send is reported")
          (is (re-find #"not connected to Redis" (ex-message (first @errors))))))
      (finally (d*conn/close! store)))))

(deftest without-redis-local-work-is-untouched-and-remote-sends-fail-fast
  (with-captured-logs [logs]
    (without-redis)
    (is (some #(re-find #"cannot open the command connection to Redis" (:message %)) @logs)
        "the node reports that it cannot connect, and keeps trying")))
