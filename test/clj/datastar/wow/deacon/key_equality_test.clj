(ns datastar.wow.deacon.key-equality-test
  "Keys compare in the stores as in a Clojure map (`=` and `hash`), and
  pattern elements as with `=`, whatever path the comparison takes: vectors
  of keywords and strings (every scoped key), nested vectors, numbers of
  different classes, map entries, lists."
  (:require [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon :as d*conn]))

(set! *warn-on-reflection* true)

(defn- stores []
  [[:atom (d*conn/store {:type :atom})]
   [:caffeine (d*conn/store {:type :caffeine})]])

(def ^:private same-keys
  "Pairs of keys a Clojure map treats as one key, the second built afresh."
  [[["user-1" ::feed] [(String. "user-1") ::feed]]
   [[::id [:room 7]] [::id [:room (int 7)]]]
   [[::id [:room 7]] [::id (list :room 7)]]
   [[42 ::k] [(int 42) ::k]]
   [["u" ::k] (first {"u" ::k})]
   [[:a "b" [:c ["d" 1]]] [:a (String. "b") [:c [(String. "d") (short 1)]]]]])

(def ^:private other-keys
  "Pairs of keys a Clojure map keeps apart."
  [[["user-1" ::feed] ["user-2" ::feed]]
   [["user-1" ::feed] ["user-1" ::chat]]
   [["user-1" ::feed] ["user-1" "feed"]]
   [["user-1" ::feed] ['user-1 ::feed]]
   [[::id [:room 7]] [::id [:room 7.0]]]
   [[::id [:room 7]] [::id [:room 7 :x]]]
   [["u" ::k] ["u" ::k nil]]])

(deftest equal-keys-find-each-other
  (doseq [[type s] (stores)
          [stored asked] same-keys]
    (testing (str type " " (pr-str stored) " asked as " (pr-str asked))
      (is (= stored asked) "the pair is equal for Clojure")
      (d*conn/store! s stored ::conn)
      (is (= ::conn (d*conn/connection s asked)))
      (is (true? (d*conn/purge! s asked)))
      (is (nil? (d*conn/connection s stored))))))

(deftest different-keys-stay-apart
  (doseq [[type s] (stores)
          [stored asked] other-keys]
    (testing (str type " " (pr-str stored) " asked as " (pr-str asked))
      (is (not= stored asked) "the pair differs for Clojure")
      (d*conn/store! s stored ::conn)
      (is (nil? (d*conn/connection s asked)))
      (d*conn/purge! s stored))))

(deftest pattern-elements-compare-with-=
  (doseq [[pattern k matches] [[[:* ::feed] ["u" ::feed] true]
                               [[:* ::feed] ["u" ::chat] false]
                               [[:* ::feed] ["u" :feed] false]
                               [[:* ::feed] ["u" "feed"] false]
                               [[:* ::feed] ["u" 'feed] false]
                               [[:* ::feed] ["u" [::feed]] false]
                               [[:* [:room :*]] ["u" [:room 7]] true]
                               [[:* [:room 7]] ["u" [:room (int 7)]] true]
                               [[:* [:room 7]] ["u" (list :room 7)] true]
                               [["u" :*] [(String. "u") ::feed] true]]]
    (is (= matches (d*conn/matches? pattern k)) (pr-str pattern k))
    (doseq [[type s] (stores)]
      (d*conn/store! s k ::conn)
      (is (= (if matches [k] nil) (d*conn/list-keys s pattern)) (str type " " (pr-str pattern k))))))
