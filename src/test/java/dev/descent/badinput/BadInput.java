package dev.descent.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the bad-input tests share: running the {@code descent} command in-process,
 * reading its rendered diagnostics back, and the checks every diagnostic must pass
 * (FILE:LINE:COL header, the source line, a caret under the column, no stack trace).
 */
final class BadInput {
    private BadInput() {}

    /** One run of the command: exit code, stdout, stderr. */
    record Result(String[] args, int code, String out, String err) {
        String describe() {
            return "descent " + String.join(" ", shorten(args)) + "\nexit " + code + "\n--- stdout ---\n" + clip(out)
                    + "\n--- stderr ---\n" + clip(err);
        }
    }

    /** A diagnostic as rendered on stderr. {@code line} is 0 for a file-level one (no position). */
    record Diag(String file, int line, int column, String message, String sourceLine, String caretLine, String hint) {
        String header() { return line > 0 ? file + ":" + line + ":" + column : file; }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter po = new PrintWriter(out), pe = new PrintWriter(err);
        int code = Main.execute(args, po, pe);
        po.flush();
        pe.flush();
        return new Result(args, code, out.toString(), err.toString());
    }

    // UNIX_LINES and DOTALL: a message may quote an odd character (U+2028, U+0085) that '.' would not match
    private static final Pattern POSITIONED = Pattern.compile("^(.*?):(\\d+):(\\d+): error: (.*)$", Pattern.UNIX_LINES | Pattern.DOTALL);
    private static final Pattern FILE_LEVEL = Pattern.compile("^(.*?): error: (.*)$", Pattern.UNIX_LINES | Pattern.DOTALL);

    /** The diagnostics rendered in {@code err}, in order. */
    static List<Diag> parse(String err) {
        List<Diag> out = new ArrayList<>();
        String[] lines = err.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = POSITIONED.matcher(lines[i]);
            if (m.matches()) {
                String src = null, caret = null, hint = null;
                int j = i + 1;
                if (j + 1 < lines.length && lines[j].startsWith("    ") && lines[j + 1].startsWith("    ")) {
                    src = lines[j].substring(4);
                    caret = lines[j + 1].substring(4);
                    j += 2;
                }
                if (j < lines.length && lines[j].startsWith("  hint: ")) hint = lines[j].substring(8);
                out.add(new Diag(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), m.group(4), src, caret, hint));
                continue;
            }
            Matcher f = FILE_LEVEL.matcher(lines[i]);
            if (f.matches()) {
                String hint = i + 1 < lines.length && lines[i + 1].startsWith("  hint: ") ? lines[i + 1].substring(8) : null;
                out.add(new Diag(f.group(1), 0, 0, f.group(2), null, null, hint));
            }
        }
        return out;
    }

    /** Nothing a user should never see: a Java stack trace, an exception's class name, an internal error. */
    static void assertNoStackTrace(Result r) {
        for (String text : new String[] {r.out(), r.err()}) {
            for (String bad : new String[] {"Exception", "\tat ", ".java:", "internal error", "java.lang.", "StackOverflow", "NoClassDefFound"}) {
                if (text.contains(bad)) fail("output contains '" + bad.replace("\t", "\\t") + "'\n" + r.describe());
            }
        }
    }

    /** A script or data error: exit 1, at least one diagnostic, the first one at FILE:LINE:COL, each well formed. */
    static List<Diag> assertScriptError(Result r) {
        assertNoStackTrace(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), () -> "exit code\n" + r.describe());
        List<Diag> ds = parse(r.err());
        assertFalse(ds.isEmpty(), () -> "no FILE:LINE:COL: error: line on stderr\n" + r.describe());
        assertTrue(r.err().startsWith(ds.get(0).header() + ": error: "), () -> "stderr must start with the first diagnostic\n" + r.describe());
        return ds;
    }

    /**
     * The source line and caret under a positioned diagnostic: the line shown is the
     * source line (or, for a long line, a window of it; for a file the script names, an
     * import or a data file, the part of it up to the spot), with each character that a
     * terminal would not show as itself either kept or written as an escape ({@code \u001B});
     * and the caret stands under column {@code d.column()} (counted in characters of the
     * source, an escape counting its width), with the source's tabs reproduced before it
     * so that it lines up in a terminal.
     */
    static void assertCaret(Diag d, String sourceLine, Result r) {
        assertTrue(d.line() > 0, () -> "not positioned: " + d + "\n" + r.describe());
        if (d.sourceLine() == null || d.caretLine() == null)
            fail("diagnostic " + d.header() + " has no source line and caret under it\n" + r.describe());
        int[] src = sourceLine.codePoints().toArray();
        String shown = d.sourceLine();
        int[] caret = d.caretLine().codePoints().toArray();
        int at = -1;
        for (int i = 0; i < caret.length; i++) {
            if (caret[i] == '^') { at = i; break; }
            if (caret[i] != ' ' && caret[i] != '\t') fail("caret line has '" + Character.toString(caret[i]) + "' before the caret: " + d + "\n" + r.describe());
        }
        int caretAt = at;
        assertTrue(caretAt >= 0, () -> "no caret under " + d.header() + "\n" + r.describe());
        for (int i = caretAt + 1; i < caret.length; i++)
            if (caret[i] != '~') fail("after the caret only '~' may follow: " + d + "\n" + r.describe());
        // where the shown window starts in the source line: each source character takes at least one cell
        int spot = d.column() - 1;
        int offset = -1;
        int[] widths = null;
        for (int o = Math.max(0, spot - caretAt); o <= Math.min(spot, src.length); o++) {
            int[] w = match(src, o, shown);
            if (w == null) continue;
            int cells = 0;
            for (int k = o; k < spot; k++) cells += k - o < w.length ? w[k - o] : 1;
            if (cells == caretAt) {
                offset = o;
                widths = w;
                break;
            }
        }
        if (offset < 0)
            fail("the line under " + d.header() + " is not the source line, or the caret is not under column " + d.column()
                    + "\n  source: " + clip(sourceLine) + "\n" + r.describe());
        boolean named = java.util.Arrays.asList(r.args()).contains(d.file());
        if (offset == 0 && src.length <= 160 && named)
            assertEquals(src.length, widths.length, () -> "a short source line is shown whole\n" + r.describe());
        int cell = 0;
        for (int k = offset; k < spot; k++) {
            int w = k - offset < widths.length ? widths[k - offset] : 1;
            boolean tab = k < src.length && src[k] == '\t' && k - offset < widths.length;
            for (int j = 0; j < w; j++, cell++) {
                if (tab != (caret[cell] == '\t'))
                    fail("the caret line must reproduce the source's tabs (column " + (k + 1) + ")\n" + r.describe());
            }
        }
    }

    /**
     * Whether {@code shown} is the source from index {@code o} on (to its end or before):
     * each character as itself or, if a terminal does not show it, as its escape. The widths
     * of the source characters shown (1, or an escape's length), or null when it is not.
     */
    private static int[] match(int[] src, int o, String shown) {
        List<Integer> widths = new ArrayList<>();
        int p = 0, k = o;
        while (p < shown.length()) {
            if (k >= src.length) return null;
            int cp = src[k];
            String esc = cp <= 0xffff ? String.format("\\u%04X", cp) : String.format("\\U%08X", cp);
            if (invisible(cp) && shown.startsWith(esc, p)) {
                p += esc.length();
                widths.add(esc.length());
            } else if (shown.codePointAt(p) == cp && (cp == '\t' || !terminalControl(cp))) {
                p += Character.charCount(cp);
                widths.add(1);
            } else {
                return null;
            }
            k++;
        }
        return widths.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Characters that must never reach a terminal raw: controls, format characters (bidi), line separators. */
    static boolean terminalControl(int cp) {
        int type = Character.getType(cp);
        return cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0 || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }

    /** Characters a terminal does not show as themselves; a diagnostic may show a stand-in for them. */
    static boolean invisible(int cp) {
        if (cp == '\t') return false;
        int type = Character.getType(cp);
        return cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0 || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED || type == Character.SURROGATE;
    }

    /** Line {@code n} (from 1) of a text, split like a script: at \n, \r\n or \r. */
    static String line(String text, int n) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        lines.add(text.substring(start));
        return n >= 1 && n <= lines.size() ? lines.get(n - 1) : "";
    }

    /** How many lines a text has, split like {@link #line}: one more than its line breaks. */
    static int lineCount(String text) {
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') n++;
            else if (c == '\r') {
                n++;
                if (i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
            }
        }
        return n;
    }

    static String read(Path p) {
        try {
            String s = Files.readString(p, StandardCharsets.UTF_8);
            return s.startsWith("\uFEFF") ? s.substring(1) : s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path dir, String name, String text) {
        return write(dir, name, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Long texts cut for a failure message. */
    static String clip(String s) {
        return s.length() > 4000 ? s.substring(0, 2000) + "\n…(" + (s.length() - 4000) + " characters left out)…\n" + s.substring(s.length() - 2000) : s;
    }

    private static String[] shorten(String[] args) {
        String[] out = args.clone();
        for (int i = 0; i < out.length; i++) if (out[i].length() > 200) out[i] = out[i].substring(0, 200) + "…";
        return out;
    }

    /** A Java string literal for a script, so that a failing fuzz input can be pasted into a test. */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (cp < 0x20 || cp >= 0x7f) {
                        for (char c : Character.toChars(cp)) sb.append(String.format("\\u%04X", (int) c));
                    } else sb.appendCodePoint(cp);
                }
            }
        });
        return sb.append('"').toString();
    }
}
