package io.ize.bench.jmh;

import io.ize.api.Event;
import io.ize.api.NodeState;
import io.ize.api.Operation;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The metadata events a recorder builds while a tree of empty files is unpacked ({@code tar x},
 * {@code cp -p}): per file a create, a chmod and a utimens, each carrying the full state a stat
 * returns; every 1,000 files go into a new directory, made first. An endless stream, one record per
 * event. Not thread-safe.
 */
final class MetadataEvents {
  private static final int FILES_PER_DIRECTORY = 1000;
  private static final byte[] ROOT = "m".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DIRECTORY = "m/d00000".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FILE = "m/d00000/f0000".getBytes(StandardCharsets.US_ASCII);

  private long clock;
  private boolean rootMade;
  private long file;
  private long directoryMadeFor = -1;
  private int phase;
  private byte[] path;

  /** Starts the stream at {@code startNanos}; events follow it a microsecond apart. */
  MetadataEvents(long startNanos) {
    this.clock = startNanos;
  }

  Event next() {
    long t = clock += 1_000;
    if (!rootMade) {
      rootMade = true;
      return mkdir(ROOT, t);
    }
    if (phase == 0 && file % FILES_PER_DIRECTORY == 0 && directoryMadeFor != file) {
      directoryMadeFor = file;
      byte[] directory = DIRECTORY.clone();
      Stores.digits(directory, 3, 5, file / FILES_PER_DIRECTORY);
      return mkdir(directory, t);
    }
    Event event =
        switch (phase) {
          case 0 -> {
            path = FILE.clone();
            Stores.digits(path, 3, 5, file / FILES_PER_DIRECTORY);
            Stores.digits(path, 10, 4, file % FILES_PER_DIRECTORY);
            yield change(Operation.CREATE, Stores.state(NodeState.S_IFREG | 0644, 0, t), t);
          }
          case 1 -> change(Operation.CHMOD, Stores.state(NodeState.S_IFREG | 0600, 0, t), t);
          default ->
              change(
                  Operation.UTIMENS,
                  Stores.state(NodeState.S_IFREG | 0600, 0, t - 86_400_000_000_000L),
                  t);
        };
    if (++phase == 3) {
      phase = 0;
      file++;
    }
    return event;
  }

  private Event change(Operation operation, NodeState state, long t) {
    return Event.change(operation, t, path, null, 0, state, List.of());
  }

  private static Event mkdir(byte[] directory, long t) {
    return Event.change(
        Operation.MKDIR,
        t,
        directory,
        null,
        0,
        Stores.state(NodeState.S_IFDIR | 0755, 0, t),
        List.of());
  }
}
