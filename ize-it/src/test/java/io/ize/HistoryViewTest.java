package io.ize;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ize.api.NodeState;
import io.ize.api.Snapshot;
import io.ize.api.VersionStore;
import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import io.ize.testkit.FuseAssumptions;
import io.ize.testkit.internal.Errnos;
import io.ize.testkit.internal.Posix;
import io.ize.testkit.store.MemoryProvider;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The history directory {@code .ize} of a real mount recording into the in-memory store, read with
 * ordinary system calls and with the real {@code ls}, {@code diff}, {@code cp} and {@code find}, on
 * the default transport ({@link HistoryViewOnJnrFuseTest} runs it on the other).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryViewTest {
  private static final Instant MTIME = Instant.parse("2020-01-02T03:04:05.123456789Z");
  private static final int BIG = 8 << 20;
  private static final int EROFS = Errnos.value(Errno.EROFS);
  private static final int ENOENT = Errnos.value(Errno.ENOENT);

  private static Path base;
  private static Path source;
  private static Path target;
  private static ChunkCounter counter;
  private static VersionStore store;
  private static Mount mount;
  private static Snapshot first;
  private static Snapshot second;
  private static Instant afterFirst;
  private static boolean xattrs;
  private static byte[] bigV1;
  private static byte[] bigV2;

  /** How the class's mounts are made. */
  MountOptions options() {
    return MountOptions.defaults();
  }

  @BeforeAll
  void recordTwoVersions() throws Exception {
    FuseAssumptions.assumeFuse2Available();
    base = TestTrees.create("ize-history-");
    source = Files.createDirectory(base.resolve("src"));
    target = Files.createDirectory(base.resolve("mnt"));
    counter =
        new ChunkCounter(
            new MemoryProvider().open(base.resolve("store"), VersionStore.tables(), Map.of()));
    store = VersionStore.of(counter);
    mount = Ize.mount(source, target, store, options());

    Path d = Files.createDirectory(target.resolve("d"));
    Files.writeString(d.resolve("a.txt"), "one");
    Files.writeString(d.resolve("keep.txt"), "keep");
    Files.createLink(d.resolve("hard"), d.resolve("keep.txt"));
    Files.setPosixFilePermissions(
        d.resolve("keep.txt"), PosixFilePermissions.fromString("rw-r-----"));
    Files.writeString(target.resolve("gone.txt"), "deleted later");
    Files.createSymbolicLink(target.resolve("link"), Path.of("d/a.txt"));
    bigV1 = new byte[BIG];
    new SplittableRandom(42).nextBytes(bigV1);
    Files.write(target.resolve("big.bin"), bigV1);
    try {
      Files.getFileAttributeView(d.resolve("a.txt"), UserDefinedFileAttributeView.class)
          .write("color", ByteBuffer.wrap("blue".getBytes(UTF_8)));
      xattrs = true;
    } catch (IOException unsupported) {
      xattrs = false;
    }
    setMtime(d.resolve("a.txt"), MTIME);
    first = mount.snapshot("first");
    Thread.sleep(20);
    afterFirst = Instant.now();
    Thread.sleep(20);

    Files.writeString(d.resolve("a.txt"), "two, longer");
    Files.delete(target.resolve("gone.txt"));
    Files.writeString(target.resolve("new.txt"), "new");
    bigV2 = bigV1.clone();
    byte[] patch = new byte[100_000];
    new SplittableRandom(43).nextBytes(patch);
    System.arraycopy(patch, 0, bigV2, 3 << 20, patch.length);
    try (RandomAccessFile big = new RandomAccessFile(target.resolve("big.bin").toFile(), "rw")) {
      big.seek(3 << 20);
      big.write(patch);
    }
    second = mount.snapshot("second");
  }

  @AfterAll
  static void unmount() throws IOException {
    try {
      if (mount != null) {
        mount.close();
      }
      if (store != null) {
        store.close();
      }
    } finally {
      TestTrees.delete(base);
    }
  }

  private static Path view(String path) {
    return target.resolve(".ize").resolve(path);
  }

  private static Path first(String path) {
    return view("snapshots/first").resolve(path);
  }

  private static Path second(String path) {
    return view("snapshots/second").resolve(path);
  }

  @Test
  void theRootListingHidesTheViewWhichIsReachableByPath() throws Exception {
    assertThat(names(target)).containsExactlyInAnyOrder("big.bin", "d", "link", "new.txt");
    assertThat(Posix.list(target).stream().map(e -> new String(e.name(), UTF_8)))
        .doesNotContain(".ize");
    assertThat(run(target, "ls", "-a").out).doesNotContain(".ize");

    Posix.Stat stat = Posix.lstat(target.resolve(".ize"));
    assertThat(stat).isNotNull();
    assertThat(stat.isDirectory()).isTrue();
    assertThat(stat.permissions()).isEqualTo(0555);
    assertThat(names(view(""))).containsExactlyInAnyOrder("at", "snapshots");
    assertThat(names(view("snapshots"))).containsExactlyInAnyOrder("first", "second");
    assertThat(names(view("at"))).containsExactly("latest");
    assertThat(run(target, "sh", "-c", "cd .ize/snapshots/first && ls").out)
        .isEqualTo("big.bin\nd\ngone.txt\nlink\n");
  }

  @Test
  void statAndLsShowTheRecordedAttributes() throws Exception {
    Posix.Stat a = Posix.lstat(first("d/a.txt"));
    NodeState recorded = store.state("d/a.txt", first.point());
    assertThat(a.mode()).isEqualTo(recorded.mode());
    assertThat(a.type()).isEqualTo(Posix.S_IFREG);
    assertThat(a.uid()).isEqualTo(recorded.uid());
    assertThat(a.gid()).isEqualTo(recorded.gid());
    assertThat(a.size()).isEqualTo(3);
    assertThat(a.mtimeSec()).isEqualTo(MTIME.getEpochSecond());
    assertThat(a.mtimeNsec()).isEqualTo(MTIME.getNano());
    assertThat(a.nlink()).isEqualTo(1);
    assertThat(Posix.lstat(second("d/a.txt")).size()).isEqualTo("two, longer".length());

    Posix.Stat keep = Posix.lstat(first("d/keep.txt"));
    assertThat(keep.permissions()).isEqualTo(0640);
    assertThat(keep.nlink()).isEqualTo(2);
    assertThat(Posix.lstat(first("d/hard")).ino()).isEqualTo(keep.ino());
    Posix.Stat link = Posix.lstat(first("link"));
    assertThat(link.isSymlink()).isTrue();
    assertThat(link.size()).isEqualTo("d/a.txt".length());
    assertThat(Posix.lstat(first("d")).isDirectory()).isTrue();
    assertThat(Posix.lstat(first("big.bin")).size()).isEqualTo(BIG);

    String listing = run(first("d"), "ls", "-ln", "--time-style=+%s").out;
    assertThat(listing)
        .containsPattern("-[-rwx]{9} 1 \\d+ \\d+ 3 " + MTIME.getEpochSecond() + " a.txt")
        .containsPattern("-rw-r----- 2 \\d+ \\d+ 4 \\d+ keep.txt");
  }

  @Test
  void filesReadAsTheyWereAtThatPointIncludingDeletedOnesAndLinks() throws Exception {
    assertThat(Files.readString(first("d/a.txt"))).isEqualTo("one");
    assertThat(Files.readString(second("d/a.txt"))).isEqualTo("two, longer");
    assertThat(Files.readString(target.resolve("d/a.txt"))).isEqualTo("two, longer");
    assertThat(target.resolve("gone.txt")).doesNotExist();
    assertThat(Files.readString(first("gone.txt"))).isEqualTo("deleted later");
    assertThat(second("gone.txt")).doesNotExist();
    assertThat(first("new.txt")).doesNotExist();
    assertThat(Files.readSymbolicLink(first("link"))).isEqualTo(Path.of("d/a.txt"));
    assertThat(run(target, "readlink", ".ize/snapshots/first/link").out).isEqualTo("d/a.txt\n");
    assertThat(Files.readString(first("link"))).as("followed inside the snapshot").isEqualTo("one");
    assertThat(run(target, "cat", ".ize/snapshots/first/d/a.txt").out).isEqualTo("one");
    if (xattrs) {
      assertThat(Posix.listxattr(Posix.path(first("d/a.txt")))).containsExactly("user.color");
      assertThat(Posix.getxattr(Posix.path(first("d/a.txt")), "user.color"))
          .isEqualTo("blue".getBytes(UTF_8));
      assertThat(Posix.getxattrErrno(Posix.path(first("d/keep.txt")), "user.color"))
          .isEqualTo(-Errnos.value(Errno.ENODATA));
    }
  }

  @Test
  void aLargeFileReadsRightAtRandomOffsetsWithoutReadingItWholeEachTime() throws Exception {
    assertThat(Arrays.mismatch(Files.readAllBytes(first("big.bin")), bigV1)).isEqualTo(-1);
    assertThat(Arrays.mismatch(Files.readAllBytes(second("big.bin")), bigV2)).isEqualTo(-1);

    SplittableRandom random = new SplittableRandom(7);
    int reads = 100;
    counter.chunkBytes.set(0);
    for (String name : new String[] {"first", "second"}) {
      byte[] expected = name.equals("first") ? bigV1 : bigV2;
      // O_DIRECT keeps the kernel's page cache out of it: every read reaches the view.
      int fd =
          Posix.open(view("snapshots/" + name + "/big.bin"), Posix.O_RDONLY | Posix.O_DIRECT, 0);
      assertThat(fd).as("open: %s", Errnos.result(fd)).isGreaterThanOrEqualTo(0);
      try {
        for (int i = 0; i < reads; i++) {
          long offset = random.nextLong(BIG) & ~4095L;
          byte[] buffer = new byte[4096 * random.nextInt(1, 17)];
          long n = Posix.pread(fd, buffer, offset);
          int want = (int) Math.min(buffer.length, BIG - offset);
          assertThat(n).as("read at %d", offset).isEqualTo(want);
          assertThat(Arrays.equals(buffer, 0, want, expected, (int) offset, (int) offset + want))
              .as("bytes at %d of %s", offset, name)
              .isTrue();
        }
      } finally {
        Posix.close(fd);
      }
    }
    // Reading from the start for each would fetch about half the file per read.
    assertThat(counter.chunkBytes.get())
        .as("chunk bytes fetched for %d reads", 2 * reads)
        .isLessThan(2L * reads * (512 << 10));
  }

  @Test
  void atServesSequenceNumbersInstantsSnapshotNamesAndLatest() throws Exception {
    assertThat(Files.readString(view("at/" + first.sequence() + "/d/a.txt"))).isEqualTo("one");
    assertThat(Files.readString(view("at/" + afterFirst + "/d/a.txt"))).isEqualTo("one");
    assertThat(Files.readString(view("at/first/gone.txt"))).isEqualTo("deleted later");
    assertThat(Files.readString(view("at/" + second.sequence() + "/new.txt"))).isEqualTo("new");
    assertThat(Files.readString(view("at/latest/d/a.txt"))).isEqualTo("two, longer");
    assertThat(names(view("at/0"))).as("before any record").isEmpty();

    Files.writeString(target.resolve("later.txt"), "later");
    mount.sync();
    assertThat(Files.readString(view("at/latest/later.txt"))).isEqualTo("later");
    assertThat(view("snapshots/second/later.txt")).doesNotExist();
    Files.delete(target.resolve("later.txt"));
  }

  @Test
  void diffBetweenTwoSnapshotsReportsExactlyTheFilesThatChanged() throws Exception {
    Path a = view("snapshots/first");
    Path b = view("snapshots/second");
    Result diff = run(target, "diff", "-rq", "--no-dereference", a.toString(), b.toString());
    assertThat(diff.exit).as(diff.err).isEqualTo(1);
    assertThat(diff.err).isEmpty();
    assertThat(diff.out.lines())
        .containsExactlyInAnyOrder(
            "Files " + a + "/big.bin and " + b + "/big.bin differ",
            "Files " + a + "/d/a.txt and " + b + "/d/a.txt differ",
            "Only in " + a + ": gone.txt",
            "Only in " + b + ": new.txt");
    Result same = run(target, "diff", "-r", a.toString(), view("at/first").toString());
    assertThat(same.exit).as(same.out + same.err).isEqualTo(0);
  }

  @Test
  void cpCopiesASnapshotWithItsModesTimesLinksAndXattrs() throws Exception {
    Path copy = base.resolve("copy");
    Result cp = run(target, "cp", "-a", first("").toString(), copy.toString());
    assertThat(cp.exit).as(cp.err).isEqualTo(0);
    assertThat(cp.err).isEmpty();
    Result diff =
        run(target, "diff", "-r", "--no-dereference", first("").toString(), copy.toString());
    assertThat(diff.exit).as(diff.out + diff.err).isEqualTo(0);

    assertThat(Files.readString(copy.resolve("d/a.txt"))).isEqualTo("one");
    assertThat(Files.getLastModifiedTime(copy.resolve("d/a.txt")).toInstant()).isEqualTo(MTIME);
    assertThat(Posix.lstat(copy.resolve("d/keep.txt")).permissions()).isEqualTo(0640);
    assertThat(Posix.lstat(copy.resolve("d/hard")).ino())
        .as("the hard link is kept")
        .isEqualTo(Posix.lstat(copy.resolve("d/keep.txt")).ino());
    assertThat(Files.readSymbolicLink(copy.resolve("link"))).isEqualTo(Path.of("d/a.txt"));
    assertThat(Arrays.mismatch(Files.readAllBytes(copy.resolve("big.bin")), bigV1)).isEqualTo(-1);
    if (xattrs) {
      assertThat(Posix.getxattr(Posix.path(copy.resolve("d/a.txt")), "user.color"))
          .isEqualTo("blue".getBytes(UTF_8));
    }
  }

  @Test
  void inodeNumbersAreStableAndDistinctAndFindWalksTheViewCleanly() throws Exception {
    assertThat(Posix.lstat(first("d/a.txt")).ino()).isEqualTo(Posix.lstat(first("d/a.txt")).ino());
    assertThat(Posix.lstat(first("d/a.txt")).ino())
        .isNotEqualTo(Posix.lstat(second("d/a.txt")).ino());
    Map<Long, List<String>> byIno = new HashMap<>();
    try (Stream<Path> walk = Files.walk(view("snapshots"))) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        byIno.computeIfAbsent(Posix.lstat(p).ino(), k -> new ArrayList<>()).add(p.toString());
      }
    }
    assertThat(byIno.values().stream().filter(paths -> paths.size() > 1))
        .as("only the hard links share an inode")
        .containsExactlyInAnyOrder(
            List.of(first("d/hard").toString(), first("d/keep.txt").toString()),
            List.of(second("d/hard").toString(), second("d/keep.txt").toString()));
    Result find = run(target, "find", ".ize");
    assertThat(find.exit).as(find.err).isEqualTo(0);
    assertThat(find.err).isEmpty();
    assertThat(find.out.lines()).contains(".ize/snapshots/second/d/keep.txt", ".ize/at/latest/d");
  }

  @Test
  void everyChangeUnderTheViewFailsWithErofsAndRecordsNothing() throws Exception {
    mount.sync();
    long before = store.lastSequence();
    byte[] file = Posix.path(first("d/a.txt"));
    byte[] dir = Posix.path(first("d"));
    byte[] outside = Posix.path(target.resolve("new.txt"));
    Map<String, Long> results = new java.util.LinkedHashMap<>();
    results.put("open for writing", (long) Posix.open(file, Posix.O_WRONLY, 0));
    results.put("open with O_TRUNC", (long) Posix.open(file, Posix.O_RDONLY | Posix.O_TRUNC, 0));
    results.put(
        "create",
        (long) Posix.open(Posix.path(first("d/new")), Posix.O_WRONLY | Posix.O_CREAT, 0644));
    results.put("mkdir", (long) Posix.mkdir(Posix.path(first("d/sub")), 0755));
    results.put("mkdir a snapshot", (long) Posix.mkdir(Posix.path(view("snapshots/third")), 0755));
    results.put("unlink", (long) Posix.unlink(file));
    results.put("rmdir", (long) Posix.rmdir(dir));
    results.put("rmdir .ize", (long) Posix.rmdir(Posix.path(view(""))));
    results.put("rename within", (long) Posix.rename(file, Posix.path(first("d/b.txt"))));
    results.put("rename out", (long) Posix.rename(file, Posix.path(target.resolve("out.txt"))));
    results.put("rename in", (long) Posix.rename(outside, Posix.path(first("in.txt"))));
    results.put(
        "rename .ize", (long) Posix.rename(Posix.path(view("")), Posix.path(target.resolve("x"))));
    results.put("link out", (long) Posix.link(file, Posix.path(target.resolve("l"))));
    results.put("link in", (long) Posix.link(outside, Posix.path(first("l"))));
    results.put("symlink", (long) Posix.symlink(Posix.cString("x"), Posix.path(first("s"))));
    results.put("chmod", (long) Posix.chmod(file, 0777));
    results.put("chown", (long) Posix.lchown(file, 1, 1));
    results.put(
        "utimensat", (long) Posix.utimensat(file, 0, Posix.UTIME_NOW, 0, Posix.UTIME_NOW, 0));
    results.put("truncate", (long) Posix.truncate(file, 0));
    results.put("setxattr", (long) Posix.setxattr(file, "user.other", "x".getBytes(UTF_8), 0));
    results.put("removexattr", (long) Posix.removexattr(file, "user.color"));

    Map<String, String> expected = new java.util.LinkedHashMap<>();
    results.keySet().forEach(k -> expected.put(k, Errnos.name(EROFS)));
    Map<String, String> actual = new java.util.LinkedHashMap<>();
    results.forEach((k, v) -> actual.put(k, Errnos.result(v)));
    assertThat(actual).isEqualTo(expected);

    mount.sync();
    assertThat(store.lastSequence()).as("nothing recorded").isEqualTo(before);
    assertThat(Files.readString(first("d/a.txt"))).isEqualTo("one");
    assertThat(target.resolve("new.txt")).exists();
    assertThat(source.resolve(".ize")).doesNotExist();
    assertThat(source.resolve("out.txt")).doesNotExist();
  }

  @Test
  void unknownSnapshotsAndMalformedPointsAreEnoent() {
    for (String missing :
        new String[] {
          "snapshots/nope",
          "at/nope",
          "at/2026-13-45T99:00:00Z",
          "at/99999999",
          "at/first/missing",
          "snapshots/first/d/missing",
          "bogus"
        }) {
      assertThat(Errnos.result(Posix.lstatErrno(Posix.path(view(missing)))))
          .as(missing)
          .isEqualTo(Errnos.name(ENOENT));
    }
  }

  @Test
  void aSourceWithItsOwnIzeIsShadowedByTheView() throws Exception {
    Path other = Files.createDirectory(base.resolve("shadowed"));
    Path secret = Files.createDirectories(other.resolve(".ize/kept"));
    try (VersionStore shadowStore = VersionStore.open("memory", base.resolve("shadow-store"));
        Mount shadowMount = Ize.mount(other, other, shadowStore, options())) {
      assertThat(names(other)).isEmpty();
      assertThat(names(other.resolve(".ize"))).containsExactlyInAnyOrder("at", "snapshots");
      assertThat(other.resolve(".ize/kept")).doesNotExist();
      assertThat(shadowMount.store().lastSequence()).isZero();
    }
    assertThat(secret).isDirectory();
  }

  // ------------------------------------------------------------------ helpers

  private static void setMtime(Path path, Instant time) {
    int rc =
        Posix.utimensat(
            Posix.path(path),
            time.getEpochSecond(),
            time.getNano(),
            time.getEpochSecond(),
            time.getNano(),
            Posix.AT_SYMLINK_NOFOLLOW);
    assertThat(rc).as("utimensat: %s", Errnos.result(rc)).isZero();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private static final class Result {
    final int exit;
    final String out;
    final String err;

    Result(int exit, String out, String err) {
      this.exit = exit;
      this.out = out;
      this.err = err;
    }
  }

  /** Runs a real command in {@code dir} and collects its exit code and output. */
  private static Result run(Path dir, String... command) throws Exception {
    Path err = Files.createTempFile(base, "stderr", ".txt");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    String out = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
    String errors = Files.readString(err);
    Files.delete(err);
    return new Result(process.exitValue(), out, errors);
  }

  /** A backend that counts the bytes of content chunks it hands out. */
  private static final class ChunkCounter implements StoreBackend {
    final AtomicLong chunkBytes = new AtomicLong();
    private final StoreBackend delegate;

    ChunkCounter(StoreBackend delegate) {
      this.delegate = delegate;
    }

    @Override
    public ReadTransaction read() throws IOException {
      ReadTransaction txn = delegate.read();
      return new ReadTransaction() {
        @Override
        public byte[] get(String table, byte[] key) throws IOException {
          byte[] value = txn.get(table, key);
          if (table.equals("chunks") && value != null) {
            chunkBytes.addAndGet(value.length);
          }
          return value;
        }

        @Override
        public void scan(String table, byte[] from, byte[] to, boolean reverse, EntryVisitor v)
            throws IOException {
          txn.scan(table, from, to, reverse, v);
        }

        @Override
        public void close() {
          txn.close();
        }
      };
    }

    @Override
    public WriteTransaction write() throws IOException {
      return delegate.write();
    }

    @Override
    public Path directory() {
      return delegate.directory();
    }

    @Override
    public long sizeOnDisk() throws IOException {
      return delegate.sizeOnDisk();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
