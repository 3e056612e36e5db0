package io.ize.testkit.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A second process for POSIX ({@code fcntl}) lock tests: locks belong to processes, so a conflict
 * shows only between two. Runs in a child JVM with nothing but the JDK: {@link FileChannel}'s locks
 * are {@code fcntl(F_SETLK)} record locks on Linux.
 *
 * <p>Usage: {@code java -cp <testkit> io.ize.testkit.internal.LockProbe FILE}, then one command a
 * line on stdin, each answered with one line on stdout:
 *
 * <ul>
 *   <li>{@code pid}: the process id.
 *   <li>{@code try START LENGTH SHARED}: tries the lock and lets it go at once; answers {@code
 *       ACQUIRED} or {@code BLOCKED}.
 *   <li>{@code hold START LENGTH SHARED}: takes the lock and keeps it; answers {@code HELD} or
 *       {@code BLOCKED}.
 *   <li>{@code release}: lets every held lock go; answers {@code RELEASED}.
 * </ul>
 *
 * End of input ends the process, releasing its locks.
 */
public final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (FileChannel channel =
            FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      List<FileLock> held = new ArrayList<>();
      out.println("READY");
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] words = line.trim().split("\\s+");
        switch (words[0]) {
          case "pid":
            out.println(ProcessHandle.current().pid());
            break;
          case "try":
          case "hold":
            {
              FileLock lock =
                  channel.tryLock(
                      Long.parseLong(words[1]),
                      Long.parseLong(words[2]),
                      Boolean.parseBoolean(words[3]));
              if (lock == null) {
                out.println("BLOCKED");
              } else if (words[0].equals("try")) {
                lock.release();
                out.println("ACQUIRED");
              } else {
                held.add(lock);
                out.println("HELD");
              }
              break;
            }
          case "release":
            for (FileLock lock : held) {
              lock.release();
            }
            held.clear();
            out.println("RELEASED");
            break;
          default:
            out.println("UNKNOWN " + words[0]);
        }
      }
    }
  }
}
