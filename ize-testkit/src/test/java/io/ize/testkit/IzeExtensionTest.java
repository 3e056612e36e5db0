package io.ize.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.ize.Mount;
import io.ize.api.LogEntry;
import io.ize.api.Point;
import io.ize.api.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The extension run end to end: fixture classes executed by JUnit's own engine test kit. */
class IzeExtensionTest {
  /** The mounted directories the fixtures saw, for checks after JUnit has closed them. */
  static final List<Path> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void fuse() {
    FuseAssumptions.assumeFuse2Available();
    seen.clear();
  }

  /** Deletes what a fixture kept, whether or not the checks on it passed. */
  @AfterEach
  void deleteKept() throws IOException {
    for (Path dir : seen) {
      MountedTree.delete(dir.getParent());
    }
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter(Fixtures.RUN, "true")
        .selectors(selectClass(fixture))
        .execute();
  }

  private static List<String> mountPoints() throws IOException {
    try (Stream<String> lines = Files.lines(Path.of("/proc/mounts"))) {
      return lines.map(l -> l.split(" ")[1]).collect(Collectors.toList());
    }
  }

  // ------------------------------------------------------------------ injection and unmounting

  @Fixtures
  @IzeTest
  static class Injection {
    @Mounted Path field;

    @Test
    void test(@Mounted Path dir, @Mounted Mount mount, @Mounted Snapshot start) throws IOException {
      seen.add(dir);
      assertThat(field).isEqualTo(dir);
      assertThat(mount.target()).isEqualTo(dir);
      assertThat(mountPoints()).contains(dir.toString());
      assertThat(start.name()).isEqualTo("before-test");
      Files.writeString(dir.resolve("a.txt"), "a");
      assertThat(mount.changesSince(start.point()).changes())
          .extracting(Object::toString)
          .containsExactly("CREATED a.txt");
    }
  }

  @Test
  void pathMountAndSnapshotAreInjectedAndTheMountIsGoneAfterTheTest() throws IOException {
    run(Injection.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    assertThat(seen).hasSize(1);
    assertThat(mountPoints()).doesNotContain(seen.get(0).toString());
    assertThat(seen.get(0).getParent()).doesNotExist();
  }

  @Fixtures
  @IzeTest
  static class Throwing {
    @Test
    void test(@Mounted Path dir) throws IOException {
      seen.add(dir);
      Files.writeString(dir.resolve("a.txt"), "a");
      throw new IllegalStateException("the test broke");
    }
  }

  @Test
  void aThrowingTestIsUnmountedAndByDefaultCleanedUp() throws IOException {
    run(Throwing.class)
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1, event(test("test"), finishedWithFailure(instanceOf(IllegalStateException.class))));
    assertThat(mountPoints()).doesNotContain(seen.get(0).toString());
    assertThat(seen.get(0).getParent()).doesNotExist();
  }

  // ------------------------------------------------------------------ cleanup modes

  @Fixtures
  @IzeTest(cleanup = CleanupMode.ON_SUCCESS)
  static class KeepOnFailure {
    @Test
    void fails(@Mounted Path dir) throws IOException {
      seen.add(dir);
      Files.writeString(dir.resolve("evidence.txt"), "what the test left");
      throw new AssertionError("expected failure");
    }

    @Test
    void passes(@Mounted Path dir) {
      seen.add(dir);
    }
  }

  @Test
  void onSuccessKeepsAFailedTestsTreeAndHistoryAndSaysWhere() throws IOException {
    EngineExecutionResults results = run(KeepOnFailure.class);
    results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    Path failed =
        seen.stream()
            .filter(d -> Files.exists(d.resolve("evidence.txt")))
            .findFirst()
            .orElseThrow();
    Path passed = seen.stream().filter(d -> d != failed).findFirst().orElseThrow();
    assertThat(mountPoints()).doesNotContain(failed.toString(), passed.toString());
    assertThat(passed.getParent()).doesNotExist();
    assertThat(failed.resolve("evidence.txt")).hasContent("what the test left");
    assertThat(failed.resolveSibling("history.txt"))
        .content()
        .contains("CREATE evidence.txt", "WRITE evidence.txt", "snapshot before-fails@0");
    List<String> reported =
        results.allEvents().reportingEntryPublished().stream()
            .map(e -> e.getPayload(ReportEntry.class).orElseThrow())
            .flatMap(r -> r.getKeyValuePairs().entrySet().stream())
            .filter(e -> e.getKey().equals(MountedTree.KEPT))
            .map(e -> e.getValue())
            .collect(Collectors.toList());
    assertThat(reported)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains(
            "Ize kept " + KeepOnFailure.class.getName() + ".fails (failed)",
            "tree " + failed,
            "history " + failed.resolveSibling("history.txt"));
  }

  @Fixtures
  @IzeTest(cleanup = CleanupMode.NEVER)
  static class KeepAlways {
    @Test
    void passes(@Mounted Path dir) throws IOException {
      seen.add(dir);
      Files.writeString(dir.resolve("kept.txt"), "kept");
    }
  }

  @Test
  void neverKeepsAPassingTestsTreeToo() throws IOException {
    EngineExecutionResults results = run(KeepAlways.class);
    results.testEvents().assertStatistics(s -> s.succeeded(1));
    Path root = seen.get(0).getParent();
    assertThat(mountPoints()).doesNotContain(seen.get(0).toString());
    assertThat(root.resolve("tree/kept.txt")).hasContent("kept");
    assertThat(root.resolve("history.txt")).content().contains("CREATE kept.txt");
    assertThat(results.allEvents().reportingEntryPublished().count()).isEqualTo(1);
  }

  // ------------------------------------------------------------------ rollback

  @Fixtures
  @IzeTest(rollback = true, cleanup = CleanupMode.ON_SUCCESS)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class Rollback {
    @Mounted static Mount mount;
    static Path dir;

    @BeforeAll
    static void fixture(@Mounted Path mounted) throws IOException {
      dir = mounted;
      seen.add(mounted);
      Files.writeString(mounted.resolve("fixture.txt"), "from @BeforeAll");
    }

    @Test
    @Order(1)
    void first(@Mounted Snapshot start) throws IOException {
      assertThat(start.name()).isEqualTo("before-first");
      Files.writeString(dir.resolve("fixture.txt"), "changed by first");
      Files.writeString(dir.resolve("first.txt"), "only in first");
    }

    @Test
    @Order(2)
    void second(@Mounted Snapshot start) throws IOException {
      assertThat(dir.resolve("first.txt")).doesNotExist();
      assertThat(dir.resolve("fixture.txt")).hasContent("from @BeforeAll");
      List<LogEntry> rollback =
          mount
              .store()
              .log(mount.store().sequenceOf(Point.snapshot("before-first")), 100, "", null, null);
      assertThat(rollback)
          .extracting(e -> e.operation() + " " + e.path())
          .contains("UNLINK first.txt", "WRITE fixture.txt");
      Files.writeString(dir.resolve("second.txt"), "left by a failing test");
      throw new AssertionError("second fails on purpose");
    }

    @Test
    @Order(3)
    void third() {
      assertThat(dir.resolve("second.txt")).doesNotExist();
    }
  }

  @Test
  void rollbackUndoesEachTestThroughTheMountAndKeepsAFailedTestsTree() throws IOException {
    EngineExecutionResults results = run(Rollback.class);
    results.testEvents().assertStatistics(s -> s.started(3).succeeded(2).failed(1));
    results
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1, event(test("second"), finishedWithFailure(message("second fails on purpose"))));
    Path root = seen.get(0).getParent();
    assertThat(mountPoints()).doesNotContain(seen.get(0).toString());
    assertThat(root.resolve("failed-second/second.txt")).hasContent("left by a failing test");
    assertThat(root.resolve("tree/second.txt")).doesNotExist();
    assertThat(root.resolve("history.txt"))
        .content()
        .contains("UNLINK second.txt", "snapshot failed-second@");
  }

  // ------------------------------------------------------------------ misuse

  @Fixtures
  @IzeTest
  static class WrongParameterType {
    @Test
    void test(@Mounted String dir) {}
  }

  @Fixtures
  @IzeTest
  static class FinalField {
    @Mounted final Path dir = null;

    @Test
    void test() {}
  }

  @Fixtures
  @IzeTest
  static class StaticWithoutRollback {
    @Mounted static Path dir;

    @Test
    void test() {}
  }

  @Fixtures
  @IzeTest
  static class ConstructorParameter {
    ConstructorParameter(@Mounted Path dir) {}

    @Test
    void test() {}
  }

  @Fixtures
  @IzeTest(backend = "no-such-backend")
  static class UnknownBackend {
    @Test
    void test() {}
  }

  @Test
  void misuseIsAnExtensionConfigurationExceptionNamingTheElement() {
    run(UnknownBackend.class)
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("test"),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        m ->
                            m.startsWith(
                                "@IzeTest(backend = \"no-such-backend\") on "
                                    + UnknownBackend.class.getName()
                                    + ": no version store backend named 'no-such-backend'")))));
    run(WrongParameterType.class)
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("test"),
                finishedWithFailure(
                    instanceOf(ParameterResolutionException.class),
                    message(
                        m ->
                            m.contains(
                                "@Mounted parameter 0 of "
                                    + WrongParameterType.class.getName()
                                    + ".test has type java.lang.String; it can be a Path")))));
    run(ConstructorParameter.class)
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("test"),
                finishedWithFailure(
                    instanceOf(ParameterResolutionException.class),
                    message(
                        m ->
                            m.contains(
                                "@Mounted parameter 0 of the constructor of "
                                    + ConstructorParameter.class.getName()
                                    + ": constructors are not filled")))));
    run(FinalField.class)
        .testEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("test"),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException.class),
                    message(
                        "@Mounted field 'dir' of "
                            + FinalField.class.getName()
                            + " must not be final"))));
    run(StaticWithoutRollback.class)
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            finishedWithFailure(
                instanceOf(ExtensionConfigurationException.class),
                message(
                    m ->
                        m.startsWith(
                            "@Mounted static field 'dir' of "
                                + StaticWithoutRollback.class.getName()))));
  }

  // ------------------------------------------------------------------ without FUSE

  @Test
  void withoutAFuseDeviceTheClassIsSkippedWithTheReason() {
    ConditionEvaluationResult result = IzeExtension.evaluate(Path.of("/dev/no-such-fuse"));
    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason())
        .hasValue("@IzeTest needs FUSE: no /dev/no-such-fuse on this machine");
    assertThat(IzeExtension.evaluate(Path.of("/dev/fuse")).isDisabled()).isFalse();
  }
}
