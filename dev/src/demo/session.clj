(ns demo.session
  "A browser session id in a cookie, and deacon's `:id-fn` reading it: every
  key the demo stores is scoped as `[session-id k]`, so two browsers never
  share a stream."
  (:require [clojure.string :as str]))

(set! *warn-on-reflection* true)

(def cookie-name
  "The session cookie."
  "deacon-demo-sid")

(defn from-cookie
  "The session id in the request's Cookie header, or nil."
  [request]
  (when-let [header (get-in request [:headers "cookie"])]
    (some (fn [pair]
            (let [[k v] (str/split (str/trim pair) #"=" 2)]
              (when (and (= k cookie-name) (not (str/blank? v))) v)))
          (str/split header #";"))))

(defn wrap-session
  "Ring middleware: puts the session id at `::id` (from the cookie, or a new
  one) and a fresh id for this page load at `::tab`. A page request without
  a cookie gets one set."
  [handler]
  (fn [request]
    (let [existing (from-cookie request)
          sid      (or existing (str (random-uuid)))
          response (handler (assoc request ::id sid ::tab (str (random-uuid))))]
      (if (or existing
              (not (map? response))
              (get-in request [:headers "datastar-request"]))
        response
        (assoc-in response [:headers "Set-Cookie"]
                  (str cookie-name "=" sid "; Path=/; HttpOnly; SameSite=Lax"))))))

(defn id
  "The session id of a Ring request (nil outside a request)."
  [request]
  (::id request))

(defn id-fn
  "deacon's `:id-fn`: the session id of the request being dispatched."
  [{{:keys [request]} :system}]
  (id request))
