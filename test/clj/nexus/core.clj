(ns nexus.core
  "A stand-in for Nexus's dispatch (no.cjohansen/nexus, v2026.06.4), for tests
  on machines that cannot download Nexus. It has the real namespace's name
  because deacon's fan-out dispatches through `nexus.core/dispatch`; it is on
  the test classpath only. Written from Nexus's documented behaviour and
  source, not copied; nexus_fixture_test.clj pins every point below.

  - `dispatch` takes `[nexus system dispatch-data actions]` and returns the
    final ctx without its internal keys: `{:results [...] :errors [...]}`.
  - Interceptors (`:nexus/interceptors`) run around three phases: the whole
    dispatch (`:before-dispatch`/`:after-dispatch`), each action expansion
    (`:before-action`/`:after-action`) and each effect
    (`:before-effect`/`:after-effect`); before-hooks in order, after-hooks in
    reverse. The ctx of `:before-dispatch` holds `:nexus`, `:system`,
    `:dispatch-data`, `:actions`, `:queue` and `:stack`.
  - A hook that throws an Exception leaves the ctx as it was and is recorded
    under `:errors` as `{:id .. :phase .. :err e :trace ..}`; dispatch goes on.
    Other Throwables propagate.
  - What interceptors change in `:system`, `:dispatch-data` and `:actions`
    before the dispatch is what the actions and effects then see.
  - Actions expand through `:nexus/actions` (`(f state & args)`, state from
    `:nexus/system->state`); the rest are effects, called as
    `(f ctx system & args)`. Every effect adds `{:effect e :res r}` to
    `:results`, nil results included; an effect that throws adds an error with
    `:phase :execute-effect` and no result.
  - An effect's ctx holds `:dispatch`, a nested dispatch over the ORIGINAL
    system and dispatch-data (merged with optional extra data) that inherits
    the effect's ctx (all but `:action :actions :effect :stack :queue`) and
    returns `{:results .. :errors ..}`.
  - Placeholders (`:nexus/placeholders`): a vector inside an action whose
    first element names one is replaced by `(f dispatch-data & args)`.")

(set! *warn-on-reflection* true)

(defn- add-error
  [ctx nexus error]
  (when-let [on-error (:nexus/on-error nexus)]
    (try (on-error (dissoc ctx :stack :queue) error) (catch Exception _ nil)))
  (update ctx :errors (fnil conj []) error))

(defn- run-interceptors
  "Threads `ctx` through the `before` hook of each interceptor, in order, then
  the `after` hooks in reverse order, keeping its own queue and stack in the
  ctx. `k` names a ctx key copied into error records."
  [ctx interceptors [before after k]]
  (let [call (fn [state hook phase interceptor]
               (if-not (ifn? hook)
                 state
                 (try
                   (hook state)
                   (catch Exception e
                     (add-error state (:nexus ctx)
                                (cond-> (assoc (select-keys interceptor [:id])
                                               :phase phase :err e :trace (:trace state))
                                  k (assoc k (get ctx k))))))))]
    (loop [state (assoc ctx :queue (seq interceptors) :stack ())]
      (if-let [interceptor (first (:queue state))]
        (recur (call (assoc state :queue (next (:queue state)) :stack (conj (:stack state) interceptor))
                     (get interceptor before) (or (:phase interceptor) before) interceptor))
        (if-let [interceptor (first (:stack state))]
          (recur (call (assoc state :stack (next (:stack state))) (get interceptor after) after interceptor))
          state)))))

(defn- interpolate
  [placeholders dispatch-data form]
  (let [walked (if (coll? form)
                 (let [inner (map #(interpolate placeholders dispatch-data %) form)]
                   (cond (vector? form) (vec inner)
                         (map-entry? form) (vec inner)
                         (map? form) (into (empty form) inner)
                         (set? form) (set inner)
                         :else (apply list inner)))
                 form)]
    (if-let [f (when (vector? walked) (get placeholders (first walked)))]
      (apply f dispatch-data (rest walked))
      walked)))

(defn- state-of
  [nexus ctx]
  (if-let [f (:nexus/system+dispatch-data->state nexus)]
    (f (:system ctx) (:dispatch-data ctx))
    (when-let [f (:nexus/system->state nexus)]
      (f (:system ctx)))))

(defn- actions?
  [x]
  (and (sequential? x) (every? #(and (vector? %) (keyword? (first %))) x)))

(declare ^:private run-actions)

(defn- effect-ctx
  "The ctx an effect function receives: `:dispatch` becomes the nested
  dispatch, which inherits this ctx."
  [ctx]
  (update ctx :dispatch
          (fn [dispatch!]
            (fn [actions & [extra-data]]
              (select-keys (dispatch! actions extra-data (dissoc ctx :action :actions :effect :stack :queue))
                           [:results :errors])))))

(defn- run-effect
  [nexus dispatch! ctx f effect]
  (-> (assoc ctx :dispatch dispatch! :effect effect)
      (run-interceptors
       (conj (:nexus/interceptors nexus)
             {:phase :execute-effect
              :before-effect (fn [{:keys [system effect] :as c}]
                               (let [res (apply f (effect-ctx c) system (rest effect))]
                                 (-> (assoc c :res res :state (state-of nexus c))
                                     (update :results (fnil conj []) {:effect effect :res res}))))})
       [:before-effect :after-effect :effect])
      (dissoc :effect :res)))

(defn- keep-nesting
  [outer ctx]
  (assoc ctx :queue (:queue outer) :stack (:stack outer) :trace (:trace outer)))

(defn- expand-action
  [nexus dispatch! ctx f action]
  (run-interceptors
   (assoc ctx :action action)
   (conj (:nexus/interceptors nexus)
         {:phase :expand-action
          :before-action (fn [c]
                           (let [expanded (apply f (:state c) (rest (:action c)))]
                             (cond
                               (empty? expanded) (keep-nesting ctx (assoc c :actions []))
                               (not (actions? expanded))
                               (add-error c nexus {:action action :phase :expand-action :trace (:trace c)
                                                   :err (ex-info (str (first action) " should expand to a collection of actions")
                                                                 {:res expanded :action action})})
                               :else (keep-nesting ctx (run-actions nexus dispatch! (assoc c :actions expanded))))))})
   [:before-action :after-action :action]))

(defn- run-actions
  [nexus dispatch! ctx]
  (-> (reduce (fn [ctx action]
                (let [action (interpolate (:nexus/placeholders nexus) (:dispatch-data ctx) action)
                      id     (first action)]
                  (if-let [f (get-in nexus [:nexus/actions id])]
                    (expand-action nexus dispatch! ctx f action)
                    (if-let [f (get-in nexus [:nexus/effects id])]
                      (run-effect nexus dispatch! ctx f action)
                      (add-error ctx nexus {:phase :execute-effect :effect-k id
                                            :err (ex-info (str "No such effect " id)
                                                          {:available-effects (keys (:nexus/effects nexus))})})))))
              (assoc ctx :state (state-of nexus ctx))
              (:actions ctx))
      (assoc :queue (:queue ctx) :stack (:stack ctx))))

(defn dispatch
  "Dispatch `actions` through `nexus` with `system` and `dispatch-data`."
  [nexus system dispatch-data actions]
  (when (:nexus/actions nexus)
    (assert (or (ifn? (:nexus/system->state nexus)) (ifn? (:nexus/system+dispatch-data->state nexus)))
            "Either :nexus/system+dispatch-data->state or :nexus/system->state must be a function"))
  (let [nexus (update nexus :nexus/interceptors vec)
        dispatch! (fn dispatch! [actions & [extra-data parent]]
                    (run-interceptors (assoc parent
                                             :nexus nexus
                                             :system system
                                             :dispatch-data (merge dispatch-data extra-data)
                                             :actions actions)
                                      (conj (:nexus/interceptors nexus)
                                            {:phase :action-dispatch
                                             :before-dispatch #(run-actions nexus dispatch! %)})
                                      [:before-dispatch :after-dispatch]))]
    (dissoc (dispatch! actions)
            :nexus :system :state :trace :queue :stack :dispatch :dispatch-data :action :actions)))
