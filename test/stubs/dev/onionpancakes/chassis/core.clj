(ns dev.onionpancakes.chassis.core
  "Stand-in with the vars of chassis the demo names; compile checks only.")

(def doctype-html5 "The HTML5 doctype." "")
