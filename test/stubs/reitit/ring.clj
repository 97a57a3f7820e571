(ns reitit.ring
  "Stand-in with the vars of reitit.ring the demo names; compile checks only.")

(defn router "A router." ([_data]) ([_data _opts]))
(defn create-default-handler "A 404/405 handler." ([]) ([_opts]))
(defn ring-handler "A Ring handler from a router." ([_router]) ([_router _default]) ([_router _default _opts]))
