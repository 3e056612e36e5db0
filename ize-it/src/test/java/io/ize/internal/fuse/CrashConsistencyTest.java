package io.ize.internal.fuse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.Transport;
import io.ize.api.LogEntry;
import io.ize.api.Operation;
import io.ize.api.Point;
import io.ize.api.VersionStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A child JVM mounts and writes continuously and is killed with SIGKILL at a random moment; the
 * store it leaves must open, verify, hold a gapless prefix of what the child did, and serve a new
 * mount at the same target.
 */
class CrashConsistencyTest {
  @TempDir Path tmp;

  static Stream<Arguments> runs() {
    List<Arguments> runs = new ArrayList<>();
    for (String backend : new String[] {"lmdb", "mapdb"}) {
      for (long seed : new long[] {11, 12, 13}) {
        runs.add(Arguments.of(Transport.JNR_FUSE, backend, seed));
      }
      runs.add(Arguments.of(Transport.KERNEL, backend, 14L));
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "{0}, {1}, seed {2}")
  @MethodSource("runs")
  void aKilledRecorderLeavesAGaplessVerifiedPrefix(Transport transport, String backend, long seed)
      throws Exception {
    killAndCheck(transport, backend, seed);
  }

  private void killAndCheck(Transport transport, String backend, long seed) throws Exception {
    ModelBasedRecordingTest.assumeTransport(transport);
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Path storeDir = tmp.resolve("store");
    long delay = 300 + new SplittableRandom(seed).nextInt(1500);

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dfile.encoding=UTF-8",
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                RecordingChild.class.getName(),
                source.toString(),
                target.toString(),
                backend,
                storeDir.toString(),
                transport.name())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      String ready =
          new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8)).readLine();
      assertThat(ready).as("child's first line").isEqualTo("READY");
      Thread.sleep(delay);
    } finally {
      // A child killed while one of its threads waits on its own mount stays a zombie until the
      // next mount aborts that connection: do not wait for it here.
      child.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
    }

    Ize.clearDeadMount(target);
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the killed child is gone").isTrue();
    try (VersionStore store = VersionStore.open(backend, storeDir)) {
      assertThat(store.verify()).as("seed %d", seed).isEmpty();
      List<LogEntry> log = store.log(0, Integer.MAX_VALUE, "", null, null);
      assertThat(log).as("seed %d: the child got some way", seed).isNotEmpty();
      for (int i = 0; i < log.size(); i++) {
        LogEntry e = log.get(i);
        assertThat(e.sequence()).isEqualTo(i + 1);
        assertThat(e.path()).as("seed %d, record %d", seed, i + 1).isEqualTo("f" + i / 2);
        assertThat(e.operation()).isEqualTo(i % 2 == 0 ? Operation.CREATE : Operation.WRITE);
        if (e.operation() == Operation.WRITE) {
          try (var in = store.content(e.path(), Point.sequence(e.sequence()))) {
            assertThat(in.readAllBytes()).isEqualTo(RecordingChild.content(i / 2));
          }
        }
      }

      try (Mount mount =
          Ize.mount(source, target, store, MountOptions.builder().transport(transport).build())) {
        assertThat(Files.readAllBytes(target.resolve("f0"))).isEqualTo(RecordingChild.content(0));
        Files.writeString(target.resolve("after-crash"), "recorded");
        mount.sync();
        assertThat(store.log(store.lastSequence() - 1, 10, "after-crash", null, null))
            .extracting(LogEntry::operation)
            .containsExactly(Operation.WRITE);
      }
    }
  }
}
