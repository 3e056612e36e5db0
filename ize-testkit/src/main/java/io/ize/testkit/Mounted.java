package io.ize.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field or parameter that {@link IzeTest} fills: a {@link java.nio.file.Path} (the mounted
 * directory), the {@link io.ize.Mount} (for history), or the {@link io.ize.api.Snapshot} the
 * current test started from.
 *
 * <pre>{@code
 * @IzeTest
 * class OrganizerTest {
 *   @Mounted Path home;
 *
 *   @Test
 *   void sortsByExtension(@Mounted Mount mount, @Mounted Snapshot start) throws IOException {
 *     Files.writeString(home.resolve("a.pdf"), "%PDF");
 *     Snapshot before = mount.snapshot("before-organize");
 *     DownloadsOrganizer.organize(home);
 *     assertThat(mount.changesSince(before.point()))
 *         .createdExactly("pdf")
 *         .renamed("a.pdf", "pdf/a.pdf");
 *   }
 * }
 * }</pre>
 *
 * <p>Fields must not be final; static fields and parameters of {@code @BeforeAll} and
 * {@code @AfterAll} methods need {@link IzeTest#rollback()} (one mount for the class) and cannot be
 * snapshots; constructor parameters are not filled.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
public @interface Mounted {}
