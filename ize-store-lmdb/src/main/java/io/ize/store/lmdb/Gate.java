package io.ize.store.lmdb;

import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Shared/exclusive admission to the environment: every LMDB transaction holds one permit while it
 * is open, and what LMDB allows only with no transaction open in the process (growing the map,
 * closing the environment) takes them all.
 *
 * <p>A fair {@link Semaphore} rather than a read-write lock, because a transaction may be closed by
 * a thread other than the one that opened it, and because fairness keeps a waiting exclusive holder
 * from being starved: once it queues, new transactions queue behind it. The one exception is a
 * thread that already holds a permit: it takes another at once if any is free, since queueing
 * behind an exclusive holder that waits for its first permit would deadlock. Sized to the
 * environment's reader slots, so that a burst of readers waits for a slot instead of failing with
 * MDB_READERS_FULL.
 */
final class Gate {
  private final int size;
  private final Semaphore permits;
  private final Map<Thread, Integer> holders = new ConcurrentHashMap<>();

  Gate(int size) {
    this.size = size;
    this.permits = new Semaphore(size, true);
  }

  /** Takes one permit for the calling thread, waiting while an exclusive holder is in or queued. */
  void enter() throws InterruptedIOException {
    Thread self = Thread.currentThread();
    if (!(holders.containsKey(self) && permits.tryAcquire())) {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        self.interrupt();
        throw new InterruptedIOException("interrupted while waiting to open a transaction");
      }
    }
    holders.merge(self, 1, Integer::sum);
  }

  /** Returns a permit that {@code owner} took. */
  void exit(Thread owner) {
    holders.computeIfPresent(owner, (t, n) -> n == 1 ? null : n - 1);
    permits.release();
  }

  /** Whether the calling thread holds a permit, and so would wait for itself in enterAlone. */
  boolean heldByCurrentThread() {
    return holders.containsKey(Thread.currentThread());
  }

  /** Waits until no transaction is open and takes every permit; false if that took too long. */
  boolean enterAlone(long timeout, TimeUnit unit) throws InterruptedIOException {
    try {
      return permits.tryAcquire(size, timeout, unit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for transactions to close");
    }
  }

  void exitAlone() {
    permits.release(size);
  }

  /** How many permits are taken, for messages. */
  int taken() {
    return size - permits.availablePermits();
  }
}
