package io.ize.api;

import io.ize.api.Codec.Link;
import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One run of {@link VersionStore#gc}: the rules are documented there. Every phase reads in short
 * read transactions and writes in short write transactions of at most {@link #BATCH} changes, never
 * holding a read transaction open while it writes (LMDB cannot grow its map then).
 *
 * <p>Why reading in pieces is consistent: everything gc decides concerns keys at or before the
 * horizon, and appends only add keys after it (and meta counters); the only other writer of old
 * keys is this run itself. Content is the exception, handled by the guard in {@link #freeContent}.
 *
 * <p>Not thread-safe: one run on one thread.
 */
final class Collector {
  /** Keys changed per write transaction, and roughly keys read per read transaction. */
  static final int BATCH = 5_000;

  private static final byte[] EMPTY = new byte[0];
  private static final long ROOT = 1;
  private static final int STATES = 0;
  private static final int LINKS = 1;

  private final StoreBackend backend;
  private final Retention retention;
  private final Progress progress;
  private final Instant now;

  private long horizon;

  /** Points before the horizon that stay: the snapshots', then the horizon itself. */
  private long[] points;

  private long nextNode;

  /** Records before the horizon that stay: snapshots' and those of kept versions. */
  private final Set<Long> keptRecords = new HashSet<>();

  /** Old keys kept to answer for versions listed before the horizon: [table][node] -> seqs. */
  private final List<Map<Long, NavigableSet<Long>>> pins =
      List.of(new HashMap<>(), new HashMap<>());

  private long recordsDropped;
  private long versionsDropped;
  private long chunksFreed;
  private long reclaimed;

  Collector(StoreBackend backend, Retention retention, Progress progress, Instant now) {
    this.backend = backend;
    this.retention = retention;
    this.progress = progress;
    this.now = now;
  }

  static long nanos(Instant t) {
    if (t.isBefore(Instant.EPOCH)) {
      return 0;
    }
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException far) {
      return Long.MAX_VALUE - 1;
    }
  }

  GcResult run() throws IOException {
    moveHorizon();
    plan();
    dropVersions();
    dropNames();
    dropRecords();
    long live = freeContent();
    return new GcResult(horizon, recordsDropped, versionsDropped, chunksFreed, reclaimed, live);
  }

  // ------------------------------------------------------------------ the horizon

  /**
   * Sets the horizon first, in a transaction of its own: from its commit on, queries and new
   * snapshots at earlier points are refused, so nothing can come to depend on what is removed.
   */
  private void moveHorizon() throws IOException {
    long cutoff = nanos(now.minus(retention.keepNewerThan()));
    try (WriteTransaction txn = backend.write()) {
      long last = VersionStore.lastSequence(txn);
      long[] first = {-1};
      txn.scan(
          "times",
          Codec.u64(cutoff),
          null,
          false,
          (key, value) -> {
            first[0] = Codec.u64(key, 8);
            return false;
          });
      long h = first[0] < 0 ? last : first[0] - 1;
      long old = VersionStore.horizon(txn);
      horizon = Math.max(Math.max(h, old), 0);
      if (horizon > old) {
        txn.put("meta", VersionStore.HORIZON, Codec.u64(horizon));
      }
      Set<Long> snapshots = VersionStore.snapshotSequences(txn);
      points =
          java.util.stream.LongStream.concat(
                  snapshots.stream().mapToLong(Long::longValue).filter(s -> s < horizon),
                  java.util.stream.LongStream.of(horizon))
              .sorted()
              .distinct()
              .toArray();
      keptRecords.addAll(snapshots);
      keptRecords.add(horizon);
      byte[] next = txn.get("meta", "nextNode".getBytes(StandardCharsets.US_ASCII));
      nextNode = next == null ? ROOT + 1 : Codec.u64(next, 0);
      txn.commit();
    }
  }

  // ------------------------------------------------------------------ one node's old keys

  /** A node's states and links keys up to the horizon, oldest first, and what follows. */
  private static final class NodeKeys {
    final long node;
    final TreeMap<Long, byte[]> states = new TreeMap<>();
    final TreeMap<Long, byte[]> links = new TreeMap<>();

    /** Distinct sequence numbers of its keys after the horizon. */
    final Set<Long> later = new HashSet<>();

    NodeKeys(long node) {
      this.node = node;
    }

    TreeMap<Long, byte[]> table(int t) {
      return t == STATES ? states : links;
    }

    boolean aliveAt(long seq) {
      if (node == ROOT) {
        return true;
      }
      Map.Entry<Long, byte[]> e = links.floorEntry(seq);
      return e != null && !Codec.decodeLinks(e.getValue()).isEmpty();
    }

    int size() {
      return states.size() + links.size();
    }
  }

  /** Reads nodes from {@code first} until about {@link #BATCH} keys; returns them. */
  private List<NodeKeys> readNodes(ReadTransaction txn, long first, boolean later)
      throws IOException {
    List<NodeKeys> nodes = new ArrayList<>();
    int keys = 0;
    for (long node = first; node < nextNode && (keys < BATCH || nodes.isEmpty()); node++) {
      NodeKeys k = new NodeKeys(node);
      for (int t = STATES; t <= LINKS; t++) {
        TreeMap<Long, byte[]> into = k.table(t);
        txn.scan(
            t == STATES ? "states" : "links",
            Codec.nodeKey(node, 0),
            Codec.nodeKey(node, horizon + 1),
            false,
            (key, value) -> {
              into.put(Codec.u64(key, 8), value);
              return true;
            });
        if (later) {
          txn.scan(
              t == STATES ? "states" : "links",
              Codec.nodeKey(node, horizon + 1),
              Codec.nodeKey(node + 1, 0),
              false,
              (key, value) -> {
                k.later.add(Codec.u64(key, 8));
                return true;
              });
        }
      }
      keys += k.size() + 1;
      nodes.add(k);
    }
    return nodes;
  }

  /** Whether a record of a version is there to list it (not removed, not a PRUNED stand-in). */
  private static boolean listable(ReadTransaction txn, long seq) throws IOException {
    byte[] record = txn.get("records", Codec.u64(seq));
    return record != null && Codec.decodeEntry(seq, record).operation() != Operation.PRUNED;
  }

  /** The sequence numbers of a node's last versions before the horizon that the count keeps. */
  private NavigableSet<Long> lastVersions(ReadTransaction txn, NodeKeys k) throws IOException {
    NavigableSet<Long> kept = new TreeSet<>();
    int wanted = retention.keepLastVersions() - k.later.size();
    if (wanted <= 0 || !aliveAtSomePoint(k)) {
      return kept;
    }
    TreeSet<Long> seqs = new TreeSet<>(k.states.keySet());
    seqs.addAll(k.links.keySet());
    for (long seq : seqs.descendingSet()) {
      if (kept.size() >= wanted) {
        break;
      }
      if (listable(txn, seq)) {
        kept.add(seq);
      }
    }
    return kept;
  }

  private boolean aliveAtSomePoint(NodeKeys k) {
    for (long p : points) {
      if (k.aliveAt(p)) {
        return true;
      }
    }
    return false;
  }

  /** Keys a point before (or at) the horizon stands on, or the version count keeps. */
  private boolean kept(NodeKeys k, int table, long seq, NavigableSet<Long> last) {
    if (seq > horizon || last.contains(seq) || pinned(table, k.node, seq)) {
      return true;
    }
    TreeMap<Long, byte[]> keys = k.table(table);
    for (long p : points) {
      Long inEffect = keys.floorKey(p);
      if (inEffect != null && inEffect == seq && (table == LINKS || k.aliveAt(p))) {
        return true;
      }
    }
    return false;
  }

  private boolean pinned(int table, long node, long seq) {
    NavigableSet<Long> seqs = pins.get(table).get(node);
    return seqs != null && seqs.contains(seq);
  }

  // ------------------------------------------------------------------ planning

  /**
   * Decides which old records stay (snapshots', and each kept file's last versions'), then which
   * old keys must stay so that every version listed from before the horizon still shows its path
   * and state: its own state and names then, and the names of every directory above it then.
   */
  private void plan() throws IOException {
    for (long first = ROOT; first < nextNode; ) {
      try (ReadTransaction txn = backend.read()) {
        List<NodeKeys> batch = readNodes(txn, first, true);
        for (NodeKeys k : batch) {
          keptRecords.addAll(lastVersions(txn, k));
        }
        first = batch.get(batch.size() - 1).node + 1;
      }
      progress.update("planning", first - 1, nextNode - 1);
    }
    Deque<long[]> listed = new ArrayDeque<>();
    Set<List<Long>> seen = new HashSet<>();
    for (long first = ROOT; first < nextNode; ) {
      try (ReadTransaction txn = backend.read()) {
        List<NodeKeys> batch = readNodes(txn, first, true);
        for (NodeKeys k : batch) {
          NavigableSet<Long> last = lastVersions(txn, k);
          for (int t = STATES; t <= LINKS; t++) {
            for (long seq : k.table(t).keySet()) {
              if (keptRecords.contains(seq) && kept(k, t, seq, last) && seen.add(pair(k, seq))) {
                listed.add(new long[] {k.node, seq});
              }
            }
          }
        }
        first = batch.get(batch.size() - 1).node + 1;
      }
    }
    // Supporting a listed version may pin a key whose record stays: that is listed in turn.
    while (!listed.isEmpty()) {
      try (ReadTransaction txn = backend.read()) {
        for (int i = 0; i < BATCH && !listed.isEmpty(); i++) {
          long[] version = listed.poll();
          support(txn, version[0], version[1], listed, seen);
        }
      }
    }
  }

  private static List<Long> pair(NodeKeys k, long seq) {
    return List.of(k.node, seq);
  }

  private void support(
      ReadTransaction txn, long node, long seq, Deque<long[]> listed, Set<List<Long>> seen)
      throws IOException {
    pin(txn, STATES, node, seq, listed, seen);
    long current = node;
    Set<Long> walked = new HashSet<>();
    while (current != ROOT && walked.add(current)) {
      pin(txn, LINKS, current, seq, listed, seen);
      List<Link> links = VersionStore.linksAt(txn, current, seq);
      if (links.isEmpty()) {
        return;
      }
      current = links.get(0).parent;
    }
  }

  /** Pins the key of {@code node} in {@code table} in effect at {@code seq}. */
  private void pin(
      ReadTransaction txn,
      int table,
      long node,
      long seq,
      Deque<long[]> listed,
      Set<List<Long>> seen)
      throws IOException {
    Map.Entry<byte[], byte[]> found =
        txn.last(
            table == STATES ? "states" : "links",
            Codec.nodeKey(node, 0),
            Codec.nodeKey(node, seq + 1));
    long at = found == null ? -1 : Codec.u64(found.getKey(), 8);
    if (at < 0 || at > horizon) {
      return;
    }
    pins.get(table).computeIfAbsent(node, n -> new TreeSet<>()).add(at);
    if (keptRecords.contains(at) && seen.add(List.of(node, at))) {
      listed.add(new long[] {node, at});
    }
  }

  // ------------------------------------------------------------------ versions

  private void dropVersions() throws IOException {
    for (long first = ROOT; first < nextNode; ) {
      List<byte[][]> deletes = new ArrayList<>();
      long logical = 0;
      try (ReadTransaction txn = backend.read()) {
        List<NodeKeys> batch = readNodes(txn, first, true);
        for (NodeKeys k : batch) {
          NavigableSet<Long> last = lastVersions(txn, k);
          Set<Long> dropped = new HashSet<>();
          for (int t = STATES; t <= LINKS; t++) {
            Long firstKept = null;
            for (Map.Entry<Long, byte[]> e : k.table(t).entrySet()) {
              long seq = e.getKey();
              if (kept(k, t, seq, last)) {
                if (firstKept == null) {
                  firstKept = seq;
                }
                continue;
              }
              deletes.add(new byte[][] {table(t), Codec.nodeKey(k.node, seq)});
              dropped.add(seq);
              if (t == STATES) {
                NodeState state = Codec.decodeState(e.getValue());
                logical += state.content() == null ? 0 : state.size();
              }
            }
            // A node's first kept names being "none" says what no names would: drop it too.
            if (t == LINKS
                && firstKept != null
                && firstKept <= horizon
                && !last.contains(firstKept)
                && !pinned(LINKS, k.node, firstKept)
                && Codec.decodeLinks(k.links.get(firstKept)).isEmpty()) {
              deletes.add(new byte[][] {table(t), Codec.nodeKey(k.node, firstKept)});
              dropped.add(firstKept);
            }
          }
          for (long seq : dropped) {
            if (!k.states.containsKey(seq) || !kept(k, STATES, seq, last)) {
              if (!k.links.containsKey(seq) || !kept(k, LINKS, seq, last)) {
                versionsDropped++;
              }
            }
          }
        }
        first = batch.get(batch.size() - 1).node + 1;
      }
      delete(deletes, logical);
      progress.update("versions", first - 1, nextNode - 1);
    }
  }

  private static byte[] table(int t) {
    return (t == STATES ? "states" : "links").getBytes(StandardCharsets.US_ASCII);
  }

  /** Deletes keys in transactions of at most {@link #BATCH}, lowering the logical byte count. */
  private void delete(List<byte[][]> deletes, long logicalBytes) throws IOException {
    long logical = logicalBytes;
    for (int from = 0; from < deletes.size() || logical > 0; from += BATCH) {
      try (WriteTransaction txn = backend.write()) {
        for (byte[][] d : deletes.subList(from, Math.min(deletes.size(), from + BATCH))) {
          txn.delete(new String(d[0], StandardCharsets.US_ASCII), d[1]);
        }
        if (logical > 0) {
          long[] usage = VersionStore.usageCounters(txn);
          if (usage != null) {
            usage[0] = Math.max(0, usage[0] - logical);
            txn.put("meta", VersionStore.USAGE, VersionStore.encodeUsage(usage));
          }
          logical = 0;
        }
        txn.commit();
      }
    }
  }

  // ------------------------------------------------------------------ names

  /** Directory entries: only what a kept point resolves through stays (the latest always does). */
  private void dropNames() throws IOException {
    byte[] resume = EMPTY;
    long scanned = 0;
    while (resume != null) {
      List<byte[][]> deletes = new ArrayList<>();
      byte[][] next = {null};
      int[] count = {0};
      List<byte[]> family = new ArrayList<>();
      try (ReadTransaction txn = backend.read()) {
        txn.scan(
            "names",
            resume,
            null,
            false,
            (key, value) -> {
              if (!family.isEmpty() && !sameFamily(family.get(0), key)) {
                names(family, deletes);
                family.clear();
                if (count[0] >= BATCH) {
                  next[0] = key;
                  return false;
                }
              }
              family.add(Codec.concat(key, new byte[] {(byte) (value.length == 0 ? 0 : 1)}));
              count[0]++;
              return true;
            });
      }
      if (!family.isEmpty()) {
        names(family, deletes);
      }
      scanned += count[0];
      delete(deletes, 0);
      progress.update("names", scanned, -1);
      resume = next[0];
    }
  }

  private static boolean sameFamily(byte[] tagged, byte[] key) {
    int length = tagged.length - 1 - 8;
    return key.length - 8 == length && Arrays.equals(tagged, 0, length, key, 0, length);
  }

  /**
   * Decides one entry's versions: {@code family} holds each key plus a byte, 1 if it names a node.
   */
  private void names(List<byte[]> family, List<byte[][]> deletes) {
    int n = family.size();
    long[] seqs = new long[n];
    for (int i = 0; i < n; i++) {
      byte[] tagged = family.get(i);
      seqs[i] = Codec.u64(tagged, tagged.length - 9);
    }
    boolean[] keep = new boolean[n];
    for (int i = 0; i < n; i++) {
      keep[i] = seqs[i] > horizon;
    }
    for (long p : points) {
      int inEffect = -1;
      for (int i = 0; i < n && seqs[i] <= p; i++) {
        inEffect = i;
      }
      if (inEffect >= 0) {
        keep[inEffect] = true;
      }
    }
    for (int i = 0; i < n; i++) {
      byte[] tagged = family.get(i);
      boolean names = tagged[tagged.length - 1] == 1;
      if (keep[i] && !names && seqs[i] <= horizon) {
        keep[i] = false; // the first kept entry says "none", as no entry would
      }
      if (keep[i]) {
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      if (!keep[i]) {
        byte[] tagged = family.get(i);
        deletes.add(
            new byte[][] {
              "names".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(tagged, tagged.length - 1)
            });
      }
    }
  }

  // ------------------------------------------------------------------ records

  /**
   * Removes old records, replacing each run of them between kept records with one PRUNED record at
   * the run's first sequence number. The stand-in is rewritten as each batch of the run goes, so
   * that after a crash every removed record is still stood for.
   */
  private void dropRecords() throws IOException {
    long resume = 1;
    Run run = null;
    while (resume < horizon) {
      List<LogEntry> batch = new ArrayList<>();
      try (ReadTransaction txn = backend.read()) {
        txn.scan(
            "records",
            Codec.u64(resume),
            Codec.u64(horizon),
            false,
            (key, value) -> {
              batch.add(Codec.decodeEntry(Codec.u64(key, 0), value));
              return batch.size() < BATCH;
            });
      }
      if (batch.isEmpty()) {
        break;
      }
      try (WriteTransaction txn = backend.write()) {
        for (LogEntry e : batch) {
          if (keptRecords.contains(e.sequence())) {
            if (run != null) {
              run.end = e.sequence() - 1;
              run.write(txn);
            }
            run = null;
            continue;
          }
          if (run == null) {
            run = new Run(e);
          } else {
            run.absorb(e);
            txn.delete("records", Codec.u64(e.sequence()));
          }
          txn.delete("times", Codec.concat(Codec.u64(e.timeNanos()), Codec.u64(e.sequence())));
          if (e.operation() != Operation.PRUNED) {
            recordsDropped++;
          }
        }
        if (run != null) {
          run.end = Math.max(run.end, batch.get(batch.size() - 1).sequence());
          run.write(txn);
        }
        txn.commit();
      }
      resume = batch.get(batch.size() - 1).sequence() + 1;
      progress.update("records", resume - 1, horizon);
    }
    if (run != null && run.end < horizon - 1) {
      // The run reaches the horizon's record, past holes an earlier run left.
      try (WriteTransaction txn = backend.write()) {
        run.end = horizon - 1;
        run.write(txn);
        txn.commit();
      }
    }
  }

  /** A run of removed records and the PRUNED record that stands for them. */
  private static final class Run {
    final long first;
    long time;
    long end;
    final Set<Long> nodes = new TreeSet<>();

    Run(LogEntry e) {
      first = e.sequence();
      time = e.timeNanos();
      end = e.sequence();
      absorb(e);
    }

    void absorb(LogEntry e) {
      time = Math.min(time, e.timeNanos());
      end = Math.max(end, e.sequence());
      for (long node : e.nodes()) {
        nodes.add(node);
      }
    }

    void write(WriteTransaction txn) throws IOException {
      byte[] path =
          ("records " + first + "-" + end + " removed by gc").getBytes(StandardCharsets.UTF_8);
      long[] touched = nodes.stream().mapToLong(Long::longValue).toArray();
      LogEntry standIn = new LogEntry(first, time, Operation.PRUNED, path, null, touched);
      txn.put("records", Codec.u64(first), Codec.encode(standIn));
      txn.put("times", Codec.concat(Codec.u64(time), Codec.u64(first)), EMPTY);
    }
  }

  // ------------------------------------------------------------------ content

  /**
   * Marks the content kept versions name, then frees the rest. The mark is read in pieces while
   * appends go on, so each freeing transaction first keeps everything that the versions appended
   * since the mark name: appends and these transactions are serialised by the backend, so no append
   * can reference a chunk between that check and its deletion. Returns the live bytes.
   */
  private long freeContent() throws IOException {
    long checked;
    try (ReadTransaction txn = backend.read()) {
      checked = VersionStore.lastSequence(txn);
    }
    Set<ByteBuffer> liveContent = new HashSet<>();
    scan(
        "states",
        "marking",
        (key, value) -> {
          ContentId c = Codec.decodeState(value).content();
          if (c != null) {
            liveContent.add(ByteBuffer.wrap(c.bytes()));
          }
        });
    Map<ByteBuffer, Integer> live = new HashMap<>();
    Map<ByteBuffer, Integer> chunks = new HashMap<>();
    Set<ByteBuffer> manifests = new HashSet<>();
    scan(
        "manifests",
        "marking",
        (key, value) -> {
          boolean kept = liveContent.contains(ByteBuffer.wrap(key));
          if (!kept) {
            manifests.add(ByteBuffer.wrap(key));
          }
          Map<ByteBuffer, Integer> into = kept ? live : chunks;
          for (int i = 0; i + Manifest.ENTRY <= value.length; i += Manifest.ENTRY) {
            into.put(
                ByteBuffer.wrap(Arrays.copyOfRange(value, i, i + 32)), Manifest.length(value, i));
          }
        });
    long graceCutoff = nanos(now.minus(VersionStore.UNNAMED_GRACE));
    Set<ByteBuffer> leftovers = new HashSet<>();
    scan(
        "unnamed",
        "marking",
        (key, value) -> {
          if (Codec.u64(value, 0) < graceCutoff) {
            leftovers.add(ByteBuffer.wrap(key));
          }
        });
    List<byte[][]> named = new ArrayList<>();
    for (ByteBuffer leftover : leftovers) {
      if (live.containsKey(leftover)) {
        named.add(new byte[][] {"unnamed".getBytes(StandardCharsets.US_ASCII), leftover.array()});
      } else {
        chunks.putIfAbsent(leftover, -1); // its length is read when it is freed
      }
    }
    delete(named, 0); // a kept version names them: no longer in flight
    chunks.keySet().removeAll(live.keySet());

    List<ByteBuffer> doomedManifests = new ArrayList<>(manifests);
    List<ByteBuffer> doomedChunks = new ArrayList<>(chunks.keySet());
    long total = doomedManifests.size() + doomedChunks.size();
    long done = 0;
    int m = 0;
    int c = 0;
    while (m < doomedManifests.size() || c < doomedChunks.size()) {
      try (WriteTransaction txn = backend.write()) {
        checked = keepWhatNewRecordsName(txn, checked, manifests, chunks, live);
        for (int n = 0; n < BATCH && m < doomedManifests.size(); n++, m++, done++) {
          ByteBuffer key = doomedManifests.get(m);
          if (manifests.contains(key)) {
            txn.delete("manifests", key.array());
          }
        }
        long[] usage = VersionStore.usageCounters(txn);
        for (int n = 0; n < BATCH && c < doomedChunks.size(); n++, c++, done++) {
          ByteBuffer key = doomedChunks.get(c);
          if (!chunks.containsKey(key)) {
            continue; // named again since the mark
          }
          byte[] unnamed = txn.get("unnamed", key.array());
          if (unnamed != null) {
            if (Codec.u64(unnamed, 0) >= graceCutoff) {
              continue; // carried by a recent append whose manifest is still to come
            }
            txn.delete("unnamed", key.array());
          }
          int length = chunks.get(key);
          if (length < 0) {
            byte[] data = txn.get("chunks", key.array());
            if (data == null) {
              continue;
            }
            length = data.length;
          }
          txn.delete("chunks", key.array());
          chunksFreed++;
          reclaimed += length;
          if (usage != null) {
            usage[1] = Math.max(0, usage[1] - length);
            usage[2] = Math.max(0, usage[2] - 1);
          }
        }
        if (usage != null) {
          txn.put("meta", VersionStore.USAGE, VersionStore.encodeUsage(usage));
        }
        txn.commit();
      }
      progress.update("content", done, total);
    }
    long bytes = 0;
    for (int length : live.values()) {
      bytes += length;
    }
    return bytes;
  }

  /**
   * Keeps, out of what is about to be freed, the content of every version recorded after {@code
   * checked}, and returns the new last sequence number. Runs inside the freeing transaction.
   */
  private static long keepWhatNewRecordsName(
      WriteTransaction txn,
      long checked,
      Set<ByteBuffer> manifests,
      Map<ByteBuffer, Integer> chunks,
      Map<ByteBuffer, Integer> live)
      throws IOException {
    long last = VersionStore.lastSequence(txn);
    if (last <= checked) {
      return checked;
    }
    List<LogEntry> fresh = new ArrayList<>();
    txn.scan(
        "records",
        Codec.u64(checked + 1),
        null,
        false,
        (key, value) -> {
          fresh.add(Codec.decodeEntry(Codec.u64(key, 0), value));
          return true;
        });
    for (LogEntry e : fresh) {
      for (long node : e.nodes()) {
        byte[] state = txn.get("states", Codec.nodeKey(node, e.sequence()));
        ContentId content = state == null ? null : Codec.decodeState(state).content();
        if (content == null) {
          continue;
        }
        ByteBuffer id = ByteBuffer.wrap(content.bytes());
        manifests.remove(id);
        byte[] manifest = txn.get("manifests", content.bytes());
        if (manifest == null) {
          continue;
        }
        for (int i = 0; i + Manifest.ENTRY <= manifest.length; i += Manifest.ENTRY) {
          ByteBuffer hash = ByteBuffer.wrap(Arrays.copyOfRange(manifest, i, i + 32));
          chunks.remove(hash);
          live.put(hash, Manifest.length(manifest, i));
        }
      }
    }
    return last;
  }

  /** What a content scan does with each entry. */
  private interface Visit {
    void visit(byte[] key, byte[] value) throws IOException;
  }

  /** Visits a whole table, {@link #BATCH} entries per read transaction. */
  private void scan(String table, String phase, Visit visit) throws IOException {
    byte[] resume = EMPTY;
    long seen = 0;
    while (resume != null) {
      byte[][] next = {null};
      int[] count = {0};
      try (ReadTransaction txn = backend.read()) {
        txn.scan(
            table,
            resume,
            null,
            false,
            (key, value) -> {
              if (count[0] >= BATCH) {
                next[0] = key;
                return false;
              }
              visit.visit(key, value);
              count[0]++;
              return true;
            });
      }
      seen += count[0];
      progress.update(phase, seen, -1);
      resume = next[0];
    }
  }
}
