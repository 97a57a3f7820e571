(ns datastar.wow
  "A stand-in for datastar.wow (com.github.brianium/datastar.wow), for tests
  on machines that cannot download it: the vars the README, `doc/` and the
  REPL demo name, working over the test stand-ins of datastar.wow's dispatch
  (`datastar.wow.deacon.test.wow`) and of Nexus. It has the real namespace's
  name so that the documentation's examples and the demo run as written; it
  is on the test classpath only."
  (:require [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(def CDN-url
  "Where a page loads Datastar's script from (the stand-in's own value)."
  "https://cdn.jsdelivr.net/gh/starfederation/datastar@1.0.0/bundles/datastar.js")

(defn dispatch
  "A dispatch function over the registries of `opts` (`::registries`), as
  datastar.wow builds one: `(f system dispatch-data actions)`, or
  `(f dispatch-data actions)` with an empty system."
  [opts]
  (let [f (wow/create-dispatch (::registries opts))]
    (fn
      ([dispatch-data actions] (f {} dispatch-data actions))
      ([system dispatch-data actions] (f system dispatch-data actions)))))

(defn with-datastar
  "Ring middleware from an SDK adapter's `->sse-response` and options
  (`::registries`, or a ready `::dispatch`; `::read-json` to read signals). A
  handler response holding `::fx` (or `:🚀`) is handled as datastar.wow
  does (`datastar.wow.deacon.test.wow/request!`): 204 when it went down an
  existing stream, else the SSE response of `->sse-response`. Any other
  response is returned as it is."
  ([->sse-response] (with-datastar ->sse-response {}))
  ([->sse-response opts]
   (let [dispatch  (or (::dispatch opts) (dispatch opts))
         read-json (::read-json opts)]
     (fn [handler]
       (let [handle (fn [request]
                      (let [response (handler request)]
                        (if (and (map? response) (or (contains? response ::fx) (contains? response :🚀)))
                          (let [{:keys [status ring]} (wow/request! dispatch request response
                                                                    {:->sse-response ->sse-response})]
                            (or ring {:status status}))
                          response)))]
         (if read-json (wow/wrap-signals handle read-json) handle))))))
