(ns demo.session
  "A browser session id in a cookie, and deacon's `:id-fn` reading it: every
  key the demo stores is scoped as `[session-id k]`, so two browsers never
  share a stream, and the tabs of one browser share theirs."
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
  one). A page request without a cookie gets one set."
  [handler]
  (fn [request]
    (let [existing (from-cookie request)
          sid      (or existing (str (random-uuid)))
          response (handler (assoc request ::id sid))]
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

(defn request-of
  "A request standing for session `sid` in a dispatch that answers no
  request (a timer tick): deacon's `:id-fn` scopes its keys to `sid`."
  [sid]
  {::id sid})

(defn id-fn
  "deacon's `:id-fn`: the session id of the request being dispatched."
  [{{:keys [request]} :system}]
  (id request))

(defn short-id
  "A short, stable stand-in for a session id, so that pages never show
  session cookies: 8 hex digits of its hash."
  [sid]
  (format "%08x" (hash sid)))
