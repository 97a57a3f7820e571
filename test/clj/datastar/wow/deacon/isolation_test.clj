(ns datastar.wow.deacon.isolation-test
  "User isolation: with an `:id-fn` scoping keys by the user of the request,
  no key a client can choose (from signals, say) reaches another user's
  stream: not keys crafted to look like scoped keys, not the
  `{:datastar.wow/connection <key>}` reuse form. Example-based cases, then a
  property over generated hostile keys. Also pins what the default, global
  scope means: one scope shared by every request."
  (:require [clojure.test :refer [deftest is testing]]
            [clojure.test.check.clojure-test :refer [defspec]]
            [clojure.test.check.generators :as gen]
            [clojure.test.check.properties :as prop]
            [datastar.wow.deacon :as d*conn]
            [datastar.wow.deacon.test.wow :as wow]))

(set! *warn-on-reflection* true)

(def ^:private runs (if (Boolean/getBoolean "deacon.long") 2000 200))

(defn- user-id
  "The scope: the user the server authenticated, never anything the client sent."
  [{{:keys [request]} :system}]
  (:user-id request))

(defn- app [store]
  (wow/create-dispatch [[d*conn/registry store {:id-fn user-id :on-error (fn [_ _])}]]))

(defn- open! [dispatch user k]
  (:sse (wow/request! dispatch (wow/request {:user-id user}) {::d*conn/key k :🚀 []})))

(defn- attack!
  "User `user` answers with `response` plus one patch action naming `marker`."
  [dispatch user response marker]
  (wow/request! dispatch (wow/request {:user-id user})
                (assoc response :🚀 [[:datastar.wow/patch-signals {:attack marker}]])))

(deftest hostile-keys-never-reach-another-users-stream
  (doseq [type [:atom :caffeine]]
    (testing type
      (let [store (d*conn/store {:type type})
            dispatch (app store)
            bob (open! dispatch :bob ::counter)
            scoped-bob [:bob ::counter]]
        (doseq [[label response]
                [["the same key" {::d*conn/key ::counter}]
                 ["a key shaped like bob's scoped key" {::d*conn/key scoped-bob}]
                 ["bob's scoped key under the default id" {::d*conn/key [::d*conn/id ::counter]}]
                 ["a key nesting bob's scoped key" {::d*conn/key [:bob scoped-bob]}]
                 ["the reuse form with the same key" {:datastar.wow/connection ::counter}]
                 ["the reuse form with bob's scoped key" {:datastar.wow/connection scoped-bob}]
                 ["the reuse form with a nested scoped key" {:datastar.wow/connection [:alice scoped-bob]}]
                 ["both forms at once" {:datastar.wow/connection scoped-bob ::d*conn/key scoped-bob}]
                 ["a string user id" {::d*conn/key ["bob" ::counter]}]]]
          (testing label
            (attack! dispatch :alice response label)
            (is (= [] (wow/events bob)) "nothing reached bob's stream")
            (is (identical? bob (d*conn/connection store scoped-bob)) "bob's entry is untouched")))
        (testing "alice's own streams live in alice's scope only"
          (is (every? #(= :alice (first %)) (remove #{scoped-bob} (d*conn/list-keys store)))))
        (testing "bob himself still reaches his stream"
          (attack! dispatch :bob {::d*conn/key ::counter} "bob's own")
          (is (= [[:datastar.wow/patch-signals {:attack "bob's own"}]] (wow/events bob))))))))

(deftest the-default-scope-is-global
  (let [store (d*conn/store {:type :atom})
        dispatch (wow/create-dispatch [[d*conn/registry store]])
        bob (open! dispatch :bob ::counter)]
    (attack! dispatch :alice {::d*conn/key ::counter} "shared")
    (is (= [[:datastar.wow/patch-signals {:attack "shared"}]] (wow/events bob))
        "without :id-fn every request shares one scope: alice reaches bob's stream")
    (is (= [[::d*conn/id ::counter]] (d*conn/list-keys store)))))

;;; Generated hostile keys

(def ^:private users [:alice :bob :carol 1 2 "alice" "bob"])

(def gen-scalar
  "Scalars a client could send, user ids and the library's own keywords among them."
  (gen/one-of [gen/keyword gen/keyword-ns gen/string-ascii gen/small-integer gen/boolean
               (gen/elements (concat users [::counter ::d*conn/id :* nil]))]))

(def gen-key
  "Keys a client could craft: scalars, vectors of them (shaped like scoped
  keys or not), maps, and the reuse form's values."
  (gen/recursive-gen (fn [inner] (gen/one-of [(gen/vector inner 1 3)
                                              (gen/tuple (gen/elements users) inner)
                                              (gen/map gen/keyword inner {:max-elements 2})]))
                     gen-scalar))

(def gen-response
  "A hostile handler response: a key, the reuse form, or both."
  (gen/one-of [(gen/fmap (fn [k] {::d*conn/key k}) gen-key)
               (gen/fmap (fn [k] {:datastar.wow/connection k}) gen-key)
               (gen/fmap (fn [[a b]] {:datastar.wow/connection a ::d*conn/key b}) (gen/tuple gen-key gen-key))]))

(defspec no-generated-key-reaches-another-users-stream runs
  (prop/for-all [victim (gen/elements users)
                 victim-key gen-key
                 attacker (gen/elements users)
                 responses (gen/vector gen-response 1 4)]
    (let [store (d*conn/store {:type :atom})
          dispatch (app store)
          stream (open! dispatch victim victim-key)
          scoped [victim victim-key]]
      (doseq [r (concat responses
                        ;; aimed at the victim: its key, its scoped key, both forms
                        [{::d*conn/key victim-key} {::d*conn/key scoped}
                         {:datastar.wow/connection victim-key} {:datastar.wow/connection scoped}
                         {:datastar.wow/connection scoped ::d*conn/key victim-key}])]
        (attack! dispatch attacker r "x"))
      (or (some? (when (and (= victim attacker) (some? victim-key)) :same-user))
          (nil? victim-key)
          (and (= [] (wow/events stream))
               (identical? stream (d*conn/connection store scoped)))))))

;;; Scoping and patterns

(def gen-plain-key
  "Keys without :*."
  (gen/recursive-gen (fn [inner] (gen/vector inner 0 3))
                     (gen/one-of [gen/keyword gen/small-integer gen/string-ascii (gen/elements users)])))

(defspec scoped-keys-are-equal-only-when-id-and-key-are runs
  (prop/for-all [id1 (gen/elements users) id2 (gen/elements users) k1 gen-plain-key k2 gen-plain-key]
    (= (= (d*conn/scoped-key id1 k1) (d*conn/scoped-key id2 k2))
       (and (= id1 id2) (= k1 k2)))))

(defn- paths
  "Index paths to every element of nested vector `k` (the root included)."
  [k]
  (cons [] (when (vector? k)
             (mapcat (fn [i] (map #(cons i %) (paths (nth k i)))) (range (count k))))))

(defspec patterns-match-what-they-describe runs
  (prop/for-all [id (gen/elements users) other (gen/elements users) k gen-plain-key
                 choice gen/nat]
    (let [scoped (d*conn/scoped-key id k)
          ps (vec (paths scoped))
          path (vec (nth ps (mod choice (count ps))))
          pattern (if (empty? path) :* (assoc-in scoped path :*))]
      (and (d*conn/matches? scoped scoped)
           (d*conn/matches? :* scoped)
           (d*conn/matches? pattern scoped)
           (d*conn/matches? [id :*] scoped)
           (d*conn/matches? [:* k] scoped)
           (= (= id other) (d*conn/matches? [other :*] scoped))
           (not (d*conn/matches? [id :*] [id k :extra]))
           (not (d*conn/matches? [:* :* :*] scoped))))))

(defspec listing-by-pattern-equals-filtering-by-matches runs
  (prop/for-all [entries (gen/vector (gen/tuple (gen/elements users) gen-plain-key) 0 12)
                 pattern (gen/one-of [(gen/return :*)
                                      (gen/fmap (fn [u] [u :*]) (gen/elements users))
                                      (gen/fmap (fn [k] [:* k]) gen-plain-key)])]
    (every? true?
            (for [type [:atom :caffeine]]
              (let [s (d*conn/store {:type type})]
                (doseq [[u k] entries] (d*conn/store! s (d*conn/scoped-key u k) (Object.)))
                (= (set (filter #(d*conn/matches? pattern %) (d*conn/list-keys s)))
                   (set (d*conn/list-keys s pattern))))))))
