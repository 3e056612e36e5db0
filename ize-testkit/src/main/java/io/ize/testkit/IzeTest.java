package io.ize.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;

/**
 * Runs a test class with a live Ize mount over a fresh temporary directory, handed to fields and
 * parameters marked {@link Mounted}.
 *
 * <pre>{@code
 * @IzeTest
 * class OrganizerTest {
 *   @Test
 *   void sortsByExtension(@Mounted Path dir, @Mounted Mount mount) throws IOException {
 *     Files.writeString(dir.resolve("a.pdf"), "%PDF");
 *     Snapshot before = mount.snapshot("before-organize");
 *     DownloadsOrganizer.organize(dir);
 *     assertThat(mount.changesSince(before.point()))
 *         .createdExactly("pdf")
 *         .renamed("a.pdf", "pdf/a.pdf")
 *         .nothingOutside("");
 *   }
 * }
 * }</pre>
 *
 * <p><b>Where.</b> Each mount gets its own directory {@code ize-test-*} under {@code
 * java.io.tmpdir}, holding {@code tree/} (mounted over itself, so the injected {@code Path} is a
 * real directory that still holds the files after the mount is gone, and paths in failure messages
 * lead straight to them) and {@code store/} (the version store).
 *
 * <p><b>Lifecycle.</b> By default every test method gets its own mount and store, made before its
 * {@code @BeforeEach} methods and unmounted after its {@code @AfterEach} methods. With {@link
 * #rollback()} the class shares one mount, made before its {@code @BeforeAll} methods (which may
 * then take {@code @Mounted} parameters, as may static fields) and unmounted after its
 * {@code @AfterAll} methods; before each test the extension takes the snapshot {@code
 * before-<method>}, and after it restores the tree to that snapshot through the mount, so each test
 * starts from the same tree and the rollback is itself recorded.
 *
 * <p><b>Cleanup.</b> The mount and the store are kept in JUnit's extension store and closed by it,
 * so they are unmounted even when a test or a callback throws. Then, by {@link #cleanup()}, the
 * directory is deleted ({@code ALWAYS}), kept if the test failed ({@code ON_SUCCESS}) or always
 * kept ({@code NEVER}); {@code DEFAULT} follows the {@code
 * junit.jupiter.tempdir.cleanup.mode.default} configuration parameter, as {@code @TempDir} does,
 * else {@code ALWAYS}. A kept directory also holds {@code history.txt} (every record and snapshot,
 * since a memory store dies with the JVM), and its place is printed to standard error and published
 * as the report entry {@code ize.kept}. With {@link #rollback()}, a failing test's tree is copied
 * to {@code failed-<method>/} and labelled with the snapshot {@code failed-<method>} before the
 * rollback.
 *
 * <p><b>Without FUSE</b> (no {@code /dev/fuse}, no libfuse 2, or no right to mount) the class is
 * skipped with the reason. Misuse ({@code @Mounted} on an element of another type, a final field, a
 * static field or a {@code @BeforeAll} parameter without {@link #rollback()}, a constructor
 * parameter) fails with an {@link org.junit.jupiter.api.extension.ExtensionConfigurationException}
 * naming the element.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(IzeExtension.class)
public @interface IzeTest {
  /**
   * The backend recording the mount, by provider name: {@code memory} (this module's reference
   * store: fast, no JVM flags, gone with the JVM), or {@code lmdb} or {@code mapdb} where their
   * jars are on the test class path (a kept store can then be read with {@code ize log --store}).
   */
  String backend() default "memory";

  /** Whether the class shares one mount and each test is rolled back to where it started. */
  boolean rollback() default false;

  /** When to delete the temporary directory, tree and history, after the mount is gone. */
  CleanupMode cleanup() default CleanupMode.DEFAULT;
}
