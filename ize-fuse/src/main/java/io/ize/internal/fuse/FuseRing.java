package io.ize.internal.fuse;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One serving thread's end of FUSE over io_uring (Linux 6.14+, {@code FUSE_OVER_IO_URING}): an
 * io_uring instance holding a single FUSE ring entry, registered on one of the connection's queues.
 * The kernel keeps a queue per possible CPU and puts each request on the queue of the CPU its
 * caller runs on, so a thread pinned to that CPU answers it without waking another CPU: on this
 * kind of guest a round trip between CPUs costs 35-90 us, one within a CPU about 13 (see {@code
 * ize-bench/results}).
 *
 * <p>An entry is a header buffer (the request's {@code fuse_in_header}, then its operation's
 * header, then the ring's own fields) and a payload buffer (the rest of the request, then the
 * reply's payload). The payload buffer is the worker's reply payload ({@link
 * KernelTransport.Buffers#payload}) so replies are written in place; a request is copied into
 * {@link KernelTransport.Buffers#in} in the layout a {@code /dev/fuse} read gives, so the same
 * decoder serves both.
 *
 * <p>Used by one thread only (its own submissions bind the requests the kernel dispatches to it).
 */
final class FuseRing implements AutoCloseable {
  /** The system calls, through {@code syscall(2)}: the C library has no wrappers for them. */
  public interface Sys {
    long syscall(long number, long entries, Pointer params);

    long syscall(
        long number,
        long fd,
        long toSubmit,
        long minComplete,
        long flags,
        Pointer signals,
        long signalsSize);

    Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

    int munmap(Pointer address, long length);

    int sched_setaffinity(int pid, long size, Pointer mask);
  }

  private static final Logger LOG = System.getLogger(FuseRing.class.getName());
  private static final Sys SYS = LibraryLoader.create(Sys.class).failImmediately().load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(SYS);

  private static final long IO_URING_SETUP = 425;
  private static final long IO_URING_ENTER = 426;
  private static final int SETUP_SQE128 = 1 << 10;
  private static final int FEAT_SINGLE_MMAP = 1;
  private static final int ENTER_GETEVENTS = 1;
  private static final long OFF_SQES = 0x10000000L;
  private static final int SQE_BYTES = 128;
  private static final int CQE_BYTES = 16;
  private static final int OP_URING_CMD = 46;

  private static final int CMD_REGISTER = 1;
  private static final int CMD_COMMIT_AND_FETCH = 2;

  /** {@code struct fuse_uring_req_header}: in/out header, operation header, ring fields. */
  private static final int HEADER_OP = 128;

  private static final int HEADER_COMMIT_ID = 256 + 8;
  private static final int HEADER_PAYLOAD_SIZE = 256 + 16;
  private static final int HEADER_BYTES = 288;

  private final int fd;
  private final int device;
  private final int queue;
  private final Pointer rings;
  private final long ringsLength;
  private final Pointer sqes;
  private final long sqesLength;
  private final int sqHead;
  private final int sqTail;
  private final int sqMask;
  private final int sqArray;
  private final int cqHead;
  private final int cqTail;
  private final int cqMask;
  private final int cqes;
  private final Pointer header = Memory.allocateDirect(RUNTIME, HEADER_BYTES);
  private final Pointer iovec = Memory.allocateDirect(RUNTIME, 32);
  private final KernelTransport.Buffers buffers;
  private int lastCommand;
  private long lastCommit;

  private FuseRing(int fd, int device, int queue, Pointer params, KernelTransport.Buffers buffers)
      throws IOException {
    this.fd = fd;
    this.device = device;
    this.queue = queue;
    this.buffers = buffers;
    int sqEntries = params.getInt(0);
    int cqEntries = params.getInt(4);
    if ((params.getInt(20) & FEAT_SINGLE_MMAP) == 0) {
      throw new IOException("io_uring without a single ring mapping (a kernel before 5.4)");
    }
    sqHead = params.getInt(40);
    sqTail = params.getInt(44);
    sqMask = params.getInt(48);
    sqArray = params.getInt(64);
    cqHead = params.getInt(80);
    cqTail = params.getInt(84);
    cqMask = params.getInt(88);
    cqes = params.getInt(100);
    ringsLength = Math.max(sqArray + 4L * sqEntries, cqes + (long) CQE_BYTES * cqEntries);
    rings = map(ringsLength, 0);
    sqesLength = (long) SQE_BYTES * sqEntries;
    Pointer mapped;
    try {
      mapped = map(sqesLength, OFF_SQES);
    } catch (IOException e) {
      SYS.munmap(rings, ringsLength);
      throw e;
    }
    sqes = mapped;
    iovec.putAddress(0, header.address());
    iovec.putLong(8, HEADER_BYTES);
    iovec.putAddress(16, buffers.payload.address());
    iovec.putLong(24, KernelTransport.MAX_WRITE);
  }

  /**
   * Sets up a ring for queue {@code queue} of the connection on {@code device}; the entry is
   * registered later, by the thread that serves it ({@link #register}).
   */
  static FuseRing open(int device, int queue, KernelTransport.Buffers buffers) throws IOException {
    Pointer params = Memory.allocateDirect(RUNTIME, 120);
    for (int i = 0; i < 120; i += 8) {
      params.putLong(i, 0);
    }
    params.putInt(8, SETUP_SQE128);
    long fd = SYS.syscall(IO_URING_SETUP, 1, params);
    if (fd < 0) {
      throw Errno.exception(LibC.errno(), "cannot set up an io_uring", "io_uring_setup");
    }
    try {
      return new FuseRing((int) fd, device, queue, params, buffers);
    } catch (IOException | RuntimeException e) {
      LibC.INSTANCE.close((int) fd);
      throw e;
    }
  }

  private Pointer map(long length, long offset) throws IOException {
    Pointer p = SYS.mmap(null, length, 3, 0x8001, fd, offset); // read-write, MAP_SHARED|POPULATE
    if (p == null || p.address() == -1L) {
      throw Errno.exception(LibC.errno(), "cannot map the io_uring", "mmap");
    }
    return p;
  }

  /** The possible CPUs' count, as the kernel sizes the connection's queues. */
  static int possibleCpus() throws IOException {
    String possible =
        Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim(); // "0-3" or "0"
    int dash = possible.lastIndexOf('-');
    int comma = possible.lastIndexOf(',');
    return Integer.parseInt(possible.substring(Math.max(dash, comma) + 1)) + 1;
  }

  /** Pins the calling thread to {@code cpu}; false where it may not run there (a cpuset). */
  static boolean pin(int cpu) {
    int words = cpu / 64 + 1;
    Pointer mask = Memory.allocateDirect(RUNTIME, words * 8L);
    for (int i = 0; i < words; i++) {
      mask.putLong(i * 8L, 0);
    }
    mask.putLong((cpu / 64) * 8L, 1L << (cpu % 64));
    return SYS.sched_setaffinity(0, words * 8L, mask) == 0;
  }

  int queue() {
    return queue;
  }

  KernelTransport.Buffers buffers() {
    return buffers;
  }

  /**
   * Registers the entry (from the thread that will serve it); returns 0, or the kernel's error if
   * it refused at once (the kernel then serves the connection through {@code /dev/fuse}).
   */
  int register() {
    prepare(CMD_REGISTER, 0);
    enter(false);
    int head = rings.getInt(cqHead);
    if (head != rings.getInt(cqTail)) {
      int res = result(head);
      if (res < 0) { // a request's completion (0) stays for next()
        rings.putInt(cqHead, head + 1);
        return res;
      }
    }
    return 0;
  }

  /**
   * Submits what is prepared, waits for the next request and copies it into the worker's buffers in
   * {@code /dev/fuse}'s layout; returns its length, or the negative errno the ring ended with
   * ({@code -ENOTCONN} when the connection ends).
   */
  long next() {
    while (true) {
      int head = rings.getInt(cqHead);
      if (head == rings.getInt(cqTail)) {
        int rc = enter(true);
        if (rc < 0) {
          return rc;
        }
        continue;
      }
      int res = result(head);
      rings.putInt(cqHead, head + 1);
      if (res == -Errno.EINTR || res == -KernelAbi.EAGAIN) {
        prepare(lastCommand, lastCommit); // as libfuse does: the command did not take; again
        continue;
      }
      if (res < 0) {
        return res;
      }
      long length = copyIn();
      if (length >= 0) {
        return length;
      }
      reply(KernelTransport.NO_REPLY); // answered EIO; wait for the next
    }
  }

  /** Answers the request with the reply in the worker's output buffer ({@code length} bytes). */
  void reply(int length) {
    if (length == KernelTransport.NO_REPLY) { // every ring request needs its commit
      buffers.out.putInt(0, KernelAbi.OUT_HEADER);
      buffers.out.putInt(4, -Errno.EIO);
      buffers.out.putLong(8, header.getLong(KernelAbi.IN_UNIQUE));
      length = KernelAbi.OUT_HEADER;
    }
    buffers.out.transferTo(0, header, 0, KernelAbi.OUT_HEADER);
    header.putInt(HEADER_PAYLOAD_SIZE, Math.max(0, length - KernelAbi.OUT_HEADER));
    prepare(CMD_COMMIT_AND_FETCH, header.getLong(HEADER_COMMIT_ID));
  }

  private long copyIn() {
    Pointer in = buffers.in;
    long length = header.getInt(0) & 0xffffffffL;
    long payload = header.getInt(HEADER_PAYLOAD_SIZE) & 0xffffffffL;
    long operation = length - KernelAbi.IN_HEADER - payload;
    if (operation < 0 || operation > HEADER_BYTES - HEADER_OP - 32 || length > in.size()) {
      LOG.log(
          Level.ERROR,
          "a ring request of {0} bytes with a payload of {1}: answering EIO",
          length,
          payload);
      return -1;
    }
    header.transferTo(0, in, 0, KernelAbi.IN_HEADER);
    header.transferTo(HEADER_OP, in, KernelAbi.IN_HEADER, operation);
    buffers.payload.transferTo(0, in, KernelAbi.IN_HEADER + operation, payload);
    return length;
  }

  /** Writes the one SQE: a FUSE ring command for this entry. */
  private void prepare(int command, long commitId) {
    lastCommand = command;
    lastCommit = commitId;
    for (int i = 0; i < SQE_BYTES; i += 8) {
      sqes.putLong(i, 0);
    }
    sqes.putByte(0, (byte) OP_URING_CMD);
    sqes.putInt(4, device);
    sqes.putInt(8, command);
    if (command == CMD_REGISTER) {
      sqes.putAddress(16, iovec.address());
      sqes.putInt(24, 2);
    }
    sqes.putLong(56, commitId); // struct fuse_uring_cmd_req from byte 48: flags, commit_id, qid
    sqes.putShort(64, (short) queue);
    int tail = rings.getInt(sqTail);
    rings.putInt(sqArray + 4 * (tail & rings.getInt(sqMask)), 0);
    rings.putInt(sqTail, tail + 1);
  }

  private int result(int head) {
    return rings.getInt(cqes + CQE_BYTES * (head & rings.getInt(cqMask)) + 8);
  }

  /**
   * Submits the prepared command, if any, and if {@code wait}, waits until a completion is there;
   * returns 0, or the negative errno of a failed call. Plain memory accesses suffice for the rings:
   * the kernel fills them in this thread's system calls or wakes it from one.
   */
  private int enter(boolean wait) {
    while (true) {
      int pending = rings.getInt(sqTail) - rings.getInt(sqHead);
      if (pending == 0 && !wait) {
        return 0;
      }
      long rc =
          SYS.syscall(
              IO_URING_ENTER, fd, pending, wait ? 1 : 0, wait ? ENTER_GETEVENTS : 0, null, 0);
      if (rc >= 0) {
        if (!wait || rings.getInt(cqHead) != rings.getInt(cqTail)) {
          return 0;
        }
        continue;
      }
      int errno = LibC.errno();
      if (errno != Errno.EINTR && errno != KernelAbi.EAGAIN) {
        return -errno;
      }
    }
  }

  @Override
  public void close() {
    SYS.munmap(sqes, sqesLength);
    SYS.munmap(rings, ringsLength);
    LibC.INSTANCE.close(fd);
  }
}
