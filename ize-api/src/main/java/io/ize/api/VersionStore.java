package io.ize.api;

import io.ize.api.Codec.Link;
import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The history of a tree: an ordered log of changes, each file's versions through renames, the tree
 * and its content at any point, change sets between points, and snapshots. Everything about
 * versions lives here, once, over a backend's ordered key-value tables (see {@link io.ize.spi}).
 *
 * <pre>{@code
 * try (VersionStore store = VersionStore.open("lmdb", Path.of("/home/me/.ize"))) {
 *   for (LogEntry e : store.log(0, 100, "", null, null)) System.out.println(e);
 *   ChangeSet changes = store.changes(Point.snapshot("before-build"), Point.latest());
 * }
 * }</pre>
 *
 * <p>Identity: every file, directory or link is a node with a number, allocated when the store
 * first sees it. A directory entry maps (parent node, name) to a node, versioned by sequence
 * number; renaming a directory rewrites one entry, whatever lies below it, and files below keep
 * their identity. Tables: {@code records} (sequence to record), {@code names} (parent, name,
 * sequence to node), {@code links} (node, sequence to its names), {@code states} (node, sequence to
 * state), {@code manifests} and {@code chunks} (content, by SHA-256), {@code snapshots}, {@code
 * times} (time, sequence), {@code unnamed} (chunks an append carried that no manifest names yet:
 * the head of a large file whose manifest a later append brings; see {@link #gc}), {@code meta}.
 *
 * <p>Thread safety: queries may run on any number of threads, each in its own read transaction;
 * {@link #append} is serialised on this object (it is the one recorder). {@link #gc} runs beside
 * appends and queries, in short transactions of its own; the backend serialises every write
 * transaction (across processes where several may open one store).
 */
public final class VersionStore implements AutoCloseable {
  static final List<String> TABLES =
      List.of(
          "meta",
          "records",
          "names",
          "links",
          "states",
          "manifests",
          "chunks",
          "snapshots",
          "times",
          "unnamed");

  private static final long ROOT = 1;
  private static final byte[] LAST_SEQUENCE = "lastSequence".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NEXT_NODE = "nextNode".getBytes(StandardCharsets.US_ASCII);

  /** The earliest retained point, once gc has run: see {@link #gc}. */
  static final byte[] HORIZON = "horizon".getBytes(StandardCharsets.US_ASCII);

  /**
   * Usage counters (logical bytes, stored chunk bytes, chunk count), kept by every append from the
   * store's first one on and by gc; a store written before they existed has none (see {@link
   * #usage()}).
   */
  static final byte[] USAGE = "usage".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] EMPTY = new byte[0];

  /** How many time-index entries a log page of a time window reads per record it may return. */
  private static final int WINDOW_READ = 64;

  /** {@link #sequencesWithin}'s answer for a window that holds no record after the page's start. */
  private static final long[] NO_RECORDS = new long[0];

  private final StoreBackend backend;

  /** Held for a whole gc run: one at a time per store object. */
  private final java.util.concurrent.locks.ReentrantLock collecting =
      new java.util.concurrent.locks.ReentrantLock();

  private VersionStore(StoreBackend backend) {
    this.backend = backend;
  }

  /** Opens the store of backend {@code name} (such as {@code lmdb}) in {@code directory}. */
  public static VersionStore open(String name, Path directory) throws IOException {
    return open(name, directory, Map.of());
  }

  /**
   * Opens the store of backend {@code name} in {@code directory}, with backend options.
   *
   * @throws IllegalArgumentException if no provider on the class path has that name; the message
   *     lists the names found and the artifact to add
   */
  public static VersionStore open(String name, Path directory, Map<String, String> options)
      throws IOException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(directory, "directory");
    Map<String, VersionStoreProvider> found = providers();
    VersionStoreProvider provider = found.get(name);
    if (provider == null) {
      throw new IllegalArgumentException(
          "no version store backend named '"
              + name
              + "' on the class path; found "
              + (found.isEmpty() ? "none" : String.join(", ", found.keySet()))
              + ". The built-in backends are lmdb (add io.ize:ize-store-lmdb) and mapdb (add"
              + " io.ize:ize-store-mapdb).");
    }
    Files.createDirectories(directory);
    return of(provider.open(directory, TABLES, options));
  }

  /**
   * The tables a backend must be opened with ({@link VersionStoreProvider#open}) before it is
   * handed to {@link #of}.
   */
  public static List<String> tables() {
    return TABLES;
  }

  /**
   * A version store over an already opened backend, opened with {@link #tables()}; closing the
   * store closes it.
   */
  public static VersionStore of(StoreBackend backend) {
    return new VersionStore(Objects.requireNonNull(backend, "backend"));
  }

  /** The backends found on the class path, by name. A broken provider is skipped. */
  public static Map<String, VersionStoreProvider> providers() {
    Map<String, VersionStoreProvider> found = new TreeMap<>();
    ServiceLoader<VersionStoreProvider> loader = ServiceLoader.load(VersionStoreProvider.class);
    var iterator = loader.iterator();
    while (true) {
      try {
        if (!iterator.hasNext()) {
          break;
        }
        VersionStoreProvider provider = iterator.next();
        found.putIfAbsent(provider.name(), provider);
      } catch (ServiceConfigurationError broken) {
        System.getLogger(VersionStore.class.getName())
            .log(System.Logger.Level.WARNING, "skipping a broken version store provider", broken);
      }
    }
    return found;
  }

  /** The backend's directory. */
  public Path directory() {
    return backend.directory();
  }

  /** Bytes on disk. */
  public long sizeOnDisk() throws IOException {
    return backend.sizeOnDisk();
  }

  @Override
  public void close() throws IOException {
    backend.close();
  }

  // ================================================================== writing

  /**
   * Appends events in one transaction (the recorder's group commit) and returns the sequence number
   * of the last record. Each event that changes the tree becomes a record with the next sequence
   * number; a pre-image of content the store already holds as current records nothing.
   */
  public synchronized long append(List<Event> events) throws IOException {
    try (WriteTransaction txn = backend.write()) {
      Writer writer = new Writer(txn);
      for (Event event : events) {
        writer.apply(event);
      }
      writer.finish();
      txn.commit();
      return writer.sequence;
    }
  }

  /** The sequence number of the last record (0 if none). */
  public long lastSequence() throws IOException {
    try (ReadTransaction txn = backend.read()) {
      return lastSequence(txn);
    }
  }

  static long lastSequence(ReadTransaction txn) throws IOException {
    byte[] value = txn.get("meta", LAST_SEQUENCE);
    return value == null ? 0 : Codec.u64(value, 0);
  }

  /**
   * The earliest retained point: 0 until {@link #gc} first removes history; from it on (and at
   * every snapshot's point) every query answers as before.
   */
  public long earliestRetained() throws IOException {
    try (ReadTransaction txn = backend.read()) {
      return horizon(txn);
    }
  }

  static long horizon(ReadTransaction txn) throws IOException {
    byte[] value = txn.get("meta", HORIZON);
    return value == null ? 0 : Codec.u64(value, 0);
  }

  /**
   * {@code seq}, if the tree there can still be rebuilt: at or after the horizon, or a snapshot.
   */
  private long retained(ReadTransaction txn, long seq, Object what) throws IOException {
    long horizon = horizon(txn);
    if (seq >= horizon || snapshotSequences(txn).contains(seq)) {
      return seq;
    }
    throw new HistoryPrunedException(
        what + " (sequence " + seq + ")", horizon, directory().toString());
  }

  /** The sequence numbers snapshots label. */
  static Set<Long> snapshotSequences(ReadTransaction txn) throws IOException {
    Set<Long> labelled = new java.util.TreeSet<>();
    txn.scan(
        "snapshots",
        EMPTY,
        null,
        false,
        (key, value) -> {
          labelled.add(Codec.u64(value, 0));
          return true;
        });
    return labelled;
  }

  static boolean isEmpty(ReadTransaction txn, String table) throws IOException {
    boolean[] empty = {true};
    txn.scan(
        table,
        EMPTY,
        null,
        false,
        (key, value) -> {
          empty[0] = false;
          return false;
        });
    return empty[0];
  }

  /** The usage counters (logical bytes, stored bytes, chunks), or null if the store has none. */
  static long[] usageCounters(ReadTransaction txn) throws IOException {
    byte[] value = txn.get("meta", USAGE);
    return value == null
        ? null
        : new long[] {Codec.u64(value, 0), Codec.u64(value, 8), Codec.u64(value, 16)};
  }

  static byte[] encodeUsage(long[] usage) {
    return Codec.concat(Codec.u64(usage[0]), Codec.u64(usage[1]), Codec.u64(usage[2]));
  }

  /**
   * The store's content usage and dedup ratio. Cheap: the counters every append and gc keep up to
   * date are read in O(1). A store written before the counters existed is measured by one scan of
   * its states and manifests instead (chunks no manifest names yet are then not counted).
   */
  public Usage usage() throws IOException {
    try (ReadTransaction txn = backend.read()) {
      long[] counted = usageCounters(txn);
      if (counted != null) {
        return new Usage(counted[0], counted[1], counted[2]);
      }
      long[] logical = {0};
      txn.scan(
          "states",
          EMPTY,
          null,
          false,
          (key, value) -> {
            NodeState state = Codec.decodeState(value);
            if (state.content() != null) {
              logical[0] += state.size();
            }
            return true;
          });
      Map<ByteBuffer, Integer> chunks = new HashMap<>();
      txn.scan(
          "manifests",
          EMPTY,
          null,
          false,
          (key, value) -> {
            for (int i = 0; i + Manifest.ENTRY <= value.length; i += Manifest.ENTRY) {
              chunks.put(
                  ByteBuffer.wrap(Arrays.copyOfRange(value, i, i + 32)), Manifest.length(value, i));
            }
            return true;
          });
      long stored = 0;
      for (int length : chunks.values()) {
        stored += length;
      }
      return new Usage(logical[0], stored, chunks.size());
    }
  }

  /** Applies events within one write transaction. */
  private final class Writer {
    private final WriteTransaction txn;
    long sequence;
    private long nextNode;

    /** The first node this append allocates: nodes from it on are new to the store. */
    private final long firstNew;

    /** Usage counters, or null for a store written before they existed. */
    private final long[] usage;

    /** Chunks this append carried that no manifest in it named (yet). */
    private final Set<ByteBuffer> carried = new java.util.HashSet<>();

    /**
     * The logical bytes counted for each node whose state the current event wrote: a state key
     * holds the event's sequence number, so only one event can write it twice.
     */
    private final Map<Long, Long> counted = new HashMap<>();

    /*
     * What this append has read or written, as of its latest record, so that a batch does not
     * read the store again for each event: the Writer is the transaction's only user, and every
     * write it makes to these tables goes through link, unlink and putState, which update them.
     */

    /** Directory entries: (parent, name) to node, 0 for none. */
    private final Map<Entry, Long> names = new HashMap<>();

    /** Each node's latest state; a node known to have none maps to null. */
    private final Map<Long, NodeState> states = new HashMap<>();

    /** Each node's latest names. */
    private final Map<Long, List<Link>> links = new HashMap<>();

    /** Whether the unnamed table may hold entries a manifest now names. */
    private boolean unnamed;

    Writer(WriteTransaction txn) throws IOException {
      this.txn = txn;
      this.sequence = lastSequence(txn);
      byte[] next = txn.get("meta", NEXT_NODE);
      this.nextNode = next == null ? ROOT + 1 : Codec.u64(next, 0);
      this.firstNew = nextNode;
      long[] counted = usageCounters(txn);
      if (counted == null && sequence == 0 && isEmpty(txn, "chunks")) {
        counted = new long[3]; // a new store: count from its first append on
      }
      this.usage = counted;
      this.unnamed = !isEmpty(txn, "unnamed");
    }

    void finish() throws IOException {
      txn.put("meta", LAST_SEQUENCE, Codec.u64(sequence));
      txn.put("meta", NEXT_NODE, Codec.u64(nextNode));
      long now = Collector.nanos(Instant.now());
      for (ByteBuffer c : carried) {
        txn.put("unnamed", c.array(), Codec.u64(now));
      }
      if (usage != null) {
        txn.put("meta", USAGE, encodeUsage(usage));
      }
    }

    private void putState(long node, long seq, NodeState state) throws IOException {
      txn.put("states", Codec.nodeKey(node, seq), Codec.encode(state));
      states.put(node, state);
      if (usage != null) {
        // A key written twice in one event (a file first seen, then its content) counts once.
        long size = state.content() == null ? 0 : state.size();
        Long before = counted.put(node, size);
        usage[0] += size - (before == null ? 0 : before);
      }
    }

    /** The node named {@code name} in {@code parent}, or 0. */
    private long nameAt(long parent, byte[] name) throws IOException {
      Entry entry = new Entry(parent, name);
      Long node = names.get(entry);
      if (node == null) {
        // A directory this append made has in the store only the entries cached here.
        node = parent >= firstNew ? 0 : VersionStore.nameAt(txn, parent, name, Long.MAX_VALUE);
        names.put(entry, node);
      }
      return node;
    }

    /** The node at {@code path}, or 0. */
    private long resolve(byte[] path) throws IOException {
      return walk(path, this::nameAt);
    }

    /** A node's latest state, or null. */
    private NodeState stateAt(long node) throws IOException {
      NodeState state = states.get(node);
      if (state == null && !states.containsKey(node)) {
        state = VersionStore.stateAt(txn, node, Long.MAX_VALUE);
        states.put(node, state);
      }
      return state;
    }

    /** A node's latest names (not to be changed). */
    private List<Link> linksAt(long node) throws IOException {
      List<Link> found = links.get(node);
      if (found == null) {
        found = VersionStore.linksAt(txn, node, Long.MAX_VALUE);
        links.put(node, found);
      }
      return found;
    }

    /** Allocates a node the store has never seen: it has no names and no state yet. */
    private long newNode() {
      long node = nextNode++;
      links.put(node, List.of());
      states.put(node, null);
      return node;
    }

    void apply(Event event) throws IOException {
      for (Chunk chunk : event.chunks()) {
        if (!txn.contains("chunks", chunk.hash())) {
          txn.put("chunks", chunk.hash(), chunk.data());
          if (usage != null) {
            usage[1] += chunk.data().length;
            usage[2]++;
          }
        }
        carried.add(ByteBuffer.wrap(chunk.hash()));
      }
      Operation op = event.operation();
      if (op == null) {
        return;
      }
      counted.clear();
      if (op == Operation.PREIMAGE) {
        long known = resolve(event.path());
        NodeState current = known == 0 ? null : stateAt(known);
        if (current != null && Objects.equals(current.content(), event.state().content())) {
          return;
        }
      }
      if (event.manifest() != null) {
        txn.put("manifests", event.state().content().bytes(), event.manifest());
        named(event.manifest());
      }
      long seq = ++sequence;
      List<Long> nodes = new ArrayList<>(2);
      byte[] path = event.path();
      switch (op) {
        case CREATE:
        case MKDIR:
        case MKNOD:
        case SYMLINK:
          {
            long parent = ensure(parentOf(path), event, seq);
            byte[] name = nameOf(path);
            long replaced = nameAt(parent, name);
            if (replaced != 0) {
              unlink(replaced, parent, name, seq);
              nodes.add(replaced);
            }
            long node = newNode();
            link(node, parent, name, seq);
            putState(node, seq, event.state());
            nodes.add(0, node);
            break;
          }
        case LINK:
          {
            long node = ensure(path, event, seq);
            long parent = ensure(parentOf(event.target()), event, seq);
            link(node, parent, nameOf(event.target()), seq);
            nodes.add(node);
            break;
          }
        case UNLINK:
        case RMDIR:
          {
            long parent = resolve(parentOf(path));
            long node = parent == 0 ? 0 : nameAt(parent, nameOf(path));
            if (node != 0) {
              unlink(node, parent, nameOf(path), seq);
              nodes.add(node);
            }
            break;
          }
        case RENAME:
          rename(event, seq, nodes);
          break;
        case GAP:
          break;
        default:
          {
            long node = ensure(path, event, seq);
            NodeState state = event.state();
            if (event.manifest() == null && !op.changesContent()) {
              NodeState previous = stateAt(node);
              if (previous != null) {
                state = state.withContent(previous.content(), previous.size());
              }
            }
            putState(node, seq, state);
            nodes.add(node);
          }
      }
      long[] touched = new long[nodes.size()];
      for (int i = 0; i < touched.length; i++) {
        touched[i] = nodes.get(i);
      }
      LogEntry entry = new LogEntry(seq, event.timeNanos(), op, path, event.target(), touched);
      txn.put("records", Codec.u64(seq), Codec.encode(entry));
      txn.put("times", Codec.concat(Codec.u64(event.timeNanos()), Codec.u64(seq)), EMPTY);
    }

    /** A manifest names its chunks: they are no longer in flight. */
    private void named(byte[] manifest) throws IOException {
      for (int i = 0; i + Manifest.ENTRY <= manifest.length; i += Manifest.ENTRY) {
        byte[] hash = Arrays.copyOfRange(manifest, i, i + 32);
        carried.remove(ByteBuffer.wrap(hash));
        if (unnamed && txn.get("unnamed", hash) != null) {
          txn.delete("unnamed", hash);
        }
      }
    }

    private void rename(Event event, long seq, List<Long> nodes) throws IOException {
      byte[] from = event.path();
      byte[] to = event.target();
      long fromParent = ensure(parentOf(from), event, seq);
      long toParent = ensure(parentOf(to), event, seq);
      long node = nameAt(fromParent, nameOf(from));
      long other = nameAt(toParent, nameOf(to));
      boolean exchange = (event.flags() & 2) != 0;
      if (node == 0) {
        // Never seen before the move: it arrives under its new name, as a new file that
        // replaces (or, in an exchange, swaps places with) whatever the store had there.
        if (other != 0) {
          unlink(other, toParent, nameOf(to), seq);
          if (exchange) {
            link(other, fromParent, nameOf(from), seq);
          }
        }
        nodes.add(ensure(to, event, seq));
        if (other != 0) {
          nodes.add(other);
        }
        return;
      }
      nodes.add(node);
      if (other == node) {
        return; // a rename onto another name of the same file changes nothing
      }
      unlink(node, fromParent, nameOf(from), seq);
      if (other != 0) {
        unlink(other, toParent, nameOf(to), seq);
        nodes.add(other);
        if (exchange) {
          link(other, fromParent, nameOf(from), seq);
        }
      }
      link(node, toParent, nameOf(to), seq);
    }

    /**
     * The node at {@code path}, creating nodes for directories and files the store has not seen:
     * those that existed before recording began. Their states come from the event.
     */
    private long ensure(byte[] path, Event event, long seq) throws IOException {
      long node = ROOT;
      int start = 0;
      while (start < path.length) {
        int end = indexOf(path, (byte) '/', start);
        byte[] name = Arrays.copyOfRange(path, start, end);
        long child = nameAt(node, name);
        if (child == 0) {
          child = newNode();
          link(child, node, name, seq);
          byte[] prefix = Arrays.copyOf(path, end);
          NodeState state = stateFor(prefix, event);
          putState(child, seq, state);
        }
        node = child;
        start = end + 1;
      }
      return node;
    }

    private NodeState stateFor(byte[] prefix, Event event) {
      if (Arrays.equals(prefix, event.path()) && event.state() != null) {
        return event.state();
      }
      if (event.target() != null
          && Arrays.equals(prefix, event.target())
          && event.state() != null) {
        return event.state();
      }
      for (Event.Ancestor ancestor : event.ancestors()) {
        if (Arrays.equals(ancestor.path(), prefix)) {
          return ancestor.state();
        }
      }
      // A directory recording knows nothing about: its name is all there is to keep.
      return new NodeState(NodeState.S_IFDIR | 0755, 0, 0, 0, 0, 0, 0, null, Map.of(), null);
    }

    private void link(long node, long parent, byte[] name, long seq) throws IOException {
      txn.put("names", Codec.nameKey(parent, name, seq), Codec.u64(node));
      names.put(new Entry(parent, name), node);
      List<Link> now = new ArrayList<>(linksAt(node));
      now.add(new Link(parent, name));
      txn.put("links", Codec.nodeKey(node, seq), Codec.encodeLinks(now));
      links.put(node, now);
    }

    private void unlink(long node, long parent, byte[] name, long seq) throws IOException {
      txn.put("names", Codec.nameKey(parent, name, seq), EMPTY);
      names.put(new Entry(parent, name), 0L);
      List<Link> now = new ArrayList<>(linksAt(node));
      now.removeIf(l -> l.is(parent, name));
      txn.put("links", Codec.nodeKey(node, seq), Codec.encodeLinks(now));
      links.put(node, now);
    }
  }

  /** A directory entry's identity, as a hash key. */
  private static final class Entry {
    private final long parent;
    private final byte[] name;
    private final int hash;

    Entry(long parent, byte[] name) {
      this.parent = parent;
      this.name = name;
      this.hash = Long.hashCode(parent) * 31 + Arrays.hashCode(name);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Entry
          && ((Entry) other).parent == parent
          && Arrays.equals(((Entry) other).name, name);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  // ================================================================== queries

  /** Resolves a point to the sequence number it stands for. */
  public long sequenceOf(Point point) throws IOException {
    try (ReadTransaction txn = backend.read()) {
      return sequenceOf(txn, point);
    }
  }

  private long sequenceOf(ReadTransaction txn, Point point) throws IOException {
    if (point.snapshotName() != null) {
      return snapshotSequence(txn, point);
    }
    return retained(txn, unchecked(txn, point), point);
  }

  private long snapshotSequence(ReadTransaction txn, Point point) throws IOException {
    byte[] value = txn.get("snapshots", point.snapshotName().getBytes(StandardCharsets.UTF_8));
    if (value == null) {
      throw new IllegalArgumentException(
          "no snapshot named '" + point.snapshotName() + "' in " + directory());
    }
    return Codec.u64(value, 0);
  }

  /** The sequence a sequence, time or latest point stands for, retained or not. */
  private long unchecked(ReadTransaction txn, Point point) throws IOException {
    long last = lastSequence(txn);
    if (point.instant() != null) {
      Instant t = point.instant();
      if (t.isBefore(Instant.EPOCH)) {
        return 0; // before any record: times are kept as unsigned nanoseconds since 1970
      }
      Map.Entry<byte[], byte[]> found = txn.last("times", Codec.u64(0), Codec.u64(timeKey(t) + 1));
      return found == null ? 0 : Codec.u64(found.getKey(), 8);
    }
    return Math.min(point.sequenceOrNegative(), last);
  }

  /**
   * Records in sequence order: those after {@code afterSequence}, at most {@code limit}, whose path
   * or target is {@code pathPrefix} or lies below it ("" for all), within [from, to] in time (null
   * for no bound).
   *
   * @throws IllegalArgumentException if {@code limit} is negative
   */
  public List<LogEntry> log(
      long afterSequence, int limit, String pathPrefix, Instant from, Instant to)
      throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("a log limit must not be negative: " + limit);
    }
    byte[] prefix = pathPrefix == null ? EMPTY : pathBytes(pathPrefix);
    List<LogEntry> entries = new ArrayList<>();
    if (limit == 0) {
      return entries;
    }
    try (ReadTransaction txn = backend.read()) {
      long first = afterSequence + 1;
      byte[] end = null;
      if (from != null || to != null) {
        long[] window = sequencesWithin(txn, from, to, afterSequence, (long) limit * WINDOW_READ);
        if (window == NO_RECORDS) {
          return entries;
        }
        if (window != null) {
          first = window[0];
          end = Codec.u64(window[1] + 1);
        }
      }
      txn.scan(
          "records",
          Codec.u64(first),
          end,
          false,
          (key, value) -> {
            LogEntry entry = Codec.decodeEntry(Codec.u64(key, 0), value);
            if ((from == null || !entry.time().isBefore(from))
                && (to == null || !entry.time().isAfter(to))
                && (below(entry.pathBytes(), prefix) || below(entry.targetBytes(), prefix))) {
              entries.add(entry);
            }
            return entries.size() < limit;
          });
    }
    return entries;
  }

  /**
   * The lowest and highest sequence after {@code afterSequence} of the records stamped within
   * [from, to], from the time index, so that a log page of a time window scans only that range of
   * records and not every record before it; {@link #NO_RECORDS} if there is none; null if the
   * window holds more than {@code most} entries, where the log scans from {@code afterSequence} as
   * it would without a window (reading the whole index of a large window for every page would cost
   * more than paging through it). Times need not rise with sequences (a clock set back), so the log
   * still checks each record's time.
   */
  private static long[] sequencesWithin(
      ReadTransaction txn, Instant from, Instant to, long afterSequence, long most)
      throws IOException {
    long[] window = {Long.MAX_VALUE, Long.MIN_VALUE, 0};
    txn.scan(
        "times",
        Codec.u64(from == null ? 0 : timeKey(from)),
        to == null ? null : Codec.u64(timeKey(to) + 1),
        false,
        (key, value) -> {
          long sequence = Codec.u64(key, 8);
          if (sequence > afterSequence) {
            window[0] = Math.min(window[0], sequence);
            window[1] = Math.max(window[1], sequence);
          }
          return ++window[2] <= most;
        });
    if (window[2] > most) {
      return null;
    }
    return window[0] > window[1] ? NO_RECORDS : window;
  }

  /**
   * The time-index key part of {@code t}: unsigned nanoseconds since 1970 (0 before it), at most
   * {@code Long.MAX_VALUE - 1}, so that one past it is still a bound.
   */
  private static long timeKey(Instant t) {
    return Math.min(Collector.nanos(t), Long.MAX_VALUE - 1);
  }

  /** The record with this sequence number. */
  public LogEntry record(long sequence) throws IOException {
    try (ReadTransaction txn = backend.read()) {
      byte[] value = txn.get("records", Codec.u64(sequence));
      if (value == null && sequence < horizon(txn) && sequence > 0) {
        throw new HistoryPrunedException(
            "record " + sequence, horizon(txn), directory().toString());
      }
      if (value == null) {
        throw new IllegalArgumentException("no record " + sequence + " in " + directory());
      }
      return Codec.decodeEntry(sequence, value);
    }
  }

  /**
   * The versions of the file at {@code path} (as of {@code at}), oldest first, through every rename
   * of it or of a directory above it. Removals appear with a null state.
   *
   * @throws NoSuchFileException if nothing was at that path then
   */
  public List<FileVersion> versions(String path, Point at) throws IOException {
    try (ReadTransaction txn = backend.read()) {
      long seq = sequenceOf(txn, at);
      long node = resolve(txn, pathBytes(path), seq);
      if (node == 0) {
        throw new NoSuchFileException(path, null, "not in the history at " + at);
      }
      TreeMap<Long, NodeState> states = new TreeMap<>();
      txn.scan(
          "states",
          Codec.nodeKey(node, 0),
          Codec.nodeKey(node + 1, 0),
          false,
          (key, value) -> {
            states.put(Codec.u64(key, 8), Codec.decodeState(value));
            return true;
          });
      txn.scan(
          "links",
          Codec.nodeKey(node, 0),
          Codec.nodeKey(node + 1, 0),
          false,
          (key, value) -> {
            states.putIfAbsent(Codec.u64(key, 8), null);
            return true;
          });
      List<FileVersion> versions = new ArrayList<>();
      for (Map.Entry<Long, NodeState> e : states.entrySet()) {
        long s = e.getKey();
        byte[] record = txn.get("records", Codec.u64(s));
        if (record == null) {
          continue;
        }
        LogEntry entry = Codec.decodeEntry(s, record);
        if (entry.operation() == Operation.PRUNED) {
          continue; // the record that made this version is gone; its state survives for a point
        }
        byte[] where = pathOf(txn, node, s);
        NodeState state = where == null ? null : stateAt(txn, node, s);
        String shown =
            new String(where != null ? where : entry.pathBytes(), StandardCharsets.UTF_8);
        versions.add(new FileVersion(entry, shown, state));
      }
      return versions;
    }
  }

  /** The state of the file at {@code path} at a point, or null if there was none. */
  public NodeState state(String path, Point at) throws IOException {
    try (ReadTransaction txn = backend.read()) {
      long node = resolve(txn, pathBytes(path), sequenceOf(txn, at));
      return node == 0 ? null : stateAt(txn, node, sequenceOf(txn, at));
    }
  }

  /**
   * The tree at {@code subtree} ("" for all) at a point, in depth-first order with parents before
   * children: the subtree's own entry first (unless it is the root), then everything below it.
   */
  public List<TreeEntry> tree(Point at, String subtree) throws IOException {
    List<TreeEntry> entries = new ArrayList<>();
    try (ReadTransaction txn = backend.read()) {
      long seq = sequenceOf(txn, at);
      byte[] base = pathBytes(subtree);
      long start = resolve(txn, base, seq);
      if (start == 0) {
        return entries;
      }
      if (base.length > 0) {
        NodeState state = stateAt(txn, start, seq);
        entries.add(new TreeEntry(base, start, state));
        if (state == null || !state.isDirectory()) {
          return entries;
        }
      }
      // Depth first: an entry, then everything below it, then its next sibling.
      Deque<TreeEntry> stack = new ArrayDeque<>();
      pushChildren(txn, stack, base, start, seq);
      while (!stack.isEmpty()) {
        TreeEntry entry = stack.pop();
        entries.add(entry);
        if (entry.state() != null && entry.state().isDirectory()) {
          pushChildren(txn, stack, entry.pathBytes(), entry.node(), seq);
        }
      }
    }
    return entries;
  }

  /** Pushes a directory's entries at {@code seq} so that they pop in name order. */
  private static void pushChildren(
      ReadTransaction txn, Deque<TreeEntry> stack, byte[] dirPath, long dir, long seq)
      throws IOException {
    List<TreeEntry> children = new ArrayList<>();
    for (Map.Entry<byte[], Long> child : children(txn, dir, seq).entrySet()) {
      byte[] childPath =
          dirPath.length == 0
              ? child.getKey()
              : Codec.concat(dirPath, new byte[] {'/'}, child.getKey());
      children.add(new TreeEntry(childPath, child.getValue(), stateAt(txn, child.getValue(), seq)));
    }
    for (int i = children.size() - 1; i >= 0; i--) {
      stack.push(children.get(i));
    }
  }

  /** The bytes of {@code path} at a point, streamed chunk by chunk. */
  public InputStream content(String path, Point at) throws IOException {
    NodeState state = state(path, at);
    if (state == null) {
      throw new NoSuchFileException(path, null, "not in the history at " + at);
    }
    if (!state.isRegularFile()) {
      throw new IOException(path + " was not a regular file at " + at);
    }
    return content(state.content());
  }

  /** The bytes of one content (empty for null), streamed chunk by chunk. */
  public InputStream content(ContentId id) throws IOException {
    if (id == null) {
      return InputStream.nullInputStream();
    }
    byte[] manifest;
    try (ReadTransaction txn = backend.read()) {
      manifest = txn.get("manifests", id.bytes());
    }
    if (manifest == null) {
      throw new IOException("content " + id + " is missing from " + directory());
    }
    return new ChunkStream(manifest);
  }

  /** Streams a manifest's chunks, reading each in a short read transaction of its own. */
  private final class ChunkStream extends InputStream {
    private final byte[] manifest;
    private int next;
    private byte[] chunk = EMPTY;
    private int position;

    ChunkStream(byte[] manifest) {
      this.manifest = manifest;
    }

    private boolean advance() throws IOException {
      while (position == chunk.length) {
        if (next * Manifest.ENTRY >= manifest.length) {
          return false;
        }
        byte[] hash =
            Arrays.copyOfRange(manifest, next * Manifest.ENTRY, next * Manifest.ENTRY + 32);
        next++;
        try (ReadTransaction txn = backend.read()) {
          chunk = txn.get("chunks", hash);
        }
        if (chunk == null) {
          throw new IOException("a chunk of stored content is missing from " + directory());
        }
        position = 0;
      }
      return true;
    }

    @Override
    public int read() throws IOException {
      return advance() ? chunk[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!advance()) {
        return -1;
      }
      int n = Math.min(len, chunk.length - position);
      System.arraycopy(chunk, position, b, off, n);
      position += n;
      return n;
    }

    /** Skips whole chunks by the lengths the manifest gives, without reading them. */
    @Override
    public long skip(long n) throws IOException {
      long skipped = 0;
      while (skipped < n) {
        if (position < chunk.length) {
          int k = (int) Math.min(n - skipped, chunk.length - position);
          position += k;
          skipped += k;
        } else if (next * Manifest.ENTRY >= manifest.length) {
          break;
        } else {
          int length = Manifest.length(manifest, next * Manifest.ENTRY);
          if (length > n - skipped) {
            advance();
          } else {
            next++;
            skipped += length;
          }
        }
      }
      return skipped;
    }
  }

  /**
   * What changed between two points: every file touched by a record in between, compared as it was
   * at {@code from} and at {@code to}. A directory's rename is one change; the files below it keep
   * their identity and are not listed.
   */
  public ChangeSet changes(Point from, Point to) throws IOException {
    try (ReadTransaction txn = backend.read()) {
      long a = sequenceOf(txn, from);
      long b = sequenceOf(txn, to);
      if (a > b) {
        throw new IllegalArgumentException("from (" + from + ") is after to (" + to + ")");
      }
      Set<Long> touched = new LinkedHashSet<>();
      txn.scan(
          "records",
          Codec.u64(a + 1),
          Codec.u64(b + 1),
          false,
          (key, value) -> {
            for (long node : Codec.decodeEntry(Codec.u64(key, 0), value).nodes()) {
              touched.add(node);
            }
            return true;
          });
      List<Change> changes = new ArrayList<>();
      for (long node : touched) {
        byte[] before = pathOf(txn, node, a);
        byte[] after = pathOf(txn, node, b);
        NodeState was = before == null ? null : stateAt(txn, node, a);
        NodeState is = after == null ? null : stateAt(txn, node, b);
        if (before == null && after == null) {
          continue;
        }
        String beforeText = before == null ? null : text(before);
        String afterText = after == null ? null : text(after);
        if (before == null) {
          changes.add(new Change(Change.Kind.CREATED, afterText, null, null, is));
        } else if (after == null) {
          changes.add(new Change(Change.Kind.DELETED, beforeText, null, was, null));
        } else {
          if (!Arrays.equals(before, after)) {
            changes.add(new Change(Change.Kind.RENAMED, afterText, beforeText, was, is));
          }
          if (was != null && is != null) {
            if (!Objects.equals(was.content(), is.content())) {
              changes.add(new Change(Change.Kind.MODIFIED, afterText, null, was, is));
            } else if (!was.sameMetadata(is)
                || was.mtimeSeconds() != is.mtimeSeconds()
                || was.mtimeNanos() != is.mtimeNanos()) {
              changes.add(new Change(Change.Kind.METADATA, afterText, null, was, is));
            }
          }
        }
      }
      changes.sort(Comparator.comparing(Change::path).thenComparing(Change::kind));
      return new ChangeSet(a, b, netOut(changes));
    }
  }

  /**
   * A path deleted and created again (a file replaced by a new one, or brought back by a restore)
   * is, for the tree, at most a modification: compare what was there with what is.
   */
  private static List<Change> netOut(List<Change> changes) {
    Map<String, Change> deleted = new HashMap<>();
    Map<String, Change> created = new HashMap<>();
    for (Change c : changes) {
      if (c.kind() == Change.Kind.DELETED) {
        deleted.put(c.path(), c);
      } else if (c.kind() == Change.Kind.CREATED) {
        created.put(c.path(), c);
      }
    }
    List<Change> result = new ArrayList<>();
    for (Change c : changes) {
      Change gone = deleted.get(c.path());
      Change back = created.get(c.path());
      if (gone == null || back == null) {
        result.add(c);
      } else if (c == back) {
        NodeState was = gone.before();
        NodeState is = back.after();
        if (was.type() != is.type() || !Objects.equals(was.content(), is.content())) {
          result.add(new Change(Change.Kind.MODIFIED, c.path(), null, was, is));
        } else if (!was.sameMetadata(is)) {
          result.add(new Change(Change.Kind.METADATA, c.path(), null, was, is));
        }
      }
    }
    return result;
  }

  // ================================================================== snapshots

  /** Labels the latest record; O(1). Replaces a snapshot of the same name. */
  public Snapshot snapshot(String name) throws IOException {
    return snapshot(name, lastSequence());
  }

  /** Labels a sequence number. */
  public synchronized Snapshot snapshot(String name, long sequence) throws IOException {
    if (!isSnapshotName(name)) {
      throw new IllegalArgumentException(
          "a snapshot name must not be empty, a number, 'latest', a relative time (10m) or an"
              + " ISO-8601 instant, which a point would read as such: '"
              + name
              + "'");
    }
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence numbers start at 0, not " + sequence);
    }
    Instant now = Instant.now();
    try (WriteTransaction txn = backend.write()) {
      if (sequence > lastSequence(txn)) {
        throw new IllegalArgumentException("no record " + sequence + " yet in " + directory());
      }
      retained(txn, sequence, "sequence " + sequence);
      txn.put(
          "snapshots",
          name.getBytes(StandardCharsets.UTF_8),
          ByteBuffer.allocate(20)
              .putLong(sequence)
              .putLong(now.getEpochSecond())
              .putInt(now.getNano())
              .array());
      txn.commit();
    }
    return new Snapshot(name, sequence, now);
  }

  /** Whether {@link Point#parse} reads {@code name} back as this snapshot. */
  private static boolean isSnapshotName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    try {
      return name.equals(Point.parse(name).snapshotName());
    } catch (IllegalArgumentException notAName) {
      return false;
    }
  }

  /** Every snapshot, by name. */
  public List<Snapshot> snapshots() throws IOException {
    List<Snapshot> snapshots = new ArrayList<>();
    try (ReadTransaction txn = backend.read()) {
      txn.scan(
          "snapshots",
          EMPTY,
          null,
          false,
          (key, value) -> {
            ByteBuffer v = ByteBuffer.wrap(value);
            long seq = v.getLong();
            Instant created = Instant.ofEpochSecond(v.getLong(), v.getInt());
            snapshots.add(new Snapshot(new String(key, StandardCharsets.UTF_8), seq, created));
            return true;
          });
    }
    return snapshots;
  }

  /** Deletes a snapshot; returns whether it existed. */
  public synchronized boolean deleteSnapshot(String name) throws IOException {
    try (WriteTransaction txn = backend.write()) {
      byte[] key = name.getBytes(StandardCharsets.UTF_8);
      boolean existed = txn.get("snapshots", key) != null;
      txn.delete("snapshots", key);
      txn.commit();
      return existed;
    }
  }

  // ================================================================== retention

  /**
   * Removes history older than {@code retention} allows, then frees the content no kept version
   * names; see {@link Retention}. Safe beside appends (of this object, or of another process on a
   * backend that allows one, such as LMDB): it works in short transactions, never one long one.
   *
   * <p>What stays: every point from the <em>horizon</em> on (the point just before the first record
   * newer than {@link Retention#keepNewerThan()}; never earlier than a previous run's), every
   * snapshot's point, and for each file that exists at one of those points its last {@link
   * Retention#keepLastVersions()} versions. At a kept point every query answers as before. A query
   * at a point before the horizon that no snapshot labels throws {@link HistoryPrunedException}
   * naming the horizon, and so does a new snapshot there. The file versions kept from before the
   * horizon are listed by {@link #versions} (with their paths and states) and read with {@link
   * #content(ContentId)}.
   *
   * <p>The log: records before the horizon are removed, except those that made a kept version or
   * that a snapshot labels; each run of removed records is replaced by one {@link Operation#PRUNED}
   * record at the run's first sequence number, naming the run, so that {@link #log} lists nothing
   * silently missing and change sets between kept points stay exact.
   *
   * <p>Content and concurrent appends: content is freed only in write transactions, which the
   * backend serialises with appends (across processes too). Each of them first reads the records
   * appended since the content was marked and keeps whatever their versions name, so content an
   * append has just referenced again is never freed. Chunks an append carries before the append
   * that brings their manifest (a large file captured in pieces) are listed in the {@code unnamed}
   * table until a manifest names them; gc keeps them for {@link #UNNAMED_GRACE} (longer than any
   * capture takes), then frees them as the leftovers of a recorder that died.
   *
   * @throws IllegalStateException if another gc of this store object is running
   */
  public GcResult gc(Retention retention, Progress progress) throws IOException {
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(progress, "progress");
    if (!collecting.tryLock()) {
      throw new IllegalStateException("a gc of " + directory() + " is already running");
    }
    try {
      return new Collector(backend, retention, progress, Instant.now()).run();
    } finally {
      collecting.unlock();
    }
  }

  /** How long chunks an append carried stay safe from gc while no manifest names them. */
  public static final java.time.Duration UNNAMED_GRACE = java.time.Duration.ofHours(1);

  // ================================================================== integrity

  /**
   * Checks the store: records gapless from 1 to the last (except where a {@link Operation#PRUNED}
   * record stands for those gc removed), every chunk's SHA-256 equal to its key, every manifest's
   * too, every chunk a manifest names present, and every version's content present. Returns the
   * problems found.
   */
  public List<String> verify() throws IOException {
    List<String> problems = new ArrayList<>();
    try (ReadTransaction txn = backend.read()) {
      long last = lastSequence(txn);
      long[] expected = {1};
      boolean[] pruned = {
        false
      }; // records gc removed follow the PRUNED record that stands for them
      txn.scan(
          "records",
          Codec.u64(0),
          null,
          false,
          (key, value) -> {
            long seq = Codec.u64(key, 0);
            if (seq != expected[0] && !pruned[0]) {
              problems.add("record " + expected[0] + " missing before " + seq);
            }
            pruned[0] = false;
            try {
              pruned[0] = Codec.decodeEntry(seq, value).operation() == Operation.PRUNED;
            } catch (RuntimeException corrupt) {
              problems.add("record " + seq + " does not decode: " + corrupt.getMessage());
            }
            expected[0] = seq + 1;
            return true;
          });
      if (expected[0] != last + 1 && !pruned[0]) {
        problems.add("last sequence is " + last + " but records end at " + (expected[0] - 1));
      }
      txn.scan(
          "chunks",
          EMPTY,
          null,
          false,
          (key, value) -> {
            if (!Arrays.equals(key, Chunker.sha256(value))) {
              problems.add("chunk " + ContentId.of(key) + " does not match its hash");
            }
            return true;
          });
      txn.scan(
          "manifests",
          EMPTY,
          null,
          false,
          (key, value) -> {
            if (!Arrays.equals(key, Chunker.sha256(value))) {
              problems.add("manifest " + ContentId.of(key) + " does not match its hash");
            }
            for (int i = 0; i + Manifest.ENTRY <= value.length; i += Manifest.ENTRY) {
              if (txn.get("chunks", Arrays.copyOfRange(value, i, i + 32)) == null) {
                problems.add("manifest " + ContentId.of(key) + " names a missing chunk");
              }
            }
            return true;
          });
      txn.scan(
          "states",
          EMPTY,
          null,
          false,
          (key, value) -> {
            ContentId content = Codec.decodeState(value).content();
            if (content != null && txn.get("manifests", content.bytes()) == null) {
              problems.add(
                  "node "
                      + Codec.u64(key, 0)
                      + " at "
                      + Codec.u64(key, 8)
                      + " names missing content "
                      + content);
            }
            return true;
          });
    }
    return problems;
  }

  // ================================================================== helpers

  private static long resolve(ReadTransaction txn, byte[] path, long seq) throws IOException {
    return walk(path, (parent, name) -> nameAt(txn, parent, name, seq));
  }

  /** Looks up the node named {@code name} in {@code parent}, or 0. */
  @FunctionalInterface
  private interface Names {
    long nameAt(long parent, byte[] name) throws IOException;
  }

  /** The node at {@code path}, looked up name by name from the root, or 0. */
  private static long walk(byte[] path, Names names) throws IOException {
    long node = ROOT;
    int start = 0;
    while (start < path.length && node != 0) {
      int end = indexOf(path, (byte) '/', start);
      node = names.nameAt(node, Arrays.copyOfRange(path, start, end));
      start = end + 1;
    }
    return node;
  }

  /** The node named {@code name} in {@code parent} at {@code seq}, or 0. */
  private static long nameAt(ReadTransaction txn, long parent, byte[] name, long seq)
      throws IOException {
    Map.Entry<byte[], byte[]> found =
        txn.last(
            "names",
            Codec.nameKey(parent, name, 0),
            seq == Long.MAX_VALUE
                ? Codec.nameEnd(parent, name)
                : Codec.nameKey(parent, name, seq + 1));
    return found == null || found.getValue().length == 0 ? 0 : Codec.u64(found.getValue(), 0);
  }

  /** A directory's entries at {@code seq}: name to node, in name order. */
  private static Map<byte[], Long> children(ReadTransaction txn, long dir, long seq)
      throws IOException {
    Map<byte[], Long> children = new TreeMap<>(Arrays::compareUnsigned);
    byte[][] current = {null};
    long[] node = {0};
    txn.scan(
        "names",
        Codec.u64(dir),
        Codec.u64(dir + 1),
        false,
        (key, value) -> {
          byte[] name = Arrays.copyOfRange(key, 8, key.length - 9);
          long version = Codec.u64(key, key.length - 8);
          if (current[0] != null && !Arrays.equals(current[0], name)) {
            if (node[0] != 0) {
              children.put(current[0], node[0]);
            }
            node[0] = 0;
          }
          current[0] = name;
          if (version <= seq) {
            node[0] = value.length == 0 ? 0 : Codec.u64(value, 0);
          }
          return true;
        });
    if (current[0] != null && node[0] != 0) {
      children.put(current[0], node[0]);
    }
    return children;
  }

  static NodeState stateAt(ReadTransaction txn, long node, long seq) throws IOException {
    Map.Entry<byte[], byte[]> found =
        txn.last(
            "states",
            Codec.nodeKey(node, 0),
            seq == Long.MAX_VALUE ? Codec.nodeKey(node + 1, 0) : Codec.nodeKey(node, seq + 1));
    return found == null ? null : Codec.decodeState(found.getValue());
  }

  static List<Link> linksAt(ReadTransaction txn, long node, long seq) throws IOException {
    Map.Entry<byte[], byte[]> found =
        txn.last(
            "links",
            Codec.nodeKey(node, 0),
            seq == Long.MAX_VALUE ? Codec.nodeKey(node + 1, 0) : Codec.nodeKey(node, seq + 1));
    return found == null ? List.of() : Codec.decodeLinks(found.getValue());
  }

  /** The path of a node at {@code seq} (its first name), or null if it had none then. */
  private static byte[] pathOf(ReadTransaction txn, long node, long seq) throws IOException {
    List<byte[]> names = new ArrayList<>();
    Map<Long, Boolean> seen = new HashMap<>();
    long current = node;
    while (current != ROOT) {
      if (seen.put(current, Boolean.TRUE) != null) {
        throw new IllegalStateException("the version store's tree has a cycle at node " + node);
      }
      List<Link> links = linksAt(txn, current, seq);
      if (links.isEmpty()) {
        return null;
      }
      names.add(links.get(0).name);
      current = links.get(0).parent;
    }
    byte[][] parts = new byte[names.size() * 2 - (names.isEmpty() ? 0 : 1)][];
    for (int i = 0; i < names.size(); i++) {
      parts[2 * i] = names.get(names.size() - 1 - i);
      if (2 * i + 1 < parts.length) {
        parts[2 * i + 1] = new byte[] {'/'};
      }
    }
    return Codec.concat(parts);
  }

  private static boolean below(byte[] path, byte[] prefix) {
    if (path == null) {
      return false;
    }
    if (prefix.length == 0) {
      return true;
    }
    if (path.length < prefix.length
        || !Arrays.equals(path, 0, prefix.length, prefix, 0, prefix.length)) {
      return false;
    }
    return path.length == prefix.length || path[prefix.length] == '/';
  }

  static byte[] parentOf(byte[] path) {
    int slash = lastIndexOf(path, (byte) '/');
    return slash < 0 ? EMPTY : Arrays.copyOf(path, slash);
  }

  static byte[] nameOf(byte[] path) {
    int slash = lastIndexOf(path, (byte) '/');
    return Arrays.copyOfRange(path, slash + 1, path.length);
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return bytes.length;
  }

  private static int lastIndexOf(byte[] bytes, byte b) {
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** A user's path as the store's bytes: relative, no leading or trailing slash. */
  static byte[] pathBytes(String path) {
    String p = path;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.equals(".") ? EMPTY : p.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] path) {
    return new String(path, StandardCharsets.UTF_8);
  }
}
