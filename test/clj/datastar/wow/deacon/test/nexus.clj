(ns datastar.wow.deacon.test.nexus
  "A small, faithful stand-in for the parts of Nexus (no.cjohansen/nexus) that
  datastar.wow uses, for tests on machines that cannot download Nexus.

  What it reproduces (see nexus_fixture_test.clj, which pins each point):
  - `dispatch` runs `:nexus/interceptors` then its own handler; `:before-*`
    hooks run in order, `:after-*` hooks in reverse order;
  - the ctx seen by `:before-dispatch` holds `:system`, `:state`,
    `:dispatch-data`, `:actions`, `:queue` and `:stack`;
  - a hook that throws an Exception leaves the ctx unchanged and is recorded
    under `:errors` as `{:phase .. :err e :id ..}`; dispatch carries on;
  - actions expand through `:nexus/actions` (pure `(f state & args)`), the
    rest are effects called as `(f ctx system & args)`, where ctx holds the
    dispatch-data as changed by interceptors and a nested `:dispatch` fn;
  - the nested `:dispatch` uses the ORIGINAL system and dispatch-data (merged
    with optional extra data), not the interceptor-changed ones;
  - the result is `{:results [{:effect e :res r} ...] :errors [...]}`, with
    only non-nil results.")

(set! *warn-on-reflection* true)

(defn- run-hook
  [ctx interceptor hook]
  (let [f (get interceptor hook)]
    (if (ifn? f)
      (try
        (f ctx)
        (catch Exception e
          (update ctx :errors (fnil conj [])
                  (cond-> {:phase hook :err e}
                    (:id interceptor) (assoc :id (:id interceptor))))))
      ctx)))

(defn- run-chain
  [ctx interceptors before after]
  (let [ctx (reduce #(run-hook %1 %2 before)
                    (assoc ctx :queue (seq interceptors) :stack ())
                    interceptors)]
    (reduce #(run-hook %1 %2 after) ctx (reverse interceptors))))

(defn- expand
  [nexus state action]
  (if-let [f (get-in nexus [:nexus/actions (first action)])]
    (let [expanded (apply f state (rest action))]
      (if (= expanded [action])
        expanded
        (mapcat #(expand nexus state %) expanded)))
    [action]))

(defn- execute
  [nexus ctx effect]
  (if-let [f (get-in nexus [:nexus/effects (first effect)])]
    (let [handler {:id ::effect
                   :before-effect
                   (fn [c]
                     (assoc c :res (apply f
                                          (dissoc c :system :actions :effect :queue :stack)
                                          (:system c)
                                          (rest (:effect c)))))}
          out     (run-chain (assoc ctx :effect effect)
                             (conj (vec (:nexus/interceptors nexus)) handler)
                             :before-effect :after-effect)]
      (select-keys out [:res :errors]))
    {:errors (conj (vec (:errors ctx))
                   {:phase :execute-effect
                    :effect-k (first effect)
                    :err (ex-info "No such effect" {:effect effect})})}))

(defn dispatch
  "Dispatch `actions` through `nexus` with `system` and `dispatch-data`."
  [nexus system dispatch-data actions]
  (letfn [(dispatch! [actions & [extra]]
            (let [handler
                  {:id ::handler
                   :before-dispatch
                   (fn [ctx]
                     (let [effects (mapcat #(expand nexus (:state ctx) %) (:actions ctx))
                           ectx    (assoc (dissoc ctx :actions) :dispatch dispatch!)]
                       (reduce (fn [ctx effect]
                                 (let [out (execute nexus (assoc ectx :errors (:errors ctx)) effect)]
                                   (cond-> ctx
                                     (some? (:res out)) (update :results (fnil conj []) {:effect effect :res (:res out)})
                                     (:errors out)      (assoc :errors (:errors out)))))
                               ctx effects)))}]
              (run-chain {:system        system
                          :state         (when-let [f (:nexus/system->state nexus)] (f system))
                          :dispatch-data (merge dispatch-data extra)
                          :actions       actions}
                         (conj (vec (:nexus/interceptors nexus)) handler)
                         :before-dispatch :after-dispatch)))]
    (select-keys (dispatch! actions) [:results :errors])))
