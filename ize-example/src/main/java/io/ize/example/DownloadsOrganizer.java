package io.ize.example;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Sorts the files at the top of a downloads directory into one subdirectory per extension: {@code
 * Report.PDF} goes to {@code pdf/Report.PDF}, a file without an extension to {@code other/}, and a
 * name already taken there becomes {@code Report (1).PDF}. Directories, hidden files and symbolic
 * links stay where they are, and nothing outside the directory is touched.
 *
 * <pre>{@code
 * int moved = DownloadsOrganizer.organize(Path.of(System.getProperty("user.home"), "Downloads"));
 * }</pre>
 */
public final class DownloadsOrganizer {
  private DownloadsOrganizer() {}

  /** Organizes the directory named by the one argument. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: DownloadsOrganizer DIRECTORY");
      System.exit(2);
    }
    System.out.println("moved " + organize(Path.of(args[0])) + " files");
  }

  /**
   * Moves every regular, non-hidden file directly in {@code downloads} into the subdirectory named
   * after its extension, lowercased.
   *
   * @return how many files moved
   * @throws NotDirectoryException if {@code downloads} is not a directory
   */
  public static int organize(Path downloads) throws IOException {
    if (!Files.isDirectory(downloads)) {
      throw new NotDirectoryException(downloads.toString());
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(downloads)) {
      files =
          entries
              .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted()
              .collect(Collectors.toList());
    }
    for (Path file : files) {
      Path folder = Files.createDirectories(downloads.resolve(folderFor(file.getFileName())));
      Files.move(file, freeName(folder, file.getFileName().toString()));
    }
    return files.size();
  }

  private static String folderFor(Path name) {
    String s = name.toString();
    int dot = s.lastIndexOf('.');
    return dot <= 0 || dot == s.length() - 1
        ? "other"
        : s.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * {@code name} in {@code folder}, or the first of "stem (1).ext", "stem (2).ext"... not taken.
   */
  private static Path freeName(Path folder, String name) {
    Path candidate = folder.resolve(name);
    int dot = name.lastIndexOf('.');
    String stem = dot <= 0 ? name : name.substring(0, dot);
    String extension = dot <= 0 ? "" : name.substring(dot);
    for (int i = 1; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); i++) {
      candidate = folder.resolve(stem + " (" + i + ")" + extension);
    }
    return candidate;
  }
}
