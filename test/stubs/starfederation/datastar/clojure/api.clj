(ns starfederation.datastar.clojure.api
  "Stand-in with the vars of the Datastar SDK's API the demo names; compile checks only.")

(defn patch-signals!
  "Sends signals down a stream; false when it is closed."
  ([_sse-gen _signals-content])
  ([_sse-gen _signals-content _opts]))
