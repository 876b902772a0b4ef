package dev.descent.syntax;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A script's text and where it came from; gives diagnostics their source lines. */
public final class SourceFile {
    private final String name;
    private final Path path;
    private final String text;
    private List<String> lines;
    private final int firstLine, firstColumn;
    private final boolean guarded;

    public SourceFile(String name, Path path, String text) { this(name, path, text, 1, 1, false); }

    private SourceFile(String name, Path path, String text, int firstLine, int firstColumn, boolean guarded) {
        this.name = name;
        this.path = path;
        this.text = text;
        this.firstLine = firstLine;
        this.firstColumn = firstColumn;
        this.guarded = guarded;
    }

    /** One line of a large file (a CSV row), for a diagnostic's source line. */
    public static SourceFile excerpt(String name, Path path, int lineNumber, String lineText) {
        return new SourceFile(name, path, lineText, lineNumber, 1, false);
    }

    /**
     * A part of one line of a file, the part a diagnostic may show: {@code text} starts at
     * column {@code firstColumn} of line {@code lineNumber}. A data file's diagnostic shows
     * no more of the file than the cell it is about (and the numbers before it).
     */
    public static SourceFile excerpt(String name, Path path, int lineNumber, int firstColumn, String text) {
        return new SourceFile(name, path, text, lineNumber, Math.max(1, firstColumn), false);
    }

    /** A script given as a string (tests, the API, `--with` arguments). */
    public static SourceFile ofString(String name, String text) { return new SourceFile(name, null, text); }

    /**
     * Reads a UTF-8 file. A missing or unreadable file, one that is not a regular file (a
     * directory, a named pipe, a device), one too large for memory, or bytes that are not
     * UTF-8, become a {@link CompileError} with a diagnostic (at the bad byte, for bad UTF-8).
     */
    public static SourceFile read(Path path, String displayName) { return read(path, displayName, false); }

    /**
     * As {@link #read}, for a file that a script names (an import): its diagnostics show a
     * line of it only up to the spot they are about ({@link #guarded}).
     */
    public static SourceFile readNamed(Path path, String displayName) { return read(path, displayName, true); }

    private static SourceFile read(Path path, String displayName, boolean guarded) {
        byte[] bytes;
        try {
            String kind = InputFiles.notRegular(path);
            if (kind != null) throw new CompileError(Diagnostic.noPosition(displayName, "not a regular file").withHint(InputFiles.notRegularHint(kind)));
            long size = Files.size(path);
            // the bytes, the decoded characters (two bytes each) and the string made of them
            if (size > Integer.MAX_VALUE - 16 || size * 5 > InputFiles.available())
                throw tooLarge(displayName, size);
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.noPosition(displayName, "no such file"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.noPosition(displayName, "cannot be read: " + e.getMessage()));
        } catch (OutOfMemoryError e) {
            throw tooLarge(displayName, -1);
        }
        try {
            return new SourceFile(displayName, path, decode(bytes, displayName, guarded), 1, 1, guarded);
        } catch (OutOfMemoryError e) {
            throw tooLarge(displayName, bytes.length);
        }
    }

    private static CompileError tooLarge(String displayName, long size) {
        String message = size < 0 ? "too large to read, " + InputFiles.memoryNote()
                : size > Integer.MAX_VALUE - 16 ? "too large to read: " + InputFiles.size(size) + "; a script must be under 2 GB"
                : "too large to read: " + InputFiles.size(size) + ", " + InputFiles.memoryNote();
        return new CompileError(new Diagnostic(null, displayName, 0, 0, 0, message, size > Integer.MAX_VALUE - 16 ? null : InputFiles.MEMORY_HINT));
    }

    private static String decode(byte[] bytes, String displayName, boolean guarded) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            out.flip();
            String good = out.toString();
            int bad = in.position();
            SourceFile partial = new SourceFile(displayName, null, good + "\uFFFD", 1, 1, guarded);
            int line = 1, col = 1;
            for (int i = 0; i < good.length(); ) {
                int cp = good.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == '\n') { line++; col = 1; } else col++;
            }
            throw new CompileError(new Diagnostic(partial, line, col, 1,
                    String.format("this file is not valid UTF-8 (byte 0x%02X at offset %d)", bytes[bad] & 0xff, bad),
                    "save the script as UTF-8 text"));
        }
        dec.flush(out);
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    public String name() { return name; }

    /** The file's path, or null for a script given as a string. */
    public Path path() { return path; }

    public String text() { return text; }

    /**
     * Whether this is a file that a script names rather than one the user named on the
     * command line (an import): a diagnostic shows a line of it only up to the end of what
     * it is about, and that only when it is short ({@link SafeText#SHORT}), so that a script
     * cannot make Descent print the lines of a file it has no business with.
     */
    public boolean guarded() { return guarded; }

    /** The column of line {@link #firstLine} at which this text starts (1 but for an excerpt of a line). */
    public int firstColumn() { return firstColumn; }

    /** The line at which this text starts (1 but for an excerpt). */
    public int firstLine() { return firstLine; }

    /** Line {@code n} (from 1) without its line break, or "" past the end. */
    public String line(int n) {
        if (lines == null) {
            List<String> ls = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n' || c == '\r') {
                    ls.add(text.substring(start, i));
                    if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                    start = i + 1;
                }
            }
            ls.add(text.substring(start));
            lines = ls;
        }
        int k = n - firstLine;
        return k >= 0 && k < lines.size() ? lines.get(k) : "";
    }

    @Override public String toString() { return name; }
}
