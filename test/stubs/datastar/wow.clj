(ns datastar.wow
  "Stand-in with the vars of datastar.wow the demo names; compile checks only.")

(def CDN-url "Datastar's CDN URL." "")

(defn with-datastar
  "Middleware from an SDK adapter's ->sse-response and options."
  [_->sse-response & _opts]
  identity)

(defn dispatch
  "A dispatch function from registries."
  [_opts]
  (fn ([_dispatch-data _fx]) ([_system _dispatch-data _fx])))
