package io.ize.store.mapdb;

import java.io.InterruptedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Shared/exclusive admission to the database: every read transaction holds one permit while it is
 * open, and a commit or close takes them all.
 *
 * <p>A fair {@link Semaphore} rather than a read-write lock, because a transaction may be closed by
 * a thread other than the one that opened it, and because fairness keeps a waiting commit from
 * being starved by a stream of readers: once it queues, new readers queue behind it. The one
 * exception is a thread that already holds a permit: it takes another at once, since queueing
 * behind a commit that waits for its first permit would deadlock.
 */
final class Gate {
  /** More permits than there will ever be readers. */
  private final int size = 1 << 30;

  private final Semaphore permits = new Semaphore(size, true);
  private final Map<Thread, Integer> holders = new ConcurrentHashMap<>();

  /** Takes one permit for the calling thread, waiting while an exclusive holder is in or queued. */
  void enter() throws InterruptedIOException {
    Thread self = Thread.currentThread();
    if (!(holders.containsKey(self) && permits.tryAcquire())) {
      try {
        permits.acquire();
      } catch (InterruptedException e) {
        self.interrupt();
        throw new InterruptedIOException("interrupted while waiting to open a read transaction");
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
      throw new InterruptedIOException("interrupted while waiting for read transactions to close");
    }
  }

  void exitAlone() {
    permits.release(size);
  }

  /** How many read transactions are open, for messages. */
  int taken() {
    return size - permits.availablePermits();
  }
}
