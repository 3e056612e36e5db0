package io.ize.internal.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.Chunker;
import io.ize.api.NodeState;
import io.ize.api.Point;
import io.ize.api.TreeEntry;
import io.ize.api.VersionStore;
import io.ize.testkit.FuseAssumptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random sequences of every kind of change run through a real mount; at random points the
 * test describes the source tree; afterwards the tree the store reconstructs at each of those
 * points must equal the description: paths, types, modes, owners, content, link targets, xattrs. A
 * failure names the seed, which replays the run exactly.
 */
class ModelBasedRecordingTest {
  private static final int OPERATIONS = 1500;

  @TempDir Path tmp;

  static Stream<Arguments> runs() {
    List<Arguments> runs = new ArrayList<>();
    for (String backend : VersionStore.providers().keySet()) {
      if (backend.equals("failing")) {
        continue; // the fault tests' wrapper of the memory store
      }
      for (long seed : new long[] {1, 2, 3}) {
        runs.add(Arguments.of(Transport.JNR_FUSE, backend, seed));
      }
      // Both transports share the core and its capture points: one seed each shows parity.
      runs.add(Arguments.of(Transport.KERNEL, backend, 4L));
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "{0}, {1}, seed {2}")
  @MethodSource("runs")
  void theStoreReconstructsEveryCheckpoint(Transport transport, String backend, long seed)
      throws Exception {
    assumeTransport(transport);
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Map<Long, Map<String, String>> checkpoints = new TreeMap<>();
    try (VersionStore store = VersionStore.open(backend, tmp.resolve("store"))) {
      try (Mount mount =
          Ize.mount(source, target, store, MountOptions.builder().transport(transport).build())) {
        Model model = new Model(target, new SplittableRandom(seed));
        for (int i = 0; i < OPERATIONS; i++) {
          model.step();
          if (model.random.nextInt(100) == 0 || i == OPERATIONS - 1) {
            mount.sync();
            checkpoints.put(store.lastSequence(), describe(source));
          }
        }
        // Restoring the whole tree to a checkpoint, and then to the end again, gives each back.
        List<Long> points = new ArrayList<>(checkpoints.keySet());
        long middle = points.get(points.size() / 2);
        long last = points.get(points.size() - 1);
        for (long point : new long[] {middle, last}) {
          mount.restore(Point.sequence(point));
          assertThat(describe(source))
              .as("backend %s, seed %d, source after restoring to %d", backend, seed, point)
              .containsExactlyEntriesOf(checkpoints.get(point));
        }
      }
      assertThat(store.verify()).as("seed %d: store integrity", seed).isEmpty();
      for (Map.Entry<Long, Map<String, String>> checkpoint : checkpoints.entrySet()) {
        assertThat(reconstruct(store, checkpoint.getKey()))
            .as("backend %s, seed %d, tree at sequence %d", backend, seed, checkpoint.getKey())
            .containsExactlyEntriesOf(checkpoint.getValue());
      }
    }
  }

  /** Skips unless {@code transport} can mount here. */
  static void assumeTransport(Transport transport) {
    if (transport == Transport.KERNEL) {
      FuseAssumptions.assumeKernelTransportAvailable();
    } else {
      FuseAssumptions.assumeFuse2Available();
    }
  }

  /** Random changes through the mount, of every kind the recorder captures. */
  private static final class Model {
    final Path root;
    final SplittableRandom random;
    final List<String> dirs = new ArrayList<>(List.of(""));
    final List<String> files = new ArrayList<>();
    final List<String> others = new ArrayList<>();
    int counter;

    Model(Path root, SplittableRandom random) {
      this.root = root;
      this.random = random;
    }

    Path at(String relative) {
      return relative.isEmpty() ? root : root.resolve(relative);
    }

    String pick(List<String> from) {
      return from.get(random.nextInt(from.size()));
    }

    String fresh() {
      String dir = pick(dirs);
      String name = "n" + counter++;
      return dir.isEmpty() ? name : dir + "/" + name;
    }

    byte[] bytes() {
      int size = random.nextInt(10) == 0 ? 100_000 + random.nextInt(300_000) : random.nextInt(2000);
      byte[] data = new byte[size];
      random.nextBytes(data);
      return data;
    }

    void step() throws IOException {
      int choice = random.nextInt(files.isEmpty() ? 3 : 20);
      try {
        switch (choice) {
          case 0:
            {
              String path = fresh();
              Files.write(at(path), bytes());
              files.add(path);
              break;
            }
          case 1:
            {
              String path = fresh();
              Files.createDirectory(at(path));
              dirs.add(path);
              break;
            }
          case 2:
            {
              String path = fresh();
              if (random.nextBoolean()) {
                Files.createSymbolicLink(at(path), Path.of("target-" + random.nextInt(5)));
              } else {
                byte[] c = (at(path).toString() + "\0").getBytes(StandardCharsets.UTF_8);
                assertThat(LibC.INSTANCE.mknodat(LibC.AT_FDCWD, c, 0010644, 0)).isZero();
              }
              others.add(path);
              break;
            }
          case 3:
            Files.write(at(pick(files)), bytes());
            break;
          case 4:
            Files.write(at(pick(files)), bytes(), StandardOpenOption.APPEND);
            break;
          case 5:
            try (RandomAccessFile f = new RandomAccessFile(at(pick(files)).toFile(), "rw")) {
              f.seek(random.nextInt((int) f.length() + 1));
              f.write(bytes());
            }
            break;
          case 6:
            try (RandomAccessFile f = new RandomAccessFile(at(pick(files)).toFile(), "rw")) {
              f.setLength(random.nextInt((int) f.length() + 10));
            }
            break;
          case 7:
            {
              String path = pick(files);
              files.remove(path);
              Files.delete(at(path));
              break;
            }
          case 8:
            {
              String from = pick(files);
              String to = random.nextInt(3) == 0 ? pick(files) : fresh();
              if (!from.equals(to)) {
                Files.move(at(from), at(to), StandardCopyOption.REPLACE_EXISTING);
                files.remove(from);
                files.remove(to);
                files.add(to);
              }
              break;
            }
          case 9:
            {
              if (dirs.size() < 2) {
                break;
              }
              String from = dirs.get(1 + random.nextInt(dirs.size() - 1));
              String to = fresh();
              if (to.startsWith(from + "/")) {
                break;
              }
              Files.move(at(from), at(to));
              rename(dirs, from, to);
              rename(files, from, to);
              rename(others, from, to);
              break;
            }
          case 10:
            Files.setPosixFilePermissions(
                at(pick(files)),
                PosixFilePermissions.fromString(
                    new String[] {"rw-r--r--", "rw-------", "rwxr-xr-x", "r--r--r--"}
                        [random.nextInt(4)]));
            break;
          case 11:
            Files.setAttribute(
                at(pick(files)),
                "unix:uid",
                random.nextBoolean() ? 1000 : 0,
                LinkOption.NOFOLLOW_LINKS);
            break;
          case 12:
            Files.setLastModifiedTime(
                at(pick(files)), FileTime.fromMillis(1_600_000_000_000L + random.nextInt(1 << 30)));
            break;
          case 13:
            {
              UserDefinedFileAttributeView view =
                  Files.getFileAttributeView(at(pick(files)), UserDefinedFileAttributeView.class);
              byte[] value = new byte[random.nextInt(50)];
              random.nextBytes(value);
              view.write("k" + random.nextInt(3), ByteBuffer.wrap(value));
              break;
            }
          case 14:
            {
              UserDefinedFileAttributeView view =
                  Files.getFileAttributeView(at(pick(files)), UserDefinedFileAttributeView.class);
              List<String> names = view.list();
              if (!names.isEmpty()) {
                view.delete(names.get(0));
              }
              break;
            }
          case 15:
            {
              String existing = pick(files);
              String link = fresh();
              Files.createLink(at(link), at(existing));
              files.add(link);
              break;
            }
          case 16:
            {
              String path = pick(files);
              byte[] c = (at(path).toString() + "\0").getBytes(StandardCharsets.UTF_8);
              int fd = LibC.INSTANCE.openat(LibC.AT_FDCWD, c, LibC.O_WRONLY, 0);
              assertThat(fd).isNotNegative();
              try {
                assertThat(LibC.INSTANCE.fallocate(fd, 0, random.nextInt(100_000), 4096)).isZero();
              } finally {
                LibC.INSTANCE.close(fd);
              }
              break;
            }
          case 17:
            {
              if (dirs.size() < 2) {
                break;
              }
              String dir = dirs.get(1 + random.nextInt(dirs.size() - 1));
              try (Stream<Path> inside = Files.list(at(dir))) {
                if (inside.findAny().isEmpty()) {
                  Files.delete(at(dir));
                  dirs.remove(dir);
                }
              }
              break;
            }
          case 18:
            if (!others.isEmpty()) {
              String path = pick(others);
              Files.delete(at(path));
              others.remove(path);
            }
            break;
          default:
            Files.writeString(at(pick(files)), "small " + counter++);
        }
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException expected) {
        // A random choice that the filesystem refused: nothing changed, nothing recorded.
      }
    }

    private static void rename(List<String> paths, String from, String to) {
      for (int i = 0; i < paths.size(); i++) {
        String p = paths.get(i);
        if (p.equals(from) || p.startsWith(from + "/")) {
          paths.set(i, to + p.substring(from.length()));
        }
      }
    }
  }

  /** The source tree as the test saw it: path to a line of everything the store must keep. */
  private static Map<String, String> describe(Path source) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.equals(source)) {
          continue;
        }
        Map<String, Object> a =
            Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        String link = Files.isSymbolicLink(p) ? Files.readSymbolicLink(p).toString() : null;
        String content =
            Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                ? hash(Files.newInputStream(p))
                : null;
        Map<String, String> xattrs = new TreeMap<>();
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          UserDefinedFileAttributeView view =
              Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
          for (String name : view.list()) {
            ByteBuffer value = ByteBuffer.allocate(view.size(name));
            view.read(name, value);
            xattrs.put("user." + name, HexFormat.of().formatHex(value.array()));
          }
        }
        tree.put(
            source.relativize(p).toString(),
            line(mode, (Integer) a.get("uid"), (Integer) a.get("gid"), link, content, xattrs));
      }
    }
    return tree;
  }

  /** The tree the store holds at {@code sequence}, in the same form. */
  private static Map<String, String> reconstruct(VersionStore store, long sequence)
      throws IOException {
    Map<String, String> tree = new TreeMap<>();
    for (TreeEntry e : store.tree(Point.sequence(sequence), "")) {
      NodeState s = e.state();
      String link = s.isSymbolicLink() ? new String(s.linkTarget(), StandardCharsets.UTF_8) : null;
      String content = s.isRegularFile() ? hash(store.content(s.content())) : null;
      Map<String, String> xattrs = new TreeMap<>();
      s.xattrs().forEach((k, v) -> xattrs.put(k, HexFormat.of().formatHex(v)));
      tree.put(e.path(), line(s.mode(), s.uid(), s.gid(), link, content, xattrs));
    }
    return tree;
  }

  private static String line(
      int mode, int uid, int gid, String link, String content, Map<String, String> xattrs) {
    return String.format(
        "mode=%o uid=%d gid=%d%s%s xattrs=%s",
        mode,
        uid,
        gid,
        link == null ? "" : " link=" + link,
        content == null ? "" : " content=" + content,
        xattrs);
  }

  private static String hash(InputStream in) throws IOException {
    try (in) {
      return HexFormat.of().formatHex(Chunker.sha256(in.readAllBytes()));
    }
  }
}
