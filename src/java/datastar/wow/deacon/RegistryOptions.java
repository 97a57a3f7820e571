package datastar.wow.deacon;

import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How the interceptor scopes keys and whom it tells of purges and errors. From Clojure these are
 * the options map of {@code (datastar.wow.deacon/registry store opts)}; from Java, this builder.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Clojure</th><th>Java</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code :id-fn}</td><td>{@link Builder#idFn}</td><td>always {@code
 *       :datastar.wow.deacon/id}</td><td>dispatch ctx to scope id; keys are stored as {@code [id
 *       k]}; nil means "no scope": nothing is stored or reused for that request, and a stream it
 *       opens is closed once its fx have run</td></tr>
 *   <tr><td>{@code :on-purge}</td><td>{@link Builder#onPurge}</td><td>none</td><td>called with
 *       the ctx and the scoped key after a close purged an entry</td></tr>
 *   <tr><td>{@code :on-error}</td><td>{@link Builder#onError}</td><td>log at ERROR</td>
 *       <td>called with the exception and the ctx when scoping, the store, {@code :on-purge} or a
 *       fan-out delivery fails</td></tr>
 *   <tr><td>{@code :render-once?}</td><td>{@link Builder#renderOnce}</td><td>true</td><td>an
 *       event for several streams is rendered once; false: a dispatch per stream</td></tr>
 * </table>
 *
 * <pre>{@code
 * RegistryOptions options = RegistryOptions.builder()
 *     .idFn(ctx -> sessionId(ctx))
 *     .onError((e, ctx) -> log.warn("deacon", e))
 *     .build();
 * IPersistentMap registry = Deacon.registry(store, options);
 * }</pre>
 */
public final class RegistryOptions {
  /** Logs the error at ERROR level on the {@code datastar.wow.deacon} System.Logger. */
  static final BiConsumer<Throwable, Object> LOG_ERRORS = (e, ctx) -> Log.error(e.getMessage(), e);

  final @Nullable Function<Object, @Nullable Object> idFn;
  final @Nullable BiConsumer<Object, Object> onPurge;
  final BiConsumer<Throwable, Object> onError;
  final boolean renderOnce;

  private RegistryOptions(Builder b) {
    this.idFn = b.idFn;
    this.onPurge = b.onPurge;
    this.onError = b.onError;
    this.renderOnce = b.renderOnce;
  }

  /**
   * Gives the defaults: one global scope, no purge callback, errors logged.
   *
   * @return the default options
   */
  public static RegistryOptions defaults() {
    return builder().build();
  }

  /**
   * Starts building options.
   *
   * @return a builder holding the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link RegistryOptions}. Every setter refuses null at once. */
  public static final class Builder {
    private @Nullable Function<Object, @Nullable Object> idFn;
    private @Nullable BiConsumer<Object, Object> onPurge;
    private BiConsumer<Throwable, Object> onError = LOG_ERRORS;
    private boolean renderOnce = true;

    private Builder() {}

    /**
     * Scopes keys: the interceptor stores a response's key {@code k} as {@code [id k]}.
     *
     * @param idFn from the dispatch ctx (a Clojure map with {@code :system}, {@code
     *     :dispatch-data}, ...) to the scope id, e.g. the session's user id; a null id means the
     *     request has no scope yet (no session), and nothing is stored or reused for it
     * @return this builder
     * @throws InvalidInputException when {@code idFn} is null
     */
    public Builder idFn(Function<Object, @Nullable Object> idFn) {
      this.idFn = Check.notNull("idFn", idFn);
      return this;
    }

    /**
     * Tells {@code onPurge} of every entry a stream's close purged.
     *
     * @param onPurge called with the ctx and the scoped key after a close purged the entry
     * @return this builder
     * @throws InvalidInputException when {@code onPurge} is null
     */
    public Builder onPurge(BiConsumer<Object, Object> onPurge) {
      this.onPurge = Check.notNull("onPurge", onPurge);
      return this;
    }

    /**
     * Tells {@code onError} of every failure of the interceptor's work.
     *
     * @param onError called with the exception and the ctx whenever scoping, the store, the purge
     *     callback or a fan-out delivery fails; the error is also added to the ctx's {@code
     *     :errors}. Default: logged at ERROR
     * @return this builder
     * @throws InvalidInputException when {@code onError} is null
     */
    public Builder onError(BiConsumer<Throwable, Object> onError) {
      this.onError = Check.notNull("onError", onError);
      return this;
    }

    /**
     * Chooses how a response's fx reach several streams (fan-out, broadcast, send): rendered once
     * and written to every stream (the default, when the Datastar SDK is on the classpath), or run
     * in a dispatch of their own on each stream, which renders every event once per stream.
     *
     * @param renderOnce false for a dispatch per stream; default true
     * @return this builder
     */
    public Builder renderOnce(boolean renderOnce) {
      this.renderOnce = renderOnce;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public RegistryOptions build() {
      return new RegistryOptions(this);
    }
  }
}
