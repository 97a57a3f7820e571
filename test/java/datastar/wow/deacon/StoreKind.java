package datastar.wow.deacon;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The configurations every store test runs over: each built-in store, with and without fan-out.
 * The Caffeine store runs its callbacks and maintenance on the calling thread here, so that a test
 * sees every removal reported by the time the removing call returns.
 */
enum StoreKind {
  ATOM(false),
  CAFFEINE(false),
  ATOM_FAN_OUT(true),
  CAFFEINE_FAN_OUT(true);

  final boolean fanOut;

  StoreKind(boolean fanOut) {
    this.fanOut = fanOut;
  }

  BaseStore build(RemovalListener listener) {
    return build(listener, null, null);
  }

  BaseStore build(
      RemovalListener listener, @Nullable Duration heartbeat, @Nullable ConnectionProbe probe) {
    return build(listener, heartbeat, probe, null);
  }

  BaseStore build(RemovalListener listener, ConnectionWriter writer) {
    return build(listener, null, null, writer);
  }

  /**
   * A store of this kind with {@code writer} that keeps a history of {@code events} per key for
   * {@code window} ({@code replay(...)}).
   */
  BaseStore buildWithReplay(RemovalListener listener, ConnectionWriter writer, int events, Duration window) {
    if (this == ATOM || this == ATOM_FAN_OUT) {
      return configure(AtomStore.builder(), listener, null, null, writer).replay(events, window).build();
    }
    return configure(CaffeineStore.builder().executor(Runnable::run), listener, null, null, writer)
        .replay(events, window)
        .build();
  }

  private BaseStore build(
      RemovalListener listener,
      @Nullable Duration heartbeat,
      @Nullable ConnectionProbe probe,
      @Nullable ConnectionWriter writer) {
    if (this == ATOM || this == ATOM_FAN_OUT) {
      return configure(AtomStore.builder(), listener, heartbeat, probe, writer).build();
    }
    return configure(CaffeineStore.builder().executor(Runnable::run), listener, heartbeat, probe, writer)
        .build();
  }

  private <B extends StoreBuilder<B>> B configure(
      B b,
      RemovalListener listener,
      @Nullable Duration heartbeat,
      @Nullable ConnectionProbe probe,
      @Nullable ConnectionWriter writer) {
    b.onRemoval(listener).fanOut(fanOut);
    if (heartbeat != null && probe != null) b.heartbeat(heartbeat, probe);
    if (writer != null) b.writer(writer);
    return b;
  }
}
