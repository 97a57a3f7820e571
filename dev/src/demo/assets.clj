(ns demo.assets
  "What the page loads besides Datastar's script, all served by the demo
  itself: the stylesheet (`demo/style.css`, no fonts or frameworks from
  elsewhere) and the favicon, an ICO drawn here."
  (:require [clojure.java.io :as io])
  (:import (java.nio ByteBuffer ByteOrder)))

(set! *warn-on-reflection* true)

(def stylesheet
  "The page's CSS, from `demo/style.css` beside this file."
  (slurp (io/resource "demo/style.css")))

(def ^:private size 32)

(defn- rgba
  "The icon's pixel at column `x`, row `y` (0 at the top): an indigo disc
  with a white dot and ring, a stream going out. Edges are smoothed by
  sampling each pixel 4 x 4 times. Returns `[r g b a]`, 0 to 255."
  [x y]
  (let [samples (for [i (range 4) j (range 4)]
                  (let [dx (- (+ x (/ (+ i 0.5) 4.0)) 16.0)
                        dy (- (+ y (/ (+ j 0.5) 4.0)) 16.0)
                        r  (Math/sqrt (+ (* dx dx) (* dy dy)))]
                    (cond (or (<= r 4.0) (<= 8.0 r 11.0)) :white
                          (<= r 15.5) :disc
                          :else nil)))
        white   (count (filter #{:white} samples))
        inside  (count (remove nil? samples))
        mix     (fn [from to] (if (zero? inside) 0 (Math/round (+ from (* (- to from) (/ white (double inside)))))))]
    [(mix 0x4f 0xff) (mix 0x46 0xff) (mix 0xe5 0xff) (Math/round (* 255.0 (/ inside 16.0)))]))

(defn- ico
  "A 32 x 32, 32-bit ICO: the ICO header and directory entry, then a
  bottom-up BGRA bitmap and its (unused, all clear) AND mask."
  ^bytes []
  (let [pixels (* size size 4)
        mask   (* size 4)
        image  (+ 40 pixels mask)
        buf    (.order (ByteBuffer/allocate (+ 6 16 image)) ByteOrder/LITTLE_ENDIAN)]
    ;; ICONDIR: reserved, type 1 (icon), one image
    (.putShort buf 0) (.putShort buf 1) (.putShort buf 1)
    ;; ICONDIRENTRY: width, height, no palette, reserved, 1 plane, 32 bits, size, offset
    (.put buf (unchecked-byte size)) (.put buf (unchecked-byte size)) (.put buf (byte 0)) (.put buf (byte 0))
    (.putShort buf 1) (.putShort buf 32) (.putInt buf image) (.putInt buf 22)
    ;; BITMAPINFOHEADER: the height counts the bitmap and the mask
    (.putInt buf 40) (.putInt buf size) (.putInt buf (* 2 size)) (.putShort buf 1) (.putShort buf 32)
    (.putInt buf 0) (.putInt buf (+ pixels mask)) (.putInt buf 0) (.putInt buf 0) (.putInt buf 0) (.putInt buf 0)
    (doseq [y (range (dec size) -1 -1) x (range size)]
      (let [[r g b a] (rgba x y)]
        (.put buf (unchecked-byte b)) (.put buf (unchecked-byte g))
        (.put buf (unchecked-byte r)) (.put buf (unchecked-byte a))))
    (.put buf (byte-array mask))
    (.array buf)))

(def favicon
  "The favicon's bytes, an ICO served at /favicon.ico."
  (ico))
