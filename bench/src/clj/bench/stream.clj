(ns bench.stream
  "A stream for the dispatch benchmarks that costs what a real write costs up
  to the network. The test stand-in's fake stream records each event in an
  atom (and would grow without bound in a benchmark); this one implements the
  SDK's `SSEGenerator` protocol (the stand-in of
  `starfederation.datastar.clojure.protocols`) the way the SDK's default write
  profile does its work: under the stream's own lock it builds the event text,
  an `event:` line, an `id:` line when the option `:d*.sse/id` is given and a
  `retry:` line when `:d*.sse/retry-duration` is (as the SDK's `write-event!`
  does), and one `data:` line per data line, in a StringBuilder, turns it
  into a String (what the http-kit adapter hands to the server) and counts
  its characters instead of sending them. It never closes."
  (:require [starfederation.datastar.clojure.protocols :as sdk])
  (:import (clojure.lang IDeref Keyword)
           (java.util.concurrent.locks ReentrantLock)))

(set! *warn-on-reflection* true)

(defn- append-lines
  "Appends one `data:` line per line of `data-lines`: a string or a
  collection of strings (the SDK gives a collection)."
  [^StringBuilder sb data-lines]
  (if (string? data-lines)
    (-> sb (.append "data: ") (.append ^String data-lines) (.append "\n"))
    (reduce (fn [^StringBuilder sb line] (-> sb (.append "data: ") (.append (str line)) (.append "\n")))
            sb data-lines)))

(deftype Stream [id ^ReentrantLock lock ^:unsynchronized-mutable ^long written]
  sdk/SSEGenerator
  (send-event! [_ event-type data-lines opts]
    (.lock lock)
    (try
      (let [sb       (StringBuilder. 256)
            event-id (get opts :d*.sse/id)
            retry    (get opts :d*.sse/retry-duration)]
        (.append sb "event: ")
        ;; the stand-in's send effect passes its action id; the SDK passes the event name
        (.append sb (if (instance? Keyword event-type) (.getName ^Keyword event-type) (str event-type)))
        (.append sb "\n")
        (when event-id (-> sb (.append "id: ") (.append (str event-id)) (.append "\n")))
        (when retry (-> sb (.append "retry: ") (.append (str retry)) (.append "\n")))
        (append-lines sb data-lines)
        (.append sb "\n")
        (set! written (+ written (.length (.toString sb))))
        true)
      (finally (.unlock lock))))
  (get-lock [_] lock)
  (close-sse! [_] false)
  (sse-gen? [_] true)
  IDeref
  (deref [_] written)
  Object
  (toString [_] (str "#bench-stream[" id "]")))

(defn stream
  "A new open stream; `@s` is how many characters of event text it was given."
  [id]
  (->Stream id (ReentrantLock.) 0))
