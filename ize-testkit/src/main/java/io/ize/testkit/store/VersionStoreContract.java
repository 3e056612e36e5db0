package io.ize.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ize.api.Change;
import io.ize.api.ChangeSet;
import io.ize.api.ContentId;
import io.ize.api.Event;
import io.ize.api.FileVersion;
import io.ize.api.GcResult;
import io.ize.api.HistoryPrunedException;
import io.ize.api.LogEntry;
import io.ize.api.NodeState;
import io.ize.api.Operation;
import io.ize.api.Point;
import io.ize.api.Progress;
import io.ize.api.Retention;
import io.ize.api.Snapshot;
import io.ize.api.TreeEntry;
import io.ize.api.Usage;
import io.ize.api.VersionStore;
import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import io.ize.spi.WriteTransaction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour of a {@link VersionStore} over a backend, as an abstract JUnit 5 test: a backend's
 * test extends it and names the backend. Where {@link StoreBackendContract} checks the raw
 * key-value SPI, this kit checks the history built on it: the log and its filters, file identity
 * through renames and hard links, trees, streamed content and deduplication, change sets,
 * snapshots, points, concurrent readers beside the writer, reopening, consistency after an
 * abandoned write and integrity checks. Every change is a synthetic event; no filesystem is
 * mounted.
 *
 * <pre>{@code
 * class LmdbVersionStoreTest extends VersionStoreContract {
 *   @Override
 *   protected String backendName() {
 *     return "lmdb";
 *   }
 * }
 * }</pre>
 *
 * <p>Each test opens its stores in its own temporary directory and closes them afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class VersionStoreContract {
  /** When the synthetic history starts; events follow a millisecond apart. */
  protected static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

  /** Where the test's stores live; JUnit makes a new one for every test. */
  @TempDir protected Path temp;

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** The name of the backend under test, as {@link VersionStore#open(String, Path)} takes it. */
  protected abstract String backendName();

  /** The options stores are opened with; a subclass may override to test a setting. */
  protected Map<String, String> options() {
    return Map.of();
  }

  /** Opens (or reopens) the test's default store; it is closed after the test. */
  protected final VersionStore open() throws IOException {
    return open(temp.resolve("store"));
  }

  /** Opens the store in {@code directory} by the backend's name; it is closed after the test. */
  protected final VersionStore open(Path directory) throws IOException {
    return track(VersionStore.open(backendName(), directory, options()));
  }

  @AfterEach
  final void closeStores() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  /** The provider's backend for {@code directory}, wrapped to count what the store asks of it. */
  private CountingBackend counting(Path directory) throws IOException {
    VersionStoreProvider provider = VersionStore.providers().get(backendName());
    assertThat(provider).as("a provider named %s on the class path", backendName()).isNotNull();
    StoreBackend backend = provider.open(directory, VersionStore.tables(), options());
    return new CountingBackend(backend);
  }

  /** A store over a counting backend in {@code directory}; closed after the test. */
  private VersionStore over(CountingBackend backend) {
    return track(VersionStore.of(backend));
  }

  private static EventBuilder events() {
    return new EventBuilder(START);
  }

  // ================================================================== the log

  @Test
  void logPagesByAfterSequenceAndLimit() throws IOException {
    VersionStore store = open();
    assertThat(store.lastSequence()).isZero();
    assertThat(store.log(0, 10, "", null, null)).isEmpty();
    EventBuilder ev = events();
    ev.mkdir("a").create("a/x").mkdir("ab").create("ab/y").create("b");
    ev.write("a/x", "one").rename("b", "a/b").unlink("ab/y");
    assertThat(store.append(ev.take())).isEqualTo(8);
    assertThat(store.lastSequence()).isEqualTo(8);

    List<LogEntry> all = store.log(0, Integer.MAX_VALUE, "", null, null);
    assertThat(sequences(all)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(all.stream().map(LogEntry::operation))
        .containsExactly(
            Operation.MKDIR,
            Operation.CREATE,
            Operation.MKDIR,
            Operation.CREATE,
            Operation.CREATE,
            Operation.WRITE,
            Operation.RENAME,
            Operation.UNLINK);
    assertThat(all.stream().map(LogEntry::path))
        .containsExactly("a", "a/x", "ab", "ab/y", "b", "a/x", "b", "ab/y");
    assertThat(all.get(6).target()).isEqualTo("a/b");
    assertThat(all.get(0).target()).isNull();
    assertThat(all.get(0).time()).isEqualTo(START);
    assertThat(all.get(7).time()).isEqualTo(START.plusMillis(7));

    // Pages of three, each after the last sequence of the one before.
    assertThat(sequences(store.log(0, 3, "", null, null))).containsExactly(1L, 2L, 3L);
    assertThat(sequences(store.log(3, 3, "", null, null))).containsExactly(4L, 5L, 6L);
    assertThat(sequences(store.log(6, 3, "", null, null))).containsExactly(7L, 8L);
    assertThat(store.log(8, 3, "", null, null)).isEmpty();
    assertThat(store.log(0, 0, "", null, null)).isEmpty();
    assertThat(sequences(store.log(0, 100, null, null, null))).hasSize(8);

    // One record by its number.
    assertThat(store.record(7).toString()).isEqualTo(all.get(6).toString());
    assertThat(store.record(7).operation()).isEqualTo(Operation.RENAME);
    assertThatThrownBy(() -> store.record(9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("9");
    assertThatThrownBy(() -> store.record(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void logFiltersByPathPrefixAndTime() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.mkdir("a").create("a/x").mkdir("ab").create("ab/y").create("b");
    ev.write("a/x", "one").rename("b", "a/b").unlink("ab/y");
    store.append(ev.take());
    List<LogEntry> all = store.log(0, 100, "", null, null);

    // "a" is the directory a and what lies below it: not ab. A rename into it counts.
    assertThat(sequences(store.log(0, 100, "a", null, null))).containsExactly(1L, 2L, 6L, 7L);
    assertThat(sequences(store.log(0, 100, "/a/", null, null))).containsExactly(1L, 2L, 6L, 7L);
    assertThat(sequences(store.log(0, 100, "ab", null, null))).containsExactly(3L, 4L, 8L);
    assertThat(sequences(store.log(0, 100, "a/x", null, null))).containsExactly(2L, 6L);
    assertThat(sequences(store.log(0, 100, "b", null, null))).containsExactly(5L, 7L);
    assertThat(store.log(0, 100, "a/xy", null, null)).isEmpty();
    assertThat(store.log(0, 100, "nothing", null, null)).isEmpty();

    // The limit counts matching records; paging works within a filter.
    assertThat(sequences(store.log(0, 2, "a", null, null))).containsExactly(1L, 2L);
    assertThat(sequences(store.log(2, 2, "a", null, null))).containsExactly(6L, 7L);
    assertThat(store.log(7, 2, "a", null, null)).isEmpty();

    // Time bounds are inclusive at both ends.
    Instant third = all.get(2).time();
    Instant fifth = all.get(4).time();
    assertThat(sequences(store.log(0, 100, "", third, fifth))).containsExactly(3L, 4L, 5L);
    assertThat(sequences(store.log(0, 100, "", third, null)))
        .containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(sequences(store.log(0, 100, "", null, fifth))).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(sequences(store.log(0, 100, "", third.plusNanos(1), fifth.minusNanos(1))))
        .containsExactly(4L);
    assertThat(store.log(0, 100, "", START.minusSeconds(10), START.minusSeconds(1))).isEmpty();
    assertThat(sequences(store.log(0, 100, "a", third, null))).containsExactly(6L, 7L);
    assertThat(sequences(store.log(5, 1, "", third, null))).containsExactly(6L);
  }

  /** After a clock was set back, a record stamped before the one ahead of it is still found. */
  @Test
  void logFindsTheRecordsOfATimeWindowWhateverTheirOrder() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.at(START.plusSeconds(10)).create("a").create("b");
    ev.at(START).create("c");
    ev.at(START.plusSeconds(20)).create("d");
    store.append(ev.take());
    assertThat(sequences(store.log(0, 100, "", START, START.plusSeconds(1)))).containsExactly(3L);
    assertThat(sequences(store.log(0, 100, "", START, START.plusSeconds(10))))
        .containsExactly(1L, 3L);
    assertThat(sequences(store.log(0, 100, "", START.plusSeconds(15), null))).containsExactly(4L);
    assertThat(sequences(store.log(1, 1, "", START, null))).containsExactly(2L);
    assertThat(store.log(4, 100, "", START, null)).isEmpty();
  }

  /** A window larger than what a page reads of the time index is paged through all the same. */
  @Test
  void logPagesThroughAWindowOfMoreRecordsThanAPageReadsOfTheIndex() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    for (int i = 0; i < 100; i++) {
      ev.create("f" + i);
    }
    store.append(ev.take());
    Instant from = store.record(10).time();
    Instant to = store.record(90).time();
    List<Long> paged = new ArrayList<>();
    long after = 0;
    for (List<LogEntry> page = store.log(after, 1, "", from, to);
        !page.isEmpty();
        page = store.log(after, 1, "", from, to)) {
      paged.addAll(sequences(page));
      after = page.get(0).sequence();
    }
    assertThat(paged).containsExactlyElementsOf(LongStream.rangeClosed(10, 90).boxed().toList());
  }

  @Test
  void gapEventsAppendGapRecords() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.create("a").gap("the store was full").create("b");
    assertThat(store.append(ev.take())).isEqualTo(3);
    LogEntry gap = store.record(2);
    assertThat(gap.operation()).isEqualTo(Operation.GAP);
    assertThat(gap.path()).isEqualTo("the store was full");
    assertThat(gap.time()).isEqualTo(START.plusMillis(1));
    assertThat(paths(store.tree(Point.latest(), ""))).containsExactly("a", "b");
    assertThat(paths(store.tree(Point.sequence(2), ""))).containsExactly("a");
    assertThat(store.changes(Point.sequence(1), Point.sequence(2)).isEmpty()).isTrue();
    store.append(List.of(Event.gap(EventBuilder.nanos(START.plusSeconds(1)), "again")));
    assertThat(store.record(4).operation()).isEqualTo(Operation.GAP);
    assertThat(store.verify()).isEmpty();
  }

  // ================================================================== versions and trees

  @Test
  void versionsFollowAFileThroughRenamesOfItAndOfADirectoryAboveIt() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.mkdir("d").create("d/f").write("d/f", "v1"); // 1, 2, 3
    ev.rename("d/f", "d/g").rename("d", "e"); // 4, 5
    ev.write("e/g", "v2").chmod("e/g", 0600); // 6, 7
    ev.rename("e/g", "top").unlink("top"); // 8, 9
    store.append(ev.take());

    List<FileVersion> versions = store.versions("top", Point.sequence(8));
    assertThat(versions.stream().map(FileVersion::sequence))
        .containsExactly(2L, 3L, 4L, 6L, 7L, 8L, 9L);
    assertThat(versions.stream().map(FileVersion::operation))
        .containsExactly(
            Operation.CREATE,
            Operation.WRITE,
            Operation.RENAME,
            Operation.WRITE,
            Operation.CHMOD,
            Operation.RENAME,
            Operation.UNLINK);
    // Each version's path is the path it had then, through the directory's rename at 5.
    assertThat(versions.stream().map(FileVersion::path))
        .containsExactly("d/f", "d/f", "d/g", "e/g", "e/g", "top", "top");
    assertThat(versions.get(0).state().isRegularFile()).isTrue();
    assertThat(text(store.content(versions.get(1).state().content()))).isEqualTo("v1");
    assertThat(text(store.content(versions.get(3).state().content()))).isEqualTo("v2");
    // chmod keeps the content and changes the mode.
    assertThat(versions.get(4).state().mode() & 07777).isEqualTo(0600);
    assertThat(versions.get(4).state().content()).isEqualTo(versions.get(3).state().content());
    assertThat(versions.get(4).state().size()).isEqualTo(2);
    assertThat(versions.get(6).state()).isNull();
    assertThat(versions.get(5).time()).isEqualTo(START.plusMillis(7));

    // The same file, named by any of its paths at the matching point.
    for (String[] alias :
        new String[][] {{"d/f", "2"}, {"d/f", "3"}, {"d/g", "4"}, {"e/g", "5"}, {"e/g", "7"}}) {
      assertThat(
              store.versions(alias[0], Point.parse(alias[1])).stream().map(FileVersion::sequence))
          .as("versions of %s at %s", alias[0], alias[1])
          .containsExactly(2L, 3L, 4L, 6L, 7L, 8L, 9L);
    }
    assertThatThrownBy(() -> store.versions("d/g", Point.sequence(5)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("d/g");
    assertThatThrownBy(() -> store.versions("top", Point.latest()))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> store.versions("d/f", Point.sequence(1)))
        .isInstanceOf(NoSuchFileException.class);

    // The directory's own versions: made, renamed.
    List<FileVersion> dir = store.versions("e", Point.latest());
    assertThat(dir.stream().map(FileVersion::sequence)).containsExactly(1L, 5L);
    assertThat(dir.stream().map(FileVersion::path)).containsExactly("d", "e");
    assertThat(dir.get(1).state().isDirectory()).isTrue();

    // state and content read through the renames at each point.
    assertThat(store.state("d/g", Point.sequence(4))).isNotNull();
    assertThat(store.state("d/g", Point.sequence(5))).isNull();
    assertThat(store.state("e/g", Point.sequence(5))).isNotNull();
    assertThat(text(store.content("d/g", Point.sequence(4)))).isEqualTo("v1");
    assertThat(text(store.content("e/g", Point.sequence(5)))).isEqualTo("v1");
    assertThat(text(store.content("e/g", Point.sequence(6)))).isEqualTo("v2");
    assertThat(text(store.content("top", Point.sequence(8)))).isEqualTo("v2");
    assertThat(store.state("top", Point.latest())).isNull();
  }

  @Test
  void treeAtSeveralPoints() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.mkdir("a").mkdir("a/b").create("a/b/c").create("a/z").mkdir("b"); // 1-5
    ev.write("a/b/c", "x").unlink("a/z").symlink("b/l", "../a"); // 6-8
    ev.rename("a/b/c", "b/c").mkdir("a/gone").rmdir("a/gone"); // 9-11
    store.append(ev.take());

    assertThat(store.tree(Point.sequence(0), "")).isEmpty();
    assertThat(paths(store.tree(Point.sequence(1), ""))).containsExactly("a");
    // Depth first, parents before children, names in byte order.
    assertThat(paths(store.tree(Point.sequence(5), "")))
        .containsExactly("a", "a/b", "a/b/c", "a/z", "b");
    assertThat(paths(store.tree(Point.sequence(7), ""))).containsExactly("a", "a/b", "a/b/c", "b");
    assertThat(paths(store.tree(Point.latest(), "")))
        .containsExactly("a", "a/b", "b", "b/c", "b/l");
    assertThat(paths(store.tree(Point.sequence(10), "")))
        .containsExactly("a", "a/b", "a/gone", "b", "b/c", "b/l");
    assertThat(paths(store.tree(Point.parse("5"), "")))
        .containsExactly("a", "a/b", "a/b/c", "a/z", "b");

    // Subtrees: the subtree's own entry first; a file alone; nothing before it existed or after.
    assertThat(paths(store.tree(Point.sequence(3), "a"))).containsExactly("a", "a/b", "a/b/c");
    assertThat(paths(store.tree(Point.sequence(3), "/a/"))).containsExactly("a", "a/b", "a/b/c");
    assertThat(paths(store.tree(Point.sequence(3), "a/b/c"))).containsExactly("a/b/c");
    assertThat(store.tree(Point.sequence(2), "a/b/c")).isEmpty();
    assertThat(paths(store.tree(Point.sequence(4), "a/z"))).containsExactly("a/z");
    assertThat(store.tree(Point.latest(), "a/z")).isEmpty();
    assertThat(store.tree(Point.latest(), "no/such")).isEmpty();

    Map<String, TreeEntry> latest = byPath(store.tree(Point.latest(), ""));
    Map<String, TreeEntry> at6 = byPath(store.tree(Point.sequence(6), ""));
    assertThat(latest.get("a").state().isDirectory()).isTrue();
    assertThat(latest.get("b/c").state().isRegularFile()).isTrue();
    assertThat(latest.get("b/c").node()).isEqualTo(at6.get("a/b/c").node());
    assertThat(latest.get("b/c").state().content()).isEqualTo(at6.get("a/b/c").state().content());
    assertThat(latest.get("b/l").state().isSymbolicLink()).isTrue();
    assertThat(latest.get("b/l").state().linkTarget()).isEqualTo(utf8("../a"));
    assertThat(latest.get("a").node()).isNotEqualTo(latest.get("b").node());
    assertThat(at6.get("a/b/c").state().size()).isEqualTo(1);
    assertThat(store.tree(Point.sequence(3), "a/b/c").get(0).state().size()).isZero();
  }

  @Test
  void statesKeepEveryAttributeAndPathsKeepTheirBytes() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.create("f").chown("f", 4242, 77).setxattr("f", "user.k", new byte[] {0, 1, (byte) 0xff});
    ev.setxattr("f", "user.empty", new byte[0]);
    ev.utimens("f", Instant.parse("2001-02-03T04:05:06.123456789Z"));
    ev.symlink("l", "some/where").mknod("dev", 0020644, 0x0801).mkdir("locked", 0700);
    ev.removexattr("f", "user.k");
    byte[] raw = {'r', (byte) 0xff, (byte) 0xc3, 'x'}; // not UTF-8
    ev.create(raw);
    store.append(ev.take());

    NodeState f = store.state("f", Point.latest());
    assertThat(f).isEqualTo(ev.state("f"));
    assertThat(f.uid()).isEqualTo(4242);
    assertThat(f.gid()).isEqualTo(77);
    assertThat(f.mtimeSeconds()).isEqualTo(Instant.parse("2001-02-03T04:05:06Z").getEpochSecond());
    assertThat(f.mtimeNanos()).isEqualTo(123456789);
    assertThat(f.xattrs()).containsOnlyKeys("user.empty");
    NodeState withXattr = store.state("f", Point.sequence(3));
    assertThat(withXattr.xattrs().get("user.k")).isEqualTo(new byte[] {0, 1, (byte) 0xff});
    assertThat(store.state("l", Point.latest())).isEqualTo(ev.state("l"));
    assertThat(store.state("l", Point.latest()).linkTarget()).isEqualTo(utf8("some/where"));
    NodeState dev = store.state("dev", Point.latest());
    assertThat(dev).isEqualTo(ev.state("dev"));
    assertThat(dev.rdev()).isEqualTo(0x0801);
    assertThat(dev.type()).isEqualTo(0020000);
    assertThat(store.state("locked", Point.latest()).mode()).isEqualTo(NodeState.S_IFDIR | 0700);

    List<TreeEntry> tree = store.tree(Point.latest(), "");
    assertThat(tree.stream().filter(e -> Arrays.equals(e.pathBytes(), raw)).count()).isEqualTo(1);
    LogEntry last = store.record(store.lastSequence());
    assertThat(last.pathBytes()).isEqualTo(raw);
    // Every metadata change is a version of its own.
    assertThat(store.versions("f", Point.latest()).stream().map(FileVersion::operation))
        .containsExactly(
            Operation.CREATE,
            Operation.CHOWN,
            Operation.SETXATTR,
            Operation.SETXATTR,
            Operation.UTIMENS,
            Operation.REMOVEXATTR);
    assertThatThrownBy(() -> store.content("l", Point.latest()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a regular file");
  }

  // ================================================================== content

  @Test
  void contentIsStreamedAtAnyPointAndSurvivesDeletion() throws IOException {
    VersionStore store = open();
    byte[] v1 = randomBytes(8 * 1024 * 1024 + 12345, 42);
    byte[] v2 = v1.clone();
    v2[4 * 1024 * 1024] ^= 0x5a;
    EventBuilder ev = events();
    ev.mkdir("d").create("d/big").create("d/empty");
    ev.write("d/big", v1); // 4
    store.append(ev.take());
    ev.write("d/big", v2); // 5
    store.append(ev.take());
    store.append(ev.unlink("d/big").take()); // 6
    assertThat(store.lastSequence()).isEqualTo(6);

    assertThat(store.state("d/big", Point.sequence(4)).size()).isEqualTo(v1.length);
    try (InputStream in = store.content("d/big", Point.sequence(4))) {
      assertThat(in.read()).isEqualTo(v1[0] & 0xff);
      assertThat(in.read()).isEqualTo(v1[1] & 0xff);
      byte[] rest = readAll(in, 7919);
      assertThat(rest.length).isEqualTo(v1.length - 2);
      assertThat(Arrays.equals(rest, 0, rest.length, v1, 2, v1.length)).isTrue();
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(Arrays.equals(readAll(store.content("d/big", Point.sequence(5)), 65536), v2))
        .as("the second version, byte for byte")
        .isTrue();
    assertThat(Arrays.equals(readAll(store.content("d/big", Point.sequence(4)), 1 << 20), v1))
        .isTrue();
    ContentId first = store.state("d/big", Point.sequence(4)).content();
    assertThat(Arrays.equals(readAll(store.content(first), 100_000), v1)).isTrue();
    // Deleted now, still there at the earlier points.
    assertThatThrownBy(() -> store.content("d/big", Point.latest()))
        .isInstanceOf(NoSuchFileException.class);
    assertThat(Arrays.equals(readAll(store.content("d/big", Point.sequence(5)), 4096), v2))
        .isTrue();
    assertThat(readAll(store.content("d/empty", Point.latest()), 10)).isEmpty();
    assertThat(readAll(store.content((ContentId) null), 10)).isEmpty();
    assertThatThrownBy(() -> store.content("d", Point.latest()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a regular file");
    assertThat(readAll(store.content("d/big", Point.sequence(3)), 10))
        .as("empty before its first write")
        .isEmpty();
  }

  @Test
  void skippingAContentStreamLandsOnTheRightByteWithoutFetchingTheChunksSkipped()
      throws IOException {
    CountingBackend backend = counting(temp.resolve("store"));
    VersionStore store = over(backend);
    byte[] data = randomBytes(4 * 1024 * 1024 + 777, 11);
    store.append(events().create("f").write("f", data).take());
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    try (InputStream in = store.content("f", Point.latest())) {
      long position = 0;
      while (position < data.length) {
        long n = random.nextLong(0, 300_000);
        long skipped = in.skip(n);
        assertThat(skipped)
            .as("skip %d at %d", n, position)
            .isEqualTo(Math.min(n, data.length - position));
        position += skipped;
        int b = in.read();
        assertThat(b)
            .as("the byte after skipping to %d", position)
            .isEqualTo(position < data.length ? data[(int) position] & 0xff : -1);
        position++;
      }
      assertThat(in.skip(10)).isZero();
    }
    ContentId content = store.state("f", Point.latest()).content();
    backend.reset();
    try (InputStream in = store.content(content)) {
      assertThat(in.skip(data.length - 10L)).isEqualTo(data.length - 10L);
      assertThat(readAll(in, 4096))
          .isEqualTo(Arrays.copyOfRange(data, data.length - 10, data.length));
    }
    assertThat(backend.gets()).as("the manifest and the last chunk, not every chunk").isEqualTo(2);
  }

  @Test
  void identicalContentIsStoredOnceAndMetadataChangesStoreNoContent() throws IOException {
    CountingBackend backend = counting(temp.resolve("store"));
    VersionStore store = over(backend);
    byte[] data = randomBytes(3 * 1024 * 1024, 7);
    EventBuilder ev = events();
    ev.create("one").create("two").create("three");
    store.append(ev.take());

    backend.reset();
    store.append(ev.write("one", data).take());
    long chunks = backend.puts("chunks");
    assertThat(chunks).as("3 MiB in chunks of 16 to 256 KiB").isBetween(12L, 192L);
    assertThat(backend.puts("manifests")).isEqualTo(1);

    backend.reset();
    store.append(ev.write("two", data).take());
    assertThat(backend.puts("chunks")).as("chunks already stored").isZero();
    ContentId one = store.state("one", Point.latest()).content();
    assertThat(store.state("two", Point.latest()).content()).isEqualTo(one);

    // Appending to the end rewrites only the chunks near the end.
    byte[] longer = Arrays.copyOf(data, data.length + 1000);
    backend.reset();
    store.append(ev.write("three", longer).take());
    assertThat(backend.puts("chunks")).isBetween(1L, 3L);
    assertThat(Arrays.equals(readAll(store.content("three", Point.latest()), 65536), longer))
        .isTrue();

    // Metadata-only changes store no content, and keep the content they had.
    long before = store.lastSequence();
    backend.reset();
    ev.chmod("one", 0600).chown("one", 1, 2).setxattr("one", "user.tag", utf8("x"));
    ev.utimens("one", START.minusSeconds(3600)).removexattr("one", "user.tag");
    store.append(ev.take());
    assertThat(store.lastSequence()).isEqualTo(before + 5);
    assertThat(backend.puts("chunks")).isZero();
    assertThat(backend.puts("manifests")).isZero();
    NodeState after = store.state("one", Point.latest());
    assertThat(after.content()).isEqualTo(one);
    assertThat(after.size()).isEqualTo(data.length);
    assertThat(after.mode() & 07777).isEqualTo(0600);
    assertThat(Arrays.equals(readAll(store.content("one", Point.latest()), 65536), data)).isTrue();
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void aPreImageOfCurrentContentRecordsNothing() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.create("f").write("f", "same");
    store.append(ev.take());
    long last = store.lastSequence();

    assertThat(store.append(ev.preimage("f", utf8("same")).take())).isEqualTo(last);
    assertThat(store.lastSequence()).isEqualTo(last);
    assertThat(store.log(last, 10, "", null, null)).isEmpty();
    // In a batch with a real change, only the change is recorded.
    store.append(ev.preimage("f", utf8("same")).write("f", "changed").take());
    assertThat(store.lastSequence()).isEqualTo(last + 1);
    assertThat(store.record(last + 1).operation()).isEqualTo(Operation.WRITE);

    // A pre-image that differs from what the store holds (changed behind its back) is recorded.
    store.append(ev.preimage("f", utf8("different")).take());
    assertThat(store.lastSequence()).isEqualTo(last + 2);
    assertThat(store.record(last + 2).operation()).isEqualTo(Operation.PREIMAGE);
    assertThat(text(store.content("f", Point.latest()))).isEqualTo("different");
    assertThat(text(store.content("f", Point.sequence(last + 1)))).isEqualTo("changed");

    // A pre-image of a file the store never saw is its first version, directories and all.
    NodeState old = EventBuilder.directory(0700, EventBuilder.nanos(START));
    Event.Ancestor ancestor = new Event.Ancestor(utf8("old"), old);
    NodeState file =
        EventBuilder.file(0640, EventBuilder.nanos(START))
            .withContent(store.state("f", Point.latest()).content(), 9);
    store.append(
        List.of(
            Event.content(
                Operation.PREIMAGE,
                EventBuilder.nanos(START.plusSeconds(5)),
                utf8("old/inner/file"),
                file,
                manifestOf(utf8("different")),
                List.of(ancestor))));
    assertThat(store.lastSequence()).isEqualTo(last + 3);
    assertThat(paths(store.tree(Point.latest(), "old")))
        .containsExactly("old", "old/inner", "old/inner/file");
    assertThat(store.state("old", Point.latest()).mode()).isEqualTo(NodeState.S_IFDIR | 0700);
    assertThat(store.state("old/inner", Point.latest()).isDirectory()).isTrue();
    assertThat(text(store.content("old/inner/file", Point.latest()))).isEqualTo("different");
    assertThat(store.state("old/inner/file", Point.latest()).mode() & 07777).isEqualTo(0640);
  }

  // ================================================================== identity

  @Test
  void aDirectoryRenameCostsBoundedWritesWhateverLiesBelowIt() throws IOException {
    CountingBackend backend = counting(temp.resolve("store"));
    VersionStore store = over(backend);
    int files = 100_000;
    EventBuilder ev = events();
    ev.mkdir("big").mkdir("big/sub");
    ev.create("big/sub/first").write("big/sub/first", "first");
    store.append(ev.take());
    for (int i = 0; i < files; i++) {
      ev.create(String.format("big/f%06d", i));
      if (ev.size() == 25_000) {
        store.append(ev.take());
      }
    }
    store.append(ev.write("big/f099999", "last").take());
    long before = store.lastSequence();
    assertThat(before).isEqualTo(4 + files + 1);

    backend.reset();
    assertThat(store.append(ev.rename("big", "moved").take())).isEqualTo(before + 1);
    assertThat(backend.commits()).isEqualTo(1);
    assertThat(backend.puts() + backend.deletes())
        .as("writes of a directory rename: %s", backend.putsByTable())
        .isLessThanOrEqualTo(20);
    assertThat(backend.visited())
        .as("entries read to rename a directory of %d files", files)
        .isLessThanOrEqualTo(100);

    // Below it everything reads through the rename, with its history.
    assertThat(store.state("big/f050000", Point.latest())).isNull();
    assertThat(store.state("moved/f050000", Point.latest())).isNotNull();
    assertThat(store.state("big/f050000", Point.sequence(before))).isNotNull();
    assertThat(text(store.content("moved/sub/first", Point.latest()))).isEqualTo("first");
    List<FileVersion> versions = store.versions("moved/f099999", Point.latest());
    assertThat(versions.stream().map(FileVersion::path))
        .containsExactly("big/f099999", "big/f099999");
    assertThat(text(store.content(versions.get(1).state().content()))).isEqualTo("last");
    assertThat(store.versions("moved/sub/first", Point.latest()).stream().map(FileVersion::path))
        .containsExactly("big/sub/first", "big/sub/first");
    assertThat(store.tree(Point.latest(), "moved")).hasSize(files + 3);
    assertThat(store.tree(Point.latest(), "big")).isEmpty();
    ChangeSet changes = store.changes(Point.sequence(before), Point.latest());
    assertThat(changes(changes)).containsExactly(change(Change.Kind.RENAMED, "moved", "big"));
  }

  @Test
  void hardLinksAreTwoNamesOfOneNode() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.mkdir("d").create("a").write("a", "shared").link("a", "d/b"); // 1-4
    store.append(ev.take());
    Map<String, TreeEntry> tree = byPath(store.tree(Point.latest(), ""));
    assertThat(tree).containsKeys("a", "d/b");
    assertThat(tree.get("a").node()).isEqualTo(tree.get("d/b").node());
    assertThat(store.record(4).operation()).isEqualTo(Operation.LINK);
    assertThat(store.record(4).target()).isEqualTo("d/b");

    // A write through one name is seen through the other.
    store.append(ev.write("d/b", "through b").take()); // 5
    assertThat(text(store.content("a", Point.latest()))).isEqualTo("through b");
    // Unlinking one name keeps the other.
    store.append(ev.unlink("a").take()); // 6
    assertThat(paths(store.tree(Point.latest(), ""))).containsExactly("d", "d/b");
    assertThat(text(store.content("d/b", Point.latest()))).isEqualTo("through b");
    assertThat(store.tree(Point.latest(), "d/b").get(0).node()).isEqualTo(tree.get("a").node());
    assertThat(store.versions("d/b", Point.latest()).stream().map(FileVersion::sequence))
        .containsExactly(2L, 3L, 4L, 5L, 6L);
    assertThat(store.versions("d/b", Point.latest()).get(5 - 1).path()).isEqualTo("d/b");
    assertThat(store.versions("d/b", Point.latest()).get(0).path()).isEqualTo("a");
    assertThat(text(store.content("a", Point.sequence(4)))).isEqualTo("shared");

    // The last name gone, the file is gone; its history stays.
    store.append(ev.unlink("d/b").take()); // 7
    assertThat(paths(store.tree(Point.latest(), ""))).containsExactly("d");
    assertThat(text(store.content("d/b", Point.sequence(6)))).isEqualTo("through b");
    ChangeSet changes = store.changes(Point.sequence(3), Point.latest());
    assertThat(changes(changes)).containsExactly(change(Change.Kind.DELETED, "a", null));
  }

  @Test
  void aRenameOverAnExistingFileReplacesIt() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.create("a").write("a", "A").create("b").write("b", "B"); // 1-4
    store.append(ev.take());
    long oldB = store.tree(Point.latest(), "b").get(0).node();
    long oldA = store.tree(Point.latest(), "a").get(0).node();
    store.append(ev.rename("a", "b").take()); // 5

    assertThat(paths(store.tree(Point.latest(), ""))).containsExactly("b");
    assertThat(store.tree(Point.latest(), "b").get(0).node()).isEqualTo(oldA);
    assertThat(text(store.content("b", Point.latest()))).isEqualTo("A");
    assertThat(text(store.content("b", Point.sequence(4)))).isEqualTo("B");
    assertThat(store.state("a", Point.latest())).isNull();
    List<FileVersion> replaced = store.versions("b", Point.sequence(4));
    assertThat(replaced.stream().map(FileVersion::sequence)).containsExactly(3L, 4L, 5L);
    assertThat(replaced.get(2).state()).as("the replaced file is deleted by the rename").isNull();
    assertThat(store.versions("b", Point.latest()).stream().map(FileVersion::sequence))
        .containsExactly(1L, 2L, 5L);
    assertThat(store.tree(Point.sequence(4), "b").get(0).node()).isEqualTo(oldB);
    assertThat(changes(store.changes(Point.sequence(4), Point.latest())))
        .containsExactly(
            change(Change.Kind.DELETED, "b", null), change(Change.Kind.RENAMED, "b", "a"));

    // Still deleted at later points.
    store.append(ev.write("b", "A2").create("c").take());
    assertThat(store.versions("b", Point.sequence(4)).stream().map(FileVersion::sequence))
        .containsExactly(3L, 4L, 5L);
    assertThat(store.tree(Point.latest(), "b").get(0).node()).isEqualTo(oldA);
  }

  @Test
  void aFileFirstSeenInARenameReplacesTheFileItLandsOn() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    store.append(ev.create("known").write("known", "old").create("other").take()); // 1-3
    long known = store.tree(Point.latest(), "known").get(0).node();
    long other = store.tree(Point.latest(), "other").get(0).node();

    // "older" existed before recording began: the store first hears of it as it is renamed.
    NodeState older = EventBuilder.file(0600, EventBuilder.nanos(START)).withContent(null, 5);
    long t = EventBuilder.nanos(START.plusSeconds(1));
    store.append(
        List.of(
            Event.change(
                Operation.RENAME, t, utf8("older"), utf8("known"), 0, older, List.of()))); // 4
    TreeEntry now = store.tree(Point.latest(), "known").get(0);
    assertThat(now.node()).as("a new file, not the one replaced").isNotEqualTo(known);
    assertThat(now.state()).isEqualTo(older);
    assertThat(store.state("older", Point.latest())).isNull();
    List<FileVersion> replaced = store.versions("known", Point.sequence(3));
    assertThat(replaced.get(replaced.size() - 1).sequence()).isEqualTo(4);
    assertThat(replaced.get(replaced.size() - 1).state()).isNull();
    assertThat(text(store.content("known", Point.sequence(3)))).isEqualTo("old");
    assertThat(changes(store.changes(Point.sequence(3), Point.latest())))
        .containsExactly(change(Change.Kind.MODIFIED, "known", null));

    // The same in an exchange: the file that was there goes to the unseen one's name.
    NodeState unseen = EventBuilder.file(0640, EventBuilder.nanos(START)).withContent(null, 7);
    store.append(
        List.of(
            Event.change(
                Operation.RENAME, t + 1, utf8("unseen"), utf8("other"), 2, unseen, List.of())));
    Map<String, TreeEntry> tree = byPath(store.tree(Point.latest(), ""));
    assertThat(tree.keySet()).containsExactly("known", "other", "unseen");
    assertThat(tree.get("unseen").node()).isEqualTo(other);
    assertThat(tree.get("other").node()).isNotEqualTo(other);
    assertThat(tree.get("other").state()).isEqualTo(unseen);
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void anExchangeSwapsTwoPaths() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.create("a").write("a", "A").mkdir("b").create("b/inner"); // 1-4
    store.append(ev.take());
    Map<String, TreeEntry> before = byPath(store.tree(Point.latest(), ""));
    store.append(ev.exchange("a", "b").take()); // 5
    assertThat(store.record(5).operation()).isEqualTo(Operation.RENAME);

    Map<String, TreeEntry> after = byPath(store.tree(Point.latest(), ""));
    assertThat(after.keySet()).containsExactly("a", "a/inner", "b");
    assertThat(after.get("a").node()).isEqualTo(before.get("b").node());
    assertThat(after.get("b").node()).isEqualTo(before.get("a").node());
    assertThat(after.get("a/inner").node()).isEqualTo(before.get("b/inner").node());
    assertThat(after.get("a").state().isDirectory()).isTrue();
    assertThat(text(store.content("b", Point.latest()))).isEqualTo("A");
    assertThat(changes(store.changes(Point.sequence(4), Point.latest())))
        .containsExactly(
            change(Change.Kind.RENAMED, "a", "b"), change(Change.Kind.RENAMED, "b", "a"));

    // And back.
    store.append(ev.exchange("a", "b").take());
    Map<String, TreeEntry> back = byPath(store.tree(Point.latest(), ""));
    assertThat(back.keySet()).containsExactly("a", "b", "b/inner");
    assertThat(back.get("a").node()).isEqualTo(before.get("a").node());
    assertThat(store.changes(Point.sequence(4), Point.latest()).isEmpty()).isTrue();
  }

  // ================================================================== change sets

  @Test
  void changeSetsBetweenPoints() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    ev.mkdir("d").create("d/inner").write("d/inner", "inner");
    for (String name : List.of("keep", "mod", "meta", "gone", "moved", "same", "replaced")) {
      ev.create(name).write(name, name);
    }
    ev.create("xa").create("touch");
    store.append(ev.take());
    Snapshot start = store.snapshot("start");
    long s = start.sequence();

    ev.write("mod", "mod v2"); // s + 1
    ev.chmod("meta", 0600);
    ev.unlink("gone");
    ev.rename("moved", "moved2");
    ev.unlink("same").create("same").write("same", "same"); // back as it was
    ev.unlink("replaced").create("replaced").write("replaced", "other");
    ev.create("new").write("new", "new");
    ev.rename("d", "d2");
    ev.setxattr("xa", "user.k", utf8("v"));
    ev.utimens("touch", START.minusSeconds(60));
    ev.rename("keep", "keep2").write("keep2", "keep v2");
    ev.create("temp").unlink("temp");
    store.append(ev.take());

    ChangeSet changes = store.changes(Point.snapshot("start"), Point.latest());
    assertThat(changes.from()).isEqualTo(s);
    assertThat(changes.to()).isEqualTo(store.lastSequence());
    assertThat(changes(changes))
        .containsExactly(
            change(Change.Kind.RENAMED, "d2", "d"),
            change(Change.Kind.DELETED, "gone", null),
            change(Change.Kind.MODIFIED, "keep2", null),
            change(Change.Kind.RENAMED, "keep2", "keep"),
            change(Change.Kind.METADATA, "meta", null),
            change(Change.Kind.MODIFIED, "mod", null),
            change(Change.Kind.RENAMED, "moved2", "moved"),
            change(Change.Kind.CREATED, "new", null),
            change(Change.Kind.MODIFIED, "replaced", null),
            change(Change.Kind.METADATA, "touch", null),
            change(Change.Kind.METADATA, "xa", null));
    assertThat(changes.paths(Change.Kind.MODIFIED)).containsExactly("keep2", "mod", "replaced");
    Map<String, Change> modified =
        changes.changes().stream()
            .filter(c -> c.kind() == Change.Kind.MODIFIED)
            .collect(Collectors.toMap(Change::path, c -> c));
    assertThat(text(store.content(modified.get("replaced").before().content())))
        .isEqualTo("replaced");
    assertThat(text(store.content(modified.get("replaced").after().content()))).isEqualTo("other");
    Change gone = changes.changes().get(1);
    assertThat(gone.before()).isNotNull();
    assertThat(gone.after()).isNull();
    Change created = changes.changes().get(7);
    assertThat(created.before()).isNull();
    assertThat(text(store.content(created.after().content()))).isEqualTo("new");
    Change meta = changes.changes().get(4);
    assertThat(meta.before().mode() & 07777).isEqualTo(0644);
    assertThat(meta.after().mode() & 07777).isEqualTo(0600);

    // Part of the way: only the first change.
    assertThat(changes(store.changes(start.point(), Point.sequence(s + 1))))
        .containsExactly(change(Change.Kind.MODIFIED, "mod", null));
    // From the beginning everything is created, below renamed directories too.
    ChangeSet all = store.changes(Point.sequence(0), Point.latest());
    assertThat(all.changes()).allMatch(c -> c.kind() == Change.Kind.CREATED);
    assertThat(all.paths(Change.Kind.CREATED))
        .containsExactly(
            "d2",
            "d2/inner",
            "keep2",
            "meta",
            "mod",
            "moved2",
            "new",
            "replaced",
            "same",
            "touch",
            "xa");
    assertThat(store.changes(Point.latest(), Point.latest()).isEmpty()).isTrue();
    assertThatThrownBy(() -> store.changes(Point.latest(), start.point()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ================================================================== snapshots and points

  @Test
  void snapshotsAreCreatedListedResolvedAndDeleted() throws IOException {
    VersionStore store = open();
    assertThat(store.snapshots()).isEmpty();
    EventBuilder ev = events();
    store.append(ev.create("a").write("a", "1").take()); // 1, 2
    Snapshot v1 = store.snapshot("v1");
    assertThat(v1.name()).isEqualTo("v1");
    assertThat(v1.sequence()).isEqualTo(2);
    assertThat(v1.created()).isBetween(Instant.now().minusSeconds(60), Instant.now());
    store.append(ev.write("a", "2").create("b").take()); // 3, 4
    Snapshot v2 = store.snapshot("v2");
    Snapshot early = store.snapshot("early", 1);

    assertThat(store.snapshots().stream().map(Snapshot::toString))
        .containsExactly("early@1", "v1@2", "v2@4");
    assertThat(store.sequenceOf(Point.snapshot("v1"))).isEqualTo(2);
    assertThat(store.sequenceOf(Point.parse("v2"))).isEqualTo(4);
    assertThat(store.sequenceOf(early.point())).isEqualTo(1);
    assertThat(text(store.content("a", Point.snapshot("v1")))).isEqualTo("1");
    assertThat(text(store.content("a", v2.point()))).isEqualTo("2");
    assertThat(paths(store.tree(Point.parse("v1"), ""))).containsExactly("a");
    assertThat(paths(store.tree(Point.parse("early"), ""))).containsExactly("a");

    // The same name again moves it.
    assertThat(store.snapshot("v1").sequence()).isEqualTo(4);
    assertThat(store.sequenceOf(Point.snapshot("v1"))).isEqualTo(4);
    assertThat(store.snapshots()).hasSize(3);

    assertThat(store.deleteSnapshot("v1")).isTrue();
    assertThat(store.deleteSnapshot("v1")).isFalse();
    assertThat(store.snapshots().stream().map(Snapshot::name)).containsExactly("early", "v2");
    assertThatThrownBy(() -> store.sequenceOf(Point.snapshot("v1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'v1'");
    assertThatThrownBy(() -> store.tree(Point.parse("never-made"), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never-made");
    assertThatThrownBy(() -> store.snapshot("future", 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5");
    assertThatThrownBy(() -> store.snapshot("past", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");

    // Names a point would read as something else are refused, by name.
    for (String bad : List.of("", "42", "latest", "10m", "2h", "2024-05-01T12:00:00Z")) {
      assertThatThrownBy(() -> store.snapshot(bad))
          .as("snapshot name '%s'", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThat(store.snapshots()).hasSize(2);
    // Unusual but unambiguous names are fine.
    for (String fine : List.of("before build", "v1.2.3", "ünïcödé", "10x", "2024-05-01")) {
      assertThat(store.sequenceOf(Point.parse(store.snapshot(fine).name()))).isEqualTo(4);
    }
  }

  @Test
  void aSnapshotIsOneWriteWhateverTheStoreHolds() throws IOException {
    CountingBackend backend = counting(temp.resolve("store"));
    VersionStore store = over(backend);
    EventBuilder ev = events();
    store.append(ev.create("a").take());
    backend.reset();
    store.snapshot("small");
    long smallReads = backend.gets() + backend.visited();
    assertThat(backend.puts()).isEqualTo(1);
    assertThat(backend.puts("snapshots")).isEqualTo(1);

    for (int batch = 0; batch < 5; batch++) {
      for (int i = 0; i < 2_000; i++) {
        ev.create("f" + batch + "-" + i);
      }
      store.append(ev.take());
    }
    assertThat(store.lastSequence()).isEqualTo(10_001);
    backend.reset();
    Snapshot large = store.snapshot("large");
    assertThat(large.sequence()).isEqualTo(10_001);
    assertThat(backend.puts()).as("puts: %s", backend.putsByTable()).isEqualTo(1);
    assertThat(backend.deletes()).isZero();
    assertThat(backend.gets() + backend.visited())
        .as("entries read for a snapshot of 10,001 records")
        .isLessThanOrEqualTo(Math.max(smallReads, 4));
    backend.reset();
    store.deleteSnapshot("large");
    assertThat(backend.puts() + backend.deletes()).isEqualTo(1);
  }

  @Test
  void pointsResolveBySequenceSnapshotTimeAndLatest() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events();
    for (int i = 1; i <= 5; i++) {
      ev.at(START.plus(Duration.ofMinutes(i))).create("f" + i); // 1..5 at START + i min
    }
    store.append(ev.take());
    Instant now = Instant.now();
    ev.at(now.minus(Duration.ofHours(3))).create("r1"); // 6
    ev.at(now.minus(Duration.ofHours(2))).create("r2"); // 7
    ev.at(now.minus(Duration.ofHours(1))).create("r3"); // 8
    store.append(ev.take());
    store.snapshot("label", 3);

    assertThat(store.sequenceOf(Point.latest())).isEqualTo(8);
    assertThat(store.sequenceOf(Point.parse("latest"))).isEqualTo(8);
    assertThat(store.sequenceOf(Point.parse("3"))).isEqualTo(3);
    assertThat(store.sequenceOf(Point.sequence(0))).isZero();
    assertThat(store.sequenceOf(Point.sequence(99))).as("clamped to the last").isEqualTo(8);
    assertThat(store.sequenceOf(Point.parse("label"))).isEqualTo(3);
    assertThatThrownBy(() -> Point.sequence(-1)).isInstanceOf(IllegalArgumentException.class);

    // ISO times: the last record at or before the instant.
    assertThat(store.sequenceOf(Point.parse("2024-05-01T12:02:30Z"))).isEqualTo(2);
    assertThat(store.sequenceOf(Point.parse("2024-05-01T12:03:00Z"))).isEqualTo(3);
    assertThat(store.sequenceOf(Point.time(START.plusSeconds(180).minusNanos(1)))).isEqualTo(2);
    assertThat(store.sequenceOf(Point.parse("2024-05-01T12:00:59Z"))).isZero();
    assertThat(store.sequenceOf(Point.parse("2024-05-01T13:00:00Z"))).isEqualTo(5);
    assertThat(store.sequenceOf(Point.parse("1969-07-20T20:17:00Z"))).as("before 1970").isZero();
    assertThat(store.sequenceOf(Point.time(Instant.parse("+100000-01-01T00:00:00Z")))).isEqualTo(8);
    assertThatThrownBy(() -> Point.parse("2024-13-45T99:00:00Z"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2024-13-45T99:00:00Z");

    // Relative times, back from now.
    assertThat(store.sequenceOf(Point.parse("30s"))).isEqualTo(8);
    assertThat(store.sequenceOf(Point.parse("90m"))).isEqualTo(7);
    assertThat(store.sequenceOf(Point.parse("150m"))).isEqualTo(6);
    assertThat(store.sequenceOf(Point.parse("1d"))).isEqualTo(5);
    assertThat(store.sequenceOf(Point.parse("1w"))).isEqualTo(5);

    // Every query takes every kind of point.
    assertThat(paths(store.tree(Point.parse("2024-05-01T12:02:30Z"), "")))
        .containsExactly("f1", "f2");
    assertThat(paths(store.tree(Point.parse("90m"), ""))).contains("r2").doesNotContain("r3");
    assertThat(store.state("f3", Point.parse("label"))).isNotNull();
    assertThat(store.state("f4", Point.parse("label"))).isNull();
    assertThat(store.changes(Point.parse("label"), Point.parse("150m")).paths(Change.Kind.CREATED))
        .containsExactly("f4", "f5", "r1");
  }

  // ================================================================== concurrency and lifecycle

  @Test
  void readersSeeConsistentHistoryWhileTheWriterAppends() throws Exception {
    VersionStore store = open();
    EventBuilder ev = events();
    store.append(ev.mkdir("stable").create("stable/file").write("stable/file", "v0").take());
    int total = 2_000;
    List<List<Event>> batches = new ArrayList<>();
    int produced = 0;
    for (int b = 0; produced < total; b++) {
      ev.mkdir("d" + b);
      for (int j = 0; j < 8; j++) {
        ev.create("d" + b + "/f" + j).write("d" + b + "/f" + j, "d" + b + "f" + j);
      }
      ev.rename("d" + b + "/f0", "d" + b + "/g0").unlink("d" + b + "/f1");
      ev.mkdir("d" + b + "/sub").create("d" + b + "/sub/x");
      if (b > 0) {
        ev.rename("d" + (b - 1), "e" + (b - 1));
      }
      ev.write("stable/file", "v" + (b + 1));
      produced += ev.size();
      batches.add(ev.take());
    }

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong newest = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      List<Future<Reading>> readers = new ArrayList<>();
      for (int r = 0; r < 8; r++) {
        int reader = r;
        readers.add(pool.submit(() -> read(store, reader, writing, newest)));
      }
      Future<?> writer =
          pool.submit(
              () -> {
                try {
                  for (List<Event> batch : batches) {
                    long appended = store.append(batch);
                    // Let a reader see this state before the next append, so that they see many
                    // (unless a reader stopped: it failed, and the failure is reported below).
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (newest.get() < appended
                        && System.nanoTime() < deadline
                        && readers.stream().noneMatch(Future::isDone)) {
                      LockSupport.parkNanos(100_000);
                    }
                  }
                } finally {
                  writing.set(false);
                }
                return null;
              });
      writer.get(90, TimeUnit.SECONDS);
      long last = store.lastSequence();
      Set<Long> observed = new HashSet<>();
      for (Future<Reading> reader : readers) {
        Reading reading = reader.get(60, TimeUnit.SECONDS);
        observed.addAll(reading.logSizes);
        List<Sample> samples = reading.samples;
        assertThat(samples).isNotEmpty();
        // History does not change once written: a past tree read during writes reads the same now.
        for (Sample sample : samples) {
          assertThat(sample.sequence).isBetween(1L, last);
          assertThat(describe(store.tree(Point.sequence(sample.sequence), "")))
              .as("tree at %d", sample.sequence)
              .isEqualTo(sample.tree);
        }
      }
      assertThat(observed.size())
          .as("distinct states the readers saw while %d batches were appended", batches.size())
          .isGreaterThan(batches.size() / 2);
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.log(0, Integer.MAX_VALUE, "", null, null)).hasSize((int) store.lastSequence());
    assertThat(store.versions("stable/file", Point.latest())).hasSize(batches.size() + 2);
    assertThat(store.verify()).isEmpty();
  }

  /** A tree a reader saw at a sequence number. */
  private static final class Sample {
    final long sequence;
    final List<String> tree;

    Sample(long sequence, List<String> tree) {
      this.sequence = sequence;
      this.tree = tree;
    }
  }

  /** What one reader saw: past trees to compare later, and the log lengths it read. */
  private static final class Reading {
    final List<Sample> samples = new ArrayList<>();
    final Set<Long> logSizes = new HashSet<>();
  }

  /** One reader's loop: queries until the writer is done, checking each answer on its own. */
  private static Reading read(
      VersionStore store, int reader, AtomicBoolean writing, AtomicLong newest) throws IOException {
    Reading reading = new Reading();
    List<Sample> samples = reading.samples;
    long seen = 0;
    int rounds = 0;
    while (writing.get() || rounds < 3) {
      rounds++;
      List<TreeEntry> tree = store.tree(Point.latest(), "");
      Set<String> directories = new HashSet<>();
      Set<String> paths = new HashSet<>();
      for (TreeEntry e : tree) {
        String path = e.path();
        assertThat(paths.add(path)).as("%s listed once", path).isTrue();
        assertThat(e.state()).as("state of %s", path).isNotNull();
        int slash = path.lastIndexOf('/');
        if (slash >= 0) {
          assertThat(directories)
              .as("parent of %s listed before it", path)
              .contains(path.substring(0, slash));
        }
        if (e.state().isDirectory()) {
          directories.add(path);
        }
        if (path.endsWith("/sub")) {
          // A directory is never seen without what it was made with in the same batch.
          assertThat(tree.stream().anyMatch(t -> t.path().equals(path + "/x"))).isTrue();
        }
      }
      List<LogEntry> log = store.log(0, Integer.MAX_VALUE, "", null, null);
      for (int i = 0; i < log.size(); i++) {
        assertThat(log.get(i).sequence()).isEqualTo(i + 1);
      }
      assertThat((long) log.size()).isGreaterThanOrEqualTo(seen);
      seen = log.size();
      reading.logSizes.add(seen);
      newest.accumulateAndGet(seen, Math::max);
      List<FileVersion> versions = store.versions("stable/file", Point.latest());
      long previous = 0;
      for (FileVersion v : versions) {
        assertThat(v.sequence()).isGreaterThan(previous);
        previous = v.sequence();
        assertThat(v.path()).isEqualTo("stable/file");
      }
      FileVersion latestVersion = versions.get(versions.size() - 1);
      assertThat(text(store.content(latestVersion.state().content()))).startsWith("v");
      if (rounds % 4 == reader % 4 && samples.size() < 6 && seen > 0) {
        long at = Math.max(1, seen - reader);
        samples.add(new Sample(at, describe(store.tree(Point.sequence(at), ""))));
      }
    }
    return reading;
  }

  @Test
  void everythingIsQueryableAfterCloseAndReopen() throws IOException {
    Path directory = temp.resolve("reopened");
    VersionStore store = open(directory);
    EventBuilder ev = events();
    ev.mkdir("d").create("d/f").write("d/f", randomBytes(300_000, 3)).create("g").write("g", "g");
    ev.rename("d", "e").link("g", "e/h").setxattr("g", "user.x", utf8("y"));
    store.append(ev.take());
    store.snapshot("middle");
    store.append(ev.unlink("g").write("e/f", "short").gap("lost some").take());

    long last = store.lastSequence();
    List<String> log = describeLog(store.log(0, 1000, "", null, null));
    List<String> tree = describe(store.tree(Point.latest(), ""));
    List<String> middleTree = describe(store.tree(Point.snapshot("middle"), ""));
    List<String> snapshots =
        store.snapshots().stream().map(s -> s + " " + s.created()).collect(Collectors.toList());
    List<String> versions =
        store.versions("e/f", Point.latest()).stream()
            .map(v -> v + " " + v.state())
            .collect(Collectors.toList());
    List<Change> changes = store.changes(Point.sequence(2), Point.latest()).changes();
    byte[] content = readAll(store.content("e/f", Point.snapshot("middle")), 8192);
    long nodes = store.tree(Point.latest(), "").stream().mapToLong(TreeEntry::node).max().orElse(0);
    store.close();

    VersionStore again = open(directory);
    assertThat(again.lastSequence()).isEqualTo(last);
    assertThat(describeLog(again.log(0, 1000, "", null, null))).isEqualTo(log);
    assertThat(describe(again.tree(Point.latest(), ""))).isEqualTo(tree);
    assertThat(describe(again.tree(Point.snapshot("middle"), ""))).isEqualTo(middleTree);
    assertThat(
            again.snapshots().stream().map(s -> s + " " + s.created()).collect(Collectors.toList()))
        .isEqualTo(snapshots);
    assertThat(
            again.versions("e/f", Point.latest()).stream()
                .map(v -> v + " " + v.state())
                .collect(Collectors.toList()))
        .isEqualTo(versions);
    assertThat(again.changes(Point.sequence(2), Point.latest()).changes()).isEqualTo(changes);
    assertThat(readAll(again.content("e/f", Point.snapshot("middle")), 8192)).isEqualTo(content);
    assertThat(again.verify()).isEmpty();

    // Appending goes on where it stopped, with new identities.
    assertThat(again.append(ev.create("after").take())).isEqualTo(last + 1);
    assertThat(again.tree(Point.latest(), "after").get(0).node()).isGreaterThan(nodes);
    assertThat(again.tree(Point.latest(), "e/h").get(0).node())
        .isEqualTo(again.tree(Point.sequence(last), "e/h").get(0).node());
  }

  @Test
  void anAbandonedAppendLeavesTheLastCommittedOne() throws IOException {
    Path directory = temp.resolve("store");
    CountingBackend backend = counting(directory);
    VersionStore store = over(backend);
    EventBuilder ev = events();
    List<Event> first = ev.mkdir("d").create("d/a").write("d/a", "a").take();
    store.append(first);
    long committed = store.lastSequence();
    List<String> tree = describe(store.tree(Point.latest(), ""));

    // Fail at the first put, in the middle, and at the last put of an append.
    List<Event> batch = ev.create("d/b").write("d/b", "b").rename("d", "e").unlink("e/a").take();
    // Count the batch's puts on a twin store with the same history.
    CountingBackend twinBackend = counting(temp.resolve("twin"));
    VersionStore twin = over(twinBackend);
    twin.append(first);
    twinBackend.reset();
    twin.append(batch);
    long puts = twinBackend.puts();
    assertThat(puts).isGreaterThan(3);
    for (long failAt : new long[] {1, puts / 2, puts}) {
      backend.failAfterPuts((int) failAt);
      assertThatThrownBy(() -> store.append(batch))
          .as("append failing at put %d of %d", failAt, puts)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("simulated");
      assertThat(store.lastSequence()).isEqualTo(committed);
      assertThat(store.log(0, 100, "", null, null)).hasSize((int) committed);
      assertThat(describe(store.tree(Point.latest(), ""))).isEqualTo(tree);
      assertThat(store.verify()).isEmpty();
    }

    // The next append goes on from the last committed one, gapless.
    assertThat(store.append(batch)).isEqualTo(committed + 4);
    assertThat(sequences(store.log(0, 100, "", null, null)))
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(paths(store.tree(Point.latest(), ""))).containsExactly("e", "e/b");
    store.close();
    VersionStore reopened = open(directory);
    assertThat(reopened.lastSequence()).isEqualTo(committed + 4);
    assertThat(reopened.verify()).isEmpty();
    assertThat(text(reopened.content("e/b", Point.latest()))).isEqualTo("b");
  }

  @Test
  void verifyReportsDamage() throws IOException {
    CountingBackend backend = counting(temp.resolve("store"));
    VersionStore store = over(backend);
    EventBuilder ev = events();
    byte[] data = randomBytes(200_000, 11);
    store.append(ev.create("f").write("f", data).create("g").write("g", "small").take());
    assertThat(store.verify()).isEmpty();

    // A chunk whose bytes do not match its hash.
    StoreBackend raw = backend.delegate();
    byte[] hash = new byte[32];
    Arrays.fill(hash, (byte) 0x42);
    try (WriteTransaction txn = raw.write()) {
      txn.put("chunks", hash, utf8("not what hashes to 4242..."));
      txn.commit();
    }
    List<String> problems = store.verify();
    assertThat(problems).hasSize(1);
    assertThat(problems.get(0)).contains("chunk").contains(ContentId.of(hash).toString());

    // A chunk a manifest names, gone.
    byte[] manifest;
    ContentId small = store.state("g", Point.latest()).content();
    try (io.ize.spi.ReadTransaction txn = raw.read()) {
      manifest = txn.get("manifests", small.bytes());
    }
    assertThat(manifest).hasSize(36);
    try (WriteTransaction txn = raw.write()) {
      txn.delete("chunks", Arrays.copyOf(manifest, 32));
      txn.commit();
    }
    assertThat(store.verify()).hasSize(2).anyMatch(p -> p.contains("missing chunk"));
    assertThatThrownBy(() -> readAll(store.content("g", Point.latest()), 100))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("missing");

    // A record gone from the middle, and one that does not decode.
    try (WriteTransaction txn = raw.write()) {
      txn.delete("records", ByteBuffer.allocate(8).putLong(2).array());
      txn.put("records", ByteBuffer.allocate(8).putLong(3).array(), new byte[] {1, 2, 3});
      txn.commit();
    }
    problems = store.verify();
    assertThat(problems).anyMatch(p -> p.contains("record 2"));
    assertThat(problems).anyMatch(p -> p.contains("record 3"));
  }

  @Test
  void anUnknownBackendNameListsTheBackendsFound() {
    Path directory = temp.resolve("nope");
    assertThatThrownBy(() -> VersionStore.open("nope", directory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nope'")
        .hasMessageContaining(backendName())
        .hasMessageContaining("ize-store-lmdb");
    assertThat(VersionStore.providers()).containsKey(backendName());
    assertThat(VersionStore.providers().get(backendName()).name()).isEqualTo(backendName());
  }

  // ================================================================== retention

  /** Events two hours old, then a minute old: a one-hour retention keeps only the latter. */
  private static final Duration HOUR = Duration.ofHours(1);

  private static Retention keep(Duration age, int versions) {
    return Retention.builder().keepNewerThan(age).keepLastVersions(versions).build();
  }

  /** Everything a query at {@code point} shows: each entry's state and, for files, its bytes. */
  private static List<String> image(VersionStore store, Point point) throws IOException {
    List<String> image = new ArrayList<>();
    for (TreeEntry e : store.tree(point, "")) {
      String bytes = "";
      if (e.state().isRegularFile()) {
        bytes = " " + Arrays.hashCode(readAll(store.content(e.path(), point), 8192));
        assertThat(readAll(store.content(e.state().content()), 8192))
            .isEqualTo(readAll(store.content(e.path(), point), 8192));
      }
      image.add(e.path() + " #" + e.node() + " " + e.state() + bytes);
    }
    return image;
  }

  @Test
  void gcKeepsExactlyWhatTheRetentionSays() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events().at(Instant.now().minus(Duration.ofHours(2)));
    ev.mkdir("d").create("d/a").create("b").create("gone");
    for (int i = 1; i <= 5; i++) {
      ev.write("d/a", "a" + i);
    }
    for (int i = 1; i <= 3; i++) {
      ev.write("b", "b" + i);
    }
    ev.write("gone", "temporary").unlink("gone");
    long old = store.append(ev.take());
    ContentId b1 = store.versions("b", Point.latest()).get(1).state().content();
    ev.at(Instant.now().minus(Duration.ofMinutes(1))).write("d/a", "a6").chmod("b", 0600);
    long last = store.append(ev.take());
    List<String> atHorizon = image(store, Point.sequence(old));
    List<String> latest = image(store, Point.latest());
    List<String> changed = changes(store.changes(Point.sequence(old), Point.latest()));

    GcResult result = store.gc(keep(HOUR, 2), Progress.NONE);

    assertThat(result.earliestRetained()).isEqualTo(old);
    assertThat(store.earliestRetained()).isEqualTo(old);
    assertThat(image(store, Point.sequence(old))).isEqualTo(atHorizon);
    assertThat(image(store, Point.latest())).isEqualTo(latest);
    assertThat(changes(store.changes(Point.sequence(old), Point.latest()))).isEqualTo(changed);
    // d/a: one version since the horizon, so one from before it (the one in effect there).
    List<FileVersion> a = store.versions("d/a", Point.latest());
    assertThat(a)
        .extracting(FileVersion::operation)
        .containsExactly(Operation.WRITE, Operation.WRITE);
    assertThat(text(store.content(a.get(0).state().content()))).isEqualTo("a5");
    assertThat(a.get(0).path()).isEqualTo("d/a");
    // b: one version (a chmod) since, so one write before it, with its content.
    List<FileVersion> b = store.versions("b", Point.latest());
    assertThat(b)
        .extracting(FileVersion::operation)
        .containsExactly(Operation.WRITE, Operation.CHMOD);
    assertThat(text(store.content(b.get(0).state().content()))).isEqualTo("b3");
    assertThatThrownBy(() -> store.content(b1)).isInstanceOf(IOException.class);
    // The log: PRUNED stand-ins for removed runs, then everything from the horizon on.
    List<LogEntry> log = store.log(0, Integer.MAX_VALUE, "", null, null);
    assertThat(log).anyMatch(e -> e.operation() == Operation.PRUNED);
    assertThat(log.stream().filter(e -> e.sequence() >= old).map(LogEntry::sequence))
        .containsExactlyElementsOf(
            java.util.stream.LongStream.rangeClosed(old, last).boxed().toList());
    assertThat(log.stream().filter(e -> e.operation() != Operation.PRUNED && e.sequence() < old))
        .extracting(LogEntry::path)
        .containsExactlyInAnyOrder("d", "d/a", "b"); // each file's last versions
    // Points before the horizon: a clear error naming it, for queries and new snapshots.
    assertThatThrownBy(() -> store.tree(Point.sequence(3), ""))
        .isInstanceOf(HistoryPrunedException.class)
        .hasMessageContaining("earliest retained point " + old)
        .satisfies(e -> assertThat(((HistoryPrunedException) e).earliestRetained()).isEqualTo(old));
    assertThatThrownBy(() -> store.changes(Point.sequence(1), Point.latest()))
        .isInstanceOf(HistoryPrunedException.class);
    assertThatThrownBy(() -> store.snapshot("late", 2)).isInstanceOf(HistoryPrunedException.class);
    assertThatThrownBy(() -> store.versions("gone", Point.sequence(old - 1)))
        .isInstanceOf(HistoryPrunedException.class);
    assertThat(result.recordsDropped()).isPositive();
    assertThat(result.versionsDropped()).isPositive();
    assertThat(result.chunksFreed()).isPositive();
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void aSnapshotsTreeSurvivesGcByteForByte() throws IOException {
    VersionStore store = open();
    EventBuilder ev = events().at(Instant.now().minus(Duration.ofDays(3)));
    ev.mkdir("src")
        .mkdir("src/lib")
        .create("src/lib/x")
        .write("src/lib/x", randomBytes(150_000, 1));
    ev.create("notes")
        .write("notes", "first")
        .symlink("link", "notes")
        .setxattr("notes", "user.k", utf8("v"));
    store.append(ev.take());
    Snapshot before = store.snapshot("before");
    List<String> image = image(store, Point.snapshot("before"));
    ev.write("src/lib/x", randomBytes(150_000, 2)).rename("src/lib", "src/moved").unlink("notes");
    ev.create("new").write("new", "later").chmod("link", 0700);
    store.append(ev.take());
    List<String> changes = changes(store.changes(Point.snapshot("before"), Point.latest()));

    GcResult result = store.gc(keep(Duration.ZERO, 0), Progress.NONE);

    assertThat(result.earliestRetained()).isEqualTo(store.lastSequence());
    assertThat(image(store, Point.snapshot("before"))).isEqualTo(image);
    assertThat(image(store, Point.sequence(before.sequence()))).isEqualTo(image);
    assertThat(changes(store.changes(Point.snapshot("before"), Point.latest()))).isEqualTo(changes);
    assertThat(store.verify()).isEmpty();
    // Once the snapshot is gone, the next gc may take its point.
    assertThat(store.deleteSnapshot("before")).isTrue();
    store.gc(keep(Duration.ZERO, 0), Progress.NONE);
    assertThatThrownBy(() -> store.tree(Point.sequence(before.sequence()), ""))
        .isInstanceOf(HistoryPrunedException.class);
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void chunksSharedBetweenADroppedAndAKeptVersionSurviveAndTheRestIsReclaimed() throws IOException {
    VersionStore store = open();
    byte[] v1 = randomBytes(600_000, 5);
    byte[] v2 = v1.clone();
    System.arraycopy(randomBytes(50_000, 6), 0, v2, 550_000, 50_000); // a new tail, same head
    EventBuilder ev = events().at(Instant.now().minus(Duration.ofDays(40)));
    store.append(ev.create("big").write("big", v1).write("big", v2).take());
    Usage before = store.usage();
    assertThat(before.logicalBytes()).isEqualTo(v1.length + v2.length);
    assertThat(before.dedupRatio()).isGreaterThan(1.2);

    GcResult result = store.gc(keep(Duration.ofDays(30), 1), Progress.NONE);

    assertThat(readAll(store.content("big", Point.latest()), 65536)).isEqualTo(v2);
    assertThat(result.chunksFreed()).isPositive();
    assertThat(result.reclaimedBytes()).isPositive().isLessThan(v1.length);
    assertThat(result.liveBytes()).isEqualTo(v2.length); // all of v2, head chunks included
    Usage after = store.usage();
    assertThat(after.storedBytes()).isEqualTo(before.storedBytes() - result.reclaimedBytes());
    assertThat(after.storedBytes()).isEqualTo(result.liveBytes());
    assertThat(after.logicalBytes()).isEqualTo(v2.length);
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void gcOnAnEmptyStoreAndTwiceInARow() throws IOException {
    VersionStore store = open();
    GcResult empty = store.gc(Retention.DEFAULT, Progress.NONE);
    assertThat(empty.recordsDropped()).isZero();
    assertThat(empty.chunksFreed()).isZero();
    assertThat(store.verify()).isEmpty();
    assertThat(store.usage().dedupRatio()).isEqualTo(1.0);
    // A file the store first sees in a write: the node and its content are one version.
    store.append(events().write("seen", "12345").take());
    assertThat(store.usage().logicalBytes()).isEqualTo(5);
    store.gc(Retention.DEFAULT, Progress.NONE);
    assertThat(store.usage().logicalBytes()).isEqualTo(5);

    EventBuilder ev = events().at(Instant.now().minus(Duration.ofHours(5)));
    ev.mkdir("d").create("d/f").write("d/f", "1").write("d/f", "2").rename("d", "e");
    store.append(ev.take());
    ev.at(Instant.now()).write("e/f", "3");
    store.append(ev.take());
    List<String> latest = image(store, Point.latest());
    List<String> seen = new ArrayList<>();
    GcResult first = store.gc(keep(HOUR, 1), (phase, done, total) -> seen.add(phase));
    assertThat(seen).contains("planning", "versions", "records", "content");
    assertThat(first.recordsDropped()).isPositive();
    GcResult second = store.gc(keep(HOUR, 1), Progress.NONE);
    assertThat(second.earliestRetained()).isEqualTo(first.earliestRetained());
    assertThat(second.recordsDropped()).isZero();
    assertThat(second.versionsDropped()).isZero();
    assertThat(second.chunksFreed()).isZero();
    assertThat(image(store, Point.latest())).isEqualTo(latest);
    assertThat(store.versions("e/f", Point.latest())).hasSize(1);
    assertThat(store.verify()).isEmpty();
  }

  @Test
  void gcWhileAppendsContinueOnAnotherThread() throws Exception {
    VersionStore store = open();
    EventBuilder ev = events().at(Instant.now().minus(Duration.ofDays(2)));
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      contents.add(randomBytes(100_000 + i, 20 + i));
    }
    for (int f = 0; f < 30; f++) {
      ev.create("f" + f);
      for (byte[] c : contents) {
        ev.write("f" + f, c);
      }
    }
    store.append(ev.take());
    ev.at(Instant.now());
    // The appender writes content the gc is about to free, with the chunks in one append and
    // the version naming them in the next (as the recorder does for a large file).
    List<List<Event>> appends = new ArrayList<>();
    Map<String, byte[]> expected = new java.util.HashMap<>();
    for (int round = 0; round < 60; round++) {
      String path = "f" + (round % 30);
      byte[] content = contents.get(round % 5);
      List<Event> events = ev.write(path, content).take();
      appends.add(events.subList(0, events.size() - 1));
      appends.add(events.subList(events.size() - 1, events.size()));
      expected.put(path, content);
    }
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> appender =
          pool.submit(
              () -> {
                for (List<Event> events : appends) {
                  store.append(events);
                  LockSupport.parkNanos(200_000);
                }
                return null;
              });
      for (int i = 0; i < 3; i++) {
        store.gc(keep(HOUR, 1), Progress.NONE);
      }
      appender.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    store.gc(keep(HOUR, 1), Progress.NONE);
    assertThat(store.verify()).isEmpty();
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertThat(readAll(store.content(e.getKey(), Point.latest()), 65536))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
    for (TreeEntry e : store.tree(Point.latest(), "")) {
      readAll(store.content(e.path(), Point.latest()), 65536);
    }
  }

  // ================================================================== helpers

  private static List<Long> sequences(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::sequence).collect(Collectors.toList());
  }

  private static List<String> paths(List<TreeEntry> entries) {
    return entries.stream().map(TreeEntry::path).collect(Collectors.toList());
  }

  private static Map<String, TreeEntry> byPath(List<TreeEntry> entries) {
    Map<String, TreeEntry> map = new java.util.LinkedHashMap<>();
    for (TreeEntry e : entries) {
      map.put(e.path(), e);
    }
    return map;
  }

  private static List<String> describe(List<TreeEntry> entries) {
    return entries.stream()
        .map(e -> e.path() + " #" + e.node() + " " + e.state())
        .collect(Collectors.toList());
  }

  private static List<String> describeLog(List<LogEntry> entries) {
    return entries.stream().map(e -> e + " @" + e.timeNanos()).collect(Collectors.toList());
  }

  /** A change as {@link Change#toString} shows it: kind, previous path, path. */
  private static String change(Change.Kind kind, String path, String previous) {
    return kind + " " + (previous == null ? path : previous + " -> " + path);
  }

  private static List<String> changes(ChangeSet changes) {
    return changes.changes().stream().map(Change::toString).collect(Collectors.toList());
  }

  private static byte[] readAll(InputStream in, int buffer) throws IOException {
    try (InputStream stream = in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] b = new byte[buffer];
      int n;
      while ((n = stream.read(b, 0, b.length)) >= 0) {
        out.write(b, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static String text(InputStream in) throws IOException {
    return new String(readAll(in, 4096), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static io.ize.api.Manifest manifestOf(byte[] content) throws IOException {
    io.ize.api.Manifest manifest = new io.ize.api.Manifest();
    io.ize.api.Chunker.split(new java.io.ByteArrayInputStream(content), manifest::add);
    return manifest;
  }
}
