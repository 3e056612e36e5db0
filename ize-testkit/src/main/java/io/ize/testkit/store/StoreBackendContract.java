package io.ize.testkit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ize.spi.ReadTransaction;
import io.ize.spi.ReadTransaction.EntryVisitor;
import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import io.ize.spi.WriteTransaction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link StoreBackend} promises, as an abstract JUnit 5 test: a backend's test
 * extends it and names its provider.
 *
 * <pre>{@code
 * class LmdbBackendTest extends StoreBackendContract {
 *   @Override
 *   protected VersionStoreProvider provider() {
 *     return new LmdbProvider();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test opens fresh stores in its own temporary directory and closes them afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StoreBackendContract {
  /** The tables every store in the contract is opened with. */
  protected static final List<String> TABLES = List.of("alpha", "beta");

  private static final HexFormat HEX = HexFormat.of();

  /** Where the test's stores live; JUnit makes a new one for every test. */
  @TempDir protected Path temp;

  private final List<StoreBackend> opened = new ArrayList<>();

  /** The provider under test. */
  protected abstract VersionStoreProvider provider();

  /** The options the contract opens stores with; a subclass may override to test a setting. */
  protected Map<String, String> options() {
    return Map.of();
  }

  /** Opens (or reopens) the test's default store; it is closed after the test. */
  protected final StoreBackend open() throws IOException {
    return open(temp.resolve("store"));
  }

  /** Opens the store in {@code directory} with {@link #options()}; it is closed after the test. */
  protected final StoreBackend open(Path directory) throws IOException {
    StoreBackend store = provider().open(directory, TABLES, options());
    opened.add(store);
    return store;
  }

  @AfterEach
  final void closeStores() throws IOException {
    for (StoreBackend store : opened) {
      store.close();
    }
  }

  // ============================================================ identity

  @Test
  void providerIsNamedAndRegistered() {
    VersionStoreProvider provider = provider();
    assertThat(provider.name()).matches("[a-z][a-z0-9-]*");
    assertThat(provider.artifact()).matches("[\\w.-]+:[\\w.-]+");
    List<String> registered = new ArrayList<>();
    for (VersionStoreProvider found : ServiceLoader.load(VersionStoreProvider.class)) {
      if (found.getClass() == provider.getClass()) {
        registered.add(found.name());
      }
    }
    assertThat(registered)
        .as("META-INF/services/io.ize.spi.VersionStoreProvider lists the provider")
        .containsExactly(provider.name());
  }

  @Test
  void directoryIsTheOneOpenedAndIsCreatedIfMissing() throws IOException {
    Path nested = temp.resolve("not").resolve("there").resolve("yet");
    StoreBackend store = open(nested);
    assertThat(store.directory().toAbsolutePath().normalize())
        .isEqualTo(nested.toAbsolutePath().normalize());
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("v")));
    store.close();
    assertThat(get(open(nested), "alpha", utf8("k"))).isEqualTo(utf8("v"));
  }

  // ============================================================ get, put, delete

  @Test
  void putIsReadBackWithinTheTransactionAndAfterCommit() throws IOException {
    StoreBackend store = open();
    try (WriteTransaction txn = store.write()) {
      assertThat(txn.get("alpha", utf8("k"))).isNull();
      txn.put("alpha", utf8("k"), utf8("v1"));
      assertThat(txn.get("alpha", utf8("k"))).isEqualTo(utf8("v1"));
      txn.put("alpha", utf8("k"), utf8("v2"));
      assertThat(txn.get("alpha", utf8("k"))).isEqualTo(utf8("v2"));
      txn.commit();
    }
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("v2"));
    assertThat(get(store, "alpha", utf8("absent"))).isNull();
  }

  @Test
  void putReplacesAndDeleteRemoves() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("first")));
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("second, and longer")));
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("second, and longer"));
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("3")));
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("3"));

    try (WriteTransaction txn = store.write()) {
      txn.delete("alpha", utf8("k"));
      assertThat(txn.get("alpha", utf8("k"))).isNull();
      txn.delete("alpha", utf8("never there"));
      txn.commit();
    }
    assertThat(get(store, "alpha", utf8("k"))).isNull();
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).isEmpty();

    // Deleted, then put again in one transaction: the put wins.
    try (WriteTransaction txn = store.write()) {
      txn.delete("alpha", utf8("k"));
      txn.put("alpha", utf8("k"), utf8("back"));
      txn.commit();
    }
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("back"));
  }

  @Test
  void containsAgreesWithGetInsideAndOutsideTheWriteTransaction() throws IOException {
    StoreBackend store = open();
    commit(
        store,
        txn -> {
          txn.put("alpha", utf8("kept"), utf8("v"));
          txn.put("alpha", utf8("empty"), new byte[0]);
          txn.put("alpha", utf8("gone"), utf8("v"));
        });
    try (WriteTransaction txn = store.write()) {
      txn.delete("alpha", utf8("gone"));
      txn.put("alpha", utf8("new"), utf8("v"));
      assertThat(txn.contains("alpha", utf8("kept"))).isTrue();
      assertThat(txn.contains("alpha", utf8("empty"))).isTrue();
      assertThat(txn.contains("alpha", utf8("new"))).isTrue();
      assertThat(txn.contains("alpha", utf8("gone"))).isFalse();
      assertThat(txn.contains("alpha", utf8("never there"))).isFalse();
      assertThat(txn.contains("beta", utf8("kept"))).isFalse();
      assertThat(txn.contains("alpha", new byte[600])).isFalse();
      txn.commit();
    }
    try (ReadTransaction txn = store.read()) {
      assertThat(txn.contains("alpha", utf8("new"))).isTrue();
      assertThat(txn.contains("alpha", utf8("gone"))).isFalse();
      assertThat(txn.contains("alpha", utf8("empty"))).isTrue();
    }
  }

  @Test
  void anEmptyValueIsPresentNotAbsent() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", utf8("empty"), new byte[0]));
    assertThat(get(store, "alpha", utf8("empty"))).isNotNull().isEmpty();
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).containsExactly(hex("empty"));
  }

  @Test
  void tablesAreIndependent() throws IOException {
    StoreBackend store = open();
    commit(
        store,
        txn -> {
          txn.put("alpha", utf8("k"), utf8("in alpha"));
          txn.put("beta", utf8("k"), utf8("in beta"));
          txn.put("beta", utf8("only beta"), utf8("b"));
        });
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("in alpha"));
    assertThat(get(store, "beta", utf8("k"))).isEqualTo(utf8("in beta"));
    assertThat(get(store, "alpha", utf8("only beta"))).isNull();
    commit(store, txn -> txn.delete("alpha", utf8("k")));
    assertThat(get(store, "beta", utf8("k"))).isEqualTo(utf8("in beta"));
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).isEmpty();
    assertThat(scanKeys(store, "beta", new byte[0], null, false))
        .containsExactly(hex("k"), hex("only beta"));
  }

  @Test
  void anUnknownTableIsRejectedByName() throws IOException {
    StoreBackend store = open();
    try (ReadTransaction txn = store.read()) {
      assertThatThrownBy(() -> txn.get("no_such_table", utf8("k")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no_such_table");
      assertThatThrownBy(() -> txn.scan("no_such_table", new byte[0], null, false, (k, v) -> true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no_such_table");
    }
    try (WriteTransaction txn = store.write()) {
      assertThatThrownBy(() -> txn.put("no_such_table", utf8("k"), utf8("v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no_such_table");
      assertThatThrownBy(() -> txn.delete("no_such_table", utf8("k")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no_such_table");
    }
  }

  @Test
  void arraysPassedInAndHandedOutAreNotShared() throws IOException {
    StoreBackend store = open();
    byte[] key = utf8("key");
    byte[] value = utf8("value");
    try (WriteTransaction txn = store.write()) {
      txn.put("alpha", key, value);
      key[0] = 'X';
      value[0] = 'X';
      txn.get("alpha", utf8("key"))[0] = 'Y';
      txn.scan(
          "alpha",
          new byte[0],
          null,
          false,
          (k, v) -> {
            k[0] = 'Z';
            v[0] = 'Z';
            return true;
          });
      assertThat(txn.get("alpha", utf8("key"))).isEqualTo(utf8("value"));
      txn.commit();
    }
    try (ReadTransaction txn = store.read()) {
      txn.get("alpha", utf8("key"))[0] = 'Y';
      txn.scan(
          "alpha",
          new byte[0],
          null,
          false,
          (k, v) -> {
            k[0] = 'Z';
            v[0] = 'Z';
            return true;
          });
      assertThat(txn.get("alpha", utf8("key"))).isEqualTo(utf8("value"));
    }
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).containsExactly(hex("key"));
  }

  // ============================================================ ordering and scans

  /** Keys in unsigned lexicographic order: high bits after low, a prefix before longer keys. */
  private static final List<byte[]> ORDERED =
      List.of(
          bytes(0x00),
          bytes(0x00, 0x00),
          bytes(0x00, 0xff),
          bytes(0x01),
          bytes(0x7f),
          bytes(0x7f, 0xff, 0xff),
          bytes(0x80),
          bytes(0x80, 0x00),
          bytes(0x80, 0x00, 0x01),
          bytes(0xfe, 0xff),
          bytes(0xff),
          bytes(0xff, 0x00),
          bytes(0xff, 0xff, 0xff, 0xff));

  @Test
  void keysCompareAsUnsignedBytesPrefixFirst() throws IOException {
    StoreBackend store = open();
    List<byte[]> shuffled = new ArrayList<>(ORDERED);
    Collections.shuffle(shuffled, new Random(7));
    List<String> expected = ORDERED.stream().map(HEX::formatHex).toList();
    List<String> reversed = new ArrayList<>(expected);
    Collections.reverse(reversed);

    // Half committed, half pending: the write transaction's merged view orders them too.
    List<byte[]> committed = shuffled.subList(0, shuffled.size() / 2);
    List<byte[]> pending = shuffled.subList(shuffled.size() / 2, shuffled.size());
    commit(
        store,
        txn -> {
          for (byte[] k : committed) {
            txn.put("alpha", k, k);
          }
        });
    try (WriteTransaction txn = store.write()) {
      for (byte[] k : pending) {
        txn.put("alpha", k, k);
      }
      assertThat(scanKeys(txn, "alpha", new byte[0], null, false)).isEqualTo(expected);
      assertThat(scanKeys(txn, "alpha", new byte[0], null, true)).isEqualTo(reversed);
      txn.commit();
    }
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).isEqualTo(expected);
    assertThat(scanKeys(store, "alpha", new byte[0], null, true)).isEqualTo(reversed);

    // 0x7f... sorts before 0x80..., which a signed comparison would get backwards.
    assertThat(scanKeys(store, "alpha", bytes(0x7f), bytes(0x80), false))
        .containsExactly("7f", "7fffff");
    assertThat(scanKeys(store, "alpha", bytes(0x80), bytes(0xff), false))
        .containsExactly("80", "8000", "800001", "feff");
    assertThat(scanKeys(store, "alpha", bytes(0xff), null, true))
        .containsExactly("ffffffff", "ff00", "ff");
    // A bound that is a prefix of keys: from is inclusive of the prefix, to excludes its
    // extensions.
    assertThat(scanKeys(store, "alpha", bytes(0x00), bytes(0x00, 0x00), false))
        .containsExactly("00");
    assertThat(scanKeys(store, "alpha", bytes(0x00, 0x00), bytes(0x01), true))
        .containsExactly("00ff", "0000");
  }

  @Test
  void scansHonourBoundsAndDirection() throws IOException {
    StoreBackend store = open();
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).isEmpty();
    assertThat(scanKeys(store, "alpha", new byte[0], null, true)).isEmpty();
    commit(
        store,
        txn -> {
          for (int i = 10; i <= 100; i += 10) {
            txn.put("alpha", key(i), utf8("v" + i));
          }
          txn.put("beta", key(55), utf8("other table"));
        });
    assertRange(store, key(30), key(70), 30, 40, 50, 60);
    assertRange(store, key(25), key(65), 30, 40, 50, 60);
    assertRange(store, key(30), null, 30, 40, 50, 60, 70, 80, 90, 100);
    assertRange(store, new byte[0], null, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100);
    assertRange(store, new byte[0], key(10));
    assertRange(store, new byte[0], key(11), 10);
    assertRange(store, key(100), null, 100);
    assertRange(store, key(101), null);
    assertRange(store, key(50), key(50));
    assertRange(store, key(60), key(40));
    assertRange(store, key(0), key(5));
    assertRange(store, key(95), key(1000), 100);
    assertRange(store, new byte[0], new byte[0]);

    // Values travel with their keys, in both directions.
    assertThat(entries(store, key(30), key(60), false))
        .containsExactly("30=v30", "40=v40", "50=v50");
    assertThat(entries(store, key(80), null, true)).containsExactly("100=v100", "90=v90", "80=v80");
  }

  @Test
  void aScanStopsWhenTheVisitorReturnsFalse() throws IOException {
    StoreBackend store = open();
    commit(
        store,
        txn -> {
          for (int i = 1; i <= 20; i++) {
            txn.put("alpha", key(i), utf8("v"));
          }
        });
    try (ReadTransaction txn = store.read()) {
      assertThat(firstN(txn, 3, false)).containsExactly(1, 2, 3);
      assertThat(firstN(txn, 3, true)).containsExactly(20, 19, 18);
      assertThat(firstN(txn, 1, false)).containsExactly(1);
    }
    try (WriteTransaction txn = store.write()) {
      txn.put("alpha", key(0), utf8("pending"));
      txn.delete("alpha", key(2));
      txn.put("alpha", key(21), utf8("pending"));
      assertThat(firstN(txn, 3, false)).containsExactly(0, 1, 3);
      assertThat(firstN(txn, 3, true)).containsExactly(21, 20, 19);
    }
  }

  @Test
  void lastIsTheGreatestKeyInItsRangeWithPendingChangesOverlaid() throws IOException {
    StoreBackend store = open();
    commit(
        store,
        txn -> {
          for (int i = 10; i <= 50; i += 10) {
            txn.put("alpha", key(i), utf8("v" + i));
          }
          txn.put("beta", key(45), utf8("other table"));
        });
    try (WriteTransaction txn = store.write()) {
      assertThat(lastKey(txn, key(0), key(45))).isEqualTo(40);
      assertThat(lastKey(txn, key(0), null)).isEqualTo(50);
      assertThat(lastKey(txn, key(41), key(50))).isNull();
      assertThat(lastKey(txn, key(0), key(10))).isNull();
      txn.put("alpha", key(44), utf8("pending"));
      assertThat(lastKey(txn, key(0), key(45))).isEqualTo(44);
      assertThat(str(txn.last("alpha", key(0), key(45)).getValue())).isEqualTo("pending");
      txn.put("alpha", key(40), utf8("replaced"));
      assertThat(str(txn.last("alpha", key(0), key(41)).getValue())).isEqualTo("replaced");
      txn.delete("alpha", key(44));
      txn.delete("alpha", key(40));
      // Deletions hide the committed last entry and the pending one: the answer lies further back.
      assertThat(lastKey(txn, key(0), key(45))).isEqualTo(30);
      txn.delete("alpha", key(50));
      assertThat(lastKey(txn, key(0), null)).isEqualTo(30);
      txn.delete("alpha", key(30));
      txn.delete("alpha", key(20));
      txn.delete("alpha", key(10));
      assertThat(lastKey(txn, new byte[0], null)).isNull();
      assertThat(lastKey(txn, key(0), key(0))).isNull();
      // Arrays handed out are the caller's: changing them changes nothing stored.
      txn.put("alpha", key(60), utf8("pending"));
      txn.last("alpha", key(0), null).getValue()[0] = 'X';
      assertThat(str(txn.get("alpha", key(60)))).isEqualTo("pending");
    }
    try (ReadTransaction txn = store.read()) {
      assertThat(lastKey(txn, key(0), null)).as("uncommitted changes are gone").isEqualTo(50);
      txn.last("alpha", key(0), null).getValue()[0] = 'X';
      assertThat(str(txn.last("alpha", key(0), null).getValue())).isEqualTo("v50");
      assertThat(lastKey(txn, key(45), key(50))).isNull();
    }
  }

  private static Integer lastKey(ReadTransaction txn, byte[] from, byte[] to) throws IOException {
    Map.Entry<byte[], byte[]> last = txn.last("alpha", from, to);
    return last == null ? null : ByteBuffer.wrap(last.getKey()).getInt();
  }

  @Test
  void keysOfUpTo511BytesAndLongerBoundsWork() throws IOException {
    StoreBackend store = open();
    byte[] lowLong = new byte[511];
    byte[] highLong = new byte[511];
    Arrays.fill(highLong, (byte) 0xff);
    byte[] middle = new byte[511];
    Arrays.fill(middle, (byte) 0x42);
    commit(
        store,
        txn -> {
          txn.put("alpha", lowLong, utf8("low"));
          txn.put("alpha", highLong, utf8("high"));
          txn.put("alpha", middle, utf8("middle"));
          txn.put("alpha", bytes(0x42), utf8("short"));
        });
    assertThat(get(store, "alpha", highLong)).isEqualTo(utf8("high"));
    assertThat(get(store, "alpha", lowLong)).isEqualTo(utf8("low"));
    assertThat(scanKeys(store, "alpha", new byte[0], null, false))
        .containsExactly(
            HEX.formatHex(lowLong), "42", HEX.formatHex(middle), HEX.formatHex(highLong));

    // Bounds may be longer than any key: 0x42 * 600 lies just after the 511-byte key of 0x42.
    byte[] longBound = new byte[600];
    Arrays.fill(longBound, (byte) 0x42);
    assertThat(scanKeys(store, "alpha", longBound, null, false))
        .containsExactly(HEX.formatHex(highLong));
    assertThat(scanKeys(store, "alpha", new byte[0], longBound, true))
        .containsExactly(HEX.formatHex(middle), "42", HEX.formatHex(lowLong));
    try (ReadTransaction txn = store.read()) {
      assertThat(txn.last("alpha", new byte[0], longBound).getKey()).isEqualTo(middle);
      assertThat(txn.last("alpha", longBound, null).getKey()).isEqualTo(highLong);
    }
    assertThat(get(store, "alpha", longBound)).isNull();
  }

  @Test
  void randomOperationsAgreeWithASortedMapModel() throws IOException {
    StoreBackend store = open();
    Random random = new Random(20240917);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    int[] alphabet = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
    for (int round = 0; round < 40; round++) {
      NavigableMap<byte[], byte[]> pending = new TreeMap<>(model);
      try (WriteTransaction txn = store.write()) {
        for (int op = 0; op < 40; op++) {
          byte[] key = randomKey(random, alphabet);
          switch (random.nextInt(5)) {
            case 0, 1 -> {
              byte[] value = new byte[random.nextInt(40)];
              random.nextBytes(value);
              txn.put("alpha", key, value);
              pending.put(key, value);
            }
            case 2 -> {
              txn.delete("alpha", key);
              pending.remove(key);
            }
            case 3 -> assertThat(txn.get("alpha", key)).isEqualTo(pending.get(key));
            default -> assertScanAgrees(txn, pending, random, alphabet);
          }
        }
        if (random.nextInt(5) > 0) {
          txn.commit();
          model = pending;
        }
      }
      try (ReadTransaction txn = store.read()) {
        assertThat(scanKeys(txn, "alpha", new byte[0], null, false))
            .isEqualTo(model.keySet().stream().map(HEX::formatHex).toList());
        for (int i = 0; i < 5; i++) {
          assertScanAgrees(txn, model, random, alphabet);
        }
      }
    }
  }

  // ============================================================ size

  @Test
  void largeValuesRoundTrip() throws IOException {
    StoreBackend store = open();
    Random random = new Random(3);
    byte[] fourMib = new byte[4 << 20];
    random.nextBytes(fourMib);
    byte[] oneMib = new byte[1 << 20];
    random.nextBytes(oneMib);
    commit(
        store,
        txn -> {
          txn.put("alpha", utf8("four"), fourMib);
          txn.put("alpha", utf8("one"), oneMib);
          txn.put("alpha", utf8("small"), utf8("s"));
          assertThat(txn.get("alpha", utf8("four"))).isEqualTo(fourMib);
        });
    assertThat(get(store, "alpha", utf8("four"))).isEqualTo(fourMib);
    assertThat(get(store, "alpha", utf8("one"))).isEqualTo(oneMib);
    assertThat(store.sizeOnDisk()).isGreaterThanOrEqualTo(5L << 20);

    // Shrink one, replace another by a different large value.
    byte[] otherFour = new byte[4 << 20];
    random.nextBytes(otherFour);
    commit(
        store,
        txn -> {
          txn.put("alpha", utf8("one"), utf8("now small"));
          txn.put("alpha", utf8("four"), otherFour);
        });
    store.close();
    StoreBackend reopened = open();
    assertThat(get(reopened, "alpha", utf8("four"))).isEqualTo(otherFour);
    assertThat(get(reopened, "alpha", utf8("one"))).isEqualTo(utf8("now small"));
    assertThat(get(reopened, "alpha", utf8("small"))).isEqualTo(utf8("s"));
  }

  @Test
  void oneHundredThousandKeysInFourTransactions() throws IOException {
    StoreBackend store = open();
    int total = 100_000;
    int perTxn = total / 4;
    for (int t = 0; t < 4; t++) {
      int start = t * perTxn;
      commit(
          store,
          txn -> {
            for (int i = start; i < start + perTxn; i++) {
              txn.put("alpha", key(i), value(i));
            }
          });
    }
    AtomicInteger count = new AtomicInteger();
    AtomicBoolean ordered = new AtomicBoolean(true);
    try (ReadTransaction txn = store.read()) {
      txn.scan(
          "alpha",
          new byte[0],
          null,
          false,
          (k, v) -> {
            int expected = count.getAndIncrement();
            if (ByteBuffer.wrap(k).getInt() != expected || !Arrays.equals(v, value(expected))) {
              ordered.set(false);
            }
            return true;
          });
      Random random = new Random(11);
      for (int i = 0; i < 1000; i++) {
        int k = random.nextInt(total);
        assertThat(txn.get("alpha", key(k))).isEqualTo(value(k));
      }
      assertThat(ints(scanKeys(txn, "alpha", key(total - 3), null, true)))
          .containsExactly(total - 1, total - 2, total - 3);
    }
    assertThat(count).hasValue(total);
    assertThat(ordered).isTrue();
    assertThat(store.sizeOnDisk()).isGreaterThan(0);
  }

  @Test
  void sizeOnDiskCountsWhatWasWritten() throws IOException {
    StoreBackend store = open();
    byte[] value = new byte[1 << 20];
    new Random(5).nextBytes(value);
    commit(store, txn -> txn.put("alpha", utf8("k"), value));
    assertThat(store.sizeOnDisk()).isGreaterThanOrEqualTo(value.length);
  }

  // ============================================================ transactions

  @Test
  void aReadTransactionIsASnapshotIsolatedFromLaterCommits() throws Exception {
    StoreBackend store = open();
    commit(
        store,
        txn -> {
          txn.put("alpha", utf8("changed"), utf8("old"));
          txn.put("alpha", utf8("deleted"), utf8("old"));
        });
    ExecutorService writer = Executors.newSingleThreadExecutor();
    ReadTransaction before = store.read();
    try {
      assertThat(before.get("alpha", utf8("changed"))).isEqualTo(utf8("old"));
      // The commit runs on another thread: a backend may make it wait for this reader to close
      // (a shared/exclusive lock) or let it finish at once (MVCC); either way this reader must
      // not see it.
      CountDownLatch committing = new CountDownLatch(1);
      Future<?> commit =
          writer.submit(
              () -> {
                try (WriteTransaction txn = store.write()) {
                  txn.put("alpha", utf8("changed"), utf8("new"));
                  txn.delete("alpha", utf8("deleted"));
                  txn.put("alpha", utf8("added"), utf8("new"));
                  committing.countDown();
                  txn.commit();
                }
                return null;
              });
      assertThat(committing.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        commit.get(300, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException waitingForReaders) {
        // Allowed: the commit waits for this reader.
      }
      assertThat(before.get("alpha", utf8("changed"))).isEqualTo(utf8("old"));
      assertThat(before.get("alpha", utf8("deleted"))).isEqualTo(utf8("old"));
      assertThat(before.get("alpha", utf8("added"))).isNull();
      assertThat(scanKeys(before, "alpha", new byte[0], null, false))
          .containsExactly(hex("changed"), hex("deleted"));
      before.close();
      commit.get(30, TimeUnit.SECONDS);
    } finally {
      before.close();
      writer.shutdownNow();
    }
    try (ReadTransaction after = store.read()) {
      assertThat(after.get("alpha", utf8("changed"))).isEqualTo(utf8("new"));
      assertThat(after.get("alpha", utf8("deleted"))).isNull();
      assertThat(scanKeys(after, "alpha", new byte[0], null, false))
          .containsExactly(hex("added"), hex("changed"));
    }
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aThreadHoldingAReaderCanOpenAnotherWhileACommitIsPending() throws Exception {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("old")));
    ExecutorService writer = Executors.newSingleThreadExecutor();
    ReadTransaction outer = store.read();
    try {
      CountDownLatch committing = new CountDownLatch(1);
      Future<?> commit =
          writer.submit(
              () -> {
                try (WriteTransaction txn = store.write()) {
                  txn.put("alpha", utf8("k"), utf8("new"));
                  committing.countDown();
                  txn.commit();
                }
                return null;
              });
      assertThat(committing.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(100); // lets a commit that waits for readers start waiting
      // A backend whose commit waits for open readers must still admit this thread's second
      // reader: queueing it behind the commit, which waits for the first, would deadlock.
      try (ReadTransaction inner = store.read()) {
        assertThat(inner.get("alpha", utf8("k"))).isIn(utf8("old"), utf8("new"));
      }
      assertThat(outer.get("alpha", utf8("k"))).isEqualTo(utf8("old"));
      outer.close();
      commit.get(10, TimeUnit.SECONDS);
    } finally {
      outer.close();
      writer.shutdownNow();
    }
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("new"));
  }

  @Test
  void uncommittedWritesAreInvisibleToReaders() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("committed")));
    try (WriteTransaction txn = store.write()) {
      txn.put("alpha", utf8("k"), utf8("pending"));
      txn.put("alpha", utf8("new"), utf8("pending"));
      try (ReadTransaction reader = store.read()) {
        assertThat(reader.get("alpha", utf8("k"))).isEqualTo(utf8("committed"));
        assertThat(reader.get("alpha", utf8("new"))).isNull();
        assertThat(scanKeys(reader, "alpha", new byte[0], null, false)).containsExactly(hex("k"));
      }
    }
  }

  @Test
  void aWriteTransactionClosedWithoutCommitRollsBack() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", utf8("kept"), utf8("v")));
    try (WriteTransaction txn = store.write()) {
      txn.put("alpha", utf8("dropped"), utf8("v"));
      txn.delete("alpha", utf8("kept"));
    }
    assertThat(get(store, "alpha", utf8("dropped"))).isNull();
    assertThat(get(store, "alpha", utf8("kept"))).isEqualTo(utf8("v"));
    // The next write transaction can be opened at once and starts clean.
    try (WriteTransaction txn = store.write()) {
      assertThat(txn.get("alpha", utf8("dropped"))).isNull();
      txn.put("alpha", utf8("later"), utf8("v"));
      txn.commit();
    }
    store.close();
    StoreBackend reopened = open();
    assertThat(scanKeys(reopened, "alpha", new byte[0], null, false))
        .containsExactly(hex("kept"), hex("later"));
  }

  @Test
  void committedDataSurvivesCloseAndReopen() throws IOException {
    StoreBackend store = open();
    commit(
        store,
        txn -> {
          txn.put("alpha", utf8("a"), utf8("1"));
          txn.put("beta", utf8("b"), utf8("2"));
        });
    commit(store, txn -> txn.delete("alpha", utf8("a")));
    commit(store, txn -> txn.put("alpha", utf8("c"), utf8("3")));
    store.close();

    StoreBackend reopened = open();
    assertThat(get(reopened, "alpha", utf8("a"))).isNull();
    assertThat(get(reopened, "alpha", utf8("c"))).isEqualTo(utf8("3"));
    assertThat(get(reopened, "beta", utf8("b"))).isEqualTo(utf8("2"));
    commit(reopened, txn -> txn.put("alpha", utf8("d"), utf8("4")));
    reopened.close();
    assertThat(scanKeys(open(), "alpha", new byte[0], null, false))
        .containsExactly(hex("c"), hex("d"));
  }

  @Test
  void eightReadersSeeConsistentSnapshotsWhileCommitsStream() throws Exception {
    StoreBackend store = open();
    int keys = 10;
    commit(
        store,
        txn -> {
          for (int k = 0; k < keys; k++) {
            txn.put("alpha", key(k), key(0));
          }
        });
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger generation = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try {
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 8; r++) {
        readers.add(
            pool.submit(
                () -> {
                  int reads = 0;
                  int last = 0;
                  while (writing.get() || reads < 20) {
                    try (ReadTransaction txn = store.read()) {
                      // Every key holds the same generation in every snapshot.
                      int first = ByteBuffer.wrap(txn.get("alpha", key(0))).getInt();
                      List<Integer> seen = new ArrayList<>();
                      txn.scan(
                          "alpha",
                          new byte[0],
                          null,
                          false,
                          (k, v) -> seen.add(ByteBuffer.wrap(v).getInt()));
                      int again = ByteBuffer.wrap(txn.get("alpha", key(keys - 1))).getInt();
                      assertThat(seen).hasSize(keys).containsOnly(first);
                      assertThat(again).isEqualTo(first);
                      // Snapshots never go back in time.
                      assertThat(first).isGreaterThanOrEqualTo(last);
                      last = first;
                    }
                    reads++;
                  }
                  return reads;
                }));
      }
      Future<?> writer =
          pool.submit(
              () -> {
                try {
                  long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                  for (int g = 1; g <= 150 && System.nanoTime() < deadline; g++) {
                    int value = g;
                    commit(
                        store,
                        txn -> {
                          for (int k = 0; k < keys; k++) {
                            txn.put("alpha", key(k), key(value));
                          }
                        });
                    generation.set(g);
                  }
                } finally {
                  writing.set(false);
                }
                return null;
              });
      writer.get(45, TimeUnit.SECONDS);
      for (Future<Integer> reader : readers) {
        assertThat(reader.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(20);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(generation.get()).isPositive();
    assertThat(get(store, "alpha", key(keys - 1))).isEqualTo(key(generation.get()));
  }

  // ============================================================ lifecycle and misuse

  @Test
  void closeIsSafeTwiceAndAClosedStoreRefusesTransactions() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("v")));
    store.close();
    store.close();
    String name = store.directory().getFileName().toString();
    assertThatThrownBy(store::read)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name);
    assertThatThrownBy(store::write)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(name);
  }

  @Test
  void aClosedTransactionRefusesUse() throws IOException {
    StoreBackend store = open();
    ReadTransaction read = store.read();
    read.close();
    read.close();
    assertThatThrownBy(() -> read.get("alpha", utf8("k")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> read.scan("alpha", new byte[0], null, false, (k, v) -> true))
        .isInstanceOf(IllegalStateException.class);

    WriteTransaction rolledBack = store.write();
    rolledBack.put("alpha", utf8("k"), utf8("v"));
    rolledBack.close();
    rolledBack.close();
    assertThatThrownBy(() -> rolledBack.put("alpha", utf8("k"), utf8("v")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> rolledBack.get("alpha", utf8("k")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(rolledBack::commit).isInstanceOf(IllegalStateException.class);
    assertThat(get(store, "alpha", utf8("k"))).isNull();

    WriteTransaction committed = store.write();
    committed.put("alpha", utf8("k"), utf8("v"));
    committed.commit();
    committed.close();
    assertThatThrownBy(() -> committed.put("alpha", utf8("k2"), utf8("v")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(committed::commit).isInstanceOf(IllegalStateException.class);
    assertThat(scanKeys(store, "alpha", new byte[0], null, false)).containsExactly(hex("k"));
  }

  @Test
  void anUnknownOptionIsRejectedByName() throws IOException {
    Path directory = temp.resolve("options");
    Map<String, String> options = new TreeMap<>(options());
    options.put("noSuchOption", "1");
    assertThatThrownBy(() -> provider().open(directory, TABLES, options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("noSuchOption");
    // Nothing was left open: the directory opens normally afterwards.
    StoreBackend store = open(directory);
    commit(store, txn -> txn.put("alpha", utf8("k"), utf8("v")));
    assertThat(get(store, "alpha", utf8("k"))).isEqualTo(utf8("v"));
  }

  // ============================================================ helpers

  /** A write transaction's body. */
  @FunctionalInterface
  protected interface Body {
    /** Writes within the transaction. */
    void run(WriteTransaction txn) throws IOException;
  }

  /** Runs {@code body} in a write transaction and commits it. */
  protected static void commit(StoreBackend store, Body body) throws IOException {
    try (WriteTransaction txn = store.write()) {
      body.run(txn);
      txn.commit();
    }
  }

  /** The value of {@code key} in a fresh read transaction. */
  protected static byte[] get(StoreBackend store, String table, byte[] key) throws IOException {
    try (ReadTransaction txn = store.read()) {
      return txn.get(table, key);
    }
  }

  /** The keys a scan visits, in hex, in the order visited. */
  protected static List<String> scanKeys(
      StoreBackend store, String table, byte[] from, byte[] to, boolean reverse)
      throws IOException {
    try (ReadTransaction txn = store.read()) {
      return scanKeys(txn, table, from, to, reverse);
    }
  }

  /** The keys a scan visits, in hex, in the order visited. */
  protected static List<String> scanKeys(
      ReadTransaction txn, String table, byte[] from, byte[] to, boolean reverse)
      throws IOException {
    List<String> keys = new ArrayList<>();
    txn.scan(table, from, to, reverse, (k, v) -> keys.add(HEX.formatHex(k)));
    return keys;
  }

  /** A 4-byte big-endian key, so numeric and byte order agree for non-negative numbers. */
  protected static byte[] key(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  /** Bytes from ints, for writing keys with the high bit set. */
  protected static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  /** UTF-8 bytes of {@code s}. */
  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String hex(String s) {
    return HEX.formatHex(utf8(s));
  }

  private static byte[] value(int i) {
    return ByteBuffer.allocate(16).putInt(i).putInt(~i).putLong(i * 31L).array();
  }

  private static List<Integer> ints(List<String> hexKeys) {
    return hexKeys.stream().map(h -> ByteBuffer.wrap(HEX.parseHex(h)).getInt()).toList();
  }

  private static void assertRange(StoreBackend store, byte[] from, byte[] to, int... expected)
      throws IOException {
    List<Integer> ascending = Arrays.stream(expected).boxed().toList();
    List<Integer> descending = new ArrayList<>(ascending);
    Collections.reverse(descending);
    String range =
        "[" + HEX.formatHex(from) + ", " + (to == null ? "end" : HEX.formatHex(to)) + ")";
    assertThat(ints(scanKeys(store, "alpha", from, to, false))).as(range).isEqualTo(ascending);
    assertThat(ints(scanKeys(store, "alpha", from, to, true)))
        .as(range + " reversed")
        .isEqualTo(descending);
    try (ReadTransaction txn = store.read()) {
      assertThat(lastKey(txn, from, to))
          .as("last of " + range)
          .isEqualTo(descending.isEmpty() ? null : descending.get(0));
    }
  }

  private static List<String> entries(StoreBackend store, byte[] from, byte[] to, boolean reverse)
      throws IOException {
    List<String> entries = new ArrayList<>();
    try (ReadTransaction txn = store.read()) {
      txn.scan(
          "alpha",
          from,
          to,
          reverse,
          (k, v) -> entries.add(ByteBuffer.wrap(k).getInt() + "=" + str(v)));
    }
    return entries;
  }

  private static List<Integer> firstN(ReadTransaction txn, int n, boolean reverse)
      throws IOException {
    List<Integer> seen = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    EntryVisitor visitor =
        (k, v) -> {
          calls.incrementAndGet();
          seen.add(ByteBuffer.wrap(k).getInt());
          return seen.size() < n;
        };
    txn.scan("alpha", new byte[0], null, reverse, visitor);
    assertThat(calls).as("visits after the visitor returned false").hasValue(n);
    return seen;
  }

  private static byte[] randomKey(Random random, int[] alphabet) {
    byte[] key = new byte[1 + random.nextInt(3)];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) alphabet[random.nextInt(alphabet.length)];
    }
    return key;
  }

  private static void assertScanAgrees(
      ReadTransaction txn, NavigableMap<byte[], byte[]> model, Random random, int[] alphabet)
      throws IOException {
    byte[] from = random.nextInt(4) == 0 ? new byte[0] : randomKey(random, alphabet);
    byte[] to = random.nextInt(3) == 0 ? null : randomKey(random, alphabet);
    boolean reverse = random.nextBoolean();
    NavigableMap<byte[], byte[]> range;
    if (to == null) {
      range = model.tailMap(from, true);
    } else if (Arrays.compareUnsigned(from, to) >= 0) {
      range = Collections.emptyNavigableMap();
    } else {
      range = model.subMap(from, true, to, false);
    }
    if (reverse) {
      range = range.descendingMap();
    }
    List<String> expected = new ArrayList<>();
    range.forEach((k, v) -> expected.add(hexEntry(k, v)));
    List<String> actual = new ArrayList<>();
    txn.scan("alpha", from, to, reverse, (k, v) -> actual.add(hexEntry(k, v)));
    assertThat(actual)
        .as(
            "scan [%s, %s) reverse=%s",
            HEX.formatHex(from), to == null ? "end" : HEX.formatHex(to), reverse)
        .isEqualTo(expected);
    // The greatest key: the reversed view's first entry, the ascending view's last.
    assertThat(hexEntry(txn.last("alpha", from, to)))
        .as("last [%s, %s)", HEX.formatHex(from), to == null ? "end" : HEX.formatHex(to))
        .isEqualTo(hexEntry(reverse ? range.firstEntry() : range.lastEntry()));
  }

  private static String hexEntry(byte[] key, byte[] value) {
    return HEX.formatHex(key) + "=" + HEX.formatHex(value);
  }

  private static String hexEntry(Map.Entry<byte[], byte[]> entry) {
    return entry == null ? null : hexEntry(entry.getKey(), entry.getValue());
  }
}
