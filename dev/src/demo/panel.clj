(ns demo.panel
  "The live key panel: whenever the store's set of keys changes, every open
  panel stream gets the new list."
  (:require [datastar.wow.deacon :as d*conn]
            [demo.handlers :as handlers]
            [demo.view :as view]))

(set! *warn-on-reflection* true)

(defn push!
  "Sends the panel for keys `ks` down every stored panel stream, found with
  the pattern `[:* [::handlers/panel :*]]`. `dispatch` is a datastar.wow
  dispatch function; these sends answer no request, so deacon leaves them be."
  [{:keys [store]} dispatch ks]
  (doseq [[[sid] sse] (d*conn/connections store [:* (handlers/panel-key :*)])]
    (dispatch {:sse sse :request nil} {}
              [[:datastar.wow/patch-elements (view/keys-panel ks sid)]])))

(defn watch!
  "Watches the atom under the store (`(:entries app)`) and calls `push!` when
  a key comes or goes."
  [{:keys [entries] :as app} dispatch]
  (add-watch entries ::keys
             (fn [_ _ old new]
               (when-not (= (set (keys old)) (set (keys new)))
                 (push! app dispatch (keys new))))))
