(ns datastar.wow.deacon.demo-test
  "The REPL demo's handlers and effects (dev/src/demo), driven through the
  datastar.wow and Nexus stand-ins with deacon's registry: what the tabs of a
  browser see when one of them starts the timer, adds ten, stops, waves, and
  when tabs open and close. Only the namespaces that need nothing from
  Clojars are loaded here; demo.app and demo.server (reitit, http-kit,
  datastar.wow itself) are not."
  (:require [clojure.data.json :as json]
            [clojure.edn :as edn]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.demo :refer [ann bob command! counters-seen eventually
                                                   find-all label open-tab! panel-of req rows
                                                   sdk-send send! shown signals text tick! waves
                                                   with-app]]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.wow :as wow]
            [demo.assets :as assets]
            [demo.config :as config]
            [demo.counter :as counter]
            [demo.effects :as effects]
            [demo.handlers :as handlers]
            [demo.live :as live]
            [demo.panel :as panel]
            [demo.params :as params]
            [demo.session :as session]
            [demo.view :as view])
  (:import (java.io ByteArrayInputStream)
           (java.net URLEncoder)
           (java.nio ByteBuffer ByteOrder)
           (java.nio.charset StandardCharsets)))

(set! *warn-on-reflection* true)

;;; Tabs of one session share one counter

(deftest every-tab-of-a-session-gets-start-ticks-jump-and-stop
  (with-app [app]
    (let [tab1 (open-tab! app ann)
          tab2 (open-tab! app ann)
          other (open-tab! app bob)]
      (testing "the page's stream subscribes: both tabs are stored under the session's one key"
        (is (= #{tab1 tab2} (set (map second (d*conn/connections (:store app) [ann counter/stream-key])))))
        (is (= [counter/initial] (counters-seen tab1) (counters-seen tab2)) "each shown the counter as it opened"))
      (testing "start: one request, every tab of the session, HTTP 204"
        (is (= 204 (command! app handlers/index ann :put)))
        (is (= {:counter 0 :running true} (shown tab1) (shown tab2)))
        (is (= 1 (count @(:ticks app))) "one timer for the session, not one per tab"))
      (testing "a tick reaches both tabs"
        (tick! app)
        (is (= {:counter 1 :running true} (shown tab1) (shown tab2))))
      (testing "add ten: 204, added once, shown on both"
        (is (= 204 (command! app handlers/jump ann :post)))
        (is (= {:counter 11 :running true} (shown tab1) (shown tab2)))
        (is (= 11 (:counter (counter/of @(:counters app) ann)))))
      (testing "stop: 204, both tabs stopped and reset, the timer cancelled, the tabs' streams kept"
        (is (= 204 (command! app handlers/index ann :delete)))
        (is (= counter/initial (shown tab1) (shown tab2)))
        (is (= #{0} @(:cancelled app)))
        (is (wow/open? tab1))
        (is (= 2 (d*conn/connection-count (:store app) [ann counter/stream-key]))))
      (testing "another session saw none of it"
        (is (= [counter/initial] (counters-seen other))))
      (testing "a stopped, reset counter leaves nothing behind"
        (is (not (contains? @(:counters app) ann)))))))

(deftest a-second-start-does-not-leave-a-tab-behind
  ;; Before fan-out, a second start replaced the stored stream while the
  ;; timer kept sending down the first one.
  (with-app [app]
    (let [tab1 (open-tab! app ann)
          tab2 (open-tab! app ann)]
      (command! app handlers/index ann :put)
      (command! app handlers/index ann :put)
      (is (= 1 (count @(:ticks app))) "still one timer")
      (tick! app)
      (is (= {:counter 1 :running true} (shown tab1) (shown tab2))))))

(deftest a-tab-that-opens-while-the-counter-runs-shows-it-running
  (with-app [app]
    (open-tab! app ann)
    (command! app handlers/index ann :put)
    (tick! app)
    (let [page  (:body (handlers/index (req app ann {:request-method :get})))
          attrs (->> (tree-seq vector? seq page) (filter map?) (apply merge-with vector))
          late  (open-tab! app ann)]
      (is (str/includes? (:data-signals attrs) "counter: 1, running: true") "the page renders it running")
      (is (= [{:counter 1 :running true}] (counters-seen late)) "and its stream starts from it")
      (tick! app)
      (is (= {:counter 2 :running true} (shown late)) "then ticks with the others"))))

(deftest closing-one-tab-keeps-the-others
  (with-app [app]
    (let [tab1 (open-tab! app ann)
          tab2 (open-tab! app ann)]
      (command! app handlers/index ann :put)
      (wow/close! tab1)
      (is (= [tab2] (map second (d*conn/connections (:store app) [ann counter/stream-key]))))
      (tick! app)
      (is (= {:counter 1 :running true} (shown tab2)) "the other tab still ticks")
      (is (= 204 (command! app handlers/jump ann :post)))
      (is (= {:counter 11 :running true} (shown tab2)))
      (is (= {:counter 0 :running true} (shown tab1)) "the closed tab got nothing more")
      (is (empty? @(:cancelled app)) "the timer runs on"))))

(deftest the-last-tab-closing-stops-the-timer-and-keeps-the-count
  (with-app [app]
    (let [tab (open-tab! app ann)]
      (command! app handlers/index ann :put)
      (dotimes [_ 3] (tick! app))
      (wow/close! tab)
      (is (nil? (d*conn/list-keys (:store app))))
      (dotimes [_ (dec live/grace-ticks)] (tick! app))
      (is (empty? @(:cancelled app)) "a few ticks' grace: a reload closes the tab's stream before the new one opens")
      (tick! app)
      (is (= #{0} @(:cancelled app)) "then the timer stops")
      (let [{:keys [counter running]} (counter/of @(:counters app) ann)]
        (is (false? running))
        (is (<= 3 counter) "and the count is kept"))
      (testing "a page opening now shows it stopped, with its count"
        (let [again (open-tab! app ann)]
          (is (false? (:running (shown again))))
          (is (<= 3 (:counter (shown again))))
          (wow/close! again)))
      (testing "nobody came back: forgotten later"
        (let [[[ms forget]] @(:laters app)]
          (is (= live/keep-ms ms))
          (forget)
          (is (not (contains? @(:counters app) ann))))))))

(deftest a-reload-does-not-stop-the-timer
  (with-app [app]
    (let [tab (open-tab! app ann)]
      (command! app handlers/index ann :put)
      (wow/close! tab)
      (tick! app)
      (let [reloaded (open-tab! app ann)]
        (is (true? (:running (shown reloaded))))
        (dotimes [_ (* 2 live/grace-ticks)] (tick! app))
        (is (empty? @(:cancelled app)))
        (is (= {:counter (inc (* 2 live/grace-ticks)) :running true} (shown reloaded)))))))

(deftest a-paused-count-is-forgotten-only-when-nobody-watches
  (with-app [app]
    (let [tab (open-tab! app ann)]
      (command! app handlers/jump ann :post)
      (is (= {:counter 10 :running false} (shown tab)) "a jump without the timer")
      (is (empty? @(:laters app)) "kept while a tab shows it")
      (wow/close! tab)
      (let [[[_ forget]] @(:laters app)]
        (is (some? forget) "the last tab gone: forgotten later")
        (let [back (open-tab! app ann)]
          (forget)
          (is (= {:counter 10 :running false} (counter/of @(:counters app) ann)) "not while a tab is back")
          (wow/close! back))))))

(deftest the-timer-is-one-per-session
  (with-app [app]
    (let [a (open-tab! app ann)
          b (open-tab! app bob)]
      (command! app handlers/index ann :put)
      (command! app handlers/index bob :put)
      (is (= 2 (count @(:ticks app))))
      (tick! app 1)
      (is (= {:counter 1 :running true} (shown b)))
      (is (= {:counter 0 :running true} (shown a)) "bob's tick is not ann's"))))

(deftest a-command-without-any-tab-answers-404-and-changes-nothing
  ;; It used to answer 200 on a stream of its own, and a PUT started a timer
  ;; for a session nobody watched.
  (with-app [app]
    (doseq [[handler method] [[handlers/index :put] [handlers/jump :post] [handlers/index :delete]]]
      (let [{:keys [status headers body] :as out} (send! app handler (req app bob {:request-method method}))]
        (is (= 404 status) (str method))
        (is (= "no tab of this session is open: open the page first" body (view/no-tab false)))
        (is (= "text/plain; charset=utf-8" (get headers "Content-Type")))
        (is (nil? (:sse out)) "no stream opened for it")))
    (is (empty? @(:ticks app)) "no timer started")
    (is (= {} @(:counters app)) "no counter changed")
    (is (nil? (d*conn/list-keys (:store app))) "nothing stored")
    (testing "a tab of another session changes nothing either"
      (open-tab! app ann)
      (is (= 404 (command! app handlers/jump bob :post)))
      (is (= {} @(:counters app))))))

;;; Everyone: broadcast-all

(deftest a-wave-reaches-every-tab-of-every-session
  (with-app [app]
    (let [tabs [(open-tab! app ann) (open-tab! app ann) (open-tab! app bob)]
          out  (send! app handlers/wave (req app bob {:request-method :post}))]
      (is (= 204 (:status out)) "one broadcast-all response, no stream of its own")
      (is (nil? (:sse out)))
      (doseq [t tabs]
        (is (= [(str (session/short-id bob) " waved at 12:00:00")] (waves t))))
      (is (= 3 (d*conn/connection-count (:store app))) "nothing stored for the wave"))))

;;; The store panel

(deftest every-page-sees-the-store-panel-live
  (with-app [app]
    (let [a1 (open-tab! app ann)
          a2 (open-tab! app ann)
          b  (open-tab! app bob)]
      (testing "a tab opening is shown on every page: browsers, tabs, one row per key"
        (doseq [t [a1 a2 b]]
          (let [p (panel-of t)]
            (is (= "2 browsers, 3 tabs open" (text (first (find-all :p.visitors p)))))
            (is (= (sort-by first [[(label ann) "2" "since 12:00:00" "this node"]
                                   [(label bob) "1" "since 12:00:00" "this node"]])
                   (rows p))))))
      (testing "each page marks its own session's row, in the browser"
        (let [p    (panel-of b)
              mine (keep #(get-in % [1 :data-class:mine]) (find-all :tr p))]
          (is (= #{(str "$me == '" (session/short-id ann) "'") (str "$me == '" (session/short-id bob) "'")}
                 (set mine)))))
      (testing "a tab closing: removed live, with its cause"
        (wow/close! a2)
        (let [p (panel-of b)]
          (is (= "2 browsers, 2 tabs open" (text (first (find-all :p.visitors p)))))
          (is (= [[(label ann) "1"]] (map #(subvec % 0 2) (filter #(= (label ann) (first %)) (rows p)))))
          (is (= [(str "12:00:00explicit" (label ann))] (map text (find-all :li (first (find-all :ol.log p))))))
          (is (= "Stats: 2 streams stored; removals: explicit 1" (text (first (find-all :p.stats p)))))))
      (testing "session ids are never shown raw"
        (doseq [t [a1 b]]
          (is (not-any? #(str/includes? (pr-str %) "session-of") (wow/events t))))))))

(deftest the-panel-keeps-the-last-removals
  (with-app [app]
    (let [b (open-tab! app bob)]
      (dotimes [_ (inc panel/log-size)] (wow/close! (open-tab! app ann)))
      (is (= panel/log-size (count (find-all :li (first (find-all :ol.log (panel-of b))))))))))

(deftest the-heartbeat-removes-tabs-whose-close-was-missed
  (with-app [app {:heartbeat-ms 10}]
    (let [gone  (open-tab! app ann)
          stays (open-tab! app ann)
          other (open-tab! app bob)]
      (command! app handlers/index ann :put)
      ;; the stream is closed (its sends answer false) but its on-close never
      ;; reached the store. (http-kit 2.9.0-beta3's missed close is not this
      ;; case: there the sends kept answering true, and no probe can tell.)
      (wow/vanish! gone)
      (is (eventually #(= [stays] (map second (d*conn/connections (:store app) [ann counter/stream-key]))))
          "the heartbeat found it dead and removed it")
      (is (eventually #(some #{[(label ann) "dead"]}
                             (for [li (find-all :li (first (find-all :ol.log (panel-of other))))]
                               [(text (last li)) (text (nth li 2))])))
          "and every page's removal log says so")
      (is (some #{[:probe nil]} (wow/events stays)) "live streams are probed too")
      (tick! app)
      (is (= {:counter 1 :running true} (shown stays)) "the other tab goes on"))))

;;; The page and what it loads

(deftest the-page
  (with-app [app]
    (let [page  (:body (handlers/index (req app ann {:request-method :get})))
          nodes (tree-seq vector? seq page)
          attrs (->> nodes (filter map?) (apply merge-with vector))]
      (is (= :html (first page)))
      (is (= #{"https://cdn.example/datastar.js" "/style.css" "/favicon.ico"}
             (set (keep #(or (:src %) (:href %)) (filter map? nodes))))
          "nothing loads from elsewhere but Datastar's script")
      (is (some #{[:link {:rel "icon" :href "/favicon.ico"}]} nodes))
      (is (= ["$notice = ''; @put('/')" "$notice = ''; @post('/jump')" "$notice = ''; @delete('/')" "@post('/wave')"]
             (flatten (:data-on:click attrs)))
          "a new command clears the notice")
      (is (= [[:p.notice {:role "status" :data-text "$notice"}]] (find-all :p.notice page))
          "what a command could not do, shown above nothing when empty")
      (is (str/ends-with? (:data-signals attrs) ", notice: ''}"))
      (is (= view/on-fetch-error (:data-on:datastar-fetch attrs)) "a 404 or 503 sets the notice")
      (is (= ["Start timer" "Add ten" "Stop and reset" "Wave to everyone"]
             (map text (find-all :button page))) "every button says what it does")
      (is (= [false true true nil] (map (comp :disabled second) (find-all :button page)))
          "a stopped counter: only Start timer enabled, from the first paint")
      (is (= "@get('/updates')" (:data-init attrs))
          "the tab's stream: Datastar closes it while the tab is hidden and reopens it with last-event-id")
      (is (str/includes? (:data-signals attrs) "waves: []") "the ids of the waves listed: none yet")
      (is (= [[:ol#waves.log.waves]] (find-all :ol#waves page)) "the list of waves, empty")
      (is (str/includes? (:data-signals attrs) (str "me: '" (session/short-id ann) "'")))
      (is (not (str/includes? (pr-str page) ann)) "the session id itself never")
      (is (= 1 (count (find-all :section#store page))) "the store panel, rendered with the page"))))

(deftest the-stylesheet-and-favicon-are-served-by-the-demo
  (let [css (handlers/stylesheet {})
        ico (handlers/favicon {})]
    (is (= "text/css; charset=utf-8" (get-in css [:headers "Content-Type"])))
    (is (str/includes? (:body css) "button.primary"))
    (is (not (re-find #"(?i)url\(|@import|https?:" (:body css))) "no fonts, images or frameworks from elsewhere")
    (is (= "image/x-icon" (get-in ico [:headers "Content-Type"])))
    (let [^bytes bytes (.readAllBytes ^java.io.InputStream (:body ico))
          b (.order (ByteBuffer/wrap bytes) ByteOrder/LITTLE_ENDIAN)]
      (is (= [0 1 1] [(.getShort b 0) (.getShort b 2) (.getShort b 4)]) "an ICO holding one image")
      (is (= [32 32] [(.get b 6) (.get b 7)]) "32 x 32")
      (is (= 32 (.getShort b 12)) "32 bits per pixel")
      (is (= (- (alength bytes) 22) (.getInt b 14)) "the image's size")
      (is (= 22 (.getInt b 18)) "right after the directory")
      (is (= [40 32 64] [(.getInt b 22) (.getInt b 26) (.getInt b 30)]) "a bitmap header: the height counts the mask")
      (is (= (seq bytes) (seq assets/favicon))))))

;;; Malformed signals answer 400

(defn- read-json
  "JSON as datastar.wow reads signals: keyword keys."
  [s]
  (json/read-str s :key-fn keyword))

(defn- ring-stack
  "`handler` inside the demo's Ring middleware, as demo.app stacks it
  (malformed signals, session, query signals, app), with the stand-in of
  datastar.wow's signal reading (given the demo's `params/read-json`) and
  dispatch innermost."
  [app handler]
  (-> (fn [request]
        (let [response (handler request)]
          (if (contains? response :datastar.wow/fx)
            (wow/request! (:test-dispatch app) request response)
            response)))
      (wow/wrap-signals params/read-json)
      (handlers/wrap-app app)
      params/wrap-query-signals
      session/wrap-session
      params/wrap-malformed-signals))

(defn- form-encode
  "As the browser's URLSearchParams writes a parameter: spaces as +."
  [s]
  (URLEncoder/encode ^String s StandardCharsets/UTF_8))

(defn- datastar-get [app handler query-json]
  ((ring-stack app handler)
   {:request-method :get
    :uri            "/updates"
    :query-string   (str "datastar=" (form-encode query-json))
    :headers        {"datastar-request" "true" "cookie" (str session/cookie-name "=" ann)}}))

(deftest malformed-signals-in-the-query-answer-400
  (with-app [app]
    (doseq [[bad why] [["{\"counter\": " "not valid JSON"]
                       ["{counter: 1}" "not valid JSON"]
                       ["[1, 2]" "expected a JSON object"]
                       ["\"text\"" "expected a JSON object"]
                       ["{} {}" "text after the JSON value"]
                       [(apply str (repeat 100000 "[")) "nested too deeply"]]]
      (let [response (datastar-get app handlers/updates bad)]
        (is (= 400 (:status response)) (subs bad 0 (min 20 (count bad))))
        (is (= (str "malformed Datastar signals: " why "\n") (:body response)))
        (is (= "text/plain; charset=utf-8" (get-in response [:headers "Content-Type"])))))
    (is (nil? (d*conn/list-keys (:store app))) "no stream was opened for them")
    (testing "DELETE reads its signals from the query too"
      (is (= 400 (:status ((ring-stack app handlers/index)
                           {:request-method :delete :uri "/" :query-string "datastar=%7Bx"
                            :headers {"datastar-request" "true"}})))))
    (testing "well-formed signals are read as before"
      (let [response (datastar-get app handlers/updates (json/write-str {:counter 0 :running false :me "x"}))]
        (is (= 200 (:status response)))
        (is (= 1 (d*conn/connection-count (:store app))))))))

(deftest malformed-signals-in-a-body-answer-400
  (with-app [app]
    (let [post (fn [body]
                 ((ring-stack app handlers/jump)
                  {:request-method :post :uri "/jump"
                   :body (some-> ^String body (.getBytes StandardCharsets/UTF_8) ByteArrayInputStream.)
                   :headers {"datastar-request" "true" "cookie" (str session/cookie-name "=" ann)}}))]
      (open-tab! app ann)
      (is (= 400 (:status (post "{\"counter\": 1"))))
      (is (= 400 (:status (post "null"))))
      (is (= counter/initial (counter/of @(:counters app) ann)) "the refused requests changed nothing")
      (is (= 204 (:status (post "{\"counter\": 1}"))))
      (is (= 204 (:status (post "  "))) "an empty body: no signals")
      (is (= 20 (:counter (counter/of @(:counters app) ann)))))))

(deftest read-json-reads-what-datastar-sends
  (is (= {:counter 1 :running true :me "ab"} (params/read-json "{\"counter\":1,\"running\":true,\"me\":\"ab\"}")))
  (is (= {:a 1} (params/read-json (ByteArrayInputStream. (.getBytes " {\"a\": 1}\n" StandardCharsets/UTF_8)))))
  (is (nil? (params/read-json (ByteArrayInputStream. (byte-array 0)))))
  (is (= {:é "ü"} (params/read-json (ByteArrayInputStream. (.getBytes "{\"é\":\"ü\"}" StandardCharsets/UTF_8))))
      "bodies are UTF-8"))

;;; Sessions, counters, configuration

(deftest sessions-come-from-a-cookie
  (let [handler (session/wrap-session (fn [r] {:status 200 :body (session/id r)}))]
    (testing "a page without the cookie gets one, holding the id the handler saw"
      (let [{:keys [body headers]} (handler {:headers {}})]
        (is (= (str session/cookie-name "=" body "; Path=/; HttpOnly; SameSite=Lax") (get headers "Set-Cookie")))))
    (testing "the cookie's id is used and not set again"
      (let [res (handler {:headers {"cookie" (str "a=b; " session/cookie-name "=s-1")}})]
        (is (= "s-1" (:body res)))
        (is (nil? (get-in res [:headers "Set-Cookie"])))))
    (testing "deacon's :id-fn reads the request being dispatched, or the one a tick stands for"
      (is (= "s-1" (session/id-fn {:system {:request {::session/id "s-1"}}})))
      (is (= "s-1" (session/id-fn {:system {:request (session/request-of "s-1")}}))))
    (testing "short ids"
      (is (re-matches #"[0-9a-f]{8}" (session/short-id "s-1")))
      (is (= (session/short-id "s-1") (session/short-id (str "s-" 1)))))))

(deftest counters-are-pure
  (is (= {"a" {:counter 10 :running false}} (counter/jump {} "a")))
  (is (= {} (counter/tick {} "a")) "a stopped counter does not tick")
  (is (= {"a" {:counter 1 :running true}} (-> {} (counter/start "a") (counter/tick "a"))))
  (is (= {} (-> {} (counter/start "a") (counter/jump "a") (counter/stop "a"))) "stop leaves nothing")
  (is (= {"a" {:counter 10 :running false}} (-> {} (counter/start "a") (counter/jump "a") (counter/pause "a"))))
  (is (= {} (-> {} (counter/start "a") (counter/pause "a"))) "nothing to keep at zero")
  (is (= {} (counter/pause {} "a")))
  (is (= {} (-> {} (counter/jump "a") (counter/forget "a"))))
  (is (= {"a" {:counter 0 :running true}} (-> {} (counter/start "a") (counter/forget "a"))) "a running one stays"))

(deftest the-dev-alias-names-what-the-demo-needs
  (let [{:keys [extra-paths extra-deps]} (get-in (edn/read-string (slurp "deps.edn")) [:aliases :dev])]
    (is (= ["dev/src"] extra-paths))
    (is (= {'com.github.brianium/datastar.wow {:mvn/version "1.0.0-RC11-wow0"}
            'dev.data-star.clojure/http-kit   {:mvn/version "1.0.0-RC11"}
            'http-kit/http-kit                {:mvn/version "2.9.0-beta4"}
            'metosin/reitit-ring              {:mvn/version "0.10.1"}
            'org.clojure/data.json            {:mvn/version "2.5.2"}}
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


;;; The datastar query parameter

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


;;; The heartbeat's probe

(deftest the-probe-answers-false-for-a-closed-stream
  (let [sse (wow/fake-sse)]
    (is (true? (sdk-send sse)) "an open stream")
    (is (= [[:probe nil]] (wow/events sse)))
    (wow/vanish! sse)
    (is (false? (sdk-send sse)) "closed: false, which the store counts as dead")))

(deftest the-demo-store-fans-out-and-has-a-heartbeat
  (let [opts (effects/store-options {:entries (atom {})} sdk-send)]
    (is (= :atom (:type opts)))
    (is (true? (:fan-out? opts)))
    (is (= effects/heartbeat-ms (get-in opts [:heartbeat :interval-ms])))
    (is (fn? (get-in opts [:heartbeat :send])))
    (is (fn? (:on-removal opts)))))


;;; What a command could not do

(deftest the-notices-are-the-java-example's
  (let [java (Class/forName "datastar.wow.deacon.examples.Notices")
        field #(.get (.getField java %) nil)]
    (is (= (field "UNREACHABLE") view/unreachable))
    (is (= (field "ONLY_HERE") view/only-here))
    (is (= (field "ON_FETCH_ERROR") view/on-fetch-error))
    (doseq [clustered? [false true]]
      (is (= (.invoke (.getMethod java "noTab" (into-array Class [Boolean/TYPE])) nil (object-array [clustered?]))
             (view/no-tab clustered?))))))

(deftest a-command-that-cannot-reach-the-other-nodes-tells-its-tabs
  (with-app [app]
    (let [tab  (open-tab! app ann)
          ctx  {:system        {:request (req app ann {:request-method :post})}
                :dispatch-data {:datastar.wow/response {::d*conn/key counter/stream-key}}}
          late (java.util.concurrent.TimeoutException. "no answer from Redis in 500 ms")]
      (with-captured-logs [logs]
        (effects/on-error! app (RuntimeException. "sending failed" late) ctx)
        (is (= [view/only-here] (keep :notice (signals tab))) "the session's tab is told")
        (is (= [:warning] (map :level @logs)))
        (is (str/includes? (:message (first @logs)) (str "a command of session " (session/short-id ann)
                                                        " reached only this node's tabs")))
        (is (not (str/includes? (:message (first @logs)) ann)) "never the session id itself"))
      (testing "any other failure is logged with its stack, and tells no tab"
        (with-captured-logs [logs]
          (effects/on-error! app (IllegalStateException. "the store is closed") ctx)
          (effects/on-error! app late (assoc-in ctx [:dispatch-data :datastar.wow/response]
                                               {::d*conn/subscribe counter/stream-key}))
          (is (= [:error :error] (map :level @logs)))
          (is (every? :thrown @logs))
          (is (= [view/only-here] (keep :notice (signals tab)))))))))

(deftest a-question-is-answered-only-with-a-newer-copy
  ;; with a shared history every tab of the session shows the answer: one no newer than the
  ;; asker's copy could land after, and over, a change the asker made meanwhile
  (with-app [app]
    (let [tab  (open-tab! app ann)
          seen #(count (counters-seen tab))]
      (command! app handlers/jump ann :post)
      (let [mine   (live/message app ann)
            before (seen)]
        (testing "a question carrying an older copy gets this node's"
          (live/received! app ann (assoc mine :version 0 :origin "node-x" :from "node-x" :ask? true))
          (is (= (inc before) (seen)))
          (is (= {:counter 10 :running false} (last (counters-seen tab)))))
        (testing "a question carrying a copy as new as this node's, or newer, gets none"
          (live/received! app ann (assoc mine :from "node-x" :ask? true))
          (live/received! app ann (assoc mine :version (inc (long (:version mine))) :origin "node-x"
                                         :from "node-x" :ask? true))
          (is (= (inc before) (seen))))))))
