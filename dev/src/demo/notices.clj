(ns demo.notices
  "What the demo tells a browser when a command (start, add ten, stop) does
  not fully work, in the same words as the Java example
  (`datastar.wow.deacon.examples.Notices`, kept equal by a test):

  - no tab of the session is open: the command answers 404 with `no-tab`
    and changes nothing (nobody would see it, and a timer nobody watches
    would tick for nobody);
  - the cluster's directory does not answer: 503 with `unreachable`,
    nothing changed;
  - a command applied here that could not reach the other nodes: 204, and
    the session's tabs here are sent `only-here` as the `notice` signal.

  The page shows the `notice` signal above its buttons; for an answer of 400
  or more it sets it itself (`on-fetch-error`): Datastar dispatches a
  `datastar-fetch` event of type `error`, with the status, for such an
  answer.")

(set! *warn-on-reflection* true)

(defn no-tab
  "The body of the 404 a command gets when no tab of its session is open
  (`clustered?`: on any node of the cluster)."
  [clustered?]
  (str "no tab of this session is open" (when clustered? " on any node") ": open the page first"))

(def unreachable
  "The body of the 503 a command gets when the cluster's directory does not
  answer."
  "the other nodes could not be reached (Redis did not answer): nothing changed, try again")

(def only-here
  "The notice a command applied here that could not reach the other nodes
  leaves on the session's tabs here."
  (str "Redis did not answer: only the tabs on this node got this change, and it may be lost when"
       " the other nodes are back"))

(def on-fetch-error
  "The page's `data-on:datastar-fetch` expression: a response of 400 or more
  to one of its requests sets the notice."
  (str "evt.detail.type === 'error' && ($notice = evt.detail.argsRaw.status == 503"
       " ? 'The other nodes could not be reached: nothing changed, try again.'"
       " : 'The server answered ' + evt.detail.argsRaw.status + ': reload the page.')"))
