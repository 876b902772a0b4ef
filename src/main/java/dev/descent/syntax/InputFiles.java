package dev.descent.syntax;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * What every file Descent reads (a script, an import, a data file, {@code --points}) is
 * asked before it is opened: is it a regular file (opening a named pipe waits for a writer,
 * a device like {@code /dev/zero} never ends), and does it fit in memory.
 */
public final class InputFiles {
    private InputFiles() {}

    /**
     * Null for a regular file (through symbolic links); otherwise what it is, in words:
     * "a directory", "a named pipe (FIFO)", "a character device", …
     *
     * @throws java.nio.file.NoSuchFileException when there is nothing there
     */
    public static String notRegular(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        if (a.isRegularFile()) return null;
        if (a.isDirectory()) return "a directory";
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            if (mode instanceof Integer m) {
                switch (m & 0170000) {
                    case 0010000 -> { return "a named pipe (FIFO)"; }
                    case 0020000 -> { return "a character device"; }
                    case 0060000 -> { return "a block device"; }
                    case 0140000 -> { return "a socket"; }
                    default -> {}
                }
            }
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            // no unix view here: say less
        }
        return "a special file (a pipe, a device or a socket)";
    }

    /** The hint of a "not a regular file" diagnostic. */
    public static String notRegularHint(String kind) {
        return "it is " + kind + "; Descent reads only regular files" + (kind.equals("a directory") ? "" : ", not pipes or devices");
    }

    /** The bytes this JVM can still allocate, about: its maximum heap less what is in use. */
    public static long available() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** The maximum heap, for messages. */
    public static long maxMemory() { return Runtime.getRuntime().maxMemory(); }

    /** A size for people: 812 bytes, 3.4 KB, 150 MB, 3.2 GB (powers of 1000). */
    public static String size(long bytes) {
        if (bytes < 1000) return bytes + (bytes == 1 ? " byte" : " bytes");
        String[] units = {"KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 999.95 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + " " + units[u];
    }

    /** "more than this Java can hold (1.2 GB free of 2.0 GB)": the end of a too-large message. */
    public static String memoryNote() {
        return "more than this Java can hold (" + size(Math.max(0, available())) + " free of " + size(maxMemory()) + ")";
    }

    /** The hint of a too-large message. */
    public static final String MEMORY_HINT = "raise the limit with DESCENT_JAVA_OPTS=-Xmx… (for example -Xmx8g)";
}
