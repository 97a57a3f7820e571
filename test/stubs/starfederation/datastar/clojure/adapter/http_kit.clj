(ns starfederation.datastar.clojure.adapter.http-kit
  "Stand-in with the vars of the SDK's http-kit adapter the demo names; compile checks only.")

(defn ->sse-response "An SSE response." [_request _opts])
