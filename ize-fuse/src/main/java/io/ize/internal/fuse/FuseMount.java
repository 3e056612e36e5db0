package io.ize.internal.fuse;

import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.StoreListener;
import io.ize.api.ChangeSet;
import io.ize.api.Point;
import io.ize.api.Snapshot;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A mount: checks its arguments, clears a dead mount left at the target, picks the transport
 * ({@link KernelSession}, the FUSE kernel protocol with passthrough, or libfuse 2 through {@link
 * JnrFuseTransport} on a thread of its own), and unmounts synchronously.
 */
public final class FuseMount implements Mount {
  private static final Logger LOG = System.getLogger(FuseMount.class.getName());
  private static final LibC C = LibC.INSTANCE;
  private static final long MOUNT_TIMEOUT_SECONDS = 30;
  private static final long UNMOUNT_GRACE_SECONDS = 10;
  private static final AtomicInteger SERIAL = new AtomicInteger();

  /**
   * Threads serving a mount ({@link Workers}: one reads while requests come one at a time, the
   * others only while it is busy): enough to keep a blocked request from stalling the rest.
   */
  private static final int WORKERS = 4;

  /** The source field of our mounts: {@code ize:<pid of the serving process>}. */
  private static final String FSNAME = "ize";

  /**
   * The options every mount gets, each safe because the source changes only through the mount while
   * it is mounted (the rule OverlayFS states for its layers too):
   *
   * <ul>
   *   <li>{@code big_writes,max_write=131072,max_read=131072}: 128 KiB requests instead of 4 KiB
   *       (libfuse 2's maximum).
   *   <li>{@code auto_cache}: the kernel keeps a file's pages across opens unless its size or mtime
   *       changed since they were cached. Plain {@code kernel_cache} would be unsafe here: libfuse
   *       2's path API gives each hard link its own kernel inode, so pages cached through one name
   *       would go stale after a write through another; auto_cache notices the mtime.
   *   <li>{@code entry_timeout=1,negative_timeout=1}: names are cached for a second; every change
   *       of names comes through the mount, which invalidates the kernel's entries itself.
   *   <li>{@code attr_timeout=1}: attributes are cached for a second, as bindfs and libfuse's
   *       default have it. Uncached, every permission check of every directory on a path was a
   *       GETATTR round trip (with {@code default_permissions} the kernel wants fresh attributes),
   *       so metadata work cost two to four times bindfs's. The price is the hard-link one: a chmod
   *       through one name shows through the others once their cached attributes expire, within
   *       that second.
   *   <li>{@code ac_attr_timeout=0}: auto_cache still compares a file's mtime and size at every
   *       open (its default is attr_timeout), so a name opened after a write through another name
   *       never reads stale pages.
   *   <li>{@code use_ino,readdir_ino}: inode numbers are the source's, so links agree on st_ino.
   *   <li>{@code hard_remove}: an unlinked file that is still open is removed from the source at
   *       once rather than renamed to a hidden {@code .fuse_hidden} file; its open handles keep
   *       working since every data call goes through the descriptor.
   *   <li>{@code default_permissions,allow_other}: the kernel checks permissions against the modes
   *       and owners the mount reports, for every user.
   *   <li>{@code nonempty}: the target may hold files, as it does when it is the source.
   *   <li>{@code fsname=ize:<pid>} (added per mount): names the serving process, so that the next
   *       mount can tell a dead mount from a live one without touching it.
   * </ul>
   */
  private static final String FUSE_OPTIONS =
      "subtype=ize,default_permissions,allow_other,use_ino,readdir_ino,hard_remove,"
          + "nonempty,big_writes,max_write=131072,max_read=131072,auto_cache,"
          + "entry_timeout=1,negative_timeout=1,attr_timeout=1,ac_attr_timeout=0";

  private final Path source;
  private final Path target;
  private final MountOptions options;
  private final PassthroughFs fs;
  private final VersionStore store;
  private final Recorder recorder;
  private final Server server;
  private final Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Open until the first {@link #close} has finished: a second caller (the application's own
   * shutdown hook racing ours) waits for it, so that whoever closes the store after {@code close}
   * returns never closes it under the recorder's last commit.
   */
  private final CountDownLatch closeDone = new CountDownLatch(1);

  private volatile long connection = -1;

  private FuseMount(
      Path source,
      Path target,
      MountOptions options,
      PassthroughFs fs,
      Server server,
      VersionStore store,
      Recorder recorder) {
    this.store = store;
    this.recorder = recorder;
    this.source = source;
    this.target = target;
    this.options = options;
    this.fs = fs;
    this.server = server;
    this.shutdownHook = new Thread(this::close, "ize-unmount-" + target);
  }

  /** Mounts {@code source} at {@code target}; see {@link io.ize.Ize#mount}. */
  public static FuseMount mount(Path source, Path target, VersionStore store, MountOptions options)
      throws IOException {
    return mount(source, target, options, store, fs -> Capture.NONE);
  }

  /** Mounts with a {@link Capture} that sees every change and no store (for tests). */
  static FuseMount mount(Path source, Path target, MountOptions options, Capture capture)
      throws IOException {
    return mount(source, target, options, null, fs -> capture);
  }

  private static FuseMount mount(
      Path source,
      Path target,
      MountOptions options,
      VersionStore store,
      java.util.function.Function<PassthroughFs, Capture> captureFor)
      throws IOException {
    Path src = source.toAbsolutePath().normalize();
    Path dst = target.toAbsolutePath().normalize();
    requireDirectory(src, "source");
    clearDeadMount(dst);
    requireDirectory(dst, "target");
    if (isFuseMountPoint(dst)) {
      throw new FileSystemException(
          dst.toString(), null, "target is already a live FUSE mount; unmount it first");
    }
    io.ize.Transport transport = choose(options.transport(), dst);
    JnrFuseTransport.LibFuse libFuse =
        transport == io.ize.Transport.JNR_FUSE
            ? loadFuse(Path.of("/dev/fuse"), "fuse", "libfuse.so.2")
            : null;
    PassthroughFs fs = PassthroughFs.open(src, Capture.NONE);
    Recorder recorder = null;
    if (store != null) {
      try {
        fs.showHistory(store);
      } catch (IOException e) {
        fs.close();
        throw e;
      }
      recorder = new Recorder(store, fs, options.queueBytes(), options.strictRecording());
      fs.attach(recorder);
      if (Files.exists(src.resolve(".ize"), LinkOption.NOFOLLOW_LINKS)) {
        LOG.log(
            Level.WARNING,
            "{0} has an entry .ize of its own: the history view shadows it, so it is neither"
                + " reachable nor recorded through the mount",
            src);
      }
    } else {
      fs.attach(captureFor.apply(fs));
    }
    Server server =
        libFuse != null
            ? new JnrServer(fs, libFuse, dst, options)
            : new KernelServer(fs, dst, options);
    FuseMount mount = new FuseMount(src, dst, options, fs, server, store, recorder);
    try {
      mount.start();
    } catch (IOException | RuntimeException e) {
      if (recorder != null) {
        recorder.close();
      }
      fs.close();
      throw e;
    }
    return mount;
  }

  private void start() throws IOException {
    server.start();
    List<MountEntry> mounted = fuseMountsAt(target);
    if (!mounted.isEmpty()) {
      connection = mounted.get(mounted.size() - 1).connection;
    }
    java.lang.Runtime.getRuntime().addShutdownHook(shutdownHook);
    LOG.log(Level.DEBUG, "mounted {0} at {1}", source, target);
  }

  @Override
  public Path source() {
    return source;
  }

  @Override
  public Path target() {
    return target;
  }

  @Override
  public MountOptions options() {
    return options;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      awaitClosed();
      return;
    }
    try {
      closeOnce();
    } finally {
      closeDone.countDown();
    }
  }

  private void awaitClosed() {
    boolean interrupted = false;
    while (true) {
      try {
        closeDone.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeOnce() {
    try {
      java.lang.Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook is what is running us
    }
    unmount();
    try {
      if (!join(UNMOUNT_GRACE_SECONDS)) {
        // Detached but still referenced (a process holds a file open): cut the connection.
        abortConnection();
        join(UNMOUNT_GRACE_SECONDS);
      }
    } finally {
      if (recorder != null) {
        recorder.close();
      }
      if (!server.alive()) {
        server.closed();
        fs.close();
      } else {
        LOG.log(
            Level.ERROR, "FUSE loop for {0} did not stop; leaving its descriptors open", target);
      }
    }
  }

  @Override
  public VersionStore store() {
    return recording().store;
  }

  @Override
  public void sync() throws IOException {
    recording().recorder.sync();
  }

  @Override
  public long lag() {
    return recorder == null ? 0 : recorder.lagEvents();
  }

  @Override
  public void addListener(StoreListener listener) {
    recording().recorder.addListener(listener);
  }

  @Override
  public Snapshot snapshot(String name) throws IOException {
    sync();
    return store.snapshot(name);
  }

  @Override
  public ChangeSet changesSince(Point point) throws IOException {
    sync();
    return store.changes(point, Point.latest());
  }

  @Override
  public void restore(Point point) throws IOException {
    restore("", point);
  }

  @Override
  public void restore(String path, Point point) throws IOException {
    sync();
    if (closed.get()) {
      throw new IllegalStateException("mount of " + target + " is closed");
    }
    new Restorer(store, target).restore(path, point);
    sync();
  }

  /** The recorder, or null for a mount that records nothing. */
  Recorder recorder() {
    return recorder;
  }

  private FuseMount recording() {
    if (recorder == null) {
      throw new IllegalStateException(
          "the mount of " + target + " records nothing: mount it with a VersionStore");
    }
    return this;
  }

  @Override
  public String toString() {
    return "Mount{" + source + " -> " + target + "}";
  }

  private boolean join(long seconds) {
    return server.join(seconds);
  }

  @Override
  public io.ize.Transport transport() {
    return server.transport();
  }

  @Override
  public Set<String> features() {
    return Set.copyOf(server.features());
  }

  /** The kernel transport's request layer, or null on jnr-fuse (for tests). */
  KernelTransport kernelTransport() {
    return server instanceof KernelServer ? ((KernelServer) server).session.transport() : null;
  }

  /**
   * Picks the transport. AUTO takes the kernel protocol where it may be mounted without libfuse
   * (root, which holds CAP_SYS_ADMIN, and a kernel with FUSE passthrough, 6.9 and later).
   */
  private static io.ize.Transport choose(io.ize.Transport asked, Path target) throws IOException {
    boolean kernelAllowed = C.geteuid() == 0 && Files.exists(Path.of("/dev/fuse"));
    switch (asked) {
      case KERNEL:
        if (!kernelAllowed) {
          throw new FileSystemException(
              target.toString(),
              null,
              "the kernel transport needs root (CAP_SYS_ADMIN) and /dev/fuse; "
                  + "use Transport.JNR_FUSE or AUTO here");
        }
        return asked;
      case AUTO:
        return kernelAllowed && kernelHasPassthrough()
            ? io.ize.Transport.KERNEL
            : io.ize.Transport.JNR_FUSE;
      default:
        return asked;
    }
  }

  private static boolean kernelHasPassthrough() {
    try {
      String[] release =
          Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim().split("[.-]");
      int major = Integer.parseInt(release[0]);
      int minor = Integer.parseInt(release[1]);
      return major > 6 || (major == 6 && minor >= 9);
    } catch (IOException | RuntimeException unknown) {
      return false;
    }
  }

  /** How the mount is served: started once, live when start returns, stopped by unmounting. */
  private interface Server {
    void start() throws IOException;

    boolean alive();

    boolean join(long seconds);

    /** Releases what the server holds once it has stopped. */
    void closed();

    io.ize.Transport transport();

    Set<String> features();
  }

  /** libfuse 2's loop on a thread of its own. */
  private static final class JnrServer implements Server {
    private final Thread loop;
    private final Path target;
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(Integer.MIN_VALUE);

    JnrServer(
        PassthroughFs fs, JnrFuseTransport.LibFuse libFuse, Path target, MountOptions options) {
      this.target = target;
      JnrFuseTransport transport = new JnrFuseTransport(fs, libFuse, started::countDown);
      String[] args = arguments(target, options);
      this.loop =
          new Thread(
              () -> exitCode.set(transport.run(args, WORKERS)),
              "ize-fuse-" + SERIAL.incrementAndGet());
      this.loop.setDaemon(true);
    }

    @Override
    public void start() throws IOException {
      loop.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MOUNT_TIMEOUT_SECONDS);
      try {
        while (!started.await(50, TimeUnit.MILLISECONDS)) {
          if (!loop.isAlive()) {
            throw new FileSystemException(
                target.toString(),
                null,
                "libfuse could not mount (exit code "
                    + exitCode.get()
                    + "; its reason is on stderr)");
          }
          if (System.nanoTime() > deadline) {
            unmountAt(target);
            throw new FileSystemException(
                target.toString(),
                null,
                "mount did not come up within " + MOUNT_TIMEOUT_SECONDS + " s");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        unmountAt(target);
        throw new java.io.InterruptedIOException("interrupted while mounting " + target);
      }
    }

    @Override
    public boolean alive() {
      return loop.isAlive();
    }

    @Override
    public boolean join(long seconds) {
      try {
        loop.join(TimeUnit.SECONDS.toMillis(seconds));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return !loop.isAlive();
    }

    @Override
    public void closed() {}

    @Override
    public io.ize.Transport transport() {
      return io.ize.Transport.JNR_FUSE;
    }

    @Override
    public Set<String> features() {
      return Set.of("protocol=7.19", "max-write=131072", "workers=" + WORKERS);
    }
  }

  /** The FUSE kernel protocol on {@code /dev/fuse}: {@link KernelSession}'s workers. */
  private static final class KernelServer implements Server {
    private final PassthroughFs fs;
    private final Path target;
    private final boolean readOnly;
    private KernelSession session;

    KernelServer(PassthroughFs fs, Path target, MountOptions options) {
      this.fs = fs;
      this.target = target;
      this.readOnly = options.readOnly();
    }

    @Override
    public void start() throws IOException {
      session =
          KernelSession.mount(
              fs, target, FSNAME + ":" + ProcessHandle.current().pid(), readOnly, WORKERS);
    }

    @Override
    public boolean alive() {
      return session.alive();
    }

    @Override
    public boolean join(long seconds) {
      return session.join(seconds);
    }

    @Override
    public void closed() {
      session.closeDescriptors();
    }

    @Override
    public io.ize.Transport transport() {
      return io.ize.Transport.KERNEL;
    }

    @Override
    public Set<String> features() {
      return session.features();
    }
  }

  private void unmount() {
    unmountAt(target);
  }

  /** Unmounts; a busy mount is detached instead, and goes once its last user lets go. */
  private static void unmountAt(Path target) {
    byte[] path = Names.cString(target.toString());
    if (C.geteuid() == 0) {
      if (C.umount2(path, 0) == 0) {
        return;
      }
      int errno = LibC.errno();
      if (errno == Errno.EBUSY && C.umount2(path, LibC.MNT_DETACH) == 0) {
        return;
      }
      if (errno != Errno.EINVAL) {
        LOG.log(Level.WARNING, "unmounting {0}: {1}", target, Errno.describe(errno));
      }
    } else if (!fusermount("-u", target) && !fusermount("-uz", target)) {
      LOG.log(Level.WARNING, "fusermount could not unmount {0}", target);
    }
  }

  private void abortConnection() {
    if (connection >= 0 && abort(connection)) {
      LOG.log(Level.WARNING, "aborted the FUSE connection of {0}: it was still in use", target);
    }
  }

  private static String[] arguments(Path target, MountOptions options) {
    List<String> args = new ArrayList<>();
    args.add("ize");
    args.add("-f");
    args.add("-o");
    args.add(
        "fsname="
            + FSNAME
            + ":"
            + ProcessHandle.current().pid()
            + ","
            + FUSE_OPTIONS
            + (options.readOnly() ? ",ro" : ""));
    args.add(target.toString());
    return args.toArray(new String[0]);
  }

  private static void requireDirectory(Path path, String role) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, role + " does not exist");
    }
    if (!Files.isDirectory(path)) {
      throw new NotDirectoryException(path + " (" + role + " is not a directory)");
    }
  }

  /**
   * Clears a dead FUSE mount at {@code target}. A mount of ours names its daemon's process in its
   * source ({@code ize:<pid>}); if that process is gone (or a zombie: a JVM killed while one of its
   * threads waited on its own mount never finishes exiting until the connection is aborted), the
   * connection is aborted through fusectl and the mount detached. Any other FUSE mount is dead if
   * it answers ENOTCONN ("Transport endpoint is not connected").
   */
  public static void clearDeadMount(Path target) throws IOException {
    for (MountEntry entry : fuseMounts(target)) {
      if (entry.daemon > 0 && !isRunning(entry.daemon)) {
        LOG.log(
            Level.INFO,
            "clearing the FUSE mount of dead process {0} at {1}",
            entry.daemon,
            entry.target);
        abort(entry.connection);
        try {
          detach(Path.of(entry.target));
        } catch (IOException elsewhere) {
          if (entry.target.equals(target.toString())) {
            throw elsewhere;
          }
          LOG.log(Level.WARNING, elsewhere.getMessage());
        }
      }
    }
    if (isFuseMountPoint(target)) {
      return;
    }
    Pointer stat = Memory.allocateDirect(Runtime.getRuntime(C), LibC.STAT_SIZE);
    byte[] path = Names.cString(target.toString());
    if (C.fstatat(LibC.AT_FDCWD, path, stat, 0) == 0 || LibC.errno() != Errno.ENOTCONN) {
      return;
    }
    LOG.log(Level.INFO, "clearing a dead FUSE mount at {0}", target);
    detach(target);
  }

  private static void detach(Path target) throws IOException {
    byte[] path = Names.cString(target.toString());
    boolean cleared =
        C.geteuid() == 0 ? C.umount2(path, LibC.MNT_DETACH) == 0 : fusermount("-uz", target);
    if (!cleared) {
      throw new FileSystemException(
          target.toString(), null, "a dead FUSE mount is left here and could not be cleared");
    }
  }

  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X' && !killed(pid);
    } catch (IOException gone) {
      return false;
    }
  }

  /**
   * Whether SIGKILL is pending for the whole process: a killed daemon one of whose threads waits on
   * its own mount (a close's flush at exit) cannot finish dying until that mount is aborted.
   */
  private static boolean killed(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("ShdPnd:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 8)) != 0;
      }
    }
    return false;
  }

  /** Aborts a FUSE connection, failing its pending requests; mounts fusectl first if needed. */
  private static boolean abort(long connection) {
    Path connections = Path.of("/sys/fs/fuse/connections");
    try {
      if (C.geteuid() == 0 && Files.isDirectory(connections) && isEmpty(connections)) {
        byte[] none = Names.cString("fusectl");
        C.mount(none, Names.cString(connections.toString()), none, 0, null);
      }
      Files.writeString(connections.resolve(Long.toString(connection)).resolve("abort"), "1");
      return true;
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not abort FUSE connection " + connection, e);
      return false;
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Whether a FUSE file system is mounted exactly at {@code path}. */
  static boolean isFuseMountPoint(Path path) throws IOException {
    return !fuseMountsAt(path).isEmpty();
  }

  /** A FUSE mount in /proc/self/mountinfo: its connection number and, for ours, its daemon. */
  private static final class MountEntry {
    final String target;
    final long connection;
    final long daemon;

    MountEntry(String target, long connection, long daemon) {
      this.target = target;
      this.connection = connection;
      this.daemon = daemon;
    }
  }

  private static List<MountEntry> fuseMountsAt(Path path) throws IOException {
    List<MountEntry> at = new ArrayList<>();
    for (MountEntry entry : fuseMounts(null)) {
      if (entry.target.equals(path.toString())) {
        at.add(entry);
      }
    }
    return at;
  }

  /**
   * FUSE mounts at {@code path}, and every mount of ours anywhere whose daemon is gone (so that a
   * killed run's leftovers are cleared by the next mount, wherever they are); all, for null.
   */
  private static List<MountEntry> fuseMounts(Path path) throws IOException {
    String wanted = path == null ? null : path.toString();
    List<MountEntry> found = new ArrayList<>();
    for (String line :
        Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
      String[] fields = line.split(" ");
      int separator = line.indexOf(" - ");
      if (fields.length < 5 || separator < 0) {
        continue;
      }
      String[] tail = line.substring(separator + 3).split(" ");
      String where = unescape(fields[4]);
      if (!tail[0].startsWith("fuse")) {
        continue;
      }
      long connection = Long.parseLong(fields[2].substring(fields[2].indexOf(':') + 1));
      long daemon = -1;
      if (tail[0].equals("fuse.ize") && tail.length > 1 && tail[1].startsWith(FSNAME + ":")) {
        daemon = Long.parseLong(tail[1].substring(FSNAME.length() + 1));
      }
      if (wanted == null || where.equals(wanted) || (daemon > 0 && !isRunning(daemon))) {
        found.add(new MountEntry(where, connection, daemon));
      }
    }
    return found;
  }

  /** Undoes mountinfo's octal escapes ({@code \040} for a space). */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Checks that FUSE can be used here and loads libfuse 2, trying each library name in turn.
   *
   * @throws FileSystemException naming what is missing and the package that provides it
   */
  static JnrFuseTransport.LibFuse loadFuse(Path device, String... libraries) throws IOException {
    if (!Files.exists(device, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileSystemException(
          device.toString(), null, "FUSE is unavailable: the kernel offers no " + device + " here");
    }
    if (C.geteuid() != 0 && findOnPath("fusermount") == null && findOnPath("fusermount3") == null) {
      throw new FileSystemException(
          "fusermount",
          null,
          "FUSE is unavailable: fusermount is not on the PATH (apt-get install fuse3)");
    }
    for (String library : libraries) {
      try {
        return LibraryLoader.create(JnrFuseTransport.LibFuse.class).failImmediately().load(library);
      } catch (LinkageError e) {
        LOG.log(Level.DEBUG, "cannot load " + library, e);
      }
    }
    throw new FileSystemException(
        String.join(", ", libraries),
        null,
        "libfuse 2 is not installed (2.9 or later): install the package libfuse2"
            + " (apt-get install libfuse2)");
  }

  private static Path findOnPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean fusermount(String flags, Path target) {
    String command = findOnPath("fusermount") != null ? "fusermount" : "fusermount3";
    try {
      Process process =
          new ProcessBuilder(command, flags, target.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return process.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
