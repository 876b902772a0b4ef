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
    private final int firstLine;

    public SourceFile(String name, Path path, String text) { this(name, path, text, 1); }

    private SourceFile(String name, Path path, String text, int firstLine) {
        this.name = name;
        this.path = path;
        this.text = text;
        this.firstLine = firstLine;
    }

    /** One line of a large file (a CSV row), for a diagnostic's source line. */
    public static SourceFile excerpt(String name, Path path, int lineNumber, String lineText) {
        return new SourceFile(name, path, lineText, lineNumber);
    }

    /** A script given as a string (tests, the API, `--with` arguments). */
    public static SourceFile ofString(String name, String text) { return new SourceFile(name, null, text); }

    /**
     * Reads a UTF-8 file. A missing or unreadable file, or bytes that are not UTF-8,
     * become a {@link CompileError} with a diagnostic (at the bad byte, for bad UTF-8).
     */
    public static SourceFile read(Path path, String displayName) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.noPosition(displayName, "no such file"));
        } catch (IOException e) {
            String why = Files.isDirectory(path) ? "is a directory, not a script" : "cannot be read: " + e.getMessage();
            throw new CompileError(Diagnostic.noPosition(displayName, why));
        } catch (OutOfMemoryError e) {
            throw new CompileError(Diagnostic.noPosition(displayName, "is too large to read"));
        }
        return new SourceFile(displayName, path, decode(bytes, displayName));
    }

    private static String decode(byte[] bytes, String displayName) {
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
            SourceFile partial = new SourceFile(displayName, null, good + "\uFFFD");
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
