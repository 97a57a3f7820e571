(ns starfederation.datastar.clojure.protocols
  "A stand-in for the Datastar Clojure SDK's protocol namespace (same name,
  same protocol and methods as the SDK's RC9), for tests on machines that
  cannot download the SDK; it is on the test classpath only. Every send
  function of the SDK ends in `send-event!` on the stream; an SDK stream
  answers true when written and false once closed. nil and other objects are
  not streams: sending to them throws, as the SDK's does.")

(set! *warn-on-reflection* true)

(defprotocol SSEGenerator
  (send-event! [this event-type data-lines opts] "Send sse event.")
  (get-lock [this] "Access to the lock used in the generator.")
  (close-sse! [this] "Close connection.")
  (sse-gen? [this] "Test wheter a value is a SSEGenerator."))

(defn- not-a-stream [type method]
  (throw (ex-info (str "Type " type " is not a SSEGenerator.") {:type type :method method})))

(extend-protocol SSEGenerator
  nil
  (sse-gen? [_] false)
  (send-event! [_ _ _ _] (not-a-stream nil :send-event!))
  (get-lock [_] (not-a-stream nil :get-lock))
  (close-sse! [_] (not-a-stream nil :close-sse!))

  Object
  (sse-gen? [_] false)
  (send-event! [this _ _ _] (not-a-stream (type this) :send-event!))
  (get-lock [this] (not-a-stream (type this) :get-lock))
  (close-sse! [this] (not-a-stream (type this) :close-sse!)))
