package io.ize.internal.fuse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads that serve a FUSE connection, for both transports: a primary that reads and answers
 * requests one after another, and spares that read only while no other thread is free to.
 *
 * <p>Why not equal readers: the kernel hands each request to the reader that has waited longest, so
 * with four readers blocked on the device every request of a caller working through files one at a
 * time woke a different, cold thread. One reader is faster (a create pass of 20,000 files, fuse
 * tracepoints: 5.44 s with four readers against 4.78 with one on the kernel transport; 7.4-8.1 s in
 * libfuse's multithreaded loop against 5.6-6.0 single-threaded on jnr-fuse). But a reader alone
 * would let one slow request (an fsync, the capture of a large file, a writer waiting for room in
 * the recorder's queue) stall every other caller. So a watchdog looks every {@link #TICK} (5 ms:
 * each look costs about 40 us of CPU on this kind of guest) while requests flow: when no thread has
 * been waiting for a request, and none has finished one, over a whole tick, it lets one more spare
 * read, so a blocked request holds the others up for 5 to 10 ms. A spare goes back to waiting after
 * any request it answers while another thread is reading.
 *
 * <p>Shared state is atomics and volatiles only; no lock is taken.
 */
final class Workers {
  /** One thread's view of the connection. */
  interface Queue {
    /** Waits for the next request; false once the connection has ended (or cannot be read). */
    boolean receive();

    /** Answers the request just received. */
    void process();
  }

  private static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);

  /** The longest the watchdog sleeps while no request comes. */
  private static final long IDLE_TICK = TimeUnit.MILLISECONDS.toNanos(100);

  private final List<Thread> threads = new ArrayList<>();
  private final Thread watchdog;

  /** Threads waiting in {@link Queue#receive}. */
  private final AtomicInteger reading = new AtomicInteger();

  /**
   * Requests answered, as a sign of progress only: threads increment it without synchronising, and
   * a lost increment just makes the watchdog's next look see less progress.
   */
  private volatile long served;

  /** Permits for parked spares to read. */
  private final Semaphore spareRuns = new Semaphore(0);

  private volatile boolean ended;

  /**
   * Starts a thread per queue: the first is the primary, the rest spares.
   *
   * @param name the threads' name prefix
   */
  Workers(String name, List<? extends Queue> queues) {
    for (int i = 0; i < queues.size(); i++) {
      Queue queue = queues.get(i);
      Runnable body = i == 0 ? () -> primary(queue) : () -> spare(queue);
      Thread thread = new Thread(body, name + "-" + i);
      thread.setDaemon(true);
      threads.add(thread);
    }
    watchdog = new Thread(this::watch, name + "-watchdog");
    watchdog.setDaemon(true);
    threads.forEach(Thread::start);
    watchdog.start();
  }

  int size() {
    return threads.size();
  }

  /** Whether any thread still serves. */
  boolean alive() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  /** Waits up to {@code seconds} for every thread to stop; whether they all did. */
  boolean join(long seconds) {
    joinUntil(threads, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
    return !alive();
  }

  /** Waits for each of {@code threads} to stop until {@code deadline} ({@link System#nanoTime}). */
  static void joinUntil(List<Thread> threads, long deadline) {
    try {
      for (Thread thread : threads) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left > 0) {
          thread.join(left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for every thread to stop (the connection to end), however long that takes. */
  void awaitStopped() {
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void primary(Queue queue) {
    try {
      while (serve(queue)) {
        // one request after another
      }
    } finally {
      end();
    }
  }

  private void spare(Queue queue) {
    try {
      while (called()) {
        do {
          if (!serve(queue)) {
            return;
          }
        } while (reading.get() == 0); // go on while no other thread is free to read
      }
    } finally {
      end();
    }
  }

  /** Reads one request and answers it; false once the connection has ended. */
  private boolean serve(Queue queue) {
    if (ended) {
      return false;
    }
    reading.incrementAndGet();
    boolean received;
    try {
      received = queue.receive();
    } finally {
      reading.decrementAndGet();
    }
    if (!received) {
      return false;
    }
    queue.process();
    served++;
    return true;
  }

  /** Parks a spare until the watchdog calls it; false once the connection has ended. */
  private boolean called() {
    spareRuns.acquireUninterruptibly();
    return !ended;
  }

  private void end() {
    if (!ended) {
      ended = true;
      spareRuns.release(threads.size());
      LockSupport.unpark(watchdog);
    }
  }

  /**
   * Looks every {@link #TICK} while requests flow; while none come, it sleeps twice as long after
   * each look, up to {@link #IDLE_TICK}, so an idle mount costs ten wake-ups a second. It is never
   * woken by a request (a branch for that in the request path, taken once after an idle spell, sent
   * the JIT's compiled request loop back to the interpreter for seconds).
   */
  private void watch() {
    long lastServed = served;
    boolean busyAtLastTick = false;
    long tick = TICK;
    while (!ended) {
      LockSupport.parkNanos(this, tick);
      long now = served;
      boolean busy = reading.get() == 0 && now == lastServed;
      if (busy && busyAtLastTick && spareRuns.hasQueuedThreads()) {
        spareRuns.release();
        busy = false;
      }
      busyAtLastTick = busy;
      tick = now == lastServed && !busy ? Math.min(tick * 2, IDLE_TICK) : TICK;
      lastServed = now;
    }
  }
}
