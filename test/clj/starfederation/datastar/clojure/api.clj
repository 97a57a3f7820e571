(ns starfederation.datastar.clojure.api
  "A stand-in for the Datastar Clojure SDK's API namespace, for tests on
  machines that cannot download it: the functions the documentation and the
  REPL demo name, over the SDK's protocol (the stand-in
  `starfederation.datastar.clojure.protocols`). It is on the test classpath
  only."
  (:require [starfederation.datastar.clojure.protocols :as p]))

(set! *warn-on-reflection* true)

(defn patch-signals!
  "Sends a `datastar-patch-signals` event holding `signals-content` (JSON
  text) down `sse-gen`: true when written, false when the stream is closed."
  ([sse-gen signals-content] (patch-signals! sse-gen signals-content {}))
  ([sse-gen signals-content opts]
   (p/send-event! sse-gen "datastar-patch-signals" [signals-content] opts)))

(defn close-sse!
  "Closes `sse-gen`: true when it closed, false when it already was."
  [sse-gen]
  (p/close-sse! sse-gen))
