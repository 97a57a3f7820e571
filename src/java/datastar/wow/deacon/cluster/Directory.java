package datastar.wow.deacon.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * This node's part of the cluster directory: its lease in {@code P:nodes} and its keys in {@code
 * P:held:<node>} and {@code P:key:<edn>} (see {@link RedisNames}).
 *
 * <p>Everything here runs on the backplane's one scheduler thread, in the order it was asked for:
 * {@link #register} and {@link #unregister} only queue the change and return. The thread writes
 * queued changes in batches of up to {@value #BATCH} keys, one {@code EVALSHA} of {@link
 * Scripts#APPLY} per batch, without waiting for the reply. While the node is not connected, changes
 * are dropped: after every (re)connect the node re-syncs its keys with Redis from {@code
 * localKeys}, which already holds them. A failed write is reported and also triggers a re-sync.
 *
 * <p>The lease is refreshed every third of its length ({@link Scripts#LEASE}), which also removes
 * dead nodes' keys, at most {@value #CLEANUP_BUDGET} keys per refresh (more refreshes follow at
 * once while some are left).
 */
final class Directory {
  static final int BATCH = 500;
  static final int CLEANUP_BUDGET = 1000;
  private static final long RESYNC_RETRY_MS = 500;

  private final ClusterSettings settings;
  private final RedisNames names;
  private final RedisLink link;
  private final ScheduledExecutorService scheduler;
  private final Supplier<? extends Collection<?>> localKeys;
  private final Reporter report;
  private final ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  /**
   * Told of keys once Redis has them as this node's: those registered (false), or all of them
   * after a re-sync (true).
   */
  volatile BiConsumer<List<Object>, Boolean> onRegistered = (keys, resynced) -> {};
  private final byte[] self;
  private final byte[] prefix;
  private final byte[] window;
  private final long timeoutMs;

  /** True once the scripts are loaded, the lease is held and the keys are synced. */
  private volatile boolean ready;
  /** Counts (re)connects and disconnects; a re-sync of an older connection does not count. */
  private int generation;
  private boolean resyncPending;
  private volatile boolean halted;
  /**
   * A lease refresh failed (timed out, say): it may still have run in Redis after this node stopped
   * waiting, and its reply, which would have told whether the cluster had given this node up, is
   * lost. The next refresh that succeeds re-syncs, to be sure.
   */
  private volatile boolean leaseUncertain;

  private static final class Change {
    final boolean add;
    final Object key;

    Change(boolean add, Object key) {
      this.add = add;
      this.key = key;
    }
  }

  Directory(Context context, ScheduledExecutorService scheduler, Supplier<? extends Collection<?>> localKeys) {
    this.settings = context.settings;
    this.names = context.names;
    this.link = context.link;
    this.report = context.report;
    this.scheduler = scheduler;
    this.localKeys = localKeys;
    this.self = bytes(names.self);
    this.prefix = bytes(names.prefix);
    this.window = context.history.windowArg();
    this.timeoutMs = context.timeoutMs();
    long every = Math.max(1, settings.lease.toMillis() / 3);
    var unused =
        scheduler.scheduleWithFixedDelay(this::refreshLease, every, every, TimeUnit.MILLISECONDS);
  }

  boolean ready() {
    return ready;
  }

  void register(Object key) {
    enqueue(new Change(true, key));
  }

  void unregister(Object key) {
    enqueue(new Change(false, key));
  }

  private void enqueue(Change change) {
    changes.add(change);
    if (drainScheduled.compareAndSet(false, true)) run(this::drain);
  }

  /**
   * Writes the change of {@code key} to Redis now, with any other queued: on the backplane's
   * thread, before whatever that thread does next (a publish, say), so that Redis applies it first.
   */
  void writeNow(Object key, boolean held) {
    changes.add(new Change(held, key));
    drain();
  }

  /**
   * Runs {@code task} on the backplane's thread, after everything asked of it before.
   *
   * @return false when the backplane is closed: the task will not run
   */
  boolean inOrder(Runnable task) {
    try {
      scheduler.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** The command connection is up (again): re-sync. Any thread. */
  void connected() {
    run(
        () -> {
          generation++;
          ready = false;
          resync(generation);
        });
  }

  /** The command connection dropped: stop writing until the next re-sync. Any thread. */
  void disconnected() {
    ready = false;
    run(() -> generation++);
  }

  private void run(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      // the backplane is closed
    }
  }

  private void drain() {
    drainScheduled.set(false);
    List<byte[]> args = new ArrayList<>();
    List<Object> added = new ArrayList<>();
    Change c;
    while ((c = changes.poll()) != null) {
      if (!ready || halted) continue; // the next re-sync takes the keys from localKeys
      String canonical;
      try {
        canonical = EdnWriter.canonicalKey(c.key, settings.maxMessageBytes);
      } catch (InvalidPayloadException e) {
        report.error(
            BackplaneException.DIRECTORY,
            (c.add ? "register" : "unregister") + " of a key that is not data: " + e.getMessage(),
            e,
            BackplaneException.TARGET,
            c.key);
        continue;
      }
      if (args.isEmpty()) {
        args.add(self);
        args.add(prefix);
        args.add(window);
      }
      args.add(c.add ? PLUS : MINUS);
      args.add(bytes(canonical));
      if (c.add) added.add(c.key);
      if (args.size() >= 3 + 2 * BATCH) {
        apply(args, added);
        args = new ArrayList<>();
        added = new ArrayList<>();
      }
    }
    if (!args.isEmpty()) apply(args, added);
  }

  private static final byte[] PLUS = {'+'};
  private static final byte[] MINUS = {'-'};

  private void apply(List<byte[]> args, List<Object> added) {
    int gen = generation;
    var unused =
        link.eval(Scripts.APPLY, new String[] {names.selfHeld}, args.toArray(new byte[0][]))
        .whenComplete(
            (n, error) -> {
              if (error == null && !added.isEmpty()) onRegistered.accept(added, false);
              if (error != null) {
                report.error(
                    BackplaneException.DIRECTORY,
                    "writing " + (args.size() - 3) / 2 + " key change(s) to the directory failed ("
                        + RedisLink.message(error) + "); re-syncing",
                    RedisLink.unwrap(error));
                run(() -> requestResync(gen));
              }
            });
  }

  private void requestResync(int gen) {
    if (gen != generation || resyncPending || halted) return;
    resyncPending = true;
    var unused =
        scheduler.schedule(
            () -> {
              resyncPending = false;
              resync(gen);
            },
            RESYNC_RETRY_MS,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Makes Redis agree with {@code localKeys}: loads the scripts, takes the lease, then adds the
   * local keys Redis lacks and removes the ones it holds that are no longer local. Runs on the
   * scheduler thread and waits for each step (at most the send timeout each), so that changes
   * queued meanwhile are written after it, in order.
   */
  private void resync(int gen) {
    if (gen != generation || halted || !link.commandOpen()) return;
    try {
      List<String> shas = link.load(Scripts.ALL).get(timeoutMs, TimeUnit.MILLISECONDS);
      for (int i = 0; i < shas.size(); i++) {
        if (!shas.get(i).equals(Scripts.ALL.get(i).sha)) {
          throw new IllegalStateException("Redis computed another SHA-1 for " + Scripts.ALL.get(i));
        }
      }
      lease(true).get(timeoutMs, TimeUnit.MILLISECONDS);
      Set<String> remote =
          new HashSet<>(link.members(names.selfHeld).get(timeoutMs, TimeUnit.MILLISECONDS));
      Set<String> local = new HashSet<>();
      Collection<?> keys = localKeys.get();
      if (keys != null) {
        for (Object key : keys) {
          try {
            local.add(EdnWriter.canonicalKey(key, settings.maxMessageBytes));
          } catch (InvalidPayloadException e) {
            report.error(
                BackplaneException.DIRECTORY,
                "a local key that is not data is left out of the directory: " + e.getMessage(),
                e,
                BackplaneException.TARGET,
                key);
          }
        }
      }
      List<byte[]> args = new ArrayList<>();
      for (String k : remote) if (!local.contains(k)) addChange(args, MINUS, k);
      for (String k : local) if (!remote.contains(k)) addChange(args, PLUS, k);
      List<List<byte[]>> batches = new ArrayList<>();
      for (int i = 0; i < args.size(); i += 2 * BATCH) {
        List<byte[]> batch = new ArrayList<>();
        batch.add(self);
        batch.add(prefix);
        batch.add(window);
        batch.addAll(args.subList(i, Math.min(args.size(), i + 2 * BATCH)));
        batches.add(batch);
      }
      for (List<byte[]> batch : batches) {
        link.eval(Scripts.APPLY, new String[] {names.selfHeld}, batch.toArray(new byte[0][]))
            .get(timeoutMs, TimeUnit.MILLISECONDS);
      }
      if (gen == generation) {
        ready = true;
        onRegistered.accept(keys == null ? new ArrayList<>() : new ArrayList<Object>(keys), true);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      if (halted) return;
      report.error(
          BackplaneException.CONNECT,
          "re-syncing this node's keys with Redis at " + settings.shownUri() + " failed ("
              + RedisLink.message(e) + "); retrying",
          RedisLink.unwrap(e));
      requestResync(gen);
    }
  }

  private static void addChange(List<byte[]> args, byte[] op, String key) {
    args.add(op);
    args.add(bytes(key));
  }

  /** Refreshes the lease; removes dead nodes' keys; re-syncs when the cluster had given us up. */
  private void refreshLease() {
    if (!ready || halted) return;
    var unused =
        lease(false)
        .whenComplete(
            (cleanupLeft, error) -> {
              if (error != null) {
                leaseUncertain = true;
                report.error(
                    BackplaneException.LEASE,
                    "refreshing the lease failed (" + RedisLink.message(error) + ")",
                    RedisLink.unwrap(error));
              }
            });
  }

  /**
   * Runs {@link Scripts#LEASE}. When the cluster had given this node up, re-syncs (unless already
   * re-syncing); when dead nodes' keys are left to clean, refreshes again at once.
   */
  private java.util.concurrent.CompletableFuture<Long> lease(boolean inResync) {
    int gen = generation;
    return link.eval(
            Scripts.LEASE,
            new String[] {names.nodes, names.dead},
            self,
            bytes(Long.toString(settings.lease.toMillis())),
            prefix,
            bytes(Integer.toString(CLEANUP_BUDGET)),
            window)
        .thenApply(
            result -> {
              List<?> r = (List<?>) result;
              boolean fresh = ((Long) r.get(0)) == 1L;
              long deadLeft = (Long) r.get(1);
              boolean uncertain = leaseUncertain;
              leaseUncertain = false;
              if (fresh && !inResync) {
                report.error(
                    BackplaneException.LEASE,
                    "the cluster had given this node up (its lease ended); writing its keys again",
                    null);
              }
              if ((fresh || uncertain) && !inResync) run(() -> requestResync(gen));
              if (deadLeft > 0) {
                run(
                    () -> {
                      if (!halted && ready) refreshLease();
                    });
              }
              return deadLeft;
            });
  }

  /**
   * Gives up the lease and removes this node's keys from the directory, waiting at most the send
   * timeout; what is left is removed by the other nodes. Call from any thread but the scheduler's.
   */
  void leave() {
    halted = true;
    if (!ready) return;
    ready = false;
    try {
      link.eval(
              Scripts.LEASE,
              new String[] {names.nodes, names.dead},
              self,
              bytes("0"),
              prefix,
              bytes(Integer.toString(CLEANUP_BUDGET)),
              window)
          .get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      // the other nodes remove this node's keys when its lease ends
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
