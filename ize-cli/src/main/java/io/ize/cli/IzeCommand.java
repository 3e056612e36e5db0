package io.ize.cli;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.MountOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code ize} command. */
@Command(
    name = "ize",
    mixinStandardHelpOptions = true,
    version = "ize 0.1.0",
    description = "A versioning filesystem: mount a directory and every change is kept.",
    subcommands = {IzeCommand.MountCommand.class})
public final class IzeCommand {
  private IzeCommand() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  static int run(String... args) {
    return new CommandLine(new IzeCommand()).execute(args);
  }

  /** {@code ize mount SOURCE [TARGET]}: serves until interrupted. */
  @Command(
      name = "mount",
      mixinStandardHelpOptions = true,
      description = {
        "Mount SOURCE at TARGET (default: over SOURCE itself) and serve it in the foreground.",
        "Ctrl+C or SIGTERM unmounts cleanly."
      })
  static final class MountCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the directory to serve")
    Path source;

    @Parameters(index = "1", arity = "0..1", description = "where to mount it (default: SOURCE)")
    Path target;

    @Option(names = "--read-only", description = "refuse writes through the mount with EROFS")
    boolean readOnly;

    @Override
    public Integer call() throws Exception {
      Path where = target == null ? source : target;
      MountOptions options = MountOptions.builder().readOnly(readOnly).build();
      // The mount's own shutdown hook unmounts on Ctrl+C and SIGTERM.
      Mount mount = Ize.mount(source, where, options);
      System.err.printf(
          "ize: serving %s at %s; press Ctrl+C to unmount%n", mount.source(), mount.target());
      new CountDownLatch(1).await();
      return 0;
    }
  }
}
