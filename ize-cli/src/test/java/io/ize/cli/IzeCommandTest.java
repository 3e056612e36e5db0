package io.ize.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.api.VersionStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ize} command through its entry point, against a store a real mount recorded. */
class IzeCommandTest {
  @TempDir Path tmp;

  private String[] result;

  private int ize(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = IzeCommand.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    result = new String[] {out.toString(), err.toString()};
    return code;
  }

  @Test
  void historyCommandsReadWhatAMountRecorded() throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    Path source = Files.createDirectories(tmp.resolve("src"));
    Path target = Files.createDirectories(tmp.resolve("mnt"));
    Path store = tmp.resolve("store");
    try (VersionStore versions = VersionStore.open("lmdb", store);
        Mount mount = Ize.mount(source, target, versions)) {
      Files.writeString(target.resolve("notes.txt"), "first\n");
      Files.writeString(target.resolve("notes.txt"), "second\n");
      Files.move(target.resolve("notes.txt"), target.resolve("renamed.txt"));
    }
    String s = store.toString();

    assertThat(ize("log", "--store", s)).isZero();
    assertThat(result[0]).contains("CREATE notes.txt", "RENAME notes.txt -> renamed.txt");

    assertThat(ize("history", "renamed.txt", "--store", s)).isZero();
    assertThat(result[0].lines())
        .hasSizeGreaterThanOrEqualTo(4)
        .last()
        .asString()
        .contains("renamed.txt");

    assertThat(ize("snapshot", "mine", "--store", s)).isZero();
    assertThat(ize("snapshots", "--store", s)).isZero();
    assertThat(result[0]).startsWith("mine ");

    assertThat(ize("diff", "0", "mine", "--store", s)).isZero();
    assertThat(result[0]).contains("CREATED renamed.txt", "+second");

    assertThat(ize("status", "--store", s)).isZero();
    assertThat(result[0]).contains("records:");

    assertThat(ize("restore", "--to", "2", "--store", s, "--source", source.toString())).isZero();
    assertThat(Files.readString(source.resolve("notes.txt"))).isEqualTo("first\n");
    assertThat(source.resolve("renamed.txt")).doesNotExist();

    assertThat(ize("show", "nowhere.txt@1", "--store", s)).isEqualTo(1);
    assertThat(result[1]).startsWith("ize: ").contains("nowhere.txt");
    assertThat(ize("log", "--no-such-option")).isEqualTo(2);
  }
}
