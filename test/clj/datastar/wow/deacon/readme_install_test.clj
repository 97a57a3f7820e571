(ns datastar.wow.deacon.readme-install-test
  "The README's Install section: the deps.edn block a user pastes names the
  stack the library is built and tested against, the same coordinates as the
  `:dev` alias of deps.edn; its http-kit is one that delivers every close;
  installing from source skips the tests."
  (:require [clojure.edn :as edn]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [datastar.wow.deacon.docs-test :as docs]
            [datastar.wow.deacon.http-kit-version :as hkv]))

(set! *warn-on-reflection* true)

(def ^:private deacon 'io.github.datastar-wow/datastar.wow.deacon)

(defn- install-section []
  (let [readme (slurp "README.md")
        start  (str/index-of readme "## Install")
        end    (str/index-of readme "\n## " (inc (long start)))]
    (subs readme start end)))

(defn- deps-block
  "The code of the Install section's block holding a `{:deps ...}` map."
  []
  (let [blocks (docs/blocks "README.md" (install-section))
        found  (filter #(str/starts-with? (str/triml (:code %)) "{:deps") blocks)]
    (is (= 1 (count found)) "one deps.edn block in Install")
    (:code (first found))))

(deftest the-install-block-names-the-dev-alias's-coordinates
  (let [code    (deps-block)
        pasted  (:deps (edn/read-string code))
        dev     (get-in (edn/read-string (slurp "deps.edn")) [:aliases :dev :extra-deps])]
    (is (seq dev))
    (is (= dev (dissoc pasted deacon)) "every coordinate and version equal to deps.edn's :dev alias")
    (testing "deacon itself, as a git dependency whose commit says where to find it"
      (is (= {:git/url "https://github.com/datastar-wow/datastar.wow.deacon" :git/sha "<commit>"}
             (get pasted deacon)))
      (is (str/includes? code "git ls-remote"))
      (is (str/includes? code "release tag")))
    (testing "an http-kit that delivers every close"
      (is (false? (hkv/older-than-fixed? (get-in pasted ['http-kit/http-kit :mvn/version])))))))

(deftest installing-from-source-skips-the-tests
  (let [section (install-section)]
    (is (str/includes? section "`mvn -DskipTests install`"))
    (is (not (re-find #"`mvn install`" section)))
    (is (str/includes? section "`mvn verify` is the test command"))))
