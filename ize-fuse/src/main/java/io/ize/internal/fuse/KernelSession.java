package io.ize.internal.fuse;

import static io.ize.internal.fuse.KernelAbi.DEVICE;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel-protocol session: mounts with {@code mount(2)} on {@code /dev/fuse}, answers INIT, and
 * serves requests on {@link Workers}, each reading its own cloned descriptor of the connection
 * ({@code FUSE_DEV_IOC_CLONE}) so that replies never contend for one queue. Where the kernel offers
 * FUSE over io_uring, requests come instead through {@link FuseRing}s, four threads pinned to each
 * possible CPU, and the workers get only what the kernel still sends through the device (FORGET,
 * INTERRUPT; everything if it refuses a ring). All stop when the connection ends (ENODEV, or
 * ENOTCONN on a ring: the mount is gone or was aborted).
 */
final class KernelSession {
  private static final Logger LOG = System.getLogger(KernelSession.class.getName());
  private static final LibC C = LibC.INSTANCE;
  private static final AtomicInteger SERIAL = new AtomicInteger();
  private static final int MINOR = 45;
  private static final int MAX_PAGES = KernelTransport.MAX_WRITE / 4096;

  /** Requests the kernel may queue in the background (readahead, async writes, releases). */
  private static final int MAX_BACKGROUND = 64;

  private static final long WANTED =
      KernelAbi.ASYNC_READ
          | KernelAbi.ATOMIC_O_TRUNC
          | KernelAbi.BIG_WRITES
          | KernelAbi.DO_READDIRPLUS
          | KernelAbi.READDIRPLUS_AUTO
          | KernelAbi.ASYNC_DIO
          | KernelAbi.PARALLEL_DIROPS
          | KernelAbi.MAX_PAGES
          | KernelAbi.CACHE_SYMLINKS
          | KernelAbi.HANDLE_KILLPRIV_V2
          | KernelAbi.INIT_EXT
          | KernelAbi.PASSTHROUGH
          | KernelAbi.OVER_IO_URING;

  /**
   * The system property that, set to {@code false} when a mount is made, keeps its file data in
   * Java as where the kernel refuses passthrough (for troubleshooting, and to test that path).
   */
  static final String PASSTHROUGH_PROPERTY = "ize.kernel.passthrough";

  /**
   * The system property that, set to {@code false} when a mount is made, keeps its requests on
   * {@code /dev/fuse} reads where the kernel offers FUSE over io_uring (and leaves the fuse
   * module's {@code enable_uring} parameter as it is).
   */
  static final String URING_PROPERTY = "ize.kernel.uring";

  private static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");

  /** Ring threads per CPU queue: one answers, the others take requests while it is busy. */
  private static int threadsPerQueue(int cpus) {
    return cpus <= 8 ? 4 : 2;
  }

  private final KernelTransport transport;
  private final List<Integer> fds = new ArrayList<>();
  private Workers workers;
  private final List<FuseRing> rings = new ArrayList<>();
  private final List<Thread> ringThreads = new ArrayList<>();

  /** The CPU queues the kernel serves over io_uring; 0 while requests come through the device. */
  private int queues;

  private int minor;

  private KernelSession(KernelTransport transport, int masterFd) {
    this.transport = transport;
    this.fds.add(masterFd);
  }

  /**
   * Mounts {@code fs} at {@code target} and answers INIT; returns once the mount is live.
   *
   * @param fsname the mount's source field ({@code ize:<pid>})
   */
  static KernelSession mount(
      PassthroughFs fs, Path target, String fsname, boolean readOnly, int workerCount)
      throws IOException {
    KernelTransport.Buffers buffers = new KernelTransport.Buffers();
    int rc = fs.getattr(Names.ROOT, buffers.stat);
    if (rc < 0) {
      throw Errno.exception(-rc, "cannot stat the source", target.toString());
    }
    NodeTable nodes = new NodeTable(buffers.stat.getLong(LibC.STAT_DEV), buffers.stat.getLong(8));
    int fd = C.openat(LibC.AT_FDCWD, Names.cString("/dev/fuse"), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
    if (fd < 0) {
      throw Errno.exception(LibC.errno(), "cannot open /dev/fuse", "/dev/fuse");
    }
    KernelSession session = new KernelSession(new KernelTransport(fs, nodes, fd), fd);
    boolean uring =
        Boolean.parseBoolean(System.getProperty(URING_PROPERTY, "true")) && enableUring();
    try {
      String data =
          "fd="
              + fd
              + ",rootmode=40000,user_id="
              + C.geteuid()
              + ",group_id="
              + C.getegid()
              + ",default_permissions,allow_other,max_read="
              + KernelTransport.MAX_WRITE;
      long flags = KernelAbi.MS_NOSUID | KernelAbi.MS_NODEV | (readOnly ? KernelAbi.MS_RDONLY : 0);
      if (C.mount(
              Names.cString(fsname),
              Names.cString(target.toString()),
              Names.cString("fuse.ize"),
              flags,
              data.getBytes(StandardCharsets.US_ASCII))
          != 0) {
        int errno = LibC.errno();
        throw new FileSystemException(
            target.toString(), null, "mount(2) of the kernel transport: " + Errno.describe(errno));
      }
      session.init(buffers, uring);
      session.startWorkers(workerCount, buffers);
      session.startRings();
    } catch (IOException | RuntimeException e) {
      C.umount2(Names.cString(target.toString()), LibC.MNT_DETACH);
      session.closeDescriptors();
      throw e;
    }
    return session;
  }

  /** Reads INIT from the master descriptor and answers it. */
  private void init(KernelTransport.Buffers b, boolean uring) throws IOException {
    int fd = fds.get(0);
    long n;
    do {
      n = DEVICE.read(fd, b.in, KernelTransport.IN_BUFFER);
    } while (n < 0 && (LibC.errno() == Errno.EINTR || LibC.errno() == KernelAbi.EAGAIN));
    if (n < 0) {
      throw new IOException("reading FUSE INIT: " + Errno.describe(LibC.errno()));
    }
    int opcode = b.in.getInt(KernelAbi.IN_OPCODE);
    if (opcode != KernelAbi.INIT) {
      throw new IOException("expected FUSE INIT, got opcode " + opcode);
    }
    int at = KernelAbi.IN_HEADER;
    int major = b.in.getInt(at);
    int kernelMinor = b.in.getInt(at + 4);
    int readahead = b.in.getInt(at + 8);
    long offered = b.in.getInt(at + 12) & 0xffffffffL;
    if ((offered & KernelAbi.INIT_EXT) != 0) {
      offered |= (b.in.getInt(at + 16) & 0xffffffffL) << 32;
    }
    if (major != 7 || kernelMinor < 31) {
      throw new IOException("FUSE protocol " + major + "." + kernelMinor + " is too old (7.31+)");
    }
    minor = Math.min(kernelMinor, MINOR);
    long granted = WANTED & offered;
    if (!Boolean.parseBoolean(System.getProperty(PASSTHROUGH_PROPERTY, "true"))) {
      granted &= ~KernelAbi.PASSTHROUGH;
    }
    if ((granted & KernelAbi.OVER_IO_URING) != 0 && !(uring && openRings(fd))) {
      granted &= ~KernelAbi.OVER_IO_URING;
    }
    boolean passthrough = (granted & KernelAbi.PASSTHROUGH) != 0;
    transport.passthrough(passthrough);
    transport.killsSuidGid((granted & KernelAbi.HANDLE_KILLPRIV_V2) != 0);
    b.out.putInt(0, KernelAbi.OUT_HEADER + 64);
    b.out.putInt(4, 0);
    b.out.putLong(8, b.in.getLong(KernelAbi.IN_UNIQUE));
    for (int i = 0; i < 64; i += 8) {
      b.payload.putLong(i, 0);
    }
    b.payload.putInt(0, 7);
    b.payload.putInt(4, minor);
    b.payload.putInt(8, readahead);
    b.payload.putInt(12, (int) granted);
    b.payload.putShort(16, (short) MAX_BACKGROUND);
    b.payload.putShort(18, (short) (MAX_BACKGROUND * 3 / 4));
    b.payload.putInt(20, KernelTransport.MAX_WRITE);
    b.payload.putInt(24, 1);
    b.payload.putShort(28, (short) MAX_PAGES);
    b.payload.putInt(32, (int) (granted >>> 32));
    b.payload.putInt(36, passthrough ? 1 : 0);
    if (DEVICE.write(fd, b.out, KernelAbi.OUT_HEADER + 64) < 0) {
      throw new IOException("answering FUSE INIT: " + Errno.describe(LibC.errno()));
    }
    LOG.log(
        Level.DEBUG,
        "FUSE 7.{0}, passthrough {1}, io_uring {2}",
        minor,
        passthrough ? "on" : "refused by the kernel",
        rings.isEmpty() ? "off" : queues + " queues");
  }

  /**
   * Turns the fuse module's {@code enable_uring} parameter on if it is off (it only lets servers
   * that ask for FUSE over io_uring use it; nothing else changes); whether it is on now.
   */
  private static boolean enableUring() {
    try {
      if (Files.readString(ENABLE_URING).trim().equals("Y")) {
        return true;
      }
      Files.writeString(ENABLE_URING, "Y");
      LOG.log(Level.INFO, "turned on FUSE over io_uring ({0})", ENABLE_URING);
      return true;
    } catch (IOException | SecurityException e) {
      LOG.log(Level.DEBUG, "FUSE over io_uring stays off: {0}", e.toString());
      return false;
    }
  }

  /**
   * Sets up the rings, before INIT is answered: once the reply asks for io_uring, the kernel holds
   * every request until each CPU's queue has an entry. Whether they could all be set up.
   */
  private boolean openRings(int device) {
    try {
      int cpus = FuseRing.possibleCpus();
      for (int q = 0; q < cpus; q++) {
        for (int i = 0; i < threadsPerQueue(cpus); i++) {
          rings.add(FuseRing.open(device, q, new KernelTransport.Buffers()));
        }
      }
      queues = cpus;
      return true;
    } catch (IOException | RuntimeException | LinkageError e) {
      LOG.log(Level.DEBUG, "FUSE over io_uring not used: {0}", e.toString());
      rings.forEach(FuseRing::close);
      rings.clear();
      return false;
    }
  }

  /**
   * Starts a thread per ring, pinned to its queue's CPU, and waits until each has registered its
   * entry. If the kernel refuses one, it serves the connection through {@code /dev/fuse} instead
   * (the workers there answer everything), and the rings are given up.
   */
  private void startRings() throws IOException {
    if (rings.isEmpty()) {
      return;
    }
    CountDownLatch registered = new CountDownLatch(rings.size());
    AtomicInteger refused = new AtomicInteger();
    String name = "ize-ring-" + SERIAL.get();
    int[] index = new int[queues];
    for (FuseRing ring : rings) {
      Thread thread =
          new Thread(
              () -> serveRing(ring, registered, refused),
              name + "-" + ring.queue() + "-" + index[ring.queue()]++);
      thread.setDaemon(true);
      ringThreads.add(thread);
      thread.start();
    }
    try {
      if (!registered.await(10, TimeUnit.SECONDS)) {
        throw new IOException("the io_uring entries were not registered within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while registering the io_uring entries", e);
    }
    if (refused.get() != 0) {
      LOG.log(
          Level.WARNING,
          "the kernel refused an io_uring entry ({0}); requests go through /dev/fuse",
          Errno.describe(-refused.get()));
      queues = 0;
    }
  }

  /** A ring thread: registers its entry, then answers requests until the connection ends. */
  private void serveRing(FuseRing ring, CountDownLatch registered, AtomicInteger refused) {
    try {
      FuseRing.pin(ring.queue()); // where it may not run there, it serves from anywhere
      int rc = ring.register();
      if (rc < 0) {
        refused.compareAndSet(0, rc);
      }
      registered.countDown();
      if (rc < 0) {
        return;
      }
      while (true) {
        long length = ring.next();
        if (length < 0) {
          if (length != -Errno.ENOTCONN && length != -KernelAbi.ENODEV) {
            LOG.log(
                Level.ERROR,
                "the io_uring of queue {0}: {1}; its thread stops",
                ring.queue(),
                Errno.describe((int) -length));
          }
          return;
        }
        int reply = transport.answer(ring.buffers(), length);
        ring.reply(reply);
      }
    } finally {
      ring.close();
    }
  }

  private void startWorkers(int count, KernelTransport.Buffers first) throws IOException {
    int master = fds.get(0);
    KernelTransport.Buffers scratch = first;
    for (int i = 1; i < count; i++) {
      int clone =
          C.openat(LibC.AT_FDCWD, Names.cString("/dev/fuse"), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
      if (clone < 0) {
        throw Errno.exception(LibC.errno(), "cannot open /dev/fuse", "/dev/fuse");
      }
      scratch.scratch.putInt(0, master);
      if (DEVICE.ioctl(clone, KernelAbi.DEV_IOC_CLONE, scratch.scratch) < 0) {
        int errno = LibC.errno();
        C.close(clone);
        throw Errno.exception(errno, "cannot clone the FUSE connection", "/dev/fuse");
      }
      fds.add(clone);
    }
    List<DeviceQueue> queues = new ArrayList<>();
    for (int i = 0; i < fds.size(); i++) {
      queues.add(new DeviceQueue(fds.get(i), i == 0 ? first : new KernelTransport.Buffers()));
    }
    workers = new Workers("ize-kernel-" + SERIAL.incrementAndGet(), queues);
  }

  /** A worker's cloned descriptor and buffers. */
  private final class DeviceQueue implements Workers.Queue {
    private final int fd;
    private final KernelTransport.Buffers buffers;
    private long length;

    DeviceQueue(int fd, KernelTransport.Buffers buffers) {
      this.fd = fd;
      this.buffers = buffers;
    }

    @Override
    public boolean receive() {
      while (true) {
        length = DEVICE.read(fd, buffers.in, KernelTransport.IN_BUFFER);
        if (length >= 0) {
          return true;
        }
        int errno = LibC.errno();
        if (errno != Errno.ENOENT && errno != Errno.EINTR && errno != KernelAbi.EAGAIN) {
          if (errno != KernelAbi.ENODEV) {
            LOG.log(
                Level.ERROR, "reading /dev/fuse: {0}; the session stops", Errno.describe(errno));
          }
          return false;
        }
      }
    }

    @Override
    public void process() {
      transport.serve(fd, buffers, length);
    }
  }

  KernelTransport transport() {
    return transport;
  }

  /** Whether any worker still runs. */
  boolean alive() {
    return workers.alive() || ringThreads.stream().anyMatch(Thread::isAlive);
  }

  /** Waits up to {@code seconds} for every worker to stop; whether they all did. */
  boolean join(long seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    workers.join(seconds);
    Workers.joinUntil(ringThreads, deadline);
    return !alive();
  }

  /** Closes the connection's descriptors; call once the workers have stopped. */
  void closeDescriptors() {
    if (ringThreads.isEmpty()) {
      rings.forEach(FuseRing::close); // set up, never served (each thread closes its own)
    }
    rings.clear();
    fds.forEach(C::close);
    fds.clear();
  }

  /** What the session negotiated, for {@link io.ize.Mount#features}. */
  Set<String> features() {
    Set<String> features = new LinkedHashSet<>();
    features.add("protocol=7." + minor);
    features.add("max-write=" + KernelTransport.MAX_WRITE);
    features.add("readdirplus");
    features.add("parallel-dirops");
    features.add("workers=" + (workers.size() + ringThreads.size()));
    if (queues > 0) {
      features.add("io-uring");
      features.add("uring-queues=" + queues);
    }
    if (transport.passthrough()) {
      features.add("passthrough");
    }
    return features;
  }
}
