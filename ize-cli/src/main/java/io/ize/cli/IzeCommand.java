package io.ize.cli;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import io.ize.api.Change;
import io.ize.api.ChangeSet;
import io.ize.api.FileVersion;
import io.ize.api.GcResult;
import io.ize.api.HistoryPrunedException;
import io.ize.api.LogEntry;
import io.ize.api.NodeState;
import io.ize.api.Point;
import io.ize.api.Retention;
import io.ize.api.Snapshot;
import io.ize.api.Usage;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code ize} command. */
@Command(
    name = "ize",
    mixinStandardHelpOptions = true,
    version = "ize 0.1.0",
    description = "A versioning filesystem: mount a directory and every change is kept.",
    subcommands = {
      IzeCommand.MountCommand.class,
      IzeCommand.LogCommand.class,
      IzeCommand.HistoryCommand.class,
      IzeCommand.ShowCommand.class,
      IzeCommand.DiffCommand.class,
      IzeCommand.SnapshotCommand.class,
      IzeCommand.SnapshotsCommand.class,
      IzeCommand.RestoreCommand.class,
      IzeCommand.StatusCommand.class,
      IzeCommand.GcCommand.class
    })
public final class IzeCommand {
  private IzeCommand() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code: 0, 1 for a failure, 2 for a usage error. */
  static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the command line with its output and errors going to the given writers. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine line = new CommandLine(new IzeCommand()).setOut(out).setErr(err);
    line.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println("ize: " + describe(e));
          return 1;
        });
    return line.execute(args);
  }

  private static String describe(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      String reason = ((java.nio.file.NoSuchFileException) e).getReason();
      return e.getMessage().contains(":") || reason == null
          ? e.getMessage()
          : ((java.nio.file.NoSuchFileException) e).getFile() + ": " + reason;
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** {@code ize mount SOURCE [TARGET]}: serves until interrupted. */
  @Command(
      name = "mount",
      mixinStandardHelpOptions = true,
      description = {
        "Mount SOURCE at TARGET (default: over SOURCE itself) and serve it in the foreground,",
        "recording every change into the store. Ctrl+C or SIGTERM unmounts cleanly after",
        "writing everything recorded to the store."
      })
  static final class MountCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the directory to serve")
    Path source;

    @Parameters(index = "1", arity = "0..1", description = "where to mount it (default: SOURCE)")
    Path target;

    @Option(names = "--store", paramLabel = "DIR", description = "the store's directory")
    Path store;

    @Option(
        names = "--backend",
        defaultValue = "lmdb",
        description = "the store's backend: lmdb (default) or mapdb")
    String backend;

    @Option(names = "--read-only", description = "refuse writes through the mount with EROFS")
    boolean readOnly;

    @Option(
        names = "--strict",
        description = "refuse changes with EIO while the store fails (default: record a gap)")
    boolean strict;

    @Option(names = "--no-history", description = "pass through without recording")
    boolean noHistory;

    @Override
    public Integer call() throws Exception {
      Path where = target == null ? source : target;
      MountOptions options =
          MountOptions.builder().readOnly(readOnly).strictRecording(strict).build();
      Path storeDir =
          store != null ? store : StoreOptions.defaultStore(source.toAbsolutePath().normalize());
      Ize.clearDeadMount(where);
      VersionStore versions = noHistory ? null : VersionStore.open(backend, storeDir);
      Mount mount = Ize.mount(source, where, versions, options);
      mount.addListener(e -> System.err.println("ize: recording failed: " + e.getMessage()));
      CountDownLatch stopped = new CountDownLatch(1);
      java.util.concurrent.ScheduledExecutorService reporter =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "ize-mount-status");
                t.setDaemon(true);
                return t;
              });
      if (versions != null) {
        // Tells `ize status` in other processes that this mount is live, and its recorder's lag.
        reporter.scheduleAtFixedRate(
            () -> {
              try {
                new MountStatus(
                        ProcessHandle.current().pid(),
                        mount.target().toString(),
                        mount.lag(),
                        Instant.now())
                    .write(storeDir);
              } catch (IOException | RuntimeException e) {
                System.err.println("ize: writing the mount's status: " + e.getMessage());
              }
            },
            0,
            MountStatus.PERIOD.toMillis(),
            java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    reporter.shutdownNow();
                    mount.close();
                    try {
                      if (versions != null) {
                        MountStatus.remove(storeDir);
                        versions.close();
                      }
                    } catch (IOException e) {
                      System.err.println("ize: closing the store: " + e.getMessage());
                    }
                    stopped.countDown();
                  }));
      System.err.printf(
          "ize: serving %s at %s%s; press Ctrl+C to unmount%n",
          mount.source(), mount.target(), versions == null ? "" : ", recording into " + storeDir);
      stopped.await();
      return 0;
    }
  }

  /** {@code ize log}. */
  @Command(
      name = "log",
      mixinStandardHelpOptions = true,
      description = "List recorded changes, oldest first, a page at a time.")
  static final class LogCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--path", paramLabel = "PREFIX", description = "only changes at or below")
    String path = "";

    @Option(names = "--since", paramLabel = "POINT", description = "only changes after POINT")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "only changes up to TIME")
    String until;

    @Option(names = "--limit", defaultValue = "100", description = "page size (default 100)")
    int limit;

    @Option(names = "--after", defaultValue = "0", description = "start after this sequence")
    long after;

    @Override
    public Integer call() throws Exception {
      try (VersionStore s = store.open()) {
        long start = Math.max(after, since == null ? 0 : s.sequenceOf(Point.parse(since)));
        Instant to = until == null ? null : Instant.parse(until);
        PrintWriter out = spec.commandLine().getOut();
        List<LogEntry> page = s.log(start, limit, path, null, to);
        for (LogEntry e : page) {
          out.println(e);
        }
        if (page.size() == limit) {
          out.printf("(more: ize log --after %d)%n", page.get(page.size() - 1).sequence());
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code ize history PATH}. */
  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "List the versions of one file, through its renames.")
  static final class HistoryCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(description = "the path, relative to the source")
    String path;

    @Override
    public Integer call() throws Exception {
      try (VersionStore s = store.open()) {
        PrintWriter out = spec.commandLine().getOut();
        for (FileVersion v : s.versions(path, Point.latest())) {
          NodeState state = v.state();
          out.printf(
              "%d %s %-11s %s%s%n",
              v.sequence(),
              v.time(),
              v.operation(),
              v.path(),
              state == null
                  ? " (removed)"
                  : state.isRegularFile() ? " " + state.size() + " bytes" : "");
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code ize show PATH@POINT}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Write a file's bytes as they were at POINT to standard output.")
  static final class ShowCommand implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(paramLabel = "PATH@POINT", description = "e.g. src/Main.java@42 or notes@10m")
    String spec;

    @Override
    public Integer call() throws Exception {
      int at = spec.lastIndexOf('@');
      if (at < 0) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "expected PATH@POINT, got '" + spec + "'");
      }
      String path = spec.substring(0, at);
      Point point = Point.parse(spec.substring(at + 1));
      try (VersionStore s = store.open();
          InputStream in = open(s, path, point)) {
        in.transferTo(System.out);
        System.out.flush();
      }
      return 0;
    }

    /**
     * The bytes at a point; before the horizon gc left, a version the file's history kept can still
     * be read by its sequence number, as {@code ize history} lists it.
     */
    private static InputStream open(VersionStore s, String path, Point point) throws IOException {
      try {
        return s.content(path, point);
      } catch (HistoryPrunedException pruned) {
        for (FileVersion v : s.versions(path, Point.latest())) {
          if (point.equals(Point.sequence(v.sequence()))
              && v.state() != null
              && v.state().isRegularFile()) {
            return s.content(v.state().content());
          }
        }
        throw pruned;
      }
    }
  }

  /** {@code ize diff POINT [POINT]}. */
  @Command(
      name = "diff",
      mixinStandardHelpOptions = true,
      description = "Show what changed between two points (the second defaults to now).")
  static final class DiffCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FROM")
    String from;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TO")
    String to = "latest";

    @Option(names = "--stat", description = "list paths only, without unified diffs")
    boolean stat;

    @Override
    public Integer call() throws Exception {
      try (VersionStore s = store.open()) {
        PrintWriter out = spec.commandLine().getOut();
        ChangeSet changes = s.changes(Point.parse(from), Point.parse(to));
        for (Change c : changes.changes()) {
          out.println(c);
        }
        if (!stat) {
          try (TerminalProgress progress = TerminalProgress.start("diff")) {
            int done = 0;
            for (Change c : changes.changes()) {
              progress.update("files", done++, changes.changes().size());
              if (c.kind() == Change.Kind.CREATED
                  || c.kind() == Change.Kind.DELETED
                  || c.kind() == Change.Kind.MODIFIED) {
                unified(s, c, out);
              }
            }
          }
        }
        out.flush();
      }
      return 0;
    }

    private static void unified(VersionStore s, Change c, PrintWriter out) throws IOException {
      String before = text(s, c.before());
      String after = text(s, c.after());
      if (before == null || after == null) {
        out.printf("Binary files differ: %s%n", c.path());
        return;
      }
      List<String> a = lines(before);
      List<String> b = lines(after);
      String name = c.path();
      for (String line :
          com.github.difflib.UnifiedDiffUtils.generateUnifiedDiff(
              "a/" + name, "b/" + name, a, com.github.difflib.DiffUtils.diff(a, b), 3)) {
        out.println(line);
      }
    }

    private static List<String> lines(String text) {
      String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
      return text.isEmpty() ? List.of() : Arrays.asList(body.split("\n", -1));
    }

    /** A state's content as text, "" for none, or null if it is not UTF-8 text. */
    private static String text(VersionStore s, NodeState state) throws IOException {
      if (state == null || !state.isRegularFile()) {
        return "";
      }
      byte[] bytes;
      try (InputStream in = s.content(state.content())) {
        bytes = in.readNBytes(1 << 20);
      }
      for (byte b : bytes) {
        if (b == 0) {
          return null;
        }
      }
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException binary) {
        return null;
      }
    }
  }

  /** {@code ize snapshot NAME}. */
  @Command(
      name = "snapshot",
      mixinStandardHelpOptions = true,
      description = "Label the latest recorded state with NAME (or delete a label).")
  static final class SnapshotCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--delete", description = "delete the snapshot instead")
    boolean delete;

    @Override
    public Integer call() throws Exception {
      try (VersionStore s = store.open()) {
        if (delete) {
          if (!s.deleteSnapshot(name)) {
            spec.commandLine().getErr().println("ize: no snapshot named '" + name + "'");
            return 1;
          }
          return 0;
        }
        Snapshot snapshot = s.snapshot(name);
        spec.commandLine().getOut().println(snapshot);
        spec.commandLine().getOut().flush();
      }
      return 0;
    }
  }

  /** {@code ize snapshots}. */
  @Command(name = "snapshots", mixinStandardHelpOptions = true, description = "List snapshots.")
  static final class SnapshotsCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (VersionStore s = store.open()) {
        PrintWriter out = spec.commandLine().getOut();
        for (Snapshot snapshot : s.snapshots()) {
          out.printf("%s %d %s%n", snapshot.name(), snapshot.sequence(), snapshot.created());
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code ize restore [PATH] --to POINT}. */
  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Restore the whole tree, or PATH, to POINT. The restore is written through a mount",
        "(the one at --target, or a fresh one for the duration), so it is recorded and can be",
        "undone in turn."
      })
  static final class RestoreCommand implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(arity = "0..1", paramLabel = "PATH", description = "default: the whole tree")
    String path = "";

    @Option(names = "--to", required = true, paramLabel = "POINT")
    String to;

    @Override
    public Integer call() throws Exception {
      Path source = (store.source == null ? Path.of("") : store.source).toAbsolutePath();
      try (VersionStore s = store.open();
          Mount mount = Ize.mount(source, source, s);
          TerminalProgress progress = TerminalProgress.start("restore")) {
        Point point = Point.parse(to);
        long planned = s.changes(point, Point.latest()).changes().size();
        long start = s.lastSequence();
        // The restore writes through the mount: its progress is the records it has added.
        java.util.concurrent.ScheduledExecutorService watcher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "ize-restore-progress");
                  t.setDaemon(true);
                  return t;
                });
        watcher.scheduleAtFixedRate(
            () -> {
              try {
                progress.update(
                    "changes", Math.min(planned, s.lastSequence() - start + mount.lag()), planned);
              } catch (IOException | RuntimeException ignored) {
                // progress is best effort; the restore reports its own failures
              }
            },
            200,
            200,
            java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
          mount.restore(path, point);
        } finally {
          watcher.shutdownNow();
        }
      }
      return 0;
    }
  }

  /** {@code ize status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Show the store: records, snapshots, size on disk, content and its dedup ratio (logical",
        "bytes of every version over the bytes of the distinct chunks stored), and the recorder's",
        "lag if an `ize mount` is recording into the store (it reports itself there every second)."
      })
  static final class StatusCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (VersionStore s = store.open()) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("store:     %s (%s)%n", s.directory(), store.backend);
        out.printf("records:   %d%n", s.lastSequence());
        long earliest = s.earliestRetained();
        if (earliest > 0) {
          out.printf("retained:  from sequence %d (gc removed what came before)%n", earliest);
        }
        out.printf("snapshots: %d%n", s.snapshots().size());
        out.printf("size:      %d bytes on disk%n", s.sizeOnDisk());
        Usage usage = s.usage();
        out.printf(
            "content:   %d bytes in all versions, %d bytes stored in %d chunks%n",
            usage.logicalBytes(), usage.storedBytes(), usage.chunks());
        out.printf("dedup:     %.2fx%n", usage.dedupRatio());
        java.util.Optional<MountStatus> mount = MountStatus.read(s.directory());
        if (mount.isPresent()) {
          out.printf(
              "recorder:  mounted at %s (pid %d), lag %d events%n",
              mount.get().target(), mount.get().pid(), mount.get().lagEvents());
        } else {
          out.printf("recorder:  no mount is recording into this store%n");
        }
        out.flush();
      }
      return 0;
    }
  }

  /** {@code ize gc}. */
  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description = {
        "Remove old history: keep every point newer than --keep, at least the last",
        "--keep-versions versions of each file, and always every snapshot's point; then free",
        "the content no kept version names. Reports live and reclaimed bytes. Safe while a mount",
        "records into the store (lmdb); points before the new horizon are refused afterwards."
      })
  static final class GcCommand implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--keep",
        paramLabel = "AGE",
        defaultValue = "30d",
        converter = AgeConverter.class,
        description = "keep everything newer than AGE: 30s, 10m, 2h, 30d, 1w or 0 (default 30d)")
    Duration keep;

    @Option(
        names = "--keep-versions",
        paramLabel = "N",
        defaultValue = "10",
        description = "keep at least the last N versions of each file (default 10)")
    int keepVersions;

    @Override
    public Integer call() throws Exception {
      Retention retention;
      try {
        retention = Retention.builder().keepNewerThan(keep).keepLastVersions(keepVersions).build();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
      }
      try (VersionStore s = store.open()) {
        GcResult result;
        try (TerminalProgress progress = TerminalProgress.start("gc")) {
          result = s.gc(retention, progress);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("retained:  from sequence %d%n", result.earliestRetained());
        out.printf(
            "dropped:   %d records, %d versions%n",
            result.recordsDropped(), result.versionsDropped());
        out.printf(
            "reclaimed: %d bytes in %d chunks%n", result.reclaimedBytes(), result.chunksFreed());
        out.printf("live:      %d bytes%n", result.liveBytes());
        out.flush();
      }
      return 0;
    }
  }

  /** Reads an age as {@code ize gc --keep} takes it: a number and a unit, or 0. */
  static final class AgeConverter implements CommandLine.ITypeConverter<Duration> {
    private static final java.util.regex.Pattern AGE =
        java.util.regex.Pattern.compile("(\\d+)([smhdw])");

    @Override
    public Duration convert(String value) {
      if (value.equals("0")) {
        return Duration.ZERO;
      }
      java.util.regex.Matcher m = AGE.matcher(value);
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException(
            "not an age (30s, 10m, 2h, 30d, 1w or 0): '" + value + "'");
      }
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        case "d":
          return Duration.ofDays(n);
        default:
          return Duration.ofDays(7 * n);
      }
    }
  }
}
