package io.ize.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a child process to completion, in the C locale, and captures what it printed. */
public final class Child {
  /** What a finished child did. */
  public record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + ", stdout [" + stdout.strip() + "], stderr [" + stderr.strip() + "]";
    }
  }

  private Child() {}

  /** Runs {@code command} in {@code directory}; fails the caller if it takes over a minute. */
  public static Result run(Path directory, String... command) {
    return run(directory, List.of(command));
  }

  public static Result run(Path directory, List<String> command) {
    Process process = start(directory, command);
    try {
      process.getOutputStream().close();
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("child did not finish within 60 s: " + command);
      }
      return new Result(process.exitValue(), out.get(), err.get());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted waiting for " + command, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code command} in {@code directory} with {@code LC_ALL=C}; the caller owns it. */
  public static Process start(Path directory, List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
    builder.environment().put("LC_ALL", "C");
    builder.environment().put("LANG", "C");
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code setpriv} prefix that runs a command as {@code uid:gid} with no supplementary groups. */
  public static List<String> as(int uid, int gid, String... command) {
    List<String> out = new ArrayList<>();
    out.add("setpriv");
    out.add("--reuid=" + uid);
    out.add("--regid=" + gid);
    out.add("--clear-groups");
    out.addAll(List.of(command));
    return out;
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
