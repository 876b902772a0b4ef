package dev.descent.cli;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An output file of a command ({@code --trace}, {@code --plot}), written whole: into a new
 * temporary file beside it ({@code .NAME.RANDOM.descent-tmp}, in the same folder, so on the same
 * file system), which {@link #commit} renames over the target in one atomic step once it is
 * complete. Until then an existing file of that name is untouched, and a command that fails
 * (a script error, a shape error, out of memory, a fault writing) {@link #close}s it unused:
 * the temporary file is deleted and the old file, if any, stays as it was. A temporary file
 * that a killed process leaves behind is deleted by a shutdown hook where the JVM runs one
 * (SIGINT, SIGTERM without {@link Interrupts}, {@code System.exit}).
 *
 * <p>What {@link #open} refuses, each with {@code cannot write NAME: REASON} ({@link Failure},
 * exit code 1): an empty name or one with a control character; a folder; a name in a folder
 * that does not exist; a file the script reads (the script, a file it imports, a data file);
 * an existing file that is not writable; and a folder where the temporary file cannot be made
 * (no permission, a read-only file system). A target that exists and is not a regular file (a
 * device such as {@code /dev/null}, a named pipe) and the descriptors {@code /dev/stdout},
 * {@code /dev/stderr}, {@code /dev/fd/N} and {@code /proc/self/fd/N} are written in place, as
 * a stream: there is no whole file to rename there. An existing regular file is replaced (a
 * symbolic link to one: the file it points to), and keeps its permissions.
 */
final class OutputFile implements AutoCloseable {
    /** An output that cannot be written: the message is {@code cannot write NAME: REASON}; exit code 1. */
    static final class Failure extends RuntimeException {
        Failure(String name, String reason) { super("cannot write " + shown(name) + ": " + reason, null, false, false); }
    }

    /** Temporary files not yet renamed or deleted, for the shutdown hook. */
    private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(OutputFile::deletePending, "descent: delete unfinished outputs"));
        } catch (IllegalStateException | SecurityException e) {
            // shutting down already: nothing is pending
        }
    }

    /** Deletes every temporary file not yet renamed into place (a process stopping before its outputs are complete). */
    static void deletePending() {
        for (Path p : PENDING) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                // nothing more to do while exiting
            }
        }
        PENDING.clear();
    }

    private final String name;
    private final Path target, temp;
    private final FileChannel channel;
    private final OutputStream out;
    private boolean closed;

    private OutputFile(String name, Path target, Path temp, FileChannel channel, OutputStream raw) {
        this.name = name;
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.out = new BufferedOutputStream(raw, 1 << 16);
    }

    /** The name as the user wrote it. */
    String name() { return name; }

    /**
     * Checks {@code name} as an output and opens it for writing (a temporary file beside it), or
     * throws {@link Failure}. {@code inputs}: the files the script reads, which it must not be,
     * each with what it is ("the script", "a data file the script reads").
     */
    static OutputFile open(String name, Map<Path, String> inputs) {
        Path target = check(name, inputs);
        if (inPlace(name, target)) {
            try {
                return new OutputFile(name, target, null, null, new FileOutputStream(target.toFile()));
            } catch (IOException e) {
                throw new Failure(name, reason(e));
            }
        }
        Path real = target;
        try {
            if (Files.exists(target)) real = target.toRealPath();
        } catch (IOException e) {
            throw new Failure(name, reason(e));
        }
        Path dir = real.toAbsolutePath().getParent();
        String base = real.getFileName().toString();
        if (base.length() > 180) base = base.substring(0, 180);
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve("." + base + "." + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + ".descent-tmp");
            FileChannel ch;
            try {
                ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt < 10) continue;
                throw new Failure(name, reason(e));
            } catch (AccessDeniedException | java.nio.file.ReadOnlyFileSystemException e) {
                throw new Failure(name, "permission denied");
            } catch (IOException e) {
                String why = reason(e);
                throw new Failure(name, why.equals("permission denied") || why.equals("read-only file system") || why.startsWith("no space")
                        ? why : "no new file can be made in " + dir + " (" + why + ")");
            }
            PENDING.add(temp);
            return new OutputFile(name, real, temp, ch, Channels.newOutputStream(ch));
        }
    }

    /**
     * {@link #open} for {@code --plot}, which draws an SVG, or a PNG when the name ends in
     * {@code .png}: a name with another extension ({@code x.pdf}, {@code x.jpg}) is refused rather
     * than given an SVG under a name that says otherwise. A name without one (a device such as
     * {@code /dev/stdout}, {@code plot}) gets an SVG.
     */
    static OutputFile openPlot(String name, Map<Path, String> inputs) {
        check(name, inputs); // a name that cannot be written is that first (exit 1)
        String ext = extension(name);
        // a format the tool cannot draw is a mistake in the command, not in a file (issue 13: exit 2)
        if (ext != null && !ext.equalsIgnoreCase("svg") && !ext.equalsIgnoreCase("png"))
            throw new Main.UsageError("--plot " + name + ": a plot is drawn as SVG (.svg) or PNG (.png), not ." + ext);
        return open(name, inputs);
    }

    /** The extension of a name's last part (after its last dot, not a leading one), or null. */
    static String extension(String name) {
        String last = name.substring(name.lastIndexOf('/') + 1);
        int dot = last.lastIndexOf('.');
        return dot <= 0 || dot == last.length() - 1 ? null : last.substring(dot + 1);
    }

    /** The files a script reads, each with what it is: the script, the files it imports, its data files. */
    static Map<Path, String> inputs(dev.descent.check.Script s) {
        Map<Path, String> out = new java.util.LinkedHashMap<>();
        if (s.source.path() != null) out.put(s.source.path(), "the script");
        for (dev.descent.check.Module.DefRef d : s.module.defs.values()) imported(d.module(), s, out);
        for (dev.descent.check.Module.OptimizerRef o : s.module.optimizers.values()) imported(o.module(), s, out);
        for (dev.descent.check.DataSet d : s.data.values()) {
            if (d.path() != null) out.putIfAbsent(d.path(), "a data file the script reads");
            if (d.validationFile() != null && d.validationFile().path() != null) out.putIfAbsent(d.validationFile().path(), "a data file the script reads");
            if (d.testFile() != null && d.testFile().path() != null) out.putIfAbsent(d.testFile().path(), "a data file the script reads");
        }
        return out;
    }

    private static void imported(dev.descent.check.Module m, dev.descent.check.Script s, Map<Path, String> out) {
        if (m != null && m != s.module && m.source.path() != null) out.putIfAbsent(m.source.path(), "a file the script imports");
    }

    /** The checks of {@link #open} that need nothing written; returns the target's path. */
    static Path check(String name, Map<Path, String> inputs) {
        if (name.isEmpty()) throw new Failure(name, "the name is empty");
        int bad = badCharacter(name);
        if (bad >= 0) throw new Failure(name, "its name has a control character (" + escape(Character.toString(bad)) + ")");
        Path target;
        try {
            target = Path.of(name);
        } catch (InvalidPathException e) {
            throw new Failure(name, "it is not a valid file name");
        }
        if (Files.isDirectory(target)) throw new Failure(name, "it is a folder");
        if (Files.isSymbolicLink(target) && !Files.exists(target)) throw new Failure(name, "it is a symbolic link to a file that does not exist");
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            String shownParent = target.getParent() == null ? parent.toString() : target.getParent().toString();
            throw new Failure(name, Files.exists(parent) ? shownParent + " is not a folder" : "the folder " + shownParent + " does not exist");
        }
        if (Files.exists(target)) {
            for (Map.Entry<Path, String> in : inputs.entrySet()) {
                boolean same;
                try {
                    same = Files.exists(in.getKey()) && Files.isSameFile(target, in.getKey());
                } catch (IOException e) {
                    same = false; // cannot tell: not the same file as far as we know
                }
                if (same) throw new Failure(name, "it is " + in.getValue());
            }
            if (Files.isRegularFile(target) && !Files.isWritable(target)) throw new Failure(name, "permission denied");
        }
        return target;
    }

    /** Refuses two outputs of one command that name the same file ({@code --trace} and {@code --plot}). */
    static void distinct(String first, String firstOption, String second) {
        if (first == null || second == null) return;
        try {
            Path a = Path.of(first).toAbsolutePath().normalize(), b = Path.of(second).toAbsolutePath().normalize();
            boolean same = a.equals(b) || Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
            if (same) throw new Failure(second, "it is also the " + firstOption + " file");
        } catch (InvalidPathException | IOException e) {
            // the names' own checks report them
        }
    }

    /** Whether the target is written as a stream, where it is: a device, a pipe, a file descriptor. */
    private static boolean inPlace(String name, Path target) {
        if (name.matches("/dev/(stdout|stderr|fd/[0-9]+)|/proc/self/fd/[0-9]+")) return true;
        return Files.exists(target) && !Files.isRegularFile(target);
    }

    /** Where to write: buffered; a fault throws IOException, for the caller to turn into {@link #fail}. */
    OutputStream stream() { return out; }

    /** The Failure for a fault while writing. */
    Failure fail(IOException e) { return new Failure(name, reason(e)); }

    /** Writes the whole content at once. */
    void write(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /**
     * Makes the file complete and puts it in place: flushes it to the disk and renames it over the
     * target (keeping the old file's permissions), or throws {@link Failure} (the temporary file
     * deleted, an old file kept).
     */
    void commit() {
        if (closed) throw new IllegalStateException("already closed");
        closed = true;
        try {
            out.flush();
            if (channel != null) channel.force(true);
            out.close();
        } catch (IOException e) {
            discardQuietly();
            throw fail(e);
        }
        if (temp == null) return;
        try {
            if (Files.exists(target)) {
                try {
                    Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(target));
                } catch (IOException | UnsupportedOperationException | SecurityException e) {
                    // keeps the permissions a new file gets
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            PENDING.remove(temp);
        } catch (IOException e) {
            discardQuietly();
            throw fail(e);
        }
    }

    /** Leaves an uncommitted output unwritten: the temporary file deleted, the target as it was. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        discardQuietly();
    }

    private void discardQuietly() {
        try {
            out.close();
        } catch (IOException e) {
            // being thrown away
        }
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // left for the shutdown hook
                return;
            }
            PENDING.remove(temp);
        }
    }

    /** The first character not allowed in an output's name (controls, line separators, bidirectional overrides), or -1. */
    static int badCharacter(String name) {
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int type = Character.getType(cp);
            if (type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.SURROGATE || cp >= 0x202A && cp <= 0x202E || cp >= 0x2066 && cp <= 0x2069 || cp == 0x200E || cp == 0x200F)
                return cp;
            i += Character.charCount(cp);
        }
        return -1;
    }

    /** A name as a message shows it: '' when empty, control characters escaped (\n, \t, \x1b, \u202e). */
    static String shown(String name) {
        if (name.isEmpty()) return "''";
        return badCharacter(name) < 0 ? name : escape(name);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (cp < 0x100 && (cp < 0x20 || cp >= 0x7f && cp < 0xa0)) sb.append(String.format("\\x%02x", cp));
                    else if (badCharacter(Character.toString(cp)) >= 0) sb.append(String.format("\\u%04x", cp));
                    else sb.appendCodePoint(cp);
                }
            }
        });
        return sb.toString();
    }

    /** An I/O fault in a user's words: "permission denied", "no space left on device", never a Java class name. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e instanceof java.nio.file.FileAlreadyExistsException) return "a file of that name appeared while writing";
        String m = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (e instanceof FileNotFoundException && m != null && m.endsWith(")") && m.lastIndexOf(" (") >= 0)
            m = m.substring(m.lastIndexOf(" (") + 2, m.length() - 1); // "/x/y.csv (Permission denied)"
        if (m == null || m.isBlank()) return "input/output error";
        m = m.strip();
        return Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
