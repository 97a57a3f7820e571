package datastar.wow.deacon.examples;

/**
 * What the server tells a browser when a command (start, add ten, stop) does not fully work, the
 * same words as the REPL demo's (in {@code demo.view}, kept equal by a test).
 *
 * <ul>
 *   <li>no tab of the session is open: the command answers {@code 404} with {@link #noTab}, and
 *       changes nothing (nobody would see it, and a timer nobody watches would tick for nobody);
 *   <li>the cluster's directory does not answer: {@code 503} with {@link #UNREACHABLE}, nothing
 *       changed;
 *   <li>a command applied here that could not reach the other nodes: {@code 204}, and the
 *       session's tabs here are sent {@link #ONLY_HERE} as the {@code notice} signal.
 * </ul>
 *
 * <p>The page shows the {@code notice} signal above its buttons; for an answer of {@code 400} or
 * more it sets it itself ({@link #ON_FETCH_ERROR}): Datastar dispatches a {@code datastar-fetch}
 * event of type {@code error}, with the status, for such an answer.
 */
public final class Notices {
  private Notices() {}

  /**
   * @param clustered whether the server is a node of a cluster
   * @return the body of the {@code 404} a command gets when no tab of its session is open
   */
  public static String noTab(boolean clustered) {
    return "no tab of this session is open" + (clustered ? " on any node" : "") + ": open the page first";
  }

  /** The body of the {@code 503} a command gets when the cluster's directory does not answer. */
  public static final String UNREACHABLE =
      "the other nodes could not be reached (Redis did not answer): nothing changed, try again";

  /** The notice a command applied here that could not reach the other nodes leaves on the tabs here. */
  public static final String ONLY_HERE =
      "Redis did not answer: only the tabs on this node got this change, and it may be lost when"
          + " the other nodes are back";

  /**
   * The page's {@code data-on:datastar-fetch} expression: a response of {@code 400} or more to one
   * of its requests sets the notice.
   */
  public static final String ON_FETCH_ERROR =
      "evt.detail.type === 'error' && ($notice = evt.detail.argsRaw.status == 503"
          + " ? 'The other nodes could not be reached: nothing changed, try again.'"
          + " : 'The server answered ' + evt.detail.argsRaw.status + ': reload the page.')";
}
