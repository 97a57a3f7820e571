(ns bench.dispatch
  "Registries for the dispatch benchmarks, used with the datastar.wow stand-in
  (`datastar.wow.deacon.test.wow/create-dispatch`).")

(defn noop-registry
  "A registry whose one interceptor does nothing: the baseline of a dispatch
  with deacon's interceptor in its place."
  []
  {:datastar.wow/interceptors [{:id :bench/noop :before-dispatch (fn [ctx] ctx)}]})

(defn capture-registry
  "A registry whose interceptor keeps the last ctx its `:before-dispatch` saw
  in atom `a`; placed before deacon's, it sees what deacon's sees."
  [a]
  {:datastar.wow/interceptors [{:id :bench/capture :before-dispatch (fn [ctx] (reset! a ctx) ctx)}]})

(defn before-dispatch
  "The `:before-dispatch` function of the first interceptor of `registry`."
  [registry]
  (-> registry :datastar.wow/interceptors first :before-dispatch))
