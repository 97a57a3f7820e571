(ns datastar.wow.deacon.registry-test
  "The interceptor through the datastar.wow and Nexus stand-ins: look-up, open,
  action and close dispatches, scoping, callbacks and errors."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.protocols :as p]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (datastar.wow.deacon InvalidInputException)))

(set! *warn-on-reflection* true)

(def ^:private patch [[:datastar.wow/patch-signals {:n 1}]])

(defn- user-id [{{:keys [request]} :system}] (:user-id request))

(defn- app
  "A dispatch fn with deacon's registry over `store`; errors are collected in
  the returned atom instead of being logged."
  ([store] (app store {}))
  ([store opts]
   (let [errors (atom [])]
     [(wow/create-dispatch [[d*conn/registry store (merge {:on-error (fn [e _] (swap! errors conj e))} opts)]])
      errors])))

(deftest the-registry-is-a-defn-usable-bare
  (is (fn? d*conn/registry) "datastar.wow only calls bare entries that are fn?")
  (let [nexus (wow/create-registry [d*conn/registry])]
    (is (= [:datastar.wow.deacon/connections] (map :id (:nexus/interceptors nexus)))))
  (is (= [:datastar.wow.deacon/connections]
         (map :id (:datastar.wow/interceptors (d*conn/registry (d*conn/store {:type :atom})))))))

(deftest open-dispatch-stores-and-look-up-dispatch-reuses
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store)
        opened (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 patch})
        sse    (:sse opened)]
    (is (= 200 (:status opened)))
    (is (identical? sse (d*conn/connection store [::d*conn/id ::counter])))
    (testing "a later request with the same key reuses the stored stream"
      (let [again (wow/request! dispatch (wow/request) {::d*conn/key ::counter
                                                         :🚀 [[:datastar.wow/patch-signals {:n 2}]]})]
        (is (= 204 (:status again)))
        (is (identical? sse (-> again :lookup :results first :res)))
        (is (= [[:datastar.wow/patch-signals {:n 1}] [:datastar.wow/patch-signals {:n 2}]]
               (wow/events sse)))))
    (testing "closing the stream purges it"
      (wow/close! sse)
      (is (nil? (d*conn/connection store [::d*conn/id ::counter])))
      (is (nil? (d*conn/list-keys store))))
    (is (empty? @errors))))

(deftest with-open-sse-streams-are-never-stored
  (let [store (d*conn/store {:type :atom})
        [dispatch] (app store)]
    (testing "set on the response"
      (let [out (wow/request! dispatch (wow/request) {::d*conn/key ::k :datastar.wow/with-open-sse? true :🚀 patch})]
        (is (= [[:datastar.wow/patch-signals {:n 1}]] (wow/events (:sse out))))
        (is (nil? (d*conn/list-keys store)))))
    (testing "set globally (dispatch-data)"
      (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 patch} {:with-open-sse? true})
      (is (nil? (d*conn/list-keys store))))
    (testing "with-open-sse? false is stored"
      (wow/request! dispatch (wow/request) {::d*conn/key ::k :datastar.wow/with-open-sse? false :🚀 patch})
      (is (= [[::d*conn/id ::k]] (d*conn/list-keys store))))))

(deftest responses-without-a-key-are-left-alone
  (let [store (d*conn/store {:type :atom})
        [dispatch] (app store)
        out (wow/request! dispatch (wow/request) {:🚀 patch})]
    (is (= 200 (:status out)))
    (is (nil? (d*conn/list-keys store)))
    (wow/close! (:sse out))
    (is (nil? (d*conn/list-keys store)))))

(deftest the-interceptor-returns-the-very-same-ctx-when-there-is-no-key
  (let [f   (:before-dispatch (d*conn/interceptor (d*conn/store {:type :atom})))
        ctx {:system {:sse ::sse} :actions patch
             :dispatch-data {:datastar.wow/response {:🚀 patch}}}]
    (is (identical? ctx (f ctx)))
    (let [empty-ctx {}] (is (identical? empty-ctx (f empty-ctx)) "not a dispatch ctx: untouched"))
    (let [odd {:dispatch-data :not-a-map}] (is (identical? odd (f odd))))))

(deftest keys-are-scoped-by-id-fn-and-users-never-share
  (let [store (d*conn/store {:type :caffeine})
        [dispatch] (app store {:id-fn user-id})
        alice (:sse (wow/request! dispatch (wow/request {:user-id :alice}) {::d*conn/key ::counter :🚀 []}))
        bob   (:sse (wow/request! dispatch (wow/request {:user-id :bob}) {::d*conn/key ::counter :🚀 []}))]
    (is (not (identical? alice bob)))
    (is (identical? alice (d*conn/connection store [:alice ::counter])))
    (is (identical? bob (d*conn/connection store [:bob ::counter])))
    (testing "each user's later request goes down their own stream"
      (wow/request! dispatch (wow/request {:user-id :alice}) {::d*conn/key ::counter :🚀 [[:datastar.wow/patch-signals {:to :alice}]]})
      (wow/request! dispatch (wow/request {:user-id :bob}) {::d*conn/key ::counter :🚀 [[:datastar.wow/patch-signals {:to :bob}]]})
      (is (= [[:datastar.wow/patch-signals {:to :alice}]] (wow/events alice)))
      (is (= [[:datastar.wow/patch-signals {:to :bob}]] (wow/events bob))))
    (testing "a key crafted to look scoped stays inside the caller's scope"
      (let [out (wow/request! dispatch (wow/request {:user-id :mallory})
                              {::d*conn/key [:alice ::counter] :🚀 [[:datastar.wow/patch-signals {:evil 1}]]})]
        (is (= 200 (:status out)) "no stored stream was handed over")
        (is (= [[:datastar.wow/patch-signals {:to :alice}]] (wow/events alice)))
        (is (some? (d*conn/connection store [:mallory [:alice ::counter]])))))
    (testing "closing one user's stream leaves the other's"
      (wow/close! alice)
      (is (nil? (d*conn/connection store [:alice ::counter])))
      (is (identical? bob (d*conn/connection store [:bob ::counter]))))))

(deftest the-seed-reuse-form-names-a-stored-key-as-connection
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store {:id-fn user-id})
        sse (:sse (wow/request! dispatch (wow/request {:user-id 7}) {::d*conn/key ::counter :🚀 []}))
        out (wow/request! dispatch (wow/request {:user-id 7})
                          {:datastar.wow/connection ::counter :🚀 [[:datastar.wow/patch-signals {:jump 10}]]})]
    (is (= 204 (:status out)))
    (is (= [[:datastar.wow/patch-signals {:jump 10}]] (wow/events sse)))
    (is (empty? (:errors (:dispatch out))))
    (testing "another user naming the same key does not reach the stream"
      (let [other (wow/request! dispatch (wow/request {:user-id 8})
                                {:datastar.wow/connection ::counter :🚀 [[:datastar.wow/patch-signals {:evil 1}]]})]
        (is (= [[:datastar.wow/patch-signals {:jump 10}]] (wow/events sse)))
        (is (seq (:errors (:dispatch other))) "the send fails: ::counter is not a stream")))
    (testing "a real connection named in the response is used as is"
      (let [mine (wow/fake-sse)]
        (wow/request! dispatch (wow/request {:user-id 7}) {:datastar.wow/connection mine :🚀 patch})
        (is (= patch (wow/events mine)))))
    (is (empty? @errors))))

(deftest a-replaced-stream-closing-does-not-purge-its-successor
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type})
            purged (atom [])
            [dispatch] (app store {:on-purge (fn [_ k] (swap! purged conj k))})
            k  [::d*conn/id ::counter]
            a  (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))
            _  (d*conn/purge! store k) ; A is forgotten, e.g. evicted, but still open
            b  (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
        (is (identical? b (d*conn/connection store k)))
        (wow/close! a)
        (is (identical? b (d*conn/connection store k)) "A's close left B alone")
        (is (= [] @purged) ":on-purge only runs for a real purge")
        (wow/close! b)
        (is (nil? (d*conn/connection store k)))
        (is (= [k] @purged))))))

(deftest reusing-a-stream-does-not-take-it-over
  (let [store (d*conn/store {:type :atom})
        [dispatch] (app store)
        k   [::d*conn/id ::counter]
        sse (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
    (testing "a DELETE reusing the stream and closing it, as in the upstream demo"
      (let [out (wow/request! dispatch (wow/request) {::d*conn/key ::counter
                                                       :🚀 [[:datastar.wow/patch-signals {:bye 1}]
                                                            [:datastar.wow/close-sse]]})]
        (is (= 204 (:status out)))
        (is (not (wow/open? sse)))
        (is (nil? (d*conn/connection store k)) "the opening request's close purged it")))))

(defn- seen! [ctx x]
  (swap! (-> ctx :dispatch-data :datastar.wow/request ::seen) conj x))

(deftest on-purge-accepts-both-arities
  (doseq [[label on-purge expected]
          [["(ctx)" (fn [ctx] (seen! ctx :one)) [:one]]
           ["(ctx k)" (fn [ctx k] (seen! ctx k)) [[::d*conn/id ::k]]]
           ["multi-arity" (fn ([ctx] (seen! ctx :one)) ([ctx k] (seen! ctx k))) [[::d*conn/id ::k]]]
           ["variadic" (fn [ctx & more] (seen! ctx (count more))) [1]]]]
    (testing label
      (let [seen  (atom [])
            store (d*conn/store {:type :atom})
            [dispatch errors] (app store {:on-purge on-purge})
            sse   (:sse (wow/request! dispatch (wow/request {::seen seen}) {::d*conn/key ::k :🚀 []}))]
        (wow/close! sse)
        (is (= expected @seen))
        (is (empty? @errors))))))

(def ^:private one-arity-on-purge (fn [ctx] (seen! ctx :var)))

(deftest on-purge-given-as-a-var
  (let [seen  (atom [])
        store (d*conn/store {:type :atom})
        [dispatch errors] (app store {:on-purge #'one-arity-on-purge})
        sse   (:sse (wow/request! dispatch (wow/request {::seen seen}) {::d*conn/key ::k :🚀 []}))]
    (wow/close! sse)
    (is (= [:var] @seen))
    (is (empty? @errors))))

(deftest a-throwing-on-purge-loses-no-purge-and-is-visible
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store {:on-purge (fn [_ _] (throw (ex-info "purge hook broke" {})))})
        sse   (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 []}))]
    (wow/close! sse)
    (is (nil? (d*conn/list-keys store)) "purged anyway")
    (is (= 1 (count @errors)))
    (is (re-find #":on-purge threw" (ex-message (first @errors))))
    (is (= "purge hook broke" (ex-message (ex-cause (first @errors)))))))

(deftest a-throwing-id-fn-stores-nothing-and-loses-no-purge
  (let [store (d*conn/store {:type :atom})
        fail? (atom false)
        [dispatch errors] (app store {:id-fn (fn [ctx] (if @fail? (throw (ex-info "no session" {})) (user-id ctx)))})]
    (testing "on open: nothing stored, error visible in :on-error and in :errors"
      (reset! fail? true)
      (let [out (wow/request! dispatch (wow/request {:user-id :u}) {::d*conn/key ::k :🚀 patch})]
        (is (nil? (d*conn/list-keys store)))
        (is (= patch (wow/events (:sse out))) "the request itself still works")
        (is (= 2 (count @errors)) "the look-up and the open dispatch each report")
        (is (re-find #":id-fn threw while scoping key" (ex-message (first @errors))))
        (is (= [:datastar.wow.deacon/connections]
               (map :id (:errors (:dispatch out)))) "recorded as Nexus records errors")))
    (testing "on close: the request's own entries are purged anyway"
      (reset! fail? false)
      (reset! errors [])
      (let [out (wow/request! dispatch (wow/request {:user-id :u}) {::d*conn/key ::k :🚀 []})
            other (wow/request! dispatch (wow/request {:user-id :v}) {::d*conn/key ::k :🚀 []})]
        (is (= 2 (count (d*conn/list-keys store))))
        (reset! fail? true)
        (wow/close! (:sse out))
        (is (= [[:v ::k]] (d*conn/list-keys store)) "only the closing request's entry went")
        (is (= 1 (count @errors)))
        (wow/close! (:sse other))
        (is (nil? (d*conn/list-keys store)))))))

(deftest an-id-fn-returning-nil-shares-no-scope-and-is-no-error
  (let [store (d*conn/store {:type :atom})
        [dispatch errors] (app store {:id-fn user-id})
        a (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 []})
        b (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 []})]
    (is (= 200 (:status a) (:status b)) "anonymous requests each get their own stream")
    (is (nil? (d*conn/list-keys store)))
    (wow/close! (:sse a))
    (is (empty? @errors) "no session yet is the normal case")
    (is (nil? (:errors (:dispatch a))))))

(deftest a-throwing-custom-store-is-reported-not-fatal
  (let [store (reify p/ConnectionStore
                (store! [_ _ _] (throw (ex-info "disk full" {})))
                (connection [_ _] nil)
                (purge! [_ _] nil)
                (list-keys [_] nil))
        [dispatch errors] (app store)
        out (wow/request! dispatch (wow/request) {::d*conn/key ::k :🚀 patch})]
    (is (= patch (wow/events (:sse out))))
    (is (= ["disk full"] (map ex-message @errors)))))

(defrecord MapStore [a]
  p/ConnectionStore
  (store! [_ k conn] (swap! a assoc k conn))
  (connection [_ k] (get @a k))
  (purge! [_ k] (swap! a dissoc k))
  (list-keys [_] (keys @a)))

(deftest a-protocol-store-works-with-the-registry
  (let [store (->MapStore (atom {}))
        [dispatch errors] (app store {:id-fn user-id})
        sse (:sse (wow/request! dispatch (wow/request {:user-id 1}) {::d*conn/key ::k :🚀 []}))]
    (is (identical? sse (d*conn/connection store [1 ::k])))
    (is (= 204 (:status (wow/request! dispatch (wow/request {:user-id 1}) {::d*conn/key ::k :🚀 patch}))))
    (is (= patch (wow/events sse)))
    (is (= [[1 ::k]] (d*conn/list-keys store [1 :*])) "patterns work on protocol stores")
    (wow/close! sse)
    (is (nil? (d*conn/list-keys store)))
    (is (empty? @errors))))

(deftest bad-registry-input
  (let [s (d*conn/store {:type :atom})]
    (doseq [[opts option] [[{:id-fn "user"} :id-fn]
                           [{:on-purge 42} :on-purge]
                           [{:on-error :log} :on-error]
                           [{:id-fn :session-id} :id-fn]
                           [{:id-fn {:a 1}} :id-fn]
                           [{:id-func identity} :id-func]]]
      (let [e (is (thrown? InvalidInputException (d*conn/registry s opts)))]
        (is (= (str option) (:input (ex-data e))))
        (is (re-find (re-pattern (str option)) (ex-message e)))))
    (is (thrown-with-msg? InvalidInputException #"store must be a connection store"
                          (d*conn/registry {:type :atom})))
    (is (thrown-with-msg? InvalidInputException #"options of registry must be a map"
                          (d*conn/registry s [:id-fn identity])))
    (is (d*conn/registry s {:id-fn nil :on-purge nil}) "nil means the default")))

(deftest a-response-key-in-another-namespace-is-warned-about-once
  (let [store      (d*conn/store {:type :atom})
        [dispatch] (app store)]
    (with-captured-logs [logs]
      (dotimes [_ 3]
        (wow/request! dispatch (wow/request) {:deacon/key ::counter :🚀 patch})
        (wow/request! dispatch (wow/request) {:key ::counter :🚀 patch}))
      (wow/request! dispatch (wow/request) {:datastar.wow.deacon/key ::counter :🚀 patch})
      (wow/request! dispatch (wow/request) {:status 200 :🚀 patch})
      (is (= [:warning :warning] (map :level @logs)) "once per misnamed key, nothing for the others")
      (is (re-find #"names :deacon/key, which deacon does not read: did you mean :datastar.wow.deacon/key"
                   (:message (first @logs))))
      (is (re-find #"names :key, which deacon does not read" (:message (second @logs)))))
    (is (= 1 (d*conn/connection-count store)) "only the rightly named key stored a stream")))
