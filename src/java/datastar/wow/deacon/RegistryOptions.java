package datastar.wow.deacon;

import clojure.lang.Keyword;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How the interceptor scopes keys and whom it tells of purges and errors. From Clojure these are
 * the options map of {@code (datastar.wow.deacon/registry store opts)}; from Java, the builder.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Clojure</th><th>Java</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code :id-fn}</td><td>{@link Builder#idFn}</td><td>always {@code
 *       :datastar.wow.deacon/id}</td><td>dispatch ctx to scope id; keys are stored as {@code [id
 *       k]}</td></tr>
 *   <tr><td>{@code :on-purge}</td><td>{@link Builder#onPurge}</td><td>none</td><td>called as
 *       {@code (f ctx scoped-key)} or {@code (f ctx)} after a close purged an entry</td></tr>
 *   <tr><td>{@code :on-error}</td><td>{@link Builder#onError}</td><td>log at ERROR</td>
 *       <td>called as {@code (f exception ctx)} when scoping, the store or {@code :on-purge}
 *       fails</td></tr>
 * </table>
 */
public final class RegistryOptions {
  private static final System.Logger LOG = System.getLogger("datastar.wow.deacon");
  private static final Keyword ID_FN = Keyword.intern("id-fn");
  private static final Keyword ON_PURGE = Keyword.intern("on-purge");
  private static final Keyword ON_ERROR = Keyword.intern("on-error");

  /** Logs the error at ERROR level on the {@code datastar.wow.deacon} System.Logger. */
  public static final BiConsumer<Throwable, Object> LOG_ERRORS =
      (e, ctx) -> LOG.log(Level.ERROR, e.getMessage(), e);

  final Function<Object, Object> idFn;
  final BiConsumer<Object, Object> onPurge;
  final BiConsumer<Throwable, Object> onError;

  private RegistryOptions(Builder b) {
    this.idFn = b.idFn;
    this.onPurge = b.onPurge;
    this.onError = b.onError;
  }

  /** @return the defaults: one global scope, no purge callback, errors logged */
  public static RegistryOptions defaults() {
    return builder().build();
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param options a Clojure map with {@code :id-fn}, {@code :on-purge}, {@code :on-error}; nil
   *     values mean the default; other unqualified keys are refused
   * @return the options
   */
  public static RegistryOptions fromMap(Object options) {
    Options o = Options.read("registry", options, Set.of(ID_FN, ON_PURGE, ON_ERROR));
    Builder b = builder();
    if (o.has(ID_FN)) b.idFn(Fns.idFn(o.fn(ID_FN)));
    if (o.has(ON_PURGE)) b.onPurge(Fns.onPurge(o.fn(ON_PURGE)));
    if (o.has(ON_ERROR)) b.onError(Fns.onError(o.fn(ON_ERROR)));
    return b.build();
  }

  /** Builds {@link RegistryOptions}. */
  public static final class Builder {
    private Function<Object, Object> idFn;
    private BiConsumer<Object, Object> onPurge;
    private BiConsumer<Throwable, Object> onError = LOG_ERRORS;

    private Builder() {}

    /**
     * @param idFn from the dispatch ctx (a Clojure map with {@code :system}, {@code
     *     :dispatch-data}, ...) to the scope id, e.g. the session's user id. It must not return
     *     null: a request without an id is neither stored nor given a stored connection.
     * @return this builder
     */
    public Builder idFn(Function<Object, Object> idFn) {
      this.idFn = Check.notNull(ID_FN, idFn);
      return this;
    }

    /**
     * @param onPurge called with the ctx and the scoped key after an sse-closed dispatch purged
     *     the entry
     * @return this builder
     */
    public Builder onPurge(BiConsumer<Object, Object> onPurge) {
      this.onPurge = Check.notNull(ON_PURGE, onPurge);
      return this;
    }

    /**
     * @param onError called with the exception and the ctx whenever scoping, the store or the
     *     purge callback fails; the error is also added to the ctx's {@code :errors}
     * @return this builder
     */
    public Builder onError(BiConsumer<Throwable, Object> onError) {
      this.onError = Check.notNull(ON_ERROR, onError);
      return this;
    }

    /** @return the options */
    public RegistryOptions build() {
      return new RegistryOptions(this);
    }
  }
}
