(ns bench.fixtures
  "Functions the benchmarks give as options, as an app would write them.")

(defn session-user
  "An `:id-fn` scoping keys per user: the user id the session middleware put
  in the Ring request."
  [ctx]
  (get-in ctx [:system :request :session :user-id]))
