(ns bench.baseline.interceptor
  "The baseline interceptor: deacon's before-dispatch behaviour written the
  idiomatic pure-Clojure way (destructuring, a set of the action ids built on
  each dispatch, `assoc-in`/`update`), over a `bench.baseline.store` store."
  (:require [bench.baseline.store :as store]))

(defn interceptor
  "A Nexus interceptor map `{:id ... :before-dispatch f}` storing, reusing and
  purging connections of `s` by the response's `:datastar.wow.deacon/key`.
  Options: `:id-fn` (ctx -> scope id) and `:on-purge` (ctx, scoped key)."
  [s {:keys [id-fn on-purge]
      :or {id-fn (constantly :datastar.wow.deacon/id)
           on-purge (fn [_ _])}}]
  {:id :datastar.wow.deacon/connections
   :before-dispatch
   (fn [{:keys [actions system dispatch-data] :as ctx}]
     (let [{:datastar.wow/keys [response connection with-open-sse?]} dispatch-data
           k (:datastar.wow.deacon/key response)]
       (if (nil? k)
         ctx
         (let [scoped [(id-fn ctx) k]
               ids (into #{} (map first) actions)
               sse (:sse system)]
           (cond
             (contains? ids :datastar.wow/connection)
             (if-some [conn (store/connection s scoped)]
               (assoc-in ctx [:dispatch-data :datastar.wow/connection] conn)
               ctx)

             (contains? ids :datastar.wow/sse-closed)
             (do (store/purge! s scoped)
                 (on-purge ctx scoped)
                 (update ctx :dispatch-data dissoc :datastar.wow/connection))

             (and (some? sse) (nil? connection) (not with-open-sse?))
             (do (store/store! s scoped sse)
                 (assoc-in ctx [:dispatch-data :datastar.wow/connection] sse))

             :else ctx)))))})
