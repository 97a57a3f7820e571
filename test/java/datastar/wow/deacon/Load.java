package datastar.wow.deacon;

/**
 * How hard the reliability tests push. The default {@code mvn verify} runs bounded versions; {@code
 * mvn verify -Plong} sets {@code -Ddeacon.long=true} and runs the long ones.
 */
public final class Load {
  private Load() {}

  /** True under {@code -Plong}. */
  public static final boolean LONG = Boolean.getBoolean("deacon.long");

  /**
   * @param bounded the figure for the default run
   * @param longRun the figure under {@code -Plong}
   * @return the figure for this run
   */
  public static int pick(int bounded, int longRun) {
    return LONG ? longRun : bounded;
  }
}
