(ns datastar.wow.deacon.seed-test
  "Every example of the original design text (shared/seed/deacon-readme.txt),
  run as written, over the datastar.wow stand-in. `wow/create-dispatch` plays
  `d*/with-datastar` and `wow/request!` plays a browser request."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (com.github.benmanes.caffeine.cache Caffeine)))

(set! *warn-on-reflection* true)

;;; The Quick Example app, as the seed writes it

(def *state (atom {:running false :counter 0}))

(defn app [running] [:main {:data-running running}])

(defn index
  "Renders the initial page and handles app state management (reset counter and start the timer)"
  [{:keys [request-method]}]
  (case request-method
    :get (let [{:keys [running]} @*state]
           {:body (app running)})
    :delete {:datastar.wow/fx [[:datastar.wow/patch-signals (reset! *state {:running false :counter 0})]]}
    :put {::d*conn/key ::counter ;;; unique connection key signals deacon to store
          :datastar.wow/with-open-sse? false
          :datastar.wow/fx [[::subscribe ::index]
                            [::start-timer]]}))

(defn jump
  "Adds a whopping 10 to the counter state - using the same connection established via index"
  [_]
  {:datastar.wow/connection ::counter ;;; specify the connection to use
   :🚀 [[:datastar.wow/patch-signals (swap! *state update :counter #(+ % 10))]]})

(def app-effects
  "The app's own effects named by the example; the timer ticks by hand here."
  {:datastar.wow/effects
   {::subscribe   (fn [_ {:keys [sse]} page] (wow/send! sse [::subscribed page]))
    ::start-timer (fn [_ {:keys [sse]}]
                    (swap! *state assoc :running true)
                    (wow/send! sse [:datastar.wow/patch-signals @*state]))}})

(defn- handle [dispatch handler request]
  (wow/request! dispatch request (handler request)))

(deftest quick-example
  (reset! *state {:running false :counter 0})
  (let [store    (d*conn/store {:type :atom})
        dispatch (wow/create-dispatch [app-effects [d*conn/registry store]])]
    (testing "GET renders the page"
      (is (= {:body [:main {:data-running false}]} (index {:request-method :get}))))
    (testing "PUT opens the stream and deacon stores it under ::counter"
      (let [{:keys [sse status]} (handle dispatch index (wow/request {:request-method :put}))]
        (is (= 200 status))
        (is (identical? sse (d*conn/connection store [::d*conn/id ::counter])))
        (is (= [[::subscribed ::index] [:datastar.wow/patch-signals {:running true :counter 0}]]
               (wow/events sse)))
        (testing "POST /jump pushes down the same stream"
          (let [out (handle dispatch jump (wow/request {:request-method :post :uri "/jump"}))]
            (is (= 204 (:status out)))
            (is (= [:datastar.wow/patch-signals {:running true :counter 10}] (last (wow/events sse))))))
        (testing "DELETE resets the state"
          (let [out (handle dispatch index (wow/request {:request-method :delete}))]
            (is (= [[:datastar.wow/patch-signals {:running false :counter 0}]] (wow/events (:sse out))))))
        (testing "closing the stream purges the key"
          (wow/close! sse)
          (is (nil? (d*conn/connection store [::d*conn/id ::counter]))))))))

(deftest creating-stores
  (testing "A new atom backed connection storage"
    (is (d*conn/store? (d*conn/store {:type :atom}))))
  (testing "Create an atom backed storage with an existing atom"
    (let [a (atom {})
          s (d*conn/store {:type :atom :atom a})]
      (d*conn/store! s :k ::conn)
      (is (= {:k ::conn} @a))))
  (testing "Create a Caffeine backed connection storage; all keys other than :type are optional (defaults shown)"
    (is (d*conn/store? (d*conn/store {:type :caffeine
                                      :idle-ms (* 10 60 1000)
                                      :maximum-size 10000})))
    (is (d*conn/store? (d*conn/store {:type :caffeine}))))
  (testing "A caffeine backed store can be created with a :cache key overriding all other settings"
    (let [create-a-caffeine-cache-somehow #(.build (Caffeine/newBuilder))
          s (d*conn/store {:type :caffeine
                           :cache (create-a-caffeine-cache-somehow)})]
      (d*conn/store! s :k ::conn)
      (is (= ::conn (d*conn/connection s :k))))))

(deftest working-with-stores
  (let [store (d*conn/store {:type :atom})]
    (testing "Look up a connection by key"
      (is (nil? (d*conn/connection store :my-key)))
      (d*conn/store! store :my-key ::conn)
      (is (= ::conn (d*conn/connection store :my-key))))
    (testing "List all keys in store"
      (is (= [:my-key] (d*conn/list-keys store))))))

(deftest installing-the-interceptor
  (let [store (d*conn/store {:type :atom})]
    (doseq [[label registries] [["[[d*conn/registry store]]" [[d*conn/registry store]]]
                                ["OR without a predefined store: [d*conn/registry]" [d*conn/registry]]]]
      (testing label
        (let [dispatch (wow/create-dispatch registries)
              opened   (wow/request! dispatch (wow/request) {::d*conn/key ::counter
                                                              :datastar.wow/with-open-sse? false
                                                              :datastar.wow/fx [[:datastar.wow/patch-signals {:a 1}]]})
              reused   (wow/request! dispatch (wow/request) {::d*conn/key ::counter
                                                              :🚀 [[:datastar.wow/patch-signals {:a 2}]]})]
          (is (= [200 204] [(:status opened) (:status reused)]))
          (is (= [[:datastar.wow/patch-signals {:a 1}] [:datastar.wow/patch-signals {:a 2}]]
                 (wow/events (:sse opened))))
          (wow/close! (:sse opened)))))))

(deftest a-key-signals-deacon-to-store-and-any-handler-with-it-reuses
  (reset! *state {:running false :counter 0})
  (let [store    (d*conn/store {:type :atom})
        dispatch (wow/create-dispatch [app-effects [d*conn/registry store]])
        response {::d*conn/key ::counter ;;; unique connection key signals deacon to store
                  :datastar.wow/with-open-sse? false
                  :datastar.wow/fx [[::subscribe ::index]
                                    [::start-timer]]}
        jump     (fn jump
                   ;; "Reference an explicit connection scoped by the results of :id-fn"
                   [_]
                   {::d*conn/key ::counter
                    :🚀 [[:datastar.wow/patch-signals (swap! *state update :counter #(+ % 10))]]})
        sse      (:sse (wow/request! dispatch (wow/request) response))]
    (is (= 204 (:status (handle dispatch jump (wow/request)))))
    (is (= [:datastar.wow/patch-signals {:running true :counter 10}] (last (wow/events sse))))))

(deftest the-key-can-be-any-clojure-map-key
  (let [store    (d*conn/store {:type :atom})
        dispatch (wow/create-dispatch [[d*conn/registry store]])]
    (doseq [k [::counter "counter" 42 [:room 7] {:room 7} #{:a} 'sym 1.5]]
      (let [sse (:sse (wow/request! dispatch (wow/request) {::d*conn/key k :🚀 []}))]
        (is (identical? sse (d*conn/connection store [::d*conn/id k])) (pr-str k))
        (is (= 204 (:status (wow/request! dispatch (wow/request) {::d*conn/key k :🚀 []}))))))))

(deftest registry-options-id-fn-and-on-purge
  (let [store (d*conn/store {:type :atom})
        user-id (fn user-id
                  ;; "scope connection keys to individual users"
                  [{{:keys [request]} :system}]
                  (:user-id request))
        purged (atom [])
        dispatch (wow/create-dispatch [[d*conn/registry store {:id-fn user-id
                                                               :on-purge (fn [ctx] (swap! purged conj (user-id ctx)))}]])
        request (wow/request {:user-id 42})
        sse (:sse (wow/request! dispatch request {::d*conn/key ::counter :🚀 []}))]
    (testing "Fetching a connection with a scope provided by :id-fn"
      (is (identical? sse (d*conn/connection store [(:user-id request) ::counter]))))
    (testing "Fetching a connection with the default scope"
      (let [default-store (d*conn/store {:type :atom})
            d (wow/create-dispatch [[d*conn/registry default-store]])
            sse (:sse (wow/request! d (wow/request) {::d*conn/key ::counter :🚀 []}))]
        (is (identical? sse (d*conn/connection default-store [::d*conn/id ::counter])))))
    (testing ":on-purge is given the dispatch context when the stream closes"
      (wow/close! sse)
      (is (= [42] @purged)))))

(deftest extending-with-a-custom-store
  (let [make-store (fn [{:keys [opt1 opt2]}]
                     (let [a (atom {})]
                       (reify datastar.wow.deacon.protocols/ConnectionStore
                         (store! [_ k conn] (swap! a assoc k [opt1 opt2 conn]))
                         (connection [_ k] (peek (get @a k)))
                         (purge! [_ k] (swap! a dissoc k))
                         (list-keys [_] (keys @a)))))]
    (defmethod d*conn/store :my-store [opts]
      (make-store opts))
    (try
      (let [store (d*conn/store {:type :my-store :opt1 1 :opt2 2})
            dispatch (wow/create-dispatch [[d*conn/registry store]])
            sse (:sse (wow/request! dispatch (wow/request) {::d*conn/key ::counter :🚀 []}))]
        (is (d*conn/store? store))
        (is (identical? sse (d*conn/connection store [::d*conn/id ::counter])))
        (wow/close! sse)
        (is (nil? (d*conn/list-keys store))))
      (finally
        (remove-method d*conn/store :my-store)))))
