package io.ize.example;

import static io.ize.testkit.assertions.IzeAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.ize.Mount;
import io.ize.api.Snapshot;
import io.ize.testkit.IzeTest;
import io.ize.testkit.Mounted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The organizer run on a real mount: Ize records every change it makes, and the assertions say
 * exactly what it did. The class shares one mount and each test is rolled back to the fixture.
 */
@IzeTest(rollback = true)
class DownloadsOrganizerTest {
  @Mounted Path home;
  @Mounted Mount mount;
  @Mounted Snapshot start; // taken before each test; rolled back to after it

  @BeforeAll
  static void fixture(@Mounted Path home) throws IOException {
    Path downloads = Files.createDirectories(home.resolve("downloads"));
    Files.writeString(downloads.resolve("Report.PDF"), "%PDF-1.7");
    Files.writeString(downloads.resolve("photo.jpg"), "JFIF");
    Files.writeString(downloads.resolve("README"), "no extension");
    Files.writeString(downloads.resolve(".partial"), "hidden: still downloading");
    Files.createDirectories(downloads.resolve("pdf"));
    Files.writeString(downloads.resolve("pdf/photo.jpg"), "a jpg that someone put here");
    Files.createDirectories(home.resolve("documents"));
    Files.writeString(home.resolve("documents/letter.pdf"), "%PDF-1.4");
  }

  @Test
  void movesEachFileIntoItsExtensionsFolderAndTouchesNothingElse() throws IOException {
    int moved = DownloadsOrganizer.organize(home.resolve("downloads"));

    assertThat(moved).isEqualTo(3);
    assertThat(mount.changesSince(start.point()))
        .createdExactly("downloads/jpg", "downloads/other")
        .renamed("downloads/Report.PDF", "downloads/pdf/Report.PDF")
        .renamed("downloads/photo.jpg", "downloads/jpg/photo.jpg")
        .renamed("downloads/README", "downloads/other/README")
        .modifiedExactly()
        .deletedExactly()
        .nothingOutside("downloads");
  }

  @Test
  void aTakenNameGetsANumber() throws IOException {
    Files.createDirectories(home.resolve("downloads/jpg"));
    Files.writeString(home.resolve("downloads/jpg/photo.jpg"), "an older photo");
    Snapshot before = mount.snapshot("before-organize");

    DownloadsOrganizer.organize(home.resolve("downloads"));

    assertThat(mount.changesSince(before.point()))
        .renamed("downloads/photo.jpg", "downloads/jpg/photo (1).jpg");
    assertThat(mount, "downloads/jpg/photo.jpg").hasVersions(2); // created, written: not replaced
  }

  @Test
  void aSecondRunChangesNothing() throws IOException {
    DownloadsOrganizer.organize(home.resolve("downloads"));
    Snapshot afterFirst = mount.snapshot("after-first-run");

    assertThat(DownloadsOrganizer.organize(home.resolve("downloads"))).isZero();
    assertThat(mount.changesSince(afterFirst.point())).isEmpty();
  }

  @Test
  void eachTestStartsFromTheFixture() {
    // Whatever ran before, the rollback put the downloads back where the fixture left them.
    assertThat(home.resolve("downloads/Report.PDF")).hasContent("%PDF-1.7");
    assertThat(home.resolve("downloads/other")).doesNotExist();
  }
}
