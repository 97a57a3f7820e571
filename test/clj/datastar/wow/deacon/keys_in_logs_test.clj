(ns datastar.wow.deacon.keys-in-logs-test
  "No session id in the logs: every kind of line the library writes about a
  key (a listener or a purge hook that throws, a writer that throws, an effect
  that fails on one stream, a send while Redis is down, with replay or
  without) shows the key's scope
  as a digest, in its message and in the printed exception, while the
  exception given to `:on-error` keeps the real key in its ex-data. (A stream
  found dead is removed, cause `:dead`, without a log line.)"
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.log :refer [with-captured-logs]]
            [datastar.wow.deacon.test.wow :as wow])
  (:import (datastar.wow.deacon AtomStore AtomStore$Builder ConnectionWriter Shown)
           (java.io PrintWriter StringWriter)
           (java.net ServerSocket)))

(set! *warn-on-reflection* true)

(def ^:private secret
  "A session id, as a session cookie would carry it."
  "f890a550-5c1e-4c5e-9b1e-0d6c1a2b3c4d")

(defn- printed
  "A log record as a log file shows it: its message, then the stack trace of
  what was thrown with it, causes included."
  [{:keys [message ^Throwable thrown]}]
  (str message "\n"
       (when thrown
         (let [w (StringWriter.)]
           (.printStackTrace thrown (PrintWriter. w))
           (str w)))))

(defn- assert-no-secret
  "Every record holds the key's digest somewhere and the secret nowhere."
  [what records]
  (is (seq records) (str what ": something was logged"))
  (doseq [r records]
    (is (not (str/includes? (printed r) secret)) (str what ": " (printed r))))
  (is (some #(str/includes? (printed %) (Shown/key [secret ::feed])) records)
      (str what ": the lines about this key can be matched up by its digest")))

(defn- session [{{:keys [request]} :system}] (:session request))

(deftest the-digest-is-short-stable-and-hides-the-scope
  (is (re-matches #"\[scope:[0-9a-f]{8} :datastar.wow.deacon.keys-in-logs-test/feed\]" (Shown/key [secret ::feed])))
  (is (= (Shown/key [secret ::feed]) (Shown/key [(String. ^String secret) ::feed])) "equal ids, equal digests")
  (is (not= (Shown/key [secret ::feed]) (Shown/key ["another" ::feed])))
  (is (= "[:* :datastar.wow.deacon.keys-in-logs-test/feed]" (Shown/key [:* ::feed])) "a pattern is shown as it is")
  (is (re-matches #"scope:[0-9a-f]{8}" (Shown/key secret)) "a key that is not [scope k]: all of it hidden")
  (is (= ":k" (Shown/key :k))))

(deftest a-removal-listener-that-throws
  (with-captured-logs [logs]
    (let [s (d*conn/store {:type :atom :on-removal (fn [_ _ _] (throw (ex-info "listener broke" {})))})]
      (d*conn/store! s [secret ::feed] (wow/fake-sse))
      (d*conn/purge! s [secret ::feed]))
    (assert-no-secret "listener" @logs)))

(deftest a-purge-hook-that-throws-logged-by-the-default-on-error
  (with-captured-logs [logs]
    (let [s        (d*conn/store {:type :atom})
          dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session :on-purge (fn [_ _] (throw (ex-info "hook broke" {})))}]])
          out      (wow/request! dispatch (wow/request {:session secret}) {::d*conn/key ::feed :🚀 []})]
      (wow/close! (:sse out)))
    (assert-no-secret ":on-purge" @logs)))

(deftest a-writer-that-throws
  (with-captured-logs [logs]
    (let [^AtomStore$Builder b (.writer (AtomStore/builder)
                                        (reify ConnectionWriter
                                          (write [_ _ _] (throw (java.io.IOException. "broken pipe")))))
          s (.build b)]
      (d*conn/store! s [secret ::feed] (wow/fake-sse))
      (d*conn/send! s [secret ::feed] "data: x\n\n"))
    (assert-no-secret "writer" @logs)))

(deftest an-effect-that-fails-on-one-stream
  (with-captured-logs [logs]
    (let [s        (d*conn/store {:type :atom :fan-out? true})
          dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session}]
                                         {:datastar.wow/effects {::boom (fn [_ _] (throw (ex-info "effect broke" {})))}}])
          request  (wow/request {:session secret})]
      (dotimes [_ 2] (wow/request! dispatch request {::d*conn/subscribe ::feed :🚀 []}))
      (wow/request! dispatch request {::d*conn/key ::feed :🚀 [[::boom]]}))
    (assert-no-secret "effect" @logs)))

(defn- free-port []
  (with-open [s (ServerSocket. 0)] (.getLocalPort s)))

(deftest a-send-while-redis-is-down
  (with-captured-logs [logs]
    (let [s        (d*conn/store {:type :atom
                                  :cluster {:redis (str "redis://127.0.0.1:" (free-port)) :send-timeout-ms 100}})
          dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session}]])]
      (try
        (testing "a keyed request asks the other nodes, whom it cannot reach"
          (is (= 200 (:status (wow/request! dispatch (wow/request {:session secret})
                                            {::d*conn/key ::feed :🚀 []})))))
        (finally (d*conn/close! s))))
    (assert-no-secret "Redis down" @logs)
    (is (some #(str/includes? (:message %) "not connected to Redis") @logs))))

(deftest a-replayed-push-while-redis-is-down
  (with-captured-logs [logs]
    (let [s        (d*conn/store {:type :atom :replay {:events 10 :ms 60000}
                                  :cluster {:redis (str "redis://127.0.0.1:" (free-port)) :send-timeout-ms 100}})
          dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session}]])]
      (try
        (testing "a tab opens, then a keyed request pushes to it: the history cannot be shared"
          (is (= 200 (:status (wow/request! dispatch (wow/request {:session secret})
                                            {::d*conn/subscribe ::feed :🚀 []}))))
          (is (= 204 (:status (wow/request! dispatch (wow/request {:session secret})
                                            {::d*conn/key ::feed :🚀 [[:datastar.wow/patch-signals {:n 1}]]})))))
        (finally (d*conn/close! s))))
    (assert-no-secret "replay, Redis down" @logs)))

(deftest the-app's-on-error-gets-the-real-key
  (let [errors   (atom [])
        s        (d*conn/store {:type :atom})
        dispatch (wow/create-dispatch [[d*conn/registry s {:id-fn session
                                                           :on-purge (fn [_ _] (throw (ex-info "hook broke" {})))
                                                           :on-error (fn [e _] (swap! errors conj e))}]])
        out      (wow/request! dispatch (wow/request {:session secret}) {::d*conn/key ::feed :🚀 []})]
    (wow/close! (:sse out))
    (is (= [[secret ::feed]] (map (comp ::d*conn/key ex-data) @errors)) "the app owns its errors")
    (is (not (str/includes? (str (first @errors)) secret)) "printed, it shows the digest")))
