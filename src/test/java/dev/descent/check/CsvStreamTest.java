package dev.descent.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming CSV reader: its numbers are {@code Double.parseDouble}'s bit for bit, its
 * columns and its diagnostics are those of the line-by-line reader it replaced
 * ({@link ReferenceCsv}) whatever the buffer size (lines and {@code \r\n} split across reads),
 * and it reports its progress in bytes up to the file's size.
 */
class CsvStreamTest {
    @TempDir Path dir;

    static final Pos POS = new Pos(SourceFile.ofString("t.dsc", "data d = csv(\"t.csv\")\n"), 1, 14, 7);
    static final String GRAMMAR = "[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?";

    // ------------------------------------------------------------ numbers

    /** A number as a CSV might hold it, in one of many forms. */
    static String number(Random r) {
        String s = switch (r.nextInt(12)) {
            case 0 -> Integer.toString(r.nextInt(2001) - 1000);
            case 1 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
            case 2 -> {
                double v;
                do v = Double.longBitsToDouble(r.nextLong()); while (!Double.isFinite(v));
                yield Double.toString(v); // all exponents, subnormals, 17 digits
            }
            case 3 -> {
                StringBuilder sb = new StringBuilder();
                int n = 1 + r.nextInt(25);
                for (int i = 0; i < n; i++) sb.append((char) ('0' + r.nextInt(10)));
                int point = r.nextInt(n + 2) - 1;
                if (point >= 0) sb.insert(point, '.');
                yield sb.toString();
            }
            case 4 -> String.format(java.util.Locale.ROOT, "%." + r.nextInt(18) + "e", r.nextGaussian() * Math.pow(10, r.nextInt(60) - 30));
            case 5 -> (1 + r.nextInt(999_999)) + (r.nextBoolean() ? "e" : "E") + (r.nextInt(70) - 35);
            case 6 -> String.format(java.util.Locale.ROOT, "%." + r.nextInt(8) + "f", r.nextGaussian() * 100);
            case 7 -> new java.math.BigDecimal(java.math.BigInteger.valueOf(r.nextLong() >> r.nextInt(64)), r.nextInt(40) - 10).toPlainString();
            case 8 -> Long.toString((1L << 53) + r.nextInt(7) - 3);
            case 9 -> Long.toString(r.nextLong());
            case 10 -> "0." + "0".repeat(r.nextInt(30)) + (1 + r.nextInt(99999)) + (r.nextBoolean() ? "" : "e" + (r.nextInt(50) - 25));
            default -> new String[] {".5", "5.", "+.5e-0", "-0", "0", "0.0", "-0.0e-5", "0e999", "1e-400", "1e400", "4.9e-324", "2.4703282292062327e-324",
                "1.7976931348623157e308", "1.7976931348623159e308", "9007199254740993", "123456789012345678901234567890", "1e22", "1e23",
                "9007199254740992e22", "9007199254740993e-22", "000000000000000000000001.5", "1." + "0".repeat(30), "3.00", "1e0000000000000000005"}[r.nextInt(24)];
        };
        if (!s.startsWith("-") && !s.startsWith("+") && r.nextInt(8) == 0) s = (r.nextBoolean() ? "+" : "-") + s;
        return s;
    }

    @Test void numbersAreParseDoublesBitForBit() {
        Random r = new Random(20240607);
        Decimal d = new Decimal();
        int fast = 0, slow = 0;
        for (int n = 0; n < 20_000; n++) {
            String s = number(r);
            assertTrue(s.matches(GRAMMAR), s);
            long want = Double.doubleToRawLongBits(Double.parseDouble(s));
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            assertEquals(b.length, d.scan(b, 0, b.length), s);
            assertEquals(want, Double.doubleToRawLongBits(d.value), () -> s + ": " + d.value + " but parseDouble gives " + Double.parseDouble(s));
            if (d.fast) fast++;
            else slow++;
            // within a row: blanks around it, a comma or a line break after it
            String sep = new String[] {",", "\n", "\r", ",1"}[n % 4];
            byte[] c = ("\t " + s + " \t" + sep).getBytes(StandardCharsets.US_ASCII);
            assertEquals(c.length - sep.length(), d.scan(c, 0, c.length), s);
            assertEquals(want, Double.doubleToRawLongBits(d.value), s);
        }
        assertTrue(fast > 10_000 && slow > 1_000, fast + " on the fast path, " + slow + " by parseDouble: both must be exercised");
    }

    /** Random strings over the characters of numbers: read exactly when the language's grammar says they are numbers. */
    @Test void numbersAreExactlyTheGrammars() {
        Random r = new Random(7);
        Decimal d = new Decimal();
        String alphabet = "0123456789..eE+- x";
        for (int n = 0; n < 50_000; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = r.nextInt(9); i > 0; i--) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            String s = sb.toString();
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            int at = d.scan(b, 0, b.length);
            if (s.trim().matches(GRAMMAR)) {
                assertEquals(b.length, at, s);
                assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s.trim())), Double.doubleToRawLongBits(d.value), s);
            } else {
                assertEquals(-1, at, () -> "'" + s + "' is not a number");
            }
        }
        for (String s : new String[] {"", " ", ".", "e5", "1e", "1e+", "+", "-", "inf", "nan", "Infinity", "0x10", "1f", "1d", "1_000",
            "\"1\"", "1 2", "--1", "+-1", "1e5.5", "١", "１", "½"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(-1, d.scan(b, 0, b.length), s);
        }
    }

    // ------------------------------------------------------------ files

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static DataSet load(Path p, int buffer) { return Csv.read("d", POS, p, "t.csv", LoadProgress.NONE, buffer); }

    /** As the script's {@code csv("t.csv", nonfinite = 1)} reads it. */
    static DataSet loadNonfinite(Path p, int buffer) { return Csv.read("d", POS, p, "t.csv", LoadProgress.NONE, buffer, true, -1); }

    /** The columns bit for bit, or the diagnostic as printed. */
    static String outcome(Supplier<DataSet> read) {
        try {
            DataSet ds = read.get();
            StringBuilder sb = new StringBuilder("rows " + ds.rows() + "\n");
            ds.columns().forEach((name, col) -> {
                assertEquals(ds.rows(), col.length, name);
                sb.append(name).append(':');
                for (double v : col) sb.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v)));
                sb.append('\n');
            });
            return sb.toString();
        } catch (CompileError e) {
            return e.render();
        }
    }

    private static final String[] HEADERS = {"a,b", "x", "a,b,c", "\"a,1\",b", " a , b ", "a,a", "a,,b", "", "  ", "\uFEFFa,b", "β,γ", "\n\na,b",
        "a\tb,c", "\"a\"\"q\",b", "a,b,", "\r\na"};
    private static final String[] ODD = {"", " ", "inf", "-Infinity", "NaN", "+inf", "abc", "\"1.5\"", "\"1,5\"", "1 2", "½", "１", "1e", "\t3\t",
        "\0", "\u00A0 1", "1\u00A0", "\"\"", "1\"2\"", "é", "∞", "+infinity", "-nan", ".", "0x1", "1,"};
    private static final String[] BREAKS = {"\n", "\r\n", "\r"};
    private static final String[] BLANKS = {"", "  ", "\t", "\u2003", " \t "};

    static String randomFile(Random r) {
        StringBuilder sb = new StringBuilder();
        String header = HEADERS[r.nextInt(HEADERS.length)];
        int k = r.nextInt(4) == 0 ? 1 + r.nextInt(4) : Math.max(1, header.split(",", -1).length);
        sb.append(header);
        int rows = r.nextInt(25);
        for (int i = 0; i < rows; i++) {
            sb.append(BREAKS[r.nextInt(BREAKS.length)]);
            if (r.nextInt(10) == 0) {
                sb.append(BLANKS[r.nextInt(BLANKS.length)]);
                continue;
            }
            int cells = r.nextInt(12) == 0 ? Math.max(1, k + r.nextInt(3) - 1) : k;
            for (int c = 0; c < cells; c++) {
                if (c > 0) sb.append(',');
                String cell = r.nextInt(30) == 0 ? ODD[r.nextInt(ODD.length)] : number(r);
                if (r.nextInt(10) == 0) cell = " " + cell + "\t";
                if (r.nextInt(40) == 0) cell = "\"" + cell + "\"";
                sb.append(cell);
            }
        }
        if (r.nextBoolean()) sb.append(BREAKS[r.nextInt(BREAKS.length)]);
        return sb.toString();
    }

    /** The position of a rendered diagnostic, "t.csv:3:5", or the whole first line of a file-level one. */
    private static String where(String outcome) {
        String first = outcome.lines().findFirst().orElse("");
        int e = first.indexOf(": error: ");
        return e < 0 ? first : first.substring(0, e);
    }

    /**
     * Thousands of small files, right and wrong. At every buffer size the streaming reader
     * gives the same columns or the same diagnostic as with one large buffer. Against the
     * old line-by-line reader: the same columns (read with {@code nonfinite = 1}, since the
     * old reader took inf and nan), or an error at the same place, for every file without a
     * control character (which the old reader took for a blank and the new one refuses).
     */
    @Test void agreesWithTheLineByLineReader() throws IOException {
        Random r = new Random(42);
        int[] buffers = {1, 2, 3, 5, 8, 13, 64, Csv.BUFFER};
        int errors = 0, compared = 0;
        for (int n = 0; n < 3000; n++) {
            String text = randomFile(r);
            Path p = file("t" + n + ".csv", text); // a new file each time: overwriting one is slow on some file systems
            String whole = outcome(() -> load(p, Csv.BUFFER));
            int b1 = buffers[n % buffers.length], b2 = buffers[(n + 3) % buffers.length];
            String got = outcome(() -> load(p, b1));
            if (!whole.equals(got))
                fail("buffer " + b1 + ", file:\n" + text.replace("\r", "\\r") + "\nwant:\n" + whole + "\ngot:\n" + got);
            String gotNonfinite = outcome(() -> loadNonfinite(p, b2));
            if (!gotNonfinite.equals(outcome(() -> loadNonfinite(p, Csv.BUFFER))))
                fail("nonfinite, buffer " + b2 + ", file:\n" + text.replace("\r", "\\r"));
            String want = outcome(() -> ReferenceCsv.read("d", POS, p, "t.csv"));
            if (!want.startsWith("rows ")) errors++;
            if (text.chars().anyMatch(ch -> ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')) continue;
            compared++;
            boolean same = want.startsWith("rows ") ? want.equals(gotNonfinite) : where(want).equals(where(gotNonfinite));
            if (!same) fail("file:\n" + text.replace("\r", "\\r") + "\nold reader:\n" + want + "\nnew reader (nonfinite = 1):\n" + gotNonfinite);
        }
        assertTrue(errors > 300 && errors < 2700, errors + " of 3000 files are malformed: both kinds must be exercised");
        assertTrue(compared > 2500, compared + " compared with the old reader");
    }

    /** A few megabytes (several reads), against the reference reader and against parseDouble on each cell as written. */
    @Test void aLargerFileEqualsASimpleParse() throws IOException {
        Random r = new Random(3);
        int k = 7, rows = 60_000;
        double[][] want = new double[k][rows];
        StringBuilder sb = new StringBuilder("c0, c1 ,\"c2\",c3,c4,c5,c6\r\n");
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < k; c++) {
                String cell = number(r);
                want[c][i] = Double.parseDouble(cell);
                if (c > 0) sb.append(',');
                sb.append(i % 997 == 5 && c == 2 ? "\"" + cell + "\"" : i % 1009 == 7 ? " " + cell + " " : cell);
            }
            sb.append(i % 3 == 0 ? "\r\n" : "\n");
            if (i % 5003 == 0) sb.append("\n");
        }
        Path p = file("big.csv", sb.toString());
        assertTrue(Files.size(p) > 2 * Csv.BUFFER, "more than two buffers: " + Files.size(p));
        DataSet ds = loadNonfinite(p, Csv.BUFFER); // number() writes 1e400 too
        assertEquals(rows, ds.rows());
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6"), ds.columnNames());
        for (int c = 0; c < k; c++) assertArrayEquals(want[c], ds.columns().get("c" + c), "column c" + c);
        DataSet ref = ReferenceCsv.read("d", POS, p, "t.csv"), small = loadNonfinite(p, 4096);
        for (int c = 0; c < k; c++) {
            assertArrayEquals(ref.columns().get("c" + c), ds.columns().get("c" + c), "column c" + c);
            assertArrayEquals(ref.columns().get("c" + c), small.columns().get("c" + c), "column c" + c);
        }
    }

    /** A line longer than the buffer grows it. */
    @Test void aLongLine() throws IOException {
        StringBuilder head = new StringBuilder(), row = new StringBuilder();
        for (int c = 0; c < 5000; c++) {
            head.append(c == 0 ? "" : ",").append("c").append(c);
            row.append(c == 0 ? "" : ",").append(c).append(".25");
        }
        Path p = file("wide.csv", head + "\n" + row + "\n" + row);
        DataSet ds = load(p, 16);
        assertEquals(2, ds.rows());
        assertArrayEquals(new double[] {4999.25, 4999.25}, ds.columns().get("c4999"));
    }

    /** The line and column of a bad cell stay right when lines and \r\n are split across reads. */
    @Test void positionsAcrossReads() throws IOException {
        Path p = file("t.csv", "x,y\r\n" + "1,2\r\n".repeat(50) + "\r\n3,x\r\n4,5\r\n");
        for (int b = 1; b <= 40; b++) {
            int size = b;
            CompileError e = assertThrows(CompileError.class, () -> load(p, size));
            String out = e.render();
            assertTrue(out.startsWith("t.csv:53:3: error: 'x' in column 'y' is not a number"), out);
        }
    }

    @Test void theHeaderLineCountsBlankLinesBeforeIt() throws IOException {
        Path p = file("t.csv", "\n \r\na,a\n1,2\n");
        assertTrue(assertThrows(CompileError.class, () -> load(p, Csv.BUFFER)).render().startsWith("t.csv:3:3: error: column name 'a' appears twice"));
    }

    @Test void utf8() throws IOException {
        Path ok = file("u.csv", "\uFEFFβ,\"γ, δ\"\n1,2\n");
        DataSet ds = load(ok, 3);
        assertEquals(List.of("β", "γ, δ"), ds.columnNames());
        Path bad = dir.resolve("b.csv");
        Files.write(bad, new byte[] {'x', '\n', '1', '\n', (byte) 0xE9, '\n'});
        assertTrue(assertThrows(CompileError.class, () -> load(bad, Csv.BUFFER)).render().contains("'t.csv' is not valid UTF-8 text"));
        Path badHeader = dir.resolve("h.csv");
        Files.write(badHeader, new byte[] {'x', (byte) 0xC3, '\n', '1', '\n'});
        assertTrue(assertThrows(CompileError.class, () -> load(badHeader, 2)).render().contains("not valid UTF-8"));
        Path cell = file("c.csv", "x,y\n1,½\n");
        assertTrue(assertThrows(CompileError.class, () -> load(cell, 2)).render().startsWith("t.csv:2:3: error: '½' in column 'y' is not a number"));
    }

    // ------------------------------------------------------------ progress

    /** What a listener heard. */
    static final class Heard implements LoadProgress {
        final List<String> started = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>(), reads = new ArrayList<>();
        int finished;

        @Override public void start(String file, long size) {
            started.add(file);
            sizes.add(size);
        }

        @Override public void read(long bytes) { reads.add(bytes); }

        @Override public void finish() { finished++; }
    }

    @Test void progressCountsBytesUpToTheSize() throws IOException {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 400_000; i++) sb.append(i).append(',').append(i * 0.5).append('\n');
        Path p = file("p.csv", sb.toString());
        long size = Files.size(p);
        Heard h = new Heard();
        DataSet ds = Csv.read("d", POS, p, "data/p.csv", h);
        assertEquals(400_000, ds.rows());
        assertEquals(List.of("data/p.csv"), h.started);
        assertEquals(List.of(size), h.sizes);
        assertEquals(1, h.finished);
        assertTrue(h.reads.size() >= 3, "one report per buffer: " + h.reads);
        for (int i = 1; i < h.reads.size(); i++) assertTrue(h.reads.get(i) >= h.reads.get(i - 1), h.reads.toString());
        assertEquals(size, h.reads.get(h.reads.size() - 1));
    }

    @Test void progressEndsOnAnErrorToo() throws IOException {
        Path p = file("e.csv", "x\n1\nz\n");
        Heard h = new Heard();
        assertThrows(CompileError.class, () -> Csv.read("d", POS, p, "e.csv", h));
        assertEquals(1, h.finished);
        Heard none = new Heard();
        assertThrows(CompileError.class, () -> Csv.read("d", POS, dir.resolve("missing.csv"), "missing.csv", none));
        assertEquals(0, none.started.size(), "a missing file starts nothing");
    }
}
