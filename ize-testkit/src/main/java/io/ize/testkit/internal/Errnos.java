package io.ize.testkit.internal;

import jnr.constants.platform.Errno;

/** Names errno values for failure messages: {@code EEXIST (File exists)}. */
public final class Errnos {
  private Errnos() {}

  /** The symbolic name and text of {@code errno}; 0 reads as "success". */
  public static String name(int errno) {
    if (errno == 0) {
      return "success";
    }
    Errno known = Errno.valueOf(errno);
    return known.defined() ? known.name() + " (" + known.description() + ")" : "errno " + errno;
  }

  /** Describes a {@link Posix} result: "success (n)" or the errno's name. */
  public static String result(long rc) {
    return rc >= 0 ? "success (" + rc + ")" : name((int) -rc);
  }

  /** The platform's value of a named errno, e.g. {@code value(Errno.EEXIST)}. */
  public static int value(Errno errno) {
    return errno.intValue();
  }
}
