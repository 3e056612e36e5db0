package io.ize.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code ize} command through its entry point, against a store a real mount recorded. */
class IzeCommandTest {
  @TempDir Path tmp;

  private String[] result;

  private int ize(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IzeCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    result = new String[] {out.toString(), err.toString()};
    return code;
  }

  @Test
  void historyCommandsReadWhatAMountRecorded() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Path store = tmp.resolve("store");
    try (VersionStore versions = VersionStore.open("lmdb", store);
        Mount mount = Ize.mount(source, target, versions)) {
      Files.writeString(target.resolve("notes.txt"), "first\n");
      Files.writeString(target.resolve("notes.txt"), "second\n");
      Files.move(target.resolve("notes.txt"), target.resolve("renamed.txt"));
    }
    String s = store.toString();

    assertThat(ize("log", "--store", s)).isZero();
    assertThat(result[0]).contains("CREATE notes.txt", "RENAME notes.txt -> renamed.txt");

    assertThat(ize("history", "renamed.txt", "--store", s)).isZero();
    assertThat(result[0].lines())
        .hasSizeGreaterThanOrEqualTo(4)
        .last()
        .asString()
        .contains("renamed.txt");

    assertThat(ize("snapshot", "mine", "--store", s)).isZero();
    assertThat(ize("snapshots", "--store", s)).isZero();
    assertThat(result[0]).startsWith("mine ");

    assertThat(ize("diff", "0", "mine", "--store", s)).isZero();
    assertThat(result[0]).contains("CREATED renamed.txt", "+second");

    assertThat(ize("status", "--store", s)).isZero();
    assertThat(result[0]).contains("records:");

    assertThat(ize("restore", "--to", "2", "--store", s, "--source", source.toString())).isZero();
    assertThat(Files.readString(source.resolve("notes.txt"))).isEqualTo("first\n");
    assertThat(source.resolve("renamed.txt")).doesNotExist();

    assertThat(ize("show", "nowhere.txt@1", "--store", s)).isEqualTo(1);
    assertThat(result[1]).startsWith("ize: ").contains("nowhere.txt");
    assertThat(ize("log", "--no-such-option")).isEqualTo(2);
  }

  /** Runs {@code ize} through its real entry point in a JVM of its own; returns exit, out, err. */
  private static String[] child(String... args) throws Exception {
    Process process = start(args);
    process.getOutputStream().close();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("ize " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new String[] {
      Integer.toString(process.exitValue()),
      out.get(10, TimeUnit.SECONDS),
      err.get(10, TimeUnit.SECONDS)
    };
  }

  /** Starts {@code ize} in a JVM of its own. */
  private static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Dfile.encoding=UTF-8",
            "--add-opens",
            "java.base/java.nio=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            IzeCommand.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }

  private static String drain(InputStream in) {
    try (InputStream stream = in) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void gcReportsLiveAndReclaimedBytesAndStatusTheDedupRatio() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Path store = tmp.resolve("store");
    byte[] first = new byte[300_000];
    byte[] second = new byte[300_000];
    new Random(1).nextBytes(first);
    new Random(2).nextBytes(second);
    // On jnr-fuse, whose captures are exactly one per close: the byte counts below are exact.
    MountOptions jnr = MountOptions.builder().transport(io.ize.Transport.JNR_FUSE).build();
    try (VersionStore versions = VersionStore.open("lmdb", store);
        Mount mount = Ize.mount(source, target, versions, jnr)) {
      Files.write(target.resolve("a.bin"), first);
      Files.write(target.resolve("a.bin"), second);
      Files.write(target.resolve("b.bin"), second); // the same content again: stored once
    }
    String s = store.toString();
    assertThat(ize("status", "--store", s)).isZero();
    assertThat(result[0])
        .contains("content:   900000 bytes in all versions, 600000 bytes stored")
        .contains("dedup:     1.50x")
        .contains("recorder:  no mount");

    assertThat(ize("gc", "--keep", "0", "--keep-versions", "1", "--store", s)).isZero();
    assertThat(result[0]).contains("reclaimed: 300000 bytes").contains("live:      300000 bytes");
    assertThat(result[1]).isEmpty(); // no terminal here: no progress line
    assertThat(ize("history", "a.bin", "--store", s)).isZero();
    assertThat(result[0].lines()).hasSize(1).allMatch(l -> l.endsWith("a.bin 300000 bytes"));
    assertThat(ize("status", "--store", s)).isZero();
    assertThat(result[0])
        .contains("content:   600000 bytes in all versions, 300000 bytes stored")
        .contains("dedup:     2.00x")
        .contains("retained:  from sequence");
    assertThat(ize("diff", "1", "--store", s)).isEqualTo(1);
    assertThat(result[1]).startsWith("ize: ").contains("earliest retained point");
    try (VersionStore versions = VersionStore.open("lmdb", store)) {
      assertThat(versions.verify()).isEmpty();
      assertThat(versions.content("a.bin", Point.latest()).readAllBytes()).isEqualTo(second);
    }
  }

  @Test
  void statusShowsTheLagOfALiveMountRecordingIntoTheStore() throws Exception {
    Path store = Files.createDirectories(tmp.resolve("store"));
    VersionStore.open("lmdb", store).close();
    new MountStatus(ProcessHandle.current().pid(), "/somewhere", 42, Instant.now()).write(store);
    assertThat(ize("status", "--store", store.toString())).isZero();
    assertThat(result[0])
        .contains("recorder:  mounted at /somewhere (pid ")
        .contains("lag 42 events");
    new MountStatus(ProcessHandle.current().pid(), "/somewhere", 42, Instant.EPOCH).write(store);
    assertThat(ize("status", "--store", store.toString())).isZero();
    assertThat(result[0]).contains("recorder:  no mount"); // stale: not rewritten for long
  }

  @Test
  void statusSeesALiveIzeMountInAnotherProcessAndSigtermUnmountsIt() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Path store = tmp.resolve("store");
    String s = store.toString();
    Process mount = start("mount", source.toString(), target.toString(), "--store", s);
    mount.getOutputStream().close();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> drain(mount.getErrorStream()));
    boolean ended = false;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(store.resolve(MountStatus.FILE))) {
        assertThat(mount.isAlive()).as("ize mount is running").isTrue();
        assertThat(System.nanoTime()).as("ize mount reported itself").isLessThan(deadline);
        Thread.sleep(100);
      }
      Files.writeString(target.resolve("x.txt"), "x\n");
      assertThat(ize("status", "--store", s)).isZero();
      assertThat(result[0])
          .contains("recorder:  mounted at " + target + " (pid " + mount.pid() + "), lag ");
    } finally {
      // SIGTERM: unmounts, drains the recorder, removes its status. Through the handle, since
      // Process.destroy() also closes the streams the drain above is reading.
      mount.toHandle().destroy();
      ended = mount.waitFor(30, TimeUnit.SECONDS);
      if (!ended) {
        mount.destroyForcibly().waitFor();
        Ize.clearDeadMount(target);
      }
    }
    assertThat(ended).as(err.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(store.resolve(MountStatus.FILE)).doesNotExist();
    assertThat(Files.readString(source.resolve("x.txt"))).isEqualTo("x\n");
    assertThat(ize("log", "--store", s)).isZero();
    assertThat(result[0]).contains("CREATE x.txt");
    assertThat(ize("status", "--store", s)).isZero();
    assertThat(result[0]).contains("recorder:  no mount");
  }

  @Test
  void everyCommandHasHelpAndBadUsageExitsWithTwo() {
    CommandLine line = new CommandLine(IzeCommand.class);
    assertThat(line.getSubcommands().keySet()).contains("gc", "status", "restore", "mount");
    for (String name : line.getSubcommands().keySet()) {
      assertThat(ize(name, "--help")).as(name).isZero();
      assertThat(result[0]).as(name).contains("Usage: ize " + name).contains("--help");
    }
    assertThat(ize("gc", "--help")).isZero();
    assertThat(result[0]).contains("default 30d").contains("default 10");
    assertThat(ize("gc", "--keep", "soon")).isEqualTo(2);
    assertThat(result[1]).contains("'soon'");
    assertThat(ize("gc", "--keep-versions", "-1", "--store", tmp.resolve("s").toString()))
        .isEqualTo(2);
    assertThat(result[1]).contains("-1");
  }

  @Test
  void aMapdbStoreAnotherProcessHoldsIsRefusedNamingTheBackendAndTheLock() throws Exception {
    Path store = tmp.resolve("mapdb");
    try (VersionStore held = VersionStore.open("mapdb", store)) {
      String[] run = child("log", "--backend", "mapdb", "--store", store.toString());
      assertThat(run[0]).isEqualTo("1");
      assertThat(run[2])
          .startsWith("ize: cannot open the MapDB store")
          .contains("file lock")
          .contains("ize.mapdb")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void lmdbHistoryCommandsRunInAnotherProcessWhileAMountWrites() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Path store = tmp.resolve("store");
    String s = store.toString();
    AtomicBoolean writing = new AtomicBoolean(true);
    try (VersionStore versions = VersionStore.open("lmdb", store);
        Mount mount = Ize.mount(source, target, versions)) {
      Files.writeString(target.resolve("kept.txt"), "kept\n");
      mount.sync();
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<Integer> writer =
            pool.submit(
                () -> {
                  int n = 0;
                  while (writing.get()) {
                    Files.writeString(target.resolve("f" + (n % 5)), "round " + n + "\n");
                    n++;
                  }
                  return n;
                });
        String[] log = child("log", "--store", s, "--limit", "100000");
        assertThat(log[0]).as(log[2]).isEqualTo("0");
        assertThat(log[1]).contains("CREATE kept.txt");
        String[] history = child("history", "kept.txt", "--store", s);
        assertThat(history[0]).as(history[2]).isEqualTo("0");
        assertThat(history[1]).contains("kept.txt 5 bytes");
        // gc from the other process, through LMDB's and our writer lock, while the mount records.
        String[] gc = child("gc", "--keep", "0", "--keep-versions", "2", "--store", s);
        assertThat(gc[0]).as(gc[2]).isEqualTo("0");
        assertThat(gc[1]).contains("reclaimed:");
        writing.set(false);
        assertThat(writer.get(60, TimeUnit.SECONDS)).isPositive();
      } finally {
        writing.set(false);
        pool.shutdownNow();
      }
      mount.sync();
      assertThat(versions.verify()).isEmpty();
      for (int i = 0; i < 5; i++) {
        Path f = target.resolve("f" + i);
        if (Files.exists(f)) {
          assertThat(
                  new String(
                      versions.content("f" + i, Point.latest()).readAllBytes(),
                      StandardCharsets.UTF_8))
              .isEqualTo(Files.readString(f));
        }
      }
    }
  }
}
