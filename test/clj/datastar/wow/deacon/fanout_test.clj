(ns datastar.wow.deacon.fanout-test
  "Fan-out and broadcast through the datastar.wow and Nexus stand-ins: every
  tab of a session subscribes under one key, a keyed response reaches all of
  them, a broadcast reaches every matching stream of a scope or of every
  scope, a failing stream does not stop the others."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
)

(set! *warn-on-reflection* true)

(defn- session [{{:keys [request]} :system}] (:session request))

(def ^:dynamic *render-once?*
  "The registry's `:render-once?` in the apps these tests build."
  true)

(defn- app
  "A dispatch over deacon's registry (scoped by `:session`) and an app effect
  `::seen` that records, per call, the stream it ran on. Returns `[dispatch
  errors seen]`."
  ([store] (app store {}))
  ([store opts]
   (let [errors (atom [])
         seen   (atom [])]
     [(wow/create-dispatch [[d*conn/registry store (merge {:id-fn session :render-once? *render-once?* :on-error (fn [e _] (swap! errors conj e))} opts)]
                            {:datastar.wow/effects
                             {::seen  (fn [_ {:keys [sse]} tag] (swap! seen conj [sse tag]) nil)
                              ::boom  (fn [_ {:keys [sse]} bad] (when (identical? sse @bad) (throw (ex-info "effect broke" {}))))
                              ::again (fn [{:keys [dispatch]} _ tag] (dispatch [[::seen [:nested tag]]]) nil)
                              ::later (fn [{:keys [dispatch]} _ later] (swap! later conj dispatch) nil)}}])
      errors
      seen])))

(defn- request [sid] (wow/request {:session sid}))

(defn- subscribe! [dispatch sid k]
  (:sse (wow/request! dispatch (request sid) {::d*conn/subscribe k :datastar.wow/with-open-sse? false :🚀 []})))

(defn- patch [n] [:datastar.wow/patch-signals {:n n}])

(deftest subscribe-always-opens-its-own-stream
  (doseq [type [:atom :caffeine]]
    (testing (str type " without fan-out: the second tab replaces the first, owner-safely")
      (let [store (d*conn/store {:type type})
            [dispatch errors] (app store)
            tab1 (subscribe! dispatch "s1" ::counter)
            tab2 (subscribe! dispatch "s1" ::counter)]
        (is (not (identical? tab1 tab2)) "the second tab's start opened a stream of its own")
        (is (identical? tab2 (d*conn/connection store ["s1" ::counter])))
        (wow/close! tab1)
        (is (identical? tab2 (d*conn/connection store ["s1" ::counter])) "the first tab's close left the second")
        (wow/close! tab2)
        (is (nil? (d*conn/list-keys store)))
        (is (empty? @errors))))
    (testing (str type " with fan-out: both tabs are kept")
      (let [store (d*conn/store {:type type :fan-out? true})
            [dispatch] (app store)
            tab1 (subscribe! dispatch "s1" ::counter)
            tab2 (subscribe! dispatch "s1" ::counter)]
        (is (= [tab1 tab2] (map second (d*conn/connections store ["s1" ::counter]))))
        (is (= 2 (d*conn/connection-count store)))
        (is (= [["s1" ::counter]] (d*conn/list-keys store)))))))

(deftest a-keyed-response-reaches-every-tab-once-in-order
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type :fan-out? true})
            [dispatch errors seen] (app store)
            tabs  (vec (repeatedly 3 #(subscribe! dispatch "s1" ::counter)))
            other (subscribe! dispatch "s2" ::counter)
            out   (wow/request! dispatch (request "s1")
                                {::d*conn/key ::counter :🚀 [(patch 1) [::seen :a] (patch 2)]})]
        (is (= 204 (:status out)) "no new stream")
        (doseq [tab tabs]
          (is (= [[:datastar.wow/patch-signals {:n 1}] [:datastar.wow/patch-signals {:n 2}]] (wow/events tab))
              "each tab got the effects once, in the response's order"))
        (is (= (set (map (fn [t] [t :a]) tabs)) (set @seen)) "the app's effect ran once per tab, :sse bound to it")
        (is (= 3 (count @seen)))
        (is (= [] (wow/events other)) "another session saw nothing")
        (is (empty? @errors))))))

(deftest a-nested-dispatch-from-an-effect-does-not-fan-out-again
  (let [store (d*conn/store {:type :atom :fan-out? true})
        [dispatch errors seen] (app store)
        tabs  (vec (repeatedly 2 #(subscribe! dispatch "s1" ::k)))]
    (wow/request! dispatch (request "s1") {::d*conn/key ::k :🚀 [[::again :x]]})
    (is (= (set (map (fn [t] [t [:nested :x]]) tabs)) (set @seen)))
    (is (= 2 (count @seen)) "once per tab, not once per tab per tab")
    (is (empty? @errors))))

(deftest with-one-stream-a-keyed-response-is-plain-reuse
  (let [store (d*conn/store {:type :caffeine :fan-out? true})
        [dispatch] (app store)
        tab (subscribe! dispatch "s1" ::k)
        out (wow/request! dispatch (request "s1") {::d*conn/key ::k :🚀 [(patch 1)]})]
    (is (= 204 (:status out)))
    (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events tab)))
    (is (= [{:effect [:datastar.wow/send :datastar.wow/patch-signals {:n 1}] :res true}]
           (:results (:dispatch out))) "the effects ran in datastar.wow's own dispatch")))

(deftest a-closed-tab-is-removed-as-dead-and-the-others-are-served
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [removed (atom [])
            store (d*conn/store (cond-> {:type type :fan-out? true
                                         :on-removal (fn [k conn cause] (swap! removed conj [k conn cause]))}
                                  (= type :caffeine) (assoc :executor (fn [^Runnable r] (.run r)))))
            [dispatch errors] (app store)
            tab1 (subscribe! dispatch "s1" ::k)
            tab2 (subscribe! dispatch "s1" ::k)
            tab3 (subscribe! dispatch "s1" ::k)]
        ;; the client of tab2 left without the server noticing (a missed on-close)
        (wow/vanish! tab2)
        (wow/request! dispatch (request "s1") {::d*conn/key ::k :🚀 [(patch 1)]})
        (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events tab1) (wow/events tab3)))
        (is (= [tab1 tab3] (map second (d*conn/connections store ["s1" ::k]))))
        (is (= [[["s1" ::k] tab2 :dead]] @removed) "removed once, with cause :dead")
        (is (empty? @errors))))))

(deftest an-effect-failing-on-one-tab-is-reported-and-the-others-are-served
  (let [store (d*conn/store {:type :atom :fan-out? true})
        [dispatch errors seen] (app store)
        tab1 (subscribe! dispatch "s1" ::k)
        tab2 (subscribe! dispatch "s1" ::k)
        bad  (atom tab1)]
    (wow/request! dispatch (request "s1") {::d*conn/key ::k :🚀 [[::boom bad] [::seen :after]]})
    (is (= #{[tab1 :after] [tab2 :after]} (set @seen)) "the failing effect stopped nothing")
    (is (= 1 (count @errors)))
    (is (re-find #"an effect failed on one stream of key" (ex-message (first @errors))))
    (is (= "effect broke" (ex-message (ex-cause (first @errors)))))
    (is (= 2 (d*conn/connection-count store)) "a throwing effect does not make a stream dead")))

(deftest a-close-removes-only-that-tabs-stream
  (let [removed (atom [])
        store (d*conn/store {:type :atom :fan-out? true
                             :on-removal (fn [k conn cause] (swap! removed conj [k conn cause]))})
        purged (atom [])
        [dispatch] (app store {:on-purge (fn [_ k] (swap! purged conj k))})
        tab1 (subscribe! dispatch "s1" ::k)
        tab2 (subscribe! dispatch "s1" ::k)]
    (wow/close! tab1)
    (is (= [tab2] (map second (d*conn/connections store ["s1" ::k]))))
    (is (= [[["s1" ::k] tab1 :explicit]] @removed) "told once, for that stream")
    (is (= [["s1" ::k]] @purged))
    (wow/close! tab2)
    (is (nil? (d*conn/list-keys store)))))

(deftest broadcast-reaches-every-matching-stream-of-the-scope
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type})
            [dispatch errors] (app store)
            tab-a (subscribe! dispatch "s1" [::counter "tab-a"])
            tab-b (subscribe! dispatch "s1" [::counter "tab-b"])
            panel (subscribe! dispatch "s1" ::panel)
            other (subscribe! dispatch "s2" [::counter "tab-c"])
            out   (wow/request! dispatch (request "s1") {::d*conn/broadcast [::counter :*] :🚀 [(patch 10)]})]
        (is (= 204 (:status out)))
        (is (nil? (:sse out)) "a broadcast opens no stream")
        (is (= [[:datastar.wow/patch-signals {:n 10}]] (wow/events tab-a) (wow/events tab-b)))
        (is (= [] (wow/events panel)) "a key that does not match")
        (is (= [] (wow/events other)) "another session's tab")
        (is (= 4 (d*conn/connection-count store)) "nothing stored for the broadcast")
        (is (empty? @errors))))))

(deftest broadcast-all-reaches-every-scope
  (let [store (d*conn/store {:type :caffeine :fan-out? true})
        [dispatch errors] (app store)
        feeds (doall (for [sid ["s1" "s2" "s3"] _ (range 2)] (subscribe! dispatch sid ::feed)))
        room  (subscribe! dispatch "s1" [:room 42 "general"])
        other (subscribe! dispatch "s2" [:room 7 "general"])]
    (wow/request! dispatch (request "s3") {::d*conn/broadcast-all ::feed :🚀 [(patch :news)]})
    (is (every? #(= [[:datastar.wow/patch-signals {:n :news}]] (wow/events %)) feeds) "every user's every tab")
    (is (= [] (wow/events room) (wow/events other)))
    (wow/request! dispatch (request "s2") {::d*conn/broadcast-all [:room 42 :*] :🚀 [(patch :hello)]})
    (is (= [[:datastar.wow/patch-signals {:n :hello}]] (wow/events room)))
    (is (= [] (wow/events other)))
    (is (empty? @errors))))

(deftest broadcast-with-no-match-answers-204-and-stores-nothing
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store)
        out (wow/request! dispatch (request "s1") {::d*conn/broadcast [::nothing :*] :🚀 [(patch 1)]})]
    (is (= 204 (:status out)))
    (is (nil? (d*conn/list-keys store)))
    (is (empty? @errors))))

(deftest broadcast-without-a-session-reaches-nothing
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store)
        tab (subscribe! dispatch "s1" ::k)
        out (wow/request! dispatch (request nil) {::d*conn/broadcast ::k :🚀 [(patch 1)]})]
    (is (= 204 (:status out)))
    (is (= [] (wow/events tab)))
    (is (empty? @errors))))

(deftest a-response-naming-two-deacon-keys-is-an-error
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store)
        out (wow/request! dispatch (request "s1") {::d*conn/key ::k ::d*conn/broadcast ::k :🚀 [(patch 1)]})]
    (is (= 200 (:status out)) "deacon left it alone: datastar.wow opened a stream")
    (is (nil? (d*conn/list-keys store)))
    (is (seq @errors))
    (is (re-find #"names at most one of" (ex-message (first @errors))))))

(deftest a-stream-under-two-matching-keys-gets-a-broadcast-once
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store)
        tab (subscribe! dispatch "s1" [::room 1])]
    (d*conn/store! store ["s1" [::room 2]] tab)
    (wow/request! dispatch (request "s1") {::d*conn/broadcast [::room :*] :🚀 [(patch 1)]})
    (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events tab)))
    (is (empty? @errors))))

(defn- with-render-once
  "Runs `f` with fan-outs rendered once (`true`, the default when the SDK is on
  the classpath) or with a dispatch per stream (`false`)."
  [on? f]
  (binding [*render-once?* on?] (f)))

(deftest a-fan-out-renders-each-event-once-and-each-tab-gets-the-same
  (let [outcome (fn [render-once?]
                  (with-render-once render-once?
                    #(let [store (d*conn/store {:type :atom :fan-out? true})
                           [dispatch errors seen] (app store)
                           tabs (vec (repeatedly 3 (fn [] (subscribe! dispatch "s1" ::k))))
                           _    (reset! wow/renders 0)
                           out  (wow/request! dispatch (request "s1")
                                              {::d*conn/key ::k :🚀 [(patch 1) [::seen :x] (patch 2)]})]
                       {:status  (:status out)
                        :renders @wow/renders
                        :events  (mapv wow/events tabs)
                        :seen    (frequencies (map (fn [[sse tag]] [(.indexOf ^java.util.List tabs sse) tag]) @seen))
                        :errors  @errors})))
        once  (outcome true)
        apart (outcome false)]
    (is (= 2 (:renders once)) "rendered once per event, not once per tab")
    (is (= 6 (:renders apart)) "a dispatch per tab renders per tab")
    (is (= (dissoc once :renders) (dissoc apart :renders)) "and every tab gets exactly the same")
    (is (= {[0 :x] 1 [1 :x] 1 [2 :x] 1} (:seen once)) "the app's effect ran once per tab, on that tab")
    (is (empty? (:errors once)))))

(deftest a-dispatch-captured-by-an-effect-later-reaches-only-its-own-tab
  (doseq [render-once? [true false]]
    (testing (str "render once: " render-once?)
      (with-render-once render-once?
        #(let [store (d*conn/store {:type :atom :fan-out? true})
               [dispatch errors] (app store)
               tabs  (vec (repeatedly 2 (fn [] (subscribe! dispatch "s1" ::k))))
               later (atom [])]
           (wow/request! dispatch (request "s1") {::d*conn/key ::k :🚀 [[::later later]]})
           (is (= 2 (count @later)) "the effect ran once per tab")
           (doseq [d @later]
             @(future (d [(patch :tick)] {:datastar.wow/response nil})))
           (is (= [[[:datastar.wow/patch-signals {:n :tick}]] [[:datastar.wow/patch-signals {:n :tick}]]]
                  (mapv wow/events tabs))
               "each captured dispatch, run later on another thread, wrote to its own tab once")
           (is (empty? @errors)))))))

(deftest send!-runs-actions-on-stored-streams-from-outside-a-request
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type :fan-out? true})
            [dispatch errors seen] (app store)]
        (is (= 0 (d*conn/send! store ["s1" ::feed] [(patch 0)]))
            "before any request: nothing here to send to, and no error")
        (let [tabs  (vec (repeatedly 2 #(subscribe! dispatch "s1" ::feed)))
              other (subscribe! dispatch "s2" ::feed)]
          (is (= 2 @(future (d*conn/send! store ["s1" ::feed] [(patch 1) [::seen :job]]))) "from another thread")
          (is (= [[[:datastar.wow/patch-signals {:n 1}]] [[:datastar.wow/patch-signals {:n 1}]] []]
                 (mapv wow/events (conj tabs other))))
          (is (= #{(first tabs) (second tabs)} (set (map first @seen))))
          (reset! seen [])
          (is (= 3 (d*conn/send! store [:* ::feed] [(patch 2)])))
          (is (every? #(= [:datastar.wow/patch-signals {:n 2}] (last (wow/events %))) (conj tabs other)))
          (wow/vanish! other)
          (is (= 2 (d*conn/send! store [:* ::feed] [(patch 3)])) "a closed stream is not reached")
          (is (= 2 (d*conn/connection-count store)) "and removed"))
        (is (empty? @errors))))))

(deftest send!-before-any-request-says-what-to-do-in-clojure-words
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type})
            tab   (wow/fake-sse)]
        (is (= 0 (d*conn/send! store [:* ::feed] [(patch 0)])) "a store that holds nothing sends to no one")
        (d*conn/store! store ["s1" ::feed] tab)
        (let [e (is (thrown? clojure.lang.ExceptionInfo (d*conn/send! store ["s1" ::feed] [(patch 1)])))]
          (is (re-find #"send! to .* matches streams stored here" (ex-message e)))
          (is (re-find #"\[d\*conn/registry store opts\]" (ex-message e)) "says what to do, as a Clojure caller writes it")
          (is (not (re-find #"writer\(|Deacon\.registry" (ex-message e))) "no Java words")
          (is (= {:store store :key ["s1" ::feed]} (ex-data e))))
        (is (= [] (wow/events tab)) "nothing was sent")))))

(deftest send!-runs-effects-as-in-the-request-that-opened-the-stream
  (let [store (d*conn/store {:type :atom})
        requests (atom [])
        dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn session :render-once? *render-once?*}]
                                       {:datastar.wow/effects
                                        {::request (fn [_ {:keys [request]}] (swap! requests conj (:session request)) nil)}}])]
    (subscribe! dispatch "s1" ::k)
    (subscribe! dispatch "s2" ::k)
    (d*conn/send! store [:* ::k] [[::request]])
    (is (= #{"s1" "s2"} (set @requests)))))

(deftest each-stream's-effects-know-the-key-it-was-found-under
  (doseq [render-once? [true false]]
    (with-render-once render-once?
      #(let [store (d*conn/store {:type :atom :fan-out? true})
             found (atom #{})
             dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn session :render-once? *render-once?*}]
                                            {:datastar.wow/effects
                                             {::key-of (fn [{:keys [dispatch-data]} {:keys [sse]}]
                                                         (swap! found conj [sse (::d*conn/stream-key dispatch-data)]) nil)}}])
             s1 (subscribe! dispatch "s1" [::room 1])
             s2 (subscribe! dispatch "s2" [::room 1])
             s3 (subscribe! dispatch "s2" [::room 2])]
         (wow/request! dispatch (request "s1") {::d*conn/broadcast-all [::room :*] :🚀 [[::key-of]]})
         (is (= #{[s1 ["s1" [::room 1]]] [s2 ["s2" [::room 1]]] [s3 ["s2" [::room 2]]]} @found)
             (str "render once: " render-once?))))))

(deftest send!-learns-the-dispatch-from-any-keyed-response
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store)]
    (wow/request! dispatch (request "s1") {::d*conn/broadcast ::nothing :🚀 [(patch 0)]})
    (is (nil? (d*conn/list-keys store)) "nothing stored")
    (is (= 0 (d*conn/send! store [:* ::feed] [(patch 1)])) "yet send! knows how to dispatch")
    (is (empty? @errors))))

(deftest send!-after-a-keyed-fan-out-still-reaches-every-tab
  ;; the keyed response's delivery runs deacon's interceptor again, inside
  ;; its own render-once dispatch: send! must keep the registry's dispatch
  (doseq [type [:atom :caffeine]
          render-once? [true false]]
    (testing (str type ", render once: " render-once?)
      (with-render-once render-once?
        #(let [store (d*conn/store {:type type :fan-out? true})
               [dispatch errors] (app store)
               tabs  (vec (repeatedly 2 (fn [] (subscribe! dispatch "s1" ::feed))))]
           (is (= 204 (:status (wow/request! dispatch (request "s1") {::d*conn/key ::feed :🚀 [(patch 1)]}))))
           (is (= 2 (d*conn/send! store ["s1" ::feed] [(patch 2)])))
           (is (= [[(patch 1) (patch 2)] [(patch 1) (patch 2)]] (mapv wow/events tabs)))
           (is (empty? @errors)))))))
