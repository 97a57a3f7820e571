(ns demo.respond
  "Sending a response when no request asks for it: a timer tick, a change in
  the store. The response is the same map a handler would return, so deacon
  treats it the same way: a `::d*conn/key` reaches every stream of the key (one
  per tab with fan-out), a `::d*conn/broadcast-all` every matching stream of
  every session.")

(set! *warn-on-reflection* true)

(defn respond!
  "Runs `response` (a datastar.wow response map: a deacon key or broadcast
  pattern, and `:datastar.wow/fx`) through `dispatch` (a datastar.wow dispatch
  function, `(fn [system dispatch-data actions])`), the way datastar.wow runs a
  response whose connection already exists: a look-up dispatch of
  `[[:datastar.wow/connection]]`, in which deacon names the stored stream (or,
  for a broadcast, its marker), then the effects dispatched on it, where
  deacon fans them out.

  `request` stands for the request (deacon's `:id-fn` reads it); nil for a
  `::d*conn/broadcast-all`, which scopes nothing. Nothing is ever opened or
  stored: with no stream to reach, nothing happens. Returns false when a key
  has no stream, else true (a broadcast always dispatches: on every matching
  stream, maybe none)."
  [dispatch request response]
  (let [data {:datastar.wow/response       response
              :datastar.wow/request        request
              ;; should the stream close before the effects run, deacon stores nothing
              :datastar.wow/with-open-sse? true}
        conn (some-> (dispatch {:sse nil :request request} data [[:datastar.wow/connection]])
                     :results first :res)]
    (if (some? conn)
      (do (dispatch {:sse conn :request request} data (:datastar.wow/fx response))
          true)
      false)))
