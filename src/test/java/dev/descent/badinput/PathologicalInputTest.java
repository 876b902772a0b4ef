package dev.descent.badinput;

import static dev.descent.badinput.BadInput.assertCaret;
import static dev.descent.badinput.BadInput.assertNoStackTrace;
import static dev.descent.badinput.BadInput.assertScriptError;
import static dev.descent.badinput.BadInput.run;
import static dev.descent.badinput.BadInput.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs no one writes on purpose: empty, binary, not UTF-8, absurdly deep or long,
 * odd line endings and characters. Each either is valid (exit 0: said so below, and
 * why) or fails with exit 1 and a FILE:LINE:COL diagnostic (FILE: for a file that
 * cannot be read at all), never a stack trace. The timeouts only guard against hangs.
 */
@Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
class PathologicalInputTest {
    @TempDir Path dir;

    private String file(String name, String text) { return write(dir, name, text).toString(); }

    private String file(String name, byte[] bytes) { return write(dir, name, bytes).toString(); }

    /** Exit 1 with the first diagnostic at FILE:LINE:COL, its message containing {@code fragment}, the caret under it. */
    private static BadInput.Diag assertErrorAt(BadInput.Result r, String file, int line, int col, String fragment, String sourceLine) {
        List<BadInput.Diag> ds = assertScriptError(r);
        BadInput.Diag d = ds.getFirst();
        assertEquals(file + ":" + line + ":" + col, d.header(), () -> "where\n" + r.describe());
        assertTrue(d.message().contains(fragment), () -> "message should contain \"" + fragment + "\"\n" + r.describe());
        assertCaret(d, sourceLine, r);
        return d;
    }

    private static void assertOk(BadInput.Result r) {
        assertNoStackTrace(r);
        assertEquals(Main.OK, r.code(), () -> "should succeed\n" + r.describe());
    }

    private static String repeat(String s, int n) { return s.repeat(n); }

    /** The number after {@code "key":} in a JSON text. */
    private static double jsonNumber(String json, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\":\\s*(-?[0-9.eE+-]+)").matcher(json);
        assertTrue(m.find(), () -> "no number for " + key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    // ------------------------------------------------------------ empty and nearly empty

    /** Valid: a script with nothing in it has nothing wrong with it, so check says ok; but eval has no objective. */
    @Test void emptyFile() {
        String f = file("empty.dsc", "");
        BadInput.Result c = run("check", f);
        assertOk(c);
        assertTrue(c.out().startsWith(f + ": ok"), () -> c.describe());
        BadInput.Result e = run("eval", f);
        assertNoStackTrace(e);
        assertEquals(Main.SCRIPT_ERROR, e.code(), () -> e.describe());
        assertTrue(e.err().startsWith(f + ": error: ") && e.err().contains("minimize"),
                () -> "eval of an empty script says there is no objective\n" + e.describe());
    }

    /** Valid, like the empty file: comments only (and blank lines, and a last line without a newline). */
    @Test void onlyComments() {
        String f = file("comments.dsc", "# one\n\n   # two, indented\n#\n# minimize x  (commented out)\n# no newline at the end");
        BadInput.Result c = run("check", f);
        assertOk(c);
        assertTrue(c.out().startsWith(f + ": ok"), () -> c.describe());
        BadInput.Result e = run("eval", f);
        assertNoStackTrace(e);
        assertEquals(Main.SCRIPT_ERROR, e.code(), () -> e.describe());
        assertTrue(e.err().contains("minimize"), () -> e.describe());
    }

    @Test void onlyBlankLinesAndSemicolons() {
        String f = file("blank.dsc", "\n\n ; ;\n\t\n;\n");
        assertOk(run("check", f));
    }

    // ------------------------------------------------------------ files that are not scripts

    @Test void missingFile() {
        String f = dir.resolve("no_such_script.dsc").toString();
        BadInput.Result r = run("check", f);
        assertNoStackTrace(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), () -> r.describe());
        assertTrue(r.err().startsWith(f + ": error: "), () -> "FILE: error: …\n" + r.describe());
        BadInput.Result e = run("eval", f);
        assertEquals(Main.SCRIPT_ERROR, e.code(), () -> e.describe());
        assertTrue(e.err().startsWith(f + ": error: "), () -> e.describe());
    }

    @Test void directoryGivenAsTheFile() throws Exception {
        Path d = Files.createDirectories(dir.resolve("folder.dsc"));
        BadInput.Result r = run("check", d.toString());
        assertNoStackTrace(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), () -> r.describe());
        assertTrue(r.err().startsWith(d + ": error: "), () -> r.describe());
        assertTrue(r.err().contains("director") || r.err().contains("folder"), () -> "says it is a directory\n" + r.describe());
    }

    /** Random bytes are (almost surely) not UTF-8: reported at the first bad byte, with a line and column. */
    @Test void randomBinaryBytes() {
        for (long seed = 1; seed <= 20; seed++) {
            byte[] b = new byte[4096];
            new SplittableRandom(seed).nextBytes(b);
            String f = file("binary" + seed + ".dsc", b);
            BadInput.Result r = run("check", f);
            List<BadInput.Diag> ds = assertScriptError(r);
            BadInput.Diag d = ds.getFirst();
            assertEquals(f, d.file(), () -> r.describe());
            assertTrue(d.line() >= 1 && d.column() >= 1, () -> "positioned\n" + r.describe());
            assertTrue(d.sourceLine() != null && d.caretLine() != null, () -> "source line and caret\n" + r.describe());
        }
    }

    /** Binary that happens to be valid UTF-8 (every byte below 0x80): a syntax error, positioned, shown without raw control bytes. */
    @Test void randomAsciiControlBytes() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            byte[] b = new byte[2048];
            for (int i = 0; i < b.length; i++) b[i] = (byte) rnd.nextInt(0, 0x80);
            String f = file("ascii" + seed + ".dsc", b);
            BadInput.Result r = run("check", f);
            List<BadInput.Diag> ds = assertScriptError(r);
            String text = new String(b, StandardCharsets.UTF_8);
            BadInput.Diag d = ds.getFirst();
            assertCaret(d, BadInput.line(text, d.line()), r);
            for (char c : r.err().toCharArray())
                assertTrue(c == '\n' || c == '\t' || c >= 0x20 && c != 0x7f, () -> "raw control character on stderr\n" + r.describe());
        }
    }

    // ------------------------------------------------------------ not UTF-8, NUL

    /** A stray byte in the middle of a valid script: the diagnostic points at that byte's line and column. */
    @Test void invalidUtf8InTheMiddle() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("param x = [1, 2]\nlet c = 0.5\nminimize sum(x^2) * c ".getBytes(StandardCharsets.UTF_8));
        b.write(0xFF);
        b.writeBytes(" + 1\noptimize with adam(lr = 0.1) for 10 steps\n".getBytes(StandardCharsets.UTF_8));
        String f = file("latin.dsc", b.toByteArray());
        BadInput.Result r = run("check", f);
        BadInput.Diag d = assertErrorAt(r, f, 3, 23, "UTF-8", "minimize sum(x^2) * c \uFFFD");
        assertTrue(d.message().contains("0xFF"), () -> r.describe());
    }

    /** Columns are counted in characters: a bad byte after 'β' (2 bytes) and '𝑥' (4 bytes, 2 UTF-16 units) is at column 11. */
    @Test void invalidUtf8AfterMultiByteCharacters() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("param β = 1\nlet 𝑥 = β ".getBytes(StandardCharsets.UTF_8));
        b.write(0xC3); // a lead byte followed by an ASCII byte: malformed
        b.writeBytes("( + 1\n".getBytes(StandardCharsets.UTF_8));
        String f = file("multibyte.dsc", b.toByteArray());
        BadInput.Result r = run("check", f);
        assertErrorAt(r, f, 2, 11, "UTF-8", "let 𝑥 = β \uFFFD");
    }

    /** A Latin-1 file (é as the single byte 0xE9) in a comment: still not UTF-8, and said so where it is. */
    @Test void latin1InAComment() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("# caf".getBytes(StandardCharsets.US_ASCII));
        b.write(0xE9);
        b.writeBytes("\nparam x = 1\nminimize x^2\n".getBytes(StandardCharsets.US_ASCII));
        String f = file("latin1.dsc", b.toByteArray());
        assertErrorAt(run("check", f), f, 1, 6, "UTF-8", "# caf\uFFFD");
    }

    @Test void truncatedMultiByteAtTheEnd() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("param x = 1\nminimize x^2 # β".getBytes(StandardCharsets.UTF_8));
        b.write(0xCE); // first byte of 'β' again, then the file ends
        String f = file("truncated.dsc", b.toByteArray());
        assertErrorAt(run("check", f), f, 2, 17, "UTF-8", "minimize x^2 # β\uFFFD");
    }

    @Test void nulByte() {
        String f = file("nul.dsc", "param x = 1\nminimize x\0 + 1\n");
        BadInput.Result r = run("check", f);
        assertErrorAt(r, f, 2, 11, "U+0000", "minimize x\0 + 1");
        assertTrue(!r.err().contains("\0"), () -> "a raw NUL reaches the terminal\n" + r.describe());
    }

    /** A NUL inside a quoted path (import, csv) cannot name a file: a diagnostic at the path, not an internal error. */
    @Test void nulByteInPaths() {
        String f = file("nulimport.dsc", "import \"lib\0x.dsc\"\nparam x = 1\nminimize x^2\n");
        assertErrorAt(run("check", f), f, 1, 8, "", "import \"lib\0x.dsc\"");
        String g = file("nulcsv.dsc", "data d = csv(\"d\0.csv\")\nparam w = 0\nminimize w^2\n");
        assertErrorAt(run("check", g), g, 1, 14, "", "data d = csv(\"d\0.csv\")");
    }

    @Test void nulByteInAComment() {
        // a comment runs to the end of the line, whatever is in it: valid
        String f = file("nulcomment.dsc", "param x = 1 # a \0 in a comment\nminimize x^2\n");
        assertOk(run("check", f));
    }

    // ------------------------------------------------------------ deep and long

    /**
     * 10,000 nested parentheses around a name. The product may either accept it (it is
     * a valid expression) or refuse it with a positioned diagnostic about the nesting;
     * it refuses beyond 1,000 levels, pointing at the bracket that goes too deep.
     */
    @Test void tenThousandNestedParentheses() {
        String line = "minimize " + repeat("(", 10_000) + "x" + repeat(")", 10_000);
        String f = file("nested.dsc", "param x = 1\n" + line + "\n");
        BadInput.Result r = run("check", f);
        assertNoStackTrace(r);
        if (r.code() == Main.OK) return;
        BadInput.Diag d = assertScriptError(r).getFirst();
        assertEquals(2, d.line(), () -> r.describe());
        assertTrue(d.message().contains("nested"), () -> r.describe());
        assertCaret(d, line, r);
    }

    @Test void tenThousandNestedBrackets() {
        String line = "minimize sum(" + repeat("[", 10_000) + "x" + repeat("]", 10_000) + ")";
        String f = file("brackets.dsc", "param x = 1\n" + line + "\n");
        BadInput.Result r = run("check", f);
        assertNoStackTrace(r);
        if (r.code() == Main.OK) return;
        BadInput.Diag d = assertScriptError(r).getFirst();
        assertEquals(2, d.line(), () -> r.describe());
        assertCaret(d, line, r);
    }

    /** Nesting without brackets (unary minus, a right-associative power tower, nested ifs, not): deep recursion, no brackets to count. */
    @Test void deepNestingWithoutBrackets() {
        String[] lines = {
            "minimize " + repeat("- ", 10_000) + "x",
            "minimize " + repeat("x^", 10_000) + "x",
            "minimize " + repeat("if x > 0 then ", 5_000) + "x" + repeat(" else 0", 5_000),
            "minimize " + repeat("not ", 10_000) + "x",
            "minimize " + repeat("sin(", 900) + "x" + repeat(")", 900),
        };
        for (int i = 0; i < lines.length; i++) {
            String f = file("deep" + i + ".dsc", "param x = 1\n" + lines[i] + "\n");
            for (String cmd : new String[] {"check", "eval"}) {
                BadInput.Result r = run(cmd, f);
                assertNoStackTrace(r);
                if (r.code() == Main.OK) continue;
                BadInput.Diag d = assertScriptError(r).getFirst();
                assertTrue(d.line() >= 1, () -> r.describe());
            }
        }
    }

    /** Valid: a 100,000-term sum of one parameter; its value and gradient at x = 1 are 1 + 2 + … + 100,000. */
    @Test void hundredThousandTermSum() {
        String sum = IntStream.rangeClosed(1, 100_000).mapToObj(i -> "x*" + i).collect(Collectors.joining(" + "));
        String f = file("sum.dsc", "param x = 1\nminimize " + sum + "\n");
        assertOk(run("check", f));
        BadInput.Result e = run("eval", f, "--json");
        assertOk(e);
        assertEquals(5000050000.0, jsonNumber(e.out(), "value"), () -> e.describe());
        assertEquals(5000050000.0, jsonNumber(e.out(), "x"), () -> e.describe());
    }

    /**
     * Valid: 100,000 distinct terms x[0]^2 + x[1]^2 + … over a 100,000-element
     * parameter. Check and eval must both succeed (value 100,000 * 0.25).
     */
    @Test void hundredThousandDistinctTerms() {
        String sum = IntStream.range(0, 100_000).mapToObj(i -> "x[" + i + "]^2").collect(Collectors.joining(" + "));
        String f = file("distinct.dsc", "param x[100000] = 0.5\nminimize " + sum + "\n");
        assertOk(run("check", f));
        BadInput.Result e = run("eval", f, "--json");
        assertOk(e);
        assertEquals(25000.0, jsonNumber(e.out(), "value"), () -> e.describe());
    }

    /** Valid: a 1 MB line (a 250,000-term sum); and the same line with an unknown name at its very end. */
    @Test void oneMegabyteLine() {
        String line = "minimize x" + repeat(" + x", 250_000);
        assertTrue(line.length() > 1_000_000);
        String ok = file("long.dsc", "param x = 1\n" + line + "\n");
        assertOk(run("check", ok));

        String bad = line + " + xx";
        String f = file("longbad.dsc", "param x = 1\n" + bad + "\n");
        BadInput.Result r = run("check", f);
        BadInput.Diag d = assertErrorAt(r, f, 2, bad.length() - 1, "unknown name 'xx'", bad);
        assertTrue(d.sourceLine().length() < 1000, () -> "a long line is shown as a window around the column, not whole");
        String shown = d.sourceLine();
        int caret = d.caretLine().indexOf('^');
        assertTrue(shown.startsWith("xx", caret), () -> "the caret stands under 'xx'\n" + r.describe());
    }

    /** A syntax error at the end of a 1 MB line. */
    @Test void oneMegabyteLineWithSyntaxError() {
        String bad = "minimize x" + repeat(" + x", 250_000) + " $";
        String f = file("longsyntax.dsc", "param x = 1\n" + bad + "\n");
        assertErrorAt(run("check", f), f, 2, bad.length(), "'$'", bad);
    }

    /**
     * A name of 50,000 letters, misspelt by one: the did-you-mean search must not cost
     * time or memory quadratic in the names' length (a full edit-distance table here is
     * 50,001 × 50,001 ints, 10 GB). It is a typo of a declared name, so a hint is welcome
     * but not required.
     */
    @Test void hugeMisspeltName() {
        String name = repeat("a", 50_000);
        String f = file("longname.dsc", "param " + name + " = 1\nminimize " + name + "b\n");
        BadInput.Result r = run("check", f);
        assertErrorAt(r, f, 2, 10, "unknown name", "minimize " + name + "b");
    }

    /** Sizes no machine holds must be refused with a position, not run out of memory. */
    @Test void absurdSizes() {
        String[] lines = {"minimize x * sum(eye(100000))", "minimize x * sum(ones(100000, 100000))", "minimize x * sum(zeros(2000000000))"};
        for (int i = 0; i < lines.length; i++) {
            String f = file("size" + i + ".dsc", "param x = 1\n" + lines[i] + "\n");
            BadInput.Result r = run("check", f);
            BadInput.Diag d = assertScriptError(r).getFirst();
            assertEquals(2, d.line(), () -> r.describe());
        }
        String f = file("param.dsc", "param W[100000, 100000] = 0\nminimize sum(W)\n");
        assertEquals(1, assertScriptError(run("check", f)).getFirst().line());
    }

    @Test void manyErrors() {
        // 5,000 lines, each with an unknown name: every one may be reported, or a capped number; either way quickly and positioned
        StringBuilder sb = new StringBuilder("param x = 1\nminimize x^2\n");
        for (int i = 0; i < 5_000; i++) sb.append("let v").append(i).append(" = y").append(i).append(" + 1\n");
        String f = file("many.dsc", sb.toString());
        BadInput.Result r = run("check", f);
        List<BadInput.Diag> ds = assertScriptError(r);
        assertEquals(f + ":3:10", ds.getFirst().header(), () -> r.describe());
    }

    // ------------------------------------------------------------ line endings, BOM, Unicode, tabs

    /** Valid: CRLF line endings. And an error in a CRLF file is on the right line, shown without the \r. */
    @Test void crlfLineEndings() {
        String f = file("crlf.dsc", "param x = [1, 2]\r\nlet c = 0.5\r\nminimize c * sum(x^2)\r\noptimize with adam(lr = 0.1) for 10 steps\r\n");
        assertOk(run("check", f));
        BadInput.Result e = run("eval", f, "--json");
        assertOk(e);
        assertEquals(2.5, jsonNumber(e.out(), "value"), () -> e.describe());
        String g = file("crlfbad.dsc", "param x = [1, 2]\r\n\r\nlet c = 0.5\r\nminimize c * sum(xx^2)\r\n");
        BadInput.Result r = run("check", g);
        BadInput.Diag d = assertErrorAt(r, g, 4, 18, "unknown name 'xx'", "minimize c * sum(xx^2)");
        assertTrue(!d.sourceLine().contains("\r") && !r.err().contains("\r"), () -> "no \\r on stderr\n" + r.describe());
    }

    /** Old Mac line endings (\r alone) end lines too. */
    @Test void crLineEndings() {
        String g = file("cr.dsc", "param x = 1\r\rminimize xx\r");
        assertErrorAt(run("check", g), g, 3, 10, "unknown name 'xx'", "minimize xx");
    }

    /** Valid: a UTF-8 byte order mark; it does not count as a column. */
    @Test void utf8Bom() {
        String f = file("bom.dsc", "\uFEFFparam x = 3\nminimize x^2\n");
        assertOk(run("check", f));
        BadInput.Result e = run("eval", f, "--json");
        assertOk(e);
        assertEquals(9.0, jsonNumber(e.out(), "value"), () -> e.describe());
        String g = file("bombad.dsc", "\uFEFFminimize yy\n");
        assertErrorAt(run("check", g), g, 1, 10, "unknown name 'yy'", "minimize yy");
    }

    /** Valid: Unicode names (β, η, a math-italic 𝑥 outside the BMP). Errors after them are at character columns. */
    @Test void unicodeNames() {
        String f = file("greek.dsc", "param β = 2\nlet η = 0.5\nparam 𝑥 = 1\nminimize η * β^2 + 𝑥^2\noptimize with sgd(lr = η) for 3 steps\n");
        assertOk(run("check", f));
        BadInput.Result e = run("eval", f, "--json");
        assertOk(e);
        assertEquals(3.0, jsonNumber(e.out(), "value"), () -> e.describe());

        String g = file("greekbad.dsc", "param β = 2\nminimize β + γγ\n");
        BadInput.Result r = run("check", g);
        BadInput.Diag d = assertErrorAt(r, g, 2, 14, "unknown name 'γγ'", "minimize β + γγ");
        String h = file("astralbad.dsc", "param 𝑥 = 2\nminimize 𝑥 + 𝑥𝑥 + zz\n");
        assertErrorAt(run("check", h), h, 2, 14, "unknown name '𝑥𝑥'", "minimize 𝑥 + 𝑥𝑥 + zz");
        assertTrue(d.caretLine().endsWith("^~"), () -> "two characters underlined\n" + r.describe());
    }

    /** Tabs before the error: the caret line reproduces them, so the caret lines up whatever the tab width. */
    @Test void tabsBeforeAnError() {
        String f = file("tabs.dsc", "param x = 1\n\tminimize\tx +\t\t$\n");
        BadInput.Result r = run("check", f);
        BadInput.Diag d = assertErrorAt(r, f, 2, 16, "'$'", "\tminimize\tx +\t\t$");
        assertEquals("\t        \t   \t\t^", d.caretLine(), () -> r.describe());
        String g = file("tabs2.dsc", "param x = 1\n\t\tminimize\txx\n");
        BadInput.Result r2 = run("check", g);
        BadInput.Diag d2 = assertErrorAt(r2, g, 2, 12, "unknown name 'xx'", "\t\tminimize\txx");
        assertEquals("\t\t        \t^~", d2.caretLine(), () -> r2.describe());
    }

    /**
     * Invisible, format and separator characters are not letters: a positioned error. A
     * message cannot show them as they are (U+200B is invisible, U+202E reverses the rest
     * of the terminal line, U+2028 and U+0085 break it), so it names the code point,
     * "unexpected character U+200B", as it already does for control characters, and
     * none of them reaches stderr raw. U+00A0 (no-break space) is whitespace: valid.
     */
    @Test void invisibleCharacters() {
        int[] odd = {0x200B, 0x2028, 0x00AD, 0x202E, 0xFFFF, 0x0085, 0x3000, 0x2066};
        for (int cp : odd) {
            String line = "minimize x" + Character.toString(cp) + " + 1";
            String f = file(String.format("odd%04X.dsc", cp), "param x = 1\n" + line + "\n");
            BadInput.Result r = run("check", f);
            assertErrorAt(r, f, 2, 11, String.format("U+%04X", cp), line);
            r.err().codePoints().forEach(c -> assertTrue(c == '\n' || c == '\t' || c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0)
                    && Character.getType(c) != Character.FORMAT && Character.getType(c) != Character.LINE_SEPARATOR
                    && Character.getType(c) != Character.PARAGRAPH_SEPARATOR,
                    () -> String.format("U+%04X reaches stderr raw%n", c) + r.describe()));
        }
        assertOk(run("check", file("nbsp.dsc", "param x = 1\nminimize x\u00A0+ 1\n")));
    }
}
