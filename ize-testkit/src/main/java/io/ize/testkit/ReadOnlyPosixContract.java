package io.ize.testkit;

import static io.ize.testkit.internal.Posix.O_CREAT;
import static io.ize.testkit.internal.Posix.O_DIRECTORY;
import static io.ize.testkit.internal.Posix.O_RDONLY;
import static io.ize.testkit.internal.Posix.O_RDWR;
import static io.ize.testkit.internal.Posix.O_TRUNC;
import static io.ize.testkit.internal.Posix.O_WRONLY;
import static io.ize.testkit.internal.Posix.R_OK;
import static io.ize.testkit.internal.Posix.S_IFCHR;
import static io.ize.testkit.internal.Posix.W_OK;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ize.testkit.internal.Errnos;
import io.ize.testkit.internal.Posix;
import io.ize.testkit.internal.Trees;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The contract of a read-only mount: everything reads as in the source, and every change fails with
 * EROFS and leaves the source as it was.
 *
 * <p>A configuration supplies a live read-only mount and a view of its source that does not pass
 * through the mount. Each test writes its fixture into a fresh directory of the source (a name the
 * mount has never looked up) and removes it afterwards, also in the source.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
public abstract class ReadOnlyPosixContract {
  private static final AtomicInteger SERIAL = new AtomicInteger();
  private static final int ST_RDONLY = 1;

  /** The read-only mount's root. */
  protected abstract Path mountDirectory();

  /** The same tree, reached without passing through the mount. */
  protected abstract Path sourceDirectory();

  /** This test's fixture directory, through the mount. */
  protected Path mnt;

  /** This test's fixture directory in the source. */
  protected Path src;

  private SortedMap<String, String> before;

  @BeforeEach
  void fixture(TestInfo info) throws IOException {
    String name =
        info.getTestMethod().map(Method::getName).orElse("test") + "-" + SERIAL.incrementAndGet();
    src = sourceDirectory().resolve(name);
    mnt = mountDirectory().resolve(name);
    Files.createDirectory(src);
    Files.writeString(src.resolve("file"), "read-only content");
    Files.createDirectory(src.resolve("dir"));
    Files.writeString(src.resolve("dir/inner"), "inner");
    Files.createSymbolicLink(src.resolve("link"), Path.of("file"));
    check(Posix.setxattr(Posix.path(src.resolve("file")), "user.ro", "v".getBytes(UTF_8), 0));
    before = Trees.snapshot(Posix.path(src));
    Posix.Stat viaMount = Posix.lstat(Posix.path(mnt));
    Posix.Stat inSource = Posix.lstat(Posix.path(src));
    assertThat(viaMount).as("the fixture through the mount").isNotNull();
    assertThat(List.of(inSource.devMajor(), inSource.devMinor()))
        .as("sourceDirectory() must not pass through the mount (st_dev differs)")
        .isNotEqualTo(List.of(viaMount.devMajor(), viaMount.devMinor()));
  }

  @AfterEach
  void removeFixture() {
    if (src != null) {
      Trees.delete(Posix.path(src));
    }
  }

  @Test
  void readsSeeTheSource() throws IOException {
    assertThat(Files.readString(mnt.resolve("file"))).isEqualTo("read-only content");
    assertThat(Files.readString(mnt.resolve("dir/inner"))).isEqualTo("inner");
    assertThat(Files.readString(mnt.resolve("link"))).isEqualTo("read-only content");
    assertThat(Files.readSymbolicLink(mnt.resolve("link"))).isEqualTo(Path.of("file"));
    assertThat(Posix.getxattr(m("file"), "user.ro")).isEqualTo("v".getBytes(UTF_8));
    assertThat(Posix.listxattr(m("file"))).contains("user.ro");
    assertThat(Posix.lstat(m("file")).ino()).isEqualTo(Posix.lstat(s("file")).ino());
    check(Posix.access(m("file"), R_OK));
    int dir = Posix.open(Posix.path(mnt), O_RDONLY | O_DIRECTORY, 0);
    check(dir);
    Posix.close(dir);
    assertThat(Trees.snapshot(Posix.path(mnt))).isEqualTo(before);
    Posix.StatVfs statvfs = Posix.statvfs(Posix.path(mnt));
    assertThat(statvfs).isNotNull();
    assertThat(statvfs.flag() & ST_RDONLY).as("statvfs reports ST_RDONLY").isEqualTo(ST_RDONLY);
  }

  @Test
  void everyChangeFailsWithErofs() {
    byte[] file = m("file");
    erofs(Posix.open(file, O_WRONLY, 0), "open O_WRONLY");
    erofs(Posix.open(file, O_RDWR, 0), "open O_RDWR");
    erofs(Posix.open(file, O_RDONLY | O_TRUNC, 0), "open O_TRUNC");
    erofs(Posix.open(m("new"), O_CREAT | O_WRONLY, 0644), "create");
    erofs(Posix.mkdir(m("newdir"), 0755), "mkdir");
    erofs(Posix.mkfifo(m("fifo"), 0644), "mkfifo");
    erofs(Posix.mknod(m("dev"), S_IFCHR | 0600, Posix.makedev(1, 3)), "mknod");
    erofs(Posix.symlink(Posix.cString("file"), m("newlink")), "symlink");
    erofs(Posix.link(file, m("hard")), "link");
    erofs(Posix.unlink(file), "unlink");
    erofs(Posix.unlink(m("link")), "unlink a link");
    erofs(Posix.rmdir(m("dir")), "rmdir");
    erofs(Posix.rename(file, m("renamed")), "rename");
    erofs(Posix.rename(file, m("dir/inner")), "rename over a file");
    erofs(Posix.chmod(file, 0600), "chmod");
    erofs(Posix.lchown(file, 1, 1), "chown");
    erofs(Posix.utimensat(file, 1, 1, 1, 1, 0), "utimensat");
    erofs(Posix.truncate(file, 0), "truncate");
    erofs(Posix.setxattr(file, "user.new", new byte[] {1}, 0), "setxattr");
    erofs(Posix.removexattr(file, "user.ro"), "removexattr");
    erofs(Posix.access(file, W_OK), "access W_OK");
    assertThat(Trees.snapshot(Posix.path(src))).as("the source after all that").isEqualTo(before);
    assertThat(Posix.getxattr(s("file"), "user.ro")).isEqualTo("v".getBytes(UTF_8));
  }

  private byte[] m(String relative) {
    return Posix.path(mnt.resolve(relative));
  }

  private byte[] s(String relative) {
    return Posix.path(src.resolve(relative));
  }

  private static void erofs(long rc, String what) {
    if (rc != -Errno.EROFS.intValue()) {
      fail(
          what
              + " on a read-only mount: expected "
              + Errnos.name(Errno.EROFS.intValue())
              + ", got "
              + Errnos.result(rc));
    }
  }

  private static void check(long rc) {
    if (rc < 0) {
      fail("expected success, got " + Errnos.name((int) -rc));
    }
  }
}
