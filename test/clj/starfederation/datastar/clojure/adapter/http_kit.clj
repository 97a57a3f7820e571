(ns starfederation.datastar.clojure.adapter.http-kit
  "A stand-in for the Datastar Clojure SDK's http-kit adapter, for tests on
  machines that cannot download it: `->sse-response` opens a fake stream
  (`datastar.wow.deacon.test.wow/fake-sse`) instead of an http-kit channel.
  It is on the test classpath only."
  (:require [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(def on-open
  "The option key of the function called with the stream once it is open."
  :d*.sse/on-open)

(def on-close
  "The option key of the function called with the stream and a status once
  it closes."
  :d*.sse/on-close)

(defn ->sse-response
  "An SSE Ring response for `request`: a new fake stream, passed to the
  `on-open` option, whose close calls the `on-close` option. The response's
  `:body` is the stream."
  [_request opts]
  (let [sse (wow/fake-sse)]
    (when-let [f (get opts on-close)]
      (wow/on-close! sse #(f sse :closed)))
    (when-let [f (get opts on-open)]
      (f sse))
    {:status 200 :headers {"Content-Type" "text/event-stream"} :body sse}))
