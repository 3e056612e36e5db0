package io.ize.spi;

import io.ize.spi.ReadTransaction.EntryVisitor;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The puts and deletes of one write transaction, held in memory until its commit applies them, for
 * a backend whose own transactions cannot hold them (LMDB loses a transaction that hits
 * MDB_MAP_FULL, so the commit must be replayable after growing the map; MapDB has one global
 * transaction that readers would see into). Reads in the write transaction overlay these on the
 * committed state. Not thread-safe: a write transaction is used by one thread.
 */
public final class PendingWrites {
  /** Marks a deleted key; compared by identity, never handed out. */
  public static final byte[] DELETED = new byte[0];

  /** What {@link #last} answers when a pending deletion hides the last entry. */
  public static final Map.Entry<byte[], byte[]> HIDDEN = Map.entry(new byte[0], new byte[0]);

  private final Map<String, NavigableMap<byte[], byte[]>> tables = new HashMap<>();
  private long bytes;

  /** Records a put; copies both arrays. */
  public void put(String table, byte[] key, byte[] value) {
    byte[] old = table(table).put(key.clone(), value.clone());
    bytes += key.length + value.length - (old == null ? 0 : old.length);
  }

  /** Records a deletion; copies the key. */
  public void delete(String table, byte[] key) {
    table(table).put(key.clone(), DELETED);
  }

  /** The pending value of {@code key}: null if untouched, {@link #DELETED}, or the value. */
  public byte[] lookup(String table, byte[] key) {
    NavigableMap<byte[], byte[]> pending = tables.get(table);
    return pending == null ? null : pending.get(key);
  }

  /** Whether no change is pending. */
  public boolean isEmpty() {
    return tables.isEmpty();
  }

  /** Roughly the bytes the changes add (to size a map's growth, say). */
  public long bytes() {
    return bytes;
  }

  /** The changes by table, each in key order; a deletion's value is {@link #DELETED}. */
  public Map<String, NavigableMap<byte[], byte[]>> tables() {
    return tables;
  }

  /** The pending changes to {@code table} within a scan's range, in the scan's order. */
  public Iterator<Map.Entry<byte[], byte[]>> range(
      String table, byte[] from, byte[] to, boolean reverse) {
    NavigableMap<byte[], byte[]> pending = tables.get(table);
    if (pending == null) {
      return Collections.emptyIterator();
    }
    NavigableMap<byte[], byte[]> range =
        to == null ? pending.tailMap(from, true) : pending.subMap(from, true, to, false);
    return (reverse ? range.descendingMap() : range).entrySet().iterator();
  }

  /**
   * The last entry of {@code from <= key < to} ({@code to} null for no bound), given the last
   * committed one there (or null), with the pending changes overlaid; {@link #HIDDEN} if a pending
   * deletion hides the last entry, when the caller must scan further back. Arrays handed out are
   * copies.
   */
  public Map.Entry<byte[], byte[]> last(
      String table, byte[] from, byte[] to, Map.Entry<byte[], byte[]> committed) {
    NavigableMap<byte[], byte[]> pending = tables.get(table);
    Map.Entry<byte[], byte[]> change = pending == null ? null : lastIn(pending, from, to);
    if (change == null
        || committed != null && Arrays.compareUnsigned(change.getKey(), committed.getKey()) < 0) {
      return committed;
    }
    return change.getValue() == DELETED
        ? HIDDEN
        : Map.entry(change.getKey().clone(), change.getValue().clone());
  }

  /**
   * The entry of {@code map} (ordered by unsigned bytes) with the greatest key in {@code from <=
   * key < to} ({@code to} null for no bound), or null; the map's own entry, not a copy. For
   * backends that keep a table in a navigable map, and for the pending changes here.
   */
  public static <V> Map.Entry<byte[], V> lastIn(
      NavigableMap<byte[], V> map, byte[] from, byte[] to) {
    Map.Entry<byte[], V> last = to == null ? map.lastEntry() : map.lowerEntry(to);
    return last == null || Arrays.compareUnsigned(last.getKey(), from) < 0 ? null : last;
  }

  private NavigableMap<byte[], byte[]> table(String table) {
    return tables.computeIfAbsent(table, t -> new TreeMap<>(Arrays::compareUnsigned));
  }

  /**
   * Visits the union of committed entries and pending changes, both already in the scan's order; a
   * pending change replaces the committed entry with the same key, and deletions hide it.
   */
  public static void merge(
      Iterator<Map.Entry<byte[], byte[]>> committed,
      Iterator<Map.Entry<byte[], byte[]>> pending,
      boolean reverse,
      EntryVisitor visitor)
      throws IOException {
    Map.Entry<byte[], byte[]> c = committed.hasNext() ? committed.next() : null;
    Map.Entry<byte[], byte[]> p = pending.hasNext() ? pending.next() : null;
    while (c != null || p != null) {
      int order;
      if (c == null) {
        order = 1;
      } else if (p == null) {
        order = -1;
      } else {
        order = Arrays.compareUnsigned(c.getKey(), p.getKey());
        if (reverse) {
          order = -order;
        }
      }
      byte[] key;
      byte[] value;
      if (order < 0) {
        key = c.getKey();
        value = c.getValue();
        c = committed.hasNext() ? committed.next() : null;
      } else {
        if (order == 0) {
          c = committed.hasNext() ? committed.next() : null;
        }
        key = p.getKey().clone();
        value = p.getValue() == DELETED ? null : p.getValue().clone();
        p = pending.hasNext() ? pending.next() : null;
        if (value == null) {
          continue;
        }
      }
      if (!visitor.visit(key, value)) {
        return;
      }
    }
  }
}
