package io.ize.internal.fuse;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import jnr.ffi.BaseStruct;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.mapper.FromNativeConverter;
import jnr.ffi.provider.jffi.ClosureHelper;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The jnr-fuse transport: libfuse 2's high-level, path-based API.
 *
 * <p>It fills jnr-fuse's {@code fuse_operations} layout with its own callbacks, which take paths as
 * raw pointers rather than jnr-fuse's {@code String}s, so that names are bytes end to end. Each
 * callback only decodes its arguments, calls {@link PassthroughFs}, and returns the result; every
 * callback runs inside {@link #guard}, the one place that turns an exception into EIO (logged with
 * its stack), so no exception ever reaches native code.
 *
 * <p>Requests are served by {@link Workers} on threads of this class's own ({@link #run}); the
 * callbacks keep no per-thread state.
 *
 * <p>A callback allocates as little as it can: it reads the file handle, the open flags and the
 * caller's ids at their offsets in libfuse's structures rather than through jnr-fuse's {@code
 * Struct} views, each of which allocated an object per field on every call (most of the daemon's
 * garbage under a metadata workload).
 */
final class JnrFuseTransport {
  private static final Logger LOG = System.getLogger(JnrFuseTransport.class.getName());

  /** libfuse 2's {@code fuse_operations.flags}: {@code flag_nullpath_ok | flag_utime_omit_ok}. */
  private static final int OPERATION_FLAGS = 1 | 4;

  private static final int STAT_BUFFER = LibC.STAT_SIZE;

  /**
   * Where {@code fuse_file_info.flags} and {@code fuse_file_info.fh} are, as jnr-fuse lays it out.
   */
  private static final int FLAGS_OFFSET;

  private static final int FH_OFFSET;

  static {
    FuseFileInfo layout =
        FuseFileInfo.of(Memory.allocateDirect(Runtime.getSystemRuntime(), 64, true));
    FLAGS_OFFSET = (int) layout.flags.offset();
    FH_OFFSET = (int) layout.fh.offset();
  }

  /**
   * Where {@code fuse_context.uid} and {@code .gid} are: {@code struct fuse_context { struct fuse
   * *fuse; uid_t uid; gid_t gid; ... }}.
   */
  private static final int UID_OFFSET = Runtime.getSystemRuntime().addressSize();

  private static final int GID_OFFSET = UID_OFFSET + 4;

  /**
   * The functions of libfuse 2 this transport calls: {@code fuse_main_real}'s parts, so that the
   * session is served by {@link Workers} on Java threads rather than by libfuse's own loop.
   */
  public interface LibFuse {
    /**
     * Parses the arguments, mounts and creates the file system; null if it could not (the reason is
     * on stderr).
     */
    Pointer fuse_setup(
        int argc,
        String[] argv,
        Pointer operations,
        @size_t long size,
        Pointer mountpointOut,
        Pointer multithreadedOut,
        Pointer userData);

    /** Unmounts (if still mounted) and destroys what {@code fuse_setup} made. */
    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer session, Pointer channel);

    @size_t
    long fuse_chan_bufsize(Pointer channel);

    /**
     * Reads one request into {@code buffer}: its length, 0 once the session has ended, or -errno.
     */
    int fuse_session_receive_buf(Pointer session, Pointer buffer, Pointer channelInOut);

    void fuse_session_process_buf(Pointer session, Pointer buffer, Pointer channel);

    int fuse_session_exited(Pointer session);

    void fuse_session_exit(Pointer session);

    /** The calling thread's request context: valid only inside a callback. */
    Pointer fuse_get_context();
  }

  /**
   * {@code struct fuse_buf { size_t size; enum fuse_buf_flags flags; void *mem; int fd; off_t pos;
   * }} on a 64-bit machine: where its fields are, and its size.
   */
  private static final int BUF_SIZE_OFFSET = 0;

  private static final int BUF_FLAGS_OFFSET = 8;
  private static final int BUF_MEM_OFFSET = 16;
  private static final int BUF_FD_OFFSET = 24;
  private static final int BUF_POS_OFFSET = 32;
  private static final int BUF_STRUCT_SIZE = 40;

  private final PassthroughFs fs;
  private final LibFuse libFuse;
  private final Runtime runtime = Runtime.getSystemRuntime();
  private final FuseOperations operations = new FuseOperations(runtime);

  /** Callbacks and their native trampolines: reachable for as long as libfuse may call them. */
  private final List<Object> keepAlive = new ArrayList<>();

  private final Runnable onInit;

  JnrFuseTransport(PassthroughFs fs, LibFuse libFuse, Runnable onInit) {
    this.fs = fs;
    this.libFuse = libFuse;
    this.onInit = onInit;
    install();
  }

  /**
   * Mounts, serves the session on {@code threads} {@link Workers} until the file system is
   * unmounted, and tears it down: what {@code fuse_main_real} does, with Java threads in place of
   * libfuse's, so that no callback attaches a native thread to the JVM (jffi detaches each of
   * libfuse's threads again after every callback for its first thousand) and requests reach one
   * warm thread while they come one at a time. Returns 0, or 1 if it could not mount.
   */
  int run(String[] args, int threads) {
    Pointer mountpoint = Memory.allocateDirect(runtime, runtime.addressSize(), true);
    Pointer multithreaded = Memory.allocateDirect(runtime, 4, true);
    Pointer fuse =
        libFuse.fuse_setup(
            args.length,
            args,
            Struct.getMemory(operations),
            Struct.size(operations),
            mountpoint,
            multithreaded,
            null);
    if (fuse == null) {
      return 1;
    }
    Pointer session = libFuse.fuse_get_session(fuse);
    Pointer channel = libFuse.fuse_session_next_chan(session, null);
    long bufferSize = libFuse.fuse_chan_bufsize(channel);
    List<SessionQueue> queues = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      queues.add(new SessionQueue(session, channel, bufferSize));
    }
    Workers workers = new Workers(Thread.currentThread().getName(), queues);
    workers.awaitStopped();
    libFuse.fuse_teardown(fuse, mountpoint.getPointer(0));
    return 0;
  }

  /** A worker's request buffer, as libfuse's loop keeps one per thread. */
  private final class SessionQueue implements Workers.Queue {
    private final Pointer session;
    private final Pointer channel;
    private final long bufferSize;
    private final Pointer buffer;
    private final Pointer fuseBuf;
    private final Pointer channelOut;

    SessionQueue(Pointer session, Pointer channel, long bufferSize) {
      this.session = session;
      this.channel = channel;
      this.bufferSize = bufferSize;
      this.buffer = Memory.allocateDirect(runtime, (int) bufferSize);
      this.fuseBuf = Memory.allocateDirect(runtime, BUF_STRUCT_SIZE, true);
      this.channelOut = Memory.allocateDirect(runtime, runtime.addressSize(), true);
    }

    @Override
    public boolean receive() {
      while (libFuse.fuse_session_exited(session) == 0) {
        fuseBuf.putLong(BUF_SIZE_OFFSET, bufferSize);
        fuseBuf.putInt(BUF_FLAGS_OFFSET, 0);
        fuseBuf.putPointer(BUF_MEM_OFFSET, buffer);
        fuseBuf.putInt(BUF_FD_OFFSET, 0);
        fuseBuf.putLong(BUF_POS_OFFSET, 0);
        channelOut.putPointer(0, channel);
        int n = libFuse.fuse_session_receive_buf(session, fuseBuf, channelOut);
        if (n > 0) {
          return true;
        }
        if (n != -Errno.EINTR) {
          if (n < 0) {
            LOG.log(Level.ERROR, "reading the FUSE session: {0}", Errno.describe(-n));
            libFuse.fuse_session_exit(session);
          }
          return false;
        }
      }
      return false;
    }

    @Override
    public void process() {
      libFuse.fuse_session_process_buf(session, fuseBuf, channelOut.getPointer(0));
    }
  }

  // --------------------------------------------------------------- callback shapes

  /** {@code int op(const char *path)}. */
  public interface PathCallback {
    @Delegate
    int call(Pointer path);
  }

  /** {@code int op(const char *path, void *arg)}. */
  public interface PathPointerCallback {
    @Delegate
    int call(Pointer path, Pointer arg);
  }

  /** {@code int op(const char *a, const char *b)}. */
  public interface TwoPathCallback {
    @Delegate
    int call(Pointer first, Pointer second);
  }

  /** {@code int op(const char *path, mode_t mode)}. */
  public interface ModeCallback {
    @Delegate
    int call(Pointer path, @mode_t int mode);
  }

  /** {@code int mknod(const char *path, mode_t mode, dev_t rdev)}. */
  public interface MknodCallback {
    @Delegate
    int call(Pointer path, @mode_t int mode, @dev_t long rdev);
  }

  /** {@code int chown(const char *path, uid_t uid, gid_t gid)}. */
  public interface ChownCallback {
    @Delegate
    int call(Pointer path, @uid_t int uid, @gid_t int gid);
  }

  /** {@code int truncate(const char *path, off_t size)}. */
  public interface TruncateCallback {
    @Delegate
    int call(Pointer path, @off_t long size);
  }

  /** {@code int op(const char *path, char *buffer, size_t size)}. */
  public interface BufferCallback {
    @Delegate
    int call(Pointer path, Pointer buffer, @size_t long size);
  }

  /** {@code int op(const char *path, char *buf, size_t size, off_t offset, fuse_file_info *fi)}. */
  public interface IoCallback {
    @Delegate
    int call(Pointer path, Pointer buffer, @size_t long size, @off_t long offset, Pointer fi);
  }

  /** {@code int op(const char *path, int flag, fuse_file_info *fi)}. */
  public interface SyncCallback {
    @Delegate
    int call(Pointer path, int flag, Pointer fi);
  }

  /** {@code int setxattr(path, name, value, size, flags)}. */
  public interface SetxattrCallback {
    @Delegate
    int call(Pointer path, Pointer name, Pointer value, @size_t long size, int flags);
  }

  /** {@code int getxattr(path, name, value, size)}. */
  public interface GetxattrCallback {
    @Delegate
    int call(Pointer path, Pointer name, Pointer value, @size_t long size);
  }

  /** {@code int readdir(path, buf, filler, offset, fi)}. */
  public interface ReaddirCallback {
    @Delegate
    int call(Pointer path, Pointer buffer, Pointer filler, @off_t long offset, Pointer fi);
  }

  /** {@code int filler(void *buf, const char *name, const struct stat *st, off_t off)}. */
  public interface FillDir {
    @Delegate
    int call(Pointer buffer, Pointer name, Pointer stat, @off_t long offset);
  }

  /** {@code void *init(struct fuse_conn_info *conn)}. */
  public interface InitCallback {
    @Delegate
    Pointer call(Pointer conn);
  }

  /** {@code int create(const char *path, mode_t mode, fuse_file_info *fi)}. */
  public interface CreateCallback {
    @Delegate
    int call(Pointer path, @mode_t int mode, Pointer fi);
  }

  /** {@code int ftruncate(const char *path, off_t size, fuse_file_info *fi)}. */
  public interface FtruncateCallback {
    @Delegate
    int call(Pointer path, @off_t long size, Pointer fi);
  }

  /** {@code int fgetattr(const char *path, struct stat *st, fuse_file_info *fi)}. */
  public interface FgetattrCallback {
    @Delegate
    int call(Pointer path, Pointer stat, Pointer fi);
  }

  /** {@code int fallocate(const char *path, int mode, off_t offset, off_t length, fi)}. */
  public interface FallocateCallback {
    @Delegate
    int call(Pointer path, int mode, @off_t long offset, @off_t long length, Pointer fi);
  }

  // --------------------------------------------------------------- installation

  private void install() {
    FuseOperations o = operations;
    set(
        o.getattr,
        PathPointerCallback.class,
        (p, st) -> guard("getattr", () -> fs.getattr(rel(p), st)));
    set(
        o.readlink,
        BufferCallback.class,
        (p, b, n) -> guard("readlink", () -> fs.readlink(rel(p), b, n)));
    set(
        o.mknod,
        MknodCallback.class,
        (p, m, d) -> guard("mknod", () -> fs.mknod(rel(p), m, d, callerUid(), callerGid())));
    set(
        o.mkdir,
        ModeCallback.class,
        (p, m) -> guard("mkdir", () -> fs.mkdir(rel(p), m, callerUid(), callerGid())));
    set(o.unlink, PathCallback.class, p -> guard("unlink", () -> fs.unlink(rel(p))));
    set(o.rmdir, PathCallback.class, p -> guard("rmdir", () -> fs.rmdir(rel(p))));
    set(
        o.symlink,
        TwoPathCallback.class,
        (t, p) ->
            guard("symlink", () -> fs.symlink(Names.cString(t), rel(p), callerUid(), callerGid())));
    set(
        o.rename,
        TwoPathCallback.class,
        (a, b) -> guard("rename", () -> fs.rename(rel(a), rel(b), 0)));
    set(o.link, TwoPathCallback.class, (a, b) -> guard("link", () -> fs.link(rel(a), rel(b))));
    set(o.chmod, ModeCallback.class, (p, m) -> guard("chmod", () -> fs.chmod(rel(p), m)));
    set(o.chown, ChownCallback.class, (p, u, g) -> guard("chown", () -> fs.chown(rel(p), u, g)));
    set(
        o.truncate,
        TruncateCallback.class,
        (p, n) -> guard("truncate", () -> fs.truncate(rel(p), n)));
    set(o.open, PathPointerCallback.class, (p, fi) -> guard("open", () -> open(p, fi)));
    set(
        o.read,
        IoCallback.class,
        (p, b, n, off, fi) -> guard("read", () -> fs.read(fh(fi), b, n, off)));
    set(
        o.write,
        IoCallback.class,
        (p, b, n, off, fi) -> guard("write", () -> fs.write(rel(p), fh(fi), b, n, off)));
    set(o.statfs, PathPointerCallback.class, (p, st) -> guard("statfs", () -> fs.statfs(st)));
    set(
        o.flush,
        PathPointerCallback.class,
        (p, fi) -> guard("flush", () -> fs.flush(rel(p), fh(fi))));
    set(
        o.release,
        PathPointerCallback.class,
        (p, fi) -> guard("release", () -> fs.release(rel(p), fh(fi))));
    set(
        o.fsync,
        SyncCallback.class,
        (p, d, fi) -> guard("fsync", () -> fs.fsync(rel(p), fh(fi), d != 0)));
    set(
        o.setxattr,
        SetxattrCallback.class,
        (p, n, v, s, f) -> guard("setxattr", () -> fs.setxattr(rel(p), Names.cString(n), v, s, f)));
    set(
        o.getxattr,
        GetxattrCallback.class,
        (p, n, v, s) -> guard("getxattr", () -> fs.getxattr(rel(p), Names.cString(n), v, s)));
    set(
        o.listxattr,
        BufferCallback.class,
        (p, l, s) -> guard("listxattr", () -> fs.listxattr(rel(p), l, s)));
    set(
        o.removexattr,
        TwoPathCallback.class,
        (p, n) -> guard("removexattr", () -> fs.removexattr(rel(p), Names.cString(n))));
    set(o.opendir, PathPointerCallback.class, (p, fi) -> guard("opendir", () -> opendir(p, fi)));
    set(
        o.readdir,
        ReaddirCallback.class,
        (p, b, f, off, fi) -> guard("readdir", () -> readdir(b, f, off, fi)));
    set(
        o.releasedir,
        PathPointerCallback.class,
        (p, fi) -> guard("releasedir", () -> fs.releasedir(fh(fi))));
    set(
        o.fsyncdir,
        SyncCallback.class,
        (p, d, fi) -> guard("fsyncdir", () -> fs.fsyncdir(fh(fi), d != 0)));
    set(
        o.init,
        InitCallback.class,
        conn -> {
          try {
            onInit.run();
          } catch (Throwable e) {
            LOG.log(Level.ERROR, "FUSE init failed", e);
          }
          return null;
        });
    set(o.access, ModeCallback.class, (p, m) -> guard("access", () -> fs.access(rel(p), m)));
    set(o.create, CreateCallback.class, (p, m, fi) -> guard("create", () -> create(p, m, fi)));
    set(
        o.ftruncate,
        FtruncateCallback.class,
        (p, n, fi) -> guard("ftruncate", () -> fs.ftruncate(rel(p), fh(fi), n)));
    set(
        o.fgetattr,
        FgetattrCallback.class,
        (p, st, fi) -> guard("fgetattr", () -> fs.fgetattr(fh(fi), st)));
    set(
        o.utimens,
        PathPointerCallback.class,
        (p, ts) -> guard("utimens", () -> fs.utimens(rel(p), ts)));
    set(
        o.fallocate,
        FallocateCallback.class,
        (p, m, off, n, fi) -> guard("fallocate", () -> fs.fallocate(rel(p), fh(fi), m, off, n)));
    // The flags bitfield follows the last function pointer of the original structure (bmap).
    Struct.getMemory(o).putInt(o.bmap.offset() + runtime.addressSize(), OPERATION_FLAGS);
  }

  private <T> void set(BaseStruct.Func<?> slot, Class<T> type, T callback) {
    Pointer trampoline = runtime.getClosureManager().getClosurePointer(type, callback);
    keepAlive.add(callback);
    keepAlive.add(trampoline);
    Struct.getMemory(operations).putPointer(slot.offset(), trampoline);
  }

  // --------------------------------------------------------------- decoding

  /** The one errno mapper: every callback's result passes here. */
  private static int guard(String operation, IntSupplier body) {
    try {
      return body.getAsInt();
    } catch (Throwable e) {
      LOG.log(Level.ERROR, "FUSE " + operation + " failed; answering EIO", e);
      return -Errno.EIO;
    }
  }

  private static byte[] rel(Pointer path) {
    return Names.relative(path);
  }

  private static long fh(Pointer fi) {
    return fi.getLong(FH_OFFSET);
  }

  private int callerUid() {
    return libFuse.fuse_get_context().getInt(UID_OFFSET);
  }

  private int callerGid() {
    return libFuse.fuse_get_context().getInt(GID_OFFSET);
  }

  private int open(Pointer path, Pointer fi) {
    int fd = fs.open(rel(path), fi.getInt(FLAGS_OFFSET));
    if (fd >= 0) {
      fi.putLong(FH_OFFSET, fd);
    }
    return Math.min(fd, 0);
  }

  private int create(Pointer path, int mode, Pointer fi) {
    int fd = fs.create(rel(path), mode, fi.getInt(FLAGS_OFFSET), callerUid(), callerGid());
    if (fd >= 0) {
      fi.putLong(FH_OFFSET, fd);
    }
    return Math.min(fd, 0);
  }

  private int opendir(Pointer path, Pointer fi) {
    long handle = fs.opendir(rel(path));
    if (handle < 0) {
      return (int) handle;
    }
    fi.putLong(FH_OFFSET, handle);
    return 0;
  }

  private int readdir(Pointer buffer, Pointer filler, long offset, Pointer fi) {
    ClosureHelper helper = ClosureHelper.getInstance();
    FromNativeConverter<FillDir, Pointer> converter = helper.getNativeConveter(FillDir.class);
    FillDir fill = converter.fromNative(filler, helper.getFromNativeContext());
    Pointer stat = Memory.allocateDirect(runtime, STAT_BUFFER);
    return fs.readdir(
        fh(fi),
        offset,
        (name, inode, type, next) -> {
          stat.putLong(LibC.STAT_INO, inode);
          stat.putInt(LibC.STAT_MODE, type << 12);
          return fill.call(buffer, name, stat, next) != 0;
        });
  }
}
