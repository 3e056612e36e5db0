package io.ize.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Mounts a source directory for the filesystem benchmarks, serves it until SIGTERM (or, with {@code
 * --exit-on-eof}, until standard input closes), then unmounts and reports its peak memory.
 *
 * <pre>{@code
 * java -Xmx256m -cp ... io.ize.bench.MountDaemon SRC MNT --transport jnr_fuse --store lmdb:DIR \
 *     --stats stats.txt
 * }</pre>
 *
 * <p>Standard output gets one line: {@code ready} once the mount is live, or {@code n/a: REASON}
 * (exit status 3) when the transport cannot mount here, so that a benchmark can report the reason
 * in its rows instead of failing. The stats file gets {@code key=value} lines at exit: the
 * process's peak RSS ({@code VmHWM}), the largest heap in use (just before a collection) and the
 * largest heap left in use after one (an upper bound on the live set).
 */
public final class MountDaemon {
  private static final String USAGE =
      "usage: MountDaemon SOURCE TARGET [--transport auto|kernel|jnr_fuse]"
          + " [--store none|lmdb:DIR|mapdb:DIR] [--stats FILE] [--exit-on-eof]";

  private MountDaemon() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException(USAGE);
    }
    Path source = Path.of(args[0]);
    Path target = Path.of(args[1]);
    Transport transport = Transport.AUTO;
    String store = "none";
    Path stats = null;
    boolean exitOnEof = false;
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--transport" ->
            transport = Transport.valueOf(value(args, ++i).toUpperCase(Locale.ROOT));
        case "--store" -> store = value(args, ++i);
        case "--stats" -> stats = Path.of(value(args, ++i));
        case "--exit-on-eof" -> exitOnEof = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
      }
    }
    HeapWatch heap = new HeapWatch();
    VersionStore versions = openStore(store);
    Mount mount;
    try {
      Ize.clearDeadMount(target);
      mount =
          Ize.mount(source, target, versions, MountOptions.builder().transport(transport).build());
    } catch (IOException | UnsupportedOperationException e) {
      if (versions != null) {
        versions.close();
      }
      System.out.println("n/a: " + e.getMessage());
      System.out.flush();
      System.exit(3);
      return;
    }
    if (versions != null) {
      mount.addListener(e -> System.err.println("ize-bench: recording failed: " + e.getMessage()));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Path statsFile = stats;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop(mount, versions, statsFile, heap);
                  stopped.countDown();
                },
                "ize-bench-stop"));
    System.out.println("ready");
    System.out.flush();
    if (exitOnEof) {
      InputStream in = System.in;
      while (in.read() >= 0) {
        // Anything written to standard input is ignored; only its end matters.
      }
      System.exit(0);
    }
    stopped.await();
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value; " + USAGE);
    }
    return args[i];
  }

  private static VersionStore openStore(String spec) throws IOException {
    if (spec.equals("none")) {
      return null;
    }
    int colon = spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new IllegalArgumentException("--store must be none or BACKEND:DIR, not " + spec);
    }
    Path dir = Path.of(spec.substring(colon + 1));
    Files.createDirectories(dir);
    return VersionStore.open(spec.substring(0, colon), dir);
  }

  private static void stop(Mount mount, VersionStore versions, Path stats, HeapWatch heap) {
    mount.close();
    try {
      if (versions != null) {
        versions.close();
      }
    } catch (IOException e) {
      System.err.println("ize-bench: closing the store: " + e.getMessage());
    }
    if (stats == null) {
      return;
    }
    heap.peakUsed.accumulateAndGet(
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    List<String> lines = new ArrayList<>();
    lines.add("peak_rss_kib=" + vmHwmKib());
    lines.add("peak_heap_mib=" + heap.peakUsed.get() / (1024 * 1024));
    lines.add("peak_live_heap_mib=" + heap.peakLive.get() / (1024 * 1024));
    lines.add("max_heap_mib=" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
    try {
      Files.write(stats, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      System.err.println("ize-bench: writing " + stats + ": " + e.getMessage());
    }
  }

  /** The process's peak resident set, from {@code /proc/self/status}; -1 where unreadable. */
  private static long vmHwmKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      System.err.println("ize-bench: reading VmHWM: " + e);
    }
    return -1;
  }

  /**
   * The heap's peaks, from the collectors' notifications: in use just before a collection (where
   * the heap peaks) and still in use after it (bounding the live set from above).
   */
  private static final class HeapWatch {
    final AtomicLong peakUsed = new AtomicLong();
    final AtomicLong peakLive = new AtomicLong();

    HeapWatch() {
      Set<String> heapPools = new HashSet<>();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          heapPools.add(pool.getName());
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(
              (notification, handback) -> {
                if (notification
                    .getType()
                    .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                  GcInfo info =
                      GarbageCollectionNotificationInfo.from(
                              (CompositeData) notification.getUserData())
                          .getGcInfo();
                  peakUsed.accumulateAndGet(
                      sum(info.getMemoryUsageBeforeGc(), heapPools), Math::max);
                  peakLive.accumulateAndGet(
                      sum(info.getMemoryUsageAfterGc(), heapPools), Math::max);
                }
              },
              null,
              null);
        }
      }
    }

    private static long sum(Map<String, MemoryUsage> pools, Set<String> heapPools) {
      long used = 0;
      for (Map.Entry<String, MemoryUsage> pool : pools.entrySet()) {
        if (heapPools.contains(pool.getKey())) {
          used += pool.getValue().getUsed();
        }
      }
      return used;
    }
  }
}
