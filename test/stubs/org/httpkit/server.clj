(ns org.httpkit.server
  "Stand-in with the vars of http-kit the demo names; compile checks only.")

(defn run-server "Starts a server." [_handler _opts])
(defn server-port "The port of a server." [_server])
(defn server-stop! "Stops a server; a promise, or nil." ([_server]) ([_server _opts]))
