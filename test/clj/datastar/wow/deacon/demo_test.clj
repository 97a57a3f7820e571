(ns datastar.wow.deacon.demo-test
  "The REPL demo's handlers and effects (dev/src/demo), driven through the
  datastar.wow and Nexus stand-ins with deacon's registry: what a browser sees
  when it starts the timer, jumps, stops, and watches the key panel. Only the
  namespaces that need nothing from Clojars are loaded here; demo.app and
  demo.server (reitit, http-kit, datastar.wow itself) are not."
  (:require [clojure.data.json :as json]
            [clojure.edn :as edn]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow]
            [demo.config :as config]
            [demo.counter :as counter]
            [demo.effects :as effects]
            [demo.handlers :as handlers]
            [demo.panel :as panel]
            [demo.params :as params]
            [demo.session :as session]
            [demo.view :as view])
  (:import (java.net URLEncoder)
           (java.nio.charset StandardCharsets)))

(set! *warn-on-reflection* true)

(defn- test-app
  "The demo's state with a hand-driven timer: `(:ticks app)` holds the
  scheduled tick fns by number, `(:cancelled app)` the numbers cancelled."
  []
  (let [entries   (atom {})
        ticks     (atom [])
        cancelled (atom #{})]
    {:store     (d*conn/store {:type :atom :atom entries})
     :entries   entries
     :counters  (atom {})
     :timers    (atom {})
     :ticks     ticks
     :cancelled cancelled
     :schedule  (fn [f]
                  (let [n (count (swap! ticks conj f))]
                    #(swap! cancelled conj (dec n))))
     :cdn       "https://cdn.example/datastar.js"}))

(defn- dispatch-for [app]
  (wow/create-dispatch [[d*conn/registry (:store app) (effects/deacon-options app)]
                        [effects/registry app]]))

(defn- req [app sid m]
  (wow/request (merge {::session/id sid ::session/tab "tab-1" ::handlers/app app} m)))

(defn- send!
  "One request through `handler` and the datastar.wow stand-in."
  [dispatch handler request]
  (wow/request! dispatch request (handler request)))

(defn- signals [sse]
  (for [[kind payload] (wow/events sse) :when (= :datastar.wow/patch-signals kind)] payload))

(deftest start-jump-stop-on-one-stored-stream
  (let [app      (test-app)
        dispatch (dispatch-for app)
        store    (:store app)
        put      (send! dispatch handlers/index (req app "ann" {:request-method :put}))
        sse      (:sse put)]
    (testing "PUT / opens a stream, deacon stores it under [session ::counter]"
      (is (= 200 (:status put)))
      (is (identical? sse (d*conn/connection store ["ann" handlers/counter-key])))
      (is (= [{:counter 0 :running true}] (signals sse)))
      (is (= 1 (count @(:ticks app))) "the timer is scheduled"))
    (testing "a tick goes down the same stream"
      ((first @(:ticks app)))
      (is (= {:counter 1 :running true} (last (signals sse)))))
    (testing "POST /jump reuses the stored stream: HTTP 204, the ten arrives on the PUT's stream"
      (let [jump (send! dispatch handlers/jump (req app "ann" {:request-method :post}))]
        (is (= 204 (:status jump)))
        (is (nil? (:sse jump)))
        (is (= {:counter 11 :running true} (last (signals sse))))))
    (testing "DELETE / stops the timer on the stored stream, closes it, and deacon purges the key"
      (let [delete (send! dispatch handlers/index (req app "ann" {:request-method :delete}))]
        (is (= 204 (:status delete)))
        (is (= {:counter 0 :running false} (last (signals sse))))
        (is (not (wow/open? sse)))
        (is (= #{0} @(:cancelled app)))
        (is (nil? (d*conn/list-keys store)) "the store is empty")))))

(deftest sessions-do-not-share-streams
  (let [app      (test-app)
        dispatch (dispatch-for app)
        ann      (:sse (send! dispatch handlers/index (req app "ann" {:request-method :put})))
        bob-jump (send! dispatch handlers/jump (req app "bob" {:request-method :post}))]
    (is (= 200 (:status bob-jump)) "bob has no stored stream: his jump answers on its own")
    (is (not (wow/open? (:sse bob-jump))) "and that stream closes after it (with-open-sse? true)")
    (is (= [{:counter 10 :running false}] (signals (:sse bob-jump))))
    (is (= [["ann" handlers/counter-key]] (d*conn/list-keys (:store app))) "nor is it stored")
    (is (= [{:counter 0 :running true}] (signals ann)) "ann saw nothing of bob's")))

(deftest a-closed-stream-stops-its-timer
  (let [app      (test-app)
        dispatch (dispatch-for app)
        sse      (:sse (send! dispatch handlers/index (req app "ann" {:request-method :put})))]
    ((first @(:ticks app)))
    (wow/close! sse)
    (is (nil? (d*conn/list-keys (:store app))) "the close purged the key")
    (is (= #{0} @(:cancelled app)) ":on-purge stopped the session's timer")
    (is (= {:counter 1 :running false} (counter/of @(:counters app) "ann"))
        "and marked it stopped, keeping the count")
    (let [again (:sse (send! dispatch handlers/index (req app "ann" {:request-method :put})))]
      (is (identical? again (d*conn/connection (:store app) ["ann" handlers/counter-key]))
          "starting again stores the new stream")
      (is (= 2 (count @(:ticks app))) "with a new timer")
      (is (= [{:counter 1 :running true}] (signals again))))))

(deftest the-page
  (let [app  (test-app)
        page (:body (handlers/index (req app "ann" {:request-method :get})))
        attrs (->> (tree-seq vector? seq page) (filter map?) (apply merge-with vector))]
    (is (= :html (first page)))
    (is (some #{[:script {:type "module" :src "https://cdn.example/datastar.js"}]}
              (tree-seq vector? seq page))
        "Datastar from the CDN the app names")
    (is (= ["@put('/')" "@post('/jump')" "@delete('/')"] (flatten (:data-on:click attrs))))
    (is (= "@get('/keys')" (:data-init attrs)) "the panel opens its own stream")
    (is (str/includes? (:data-signals attrs) "tab: 'tab-1'"))))

(deftest the-key-panel-is-live
  (let [app      (test-app)
        dispatch (dispatch-for app)
        _        (panel/watch! app dispatch)
        t1       "00000000-0000-4000-8000-000000000001"
        keys-req (req app "ann" {:request-method :get :signals {:tab t1}})
        panel    (:sse (send! dispatch handlers/panel keys-req))
        shown    #(for [[kind el] (wow/events panel) :when (= :datastar.wow/patch-elements kind)]
                    (vec (map (comp last last) (rest el))))]
    (is (= [["ann" [::handlers/panel t1]]] (d*conn/list-keys (:store app)))
        "the panel's stream is stored under its tab")
    (send! dispatch handlers/index (req app "ann" {:request-method :put}))
    (is (= [(view/key-label ["ann" handlers/counter-key]) (view/key-label ["ann" [::handlers/panel t1]])]
           (last (shown)))
        "starting the timer shows the counter's key")
    (send! dispatch handlers/index (req app "ann" {:request-method :delete}))
    (is (= [(view/key-label ["ann" [::handlers/panel t1]])] (last (shown)))
        "stopping it removes it")
    (is (not-any? #(str/includes? (str %) "ann") (shown)) "session ids are never shown")))

(deftest sessions-come-from-a-cookie
  (let [handler (session/wrap-session (fn [r] {:status 200 :body (session/id r)}))]
    (testing "a page without the cookie gets one, holding the id the handler saw"
      (let [{:keys [body headers]} (handler {:headers {}})]
        (is (= (str session/cookie-name "=" body "; Path=/; HttpOnly; SameSite=Lax") (get headers "Set-Cookie")))))
    (testing "the cookie's id is used and not set again"
      (let [res (handler {:headers {"cookie" (str "a=b; " session/cookie-name "=s-1")}})]
        (is (= "s-1" (:body res)))
        (is (nil? (get-in res [:headers "Set-Cookie"])))))
    (testing "deacon's :id-fn reads the request being dispatched"
      (is (= "s-1" (session/id-fn {:system {:request {::session/id "s-1"}}}))))))

(deftest counters-are-pure
  (is (= {"a" {:counter 10 :running false}} (counter/jump {} "a")))
  (is (= {} (counter/tick {} "a")) "a stopped counter does not tick")
  (is (= {"a" {:counter 1 :running true}} (-> {} (counter/start "a") (counter/tick "a")))))

(deftest the-dev-alias-names-what-the-demo-needs-from-clojars
  (let [{:keys [extra-paths extra-deps]} (get-in (edn/read-string (slurp "deps.edn")) [:aliases :dev])]
    (is (= ["dev/src"] extra-paths))
    (is (= {'com.github.brianium/datastar.wow {:mvn/version "1.0.0-RC11-wow0"}
            'dev.data-star.clojure/http-kit   {:mvn/version "1.0.0-RC11"}
            'http-kit/http-kit                {:mvn/version "2.9.0-beta4"}
            'metosin/reitit-ring              {:mvn/version "0.10.1"}}
           extra-deps))))

(deftest the-server-listens-on-loopback-unless-told-otherwise
  (is (= {:ip "127.0.0.1" :port 3000 :legacy-return-value? false} (config/server-options {}))
      "http-kit's own default would be every interface, 0.0.0.0")
  (is (= {:ip "0.0.0.0" :port 8080 :legacy-return-value? false}
         (config/server-options {:ip "0.0.0.0" :port 8080})))
  (is (= "::1" (:ip (config/server-options {:ip "::1"}))))
  (testing ":ip must be an IP address (never a name to look up)"
    (doseq [bad [nil 127 "" " " "localhost" "example.org" "300.1.2.3" "1.2.3" "::g" :ip]]
      (let [e (is (thrown? clojure.lang.ExceptionInfo (config/server-options {:ip bad})) (pr-str bad))]
        (is (= (str "demo: :ip must be an IP address such as \"127.0.0.1\" or \"0.0.0.0\", got " (pr-str bad))
               (ex-message e)))
        (is (= {:input :ip :value bad} (ex-data e))))))
  (testing ":port as before"
    (doseq [bad [nil -1 65536 "3000" 3000.0]]
      (let [e (is (thrown? clojure.lang.ExceptionInfo (config/server-options {:port bad})) (pr-str bad))]
        (is (= (str "demo: :port must be an integer from 0 to 65535, got " (pr-str bad)) (ex-message e)))
        (is (= {:input :port :value bad} (ex-data e)))))))

(deftest the-printed-url-names-the-address
  (is (= "http://localhost:3000" (config/url "127.0.0.1" 3000)))
  (is (= "http://localhost:3000" (config/url "0.0.0.0" 3000)) "every interface includes loopback")
  (is (= "http://localhost:80" (config/url "::1" 80)))
  (is (= "http://192.0.2.7:3000" (config/url "192.0.2.7" 3000)))
  (is (= "http://[2001:db8::1]:3000" (config/url "2001:db8::1" 3000))))

;;; The page's tab id reaches GET /keys

(defn- read-json
  "JSON as datastar.wow reads signals: keyword keys."
  [s]
  (json/read-str s :key-fn keyword))

(defn- ring-stack
  "`handler` inside the demo's Ring middleware, as demo.app stacks it
  (session, query signals, app), with the stand-in of datastar.wow's
  signal reading and dispatch innermost. `query?` false leaves out
  `params/wrap-query-signals`."
  [app dispatch handler query?]
  (let [inner (-> (fn [request]
                    (let [response (handler request)]
                      (if (contains? response :datastar.wow/fx)
                        (wow/request! dispatch request response)
                        response)))
                  (wow/wrap-signals read-json)
                  (handlers/wrap-app app))]
    (session/wrap-session (if query? (params/wrap-query-signals inner) inner))))

(defn- form-encode
  "As the browser's URLSearchParams writes a parameter: spaces as +."
  [s]
  (URLEncoder/encode ^String s StandardCharsets/UTF_8))

(defn- load-page-then-panel
  "Loads the page without a cookie, then makes the GET /keys the page's
  `data-init` makes: the page's signals as JSON in the `datastar` query
  parameter. Returns the session id, the page's tab id and the store's keys."
  [query?]
  (let [app      (test-app)
        dispatch (dispatch-for app)
        page     (-> (ring-stack app dispatch handlers/index query?) (#(% {:request-method :get :uri "/" :headers {}})))
        cookie   (first (str/split (get-in page [:headers "Set-Cookie"]) #";"))
        attrs    (->> (tree-seq vector? seq (:body page)) (filter map?) (apply merge-with vector))
        tab      (second (re-find #"tab: '([^']+)'" (:data-signals attrs)))
        signals  {:counter 0 :running false :tab tab}]
    ((ring-stack app dispatch handlers/panel query?)
     {:request-method :get
      :uri            "/keys"
      :query-string   (str "datastar=" (form-encode (json/write-str signals)))
      :headers        {"datastar-request" "true" "cookie" cookie}})
    {:sid  (second (str/split cookie #"=" 2))
     :tab  tab
     :keys (d*conn/list-keys (:store app))}))

(deftest the-panel-key-is-the-page's-tab-id
  (let [{:keys [sid tab keys]} (load-page-then-panel true)]
    (is (parse-uuid tab) tab)
    (is (= [[sid [::handlers/panel tab]]] keys))))

(deftest without-reading-the-query-the-panel-never-sees-the-tab
  ;; Why the middleware is needed: the SDK reads a GET's signals only from
  ;; :query-params, which nothing else in the demo's stack provides.
  (let [{:keys [sid tab keys]} (load-page-then-panel false)
        [[key-sid [_ key-tab]]] keys]
    (is (= sid key-sid))
    (is (string? key-tab))
    (is (not= tab key-tab) "each panel request got a fresh tab id")))

(deftest the-datastar-query-parameter-is-decoded
  (is (= "{\"tab\":\"a b+c/é\"}"
         (params/query-param "x=1&datastar=%7B%22tab%22%3A%22a+b%2Bc%2F%C3%A9%22%7D" "datastar"))
      "form encoding: + is a space, %2B a plus, UTF-8")
  (is (= "{\"tab\":\"a b\"}" (params/query-param "datastar=%7B%22tab%22%3A%22a%20b%22%7D" "datastar"))
      "%20 is a space too")
  (is (= "first" (params/query-param "datastar=first&datastar=second" "datastar")))
  (is (= "ok" (params/query-param "datastar=%zz&datastar=ok" "datastar")) "a malformed escape is skipped")
  (is (= "ok" (params/query-param "data%73tar=ok" "datastar")) "names are decoded too")
  (is (nil? (params/query-param "datastar=%7" "datastar")) "a truncated escape")
  (is (nil? (params/query-param "datastars=1&x=datastar" "datastar")))
  (is (nil? (params/query-param nil "datastar")))
  (testing "the middleware"
    (let [seen (fn [request] ((params/wrap-query-signals identity) request))]
      (is (= {"datastar" "{}"} (:query-params (seen {:query-string "datastar=%7B%7D"}))))
      (is (= {"datastar" "kept" "x" "1"}
             (:query-params (seen {:query-string "datastar=%7B%7D" :query-params {"datastar" "kept" "x" "1"}})))
          "a params middleware's work is left alone")
      (is (= {"x" "1" "datastar" "{}"}
             (:query-params (seen {:query-string "datastar=%7B%7D" :query-params {"x" "1"}}))))
      (is (= {:query-string "datastar="} (seen {:query-string "datastar="})) "empty: no signals")
      (is (= {:query-string "a=b"} (seen {:query-string "a=b"})))
      (is (= {} (seen {}))))))

(deftest a-tab-id-that-is-not-a-uuid-is-not-used
  (let [app (test-app)]
    (doseq [bad ["x" 7 {:a 1} (apply str (repeat 10000 "a"))]]
      (let [response (handlers/panel (req app "ann" {:request-method :get :signals {:tab bad}}))]
        (is (= [::handlers/panel "tab-1"] (::d*conn/key response))
            "the request's own fresh id instead")))))

;;; The heartbeat: streams whose close the adapter missed

(defn- sdk-send
  "A probe's send as the Datastar SDK's send functions behave: false on a
  closed stream, never an exception. Records `[:probe nil]` on an open one."
  [sse]
  (wow/send! sse [:probe nil]))

(def ^:private vanish!
  "The client went away and the adapter never ran on-close (http-kit
  2.9.0-beta3, for a stream on a keep-alive connection whose previous SSE
  response the server closed): the stream is closed, nobody was told."
  wow/vanish!)

(defn- eventually [f]
  (let [deadline (+ (System/currentTimeMillis) 10000)]
    (loop []
      (or (f)
          (when (< (System/currentTimeMillis) deadline)
            (Thread/sleep 5)
            (recur))))))

(deftest the-probe-answers-false-for-a-closed-stream
  (let [sse (wow/fake-sse)]
    (is (true? (sdk-send sse)) "an open stream")
    (is (= [[:probe nil]] (wow/events sse)))
    (vanish! sse)
    (is (false? (sdk-send sse)) "closed: false, which the store counts as dead")))

(deftest the-demo-store-has-a-heartbeat
  (let [opts (effects/store-options {:entries (atom {})} sdk-send)]
    (is (= :atom (:type opts)))
    (is (= effects/heartbeat-ms (get-in opts [:heartbeat :interval-ms])))
    (is (fn? (get-in opts [:heartbeat :send])))))

(deftest the-heartbeat-purges-streams-whose-close-was-missed
  (let [app      (test-app)
        app      (assoc app :heartbeat-ms 10 :entries (atom {}))
        app      (assoc app :store (d*conn/store (effects/store-options app sdk-send)))
        store    (:store app)
        dispatch (dispatch-for app)
        _        (panel/watch! app dispatch)
        t1       "00000000-0000-4000-8000-000000000001"
        panel    (:sse (send! dispatch handlers/panel (req app "ann" {:request-method :get :signals {:tab t1}})))
        sse      (:sse (send! dispatch handlers/index (req app "ann" {:request-method :put})))]
    (try
      ((first @(:ticks app)))
      (is (= 2 (count (d*conn/list-keys store))))
      (vanish! sse)
      (is (eventually #(= [["ann" [::handlers/panel t1]]] (d*conn/list-keys store)))
          "the heartbeat found the counter's stream dead and purged it")
      (is (eventually #(= #{0} @(:cancelled app))) "which stopped the session's timer")
      (is (= {:counter 1 :running false} (counter/of @(:counters app) "ann"))
          "and marked it stopped, keeping the count, as a close does")
      (is (some #{[:probe nil]} (wow/events panel)) "live streams are probed too")
      (is (eventually #(= [(view/key-label ["ann" [::handlers/panel t1]])]
                          (let [[_ el] (last (filter (comp #{:datastar.wow/patch-elements} first)
                                                     (wow/events panel)))]
                            (vec (map (comp last last) (rest el))))))
          "and the panel no longer lists the departed stream")
      (finally (d*conn/close! store)))))
