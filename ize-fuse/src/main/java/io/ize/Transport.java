package io.ize;

/** How a mount talks to the kernel; see {@link MountOptions.Builder#transport}. */
public enum Transport {
  /**
   * The kernel protocol where it is allowed (CAP_SYS_ADMIN and a kernel that accepts passthrough),
   * jnr-fuse elsewhere.
   */
  AUTO,
  /** The FUSE kernel protocol spoken on {@code /dev/fuse}, with kernel passthrough for data. */
  KERNEL,
  /** libfuse 2 through jnr-fuse: portable, 128 KiB requests, every byte served by Java. */
  JNR_FUSE
}
