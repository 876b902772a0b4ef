package dev.descent.check;

import static dev.descent.check.CsvRecords.breaks;
import static dev.descent.check.CsvRecords.cellError;
import static dev.descent.check.CsvRecords.cells;
import static dev.descent.check.CsvRecords.clip;
import static dev.descent.check.CsvRecords.parseNumber;
import static dev.descent.check.CsvRecords.spotError;
import static dev.descent.check.CsvRecords.strip;

import dev.descent.check.CsvRecords.Cell;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.InputFiles;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SafeText;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads a numeric CSV table: a header row naming the columns, then one number per
 * cell. Strict: a cell that is not a number (or, unless {@code nonfinite = 1}, is
 * {@code inf}, {@code nan} or too large for a double), a row with the wrong number of
 * cells, a control character, a quote never closed, an empty file, duplicate column
 * names are errors at FILE:LINE:COL. Quoting is RFC 4180's: a quoted cell may hold
 * commas, line breaks and doubled quotes ({@code ""}).
 *
 * <p>Large files stream: the file is read as bytes through one buffer (1 MiB, larger
 * only for a longer line), and each row's numbers go straight from the bytes into
 * primitive columns ({@link Decimal}), with no text kept and no string made per cell.
 * A line the fast path declines (a quoted cell, {@code inf}, a non-ASCII byte, a blank
 * line, a wrong cell) is decoded and read as text, by the same rules and with the same
 * diagnostics. Columns fill chunks that are copied into one exact {@code double[]}
 * each at the end, so a table needs about its own size in memory, plus one column;
 * after the first rows the loader projects the whole file's need from its size and
 * stops at once when that cannot fit.
 *
 * <p>A diagnostic shows no more of the file than the cell it is about: the numbers
 * before it on its line, and the cell itself when it is short ({@link SafeText#SHORT})
 * and the file has shown itself to be a table (a row has been read, or the header has
 * several short names); column names likewise. So {@code csv("/etc/shadow")} prints none
 * of that file.
 */
public final class Csv {
    private Csv() {}

    static final int BUFFER = 1 << 20;
    /** The most rows a column (one Java array) holds. */
    static final int MAX_ROWS = Integer.MAX_VALUE - 16;

    public static DataSet read(String dataName, Pos pos, Path path, String displayName) {
        return read(dataName, pos, path, displayName, LoadProgress.NONE);
    }

    /** Reads the file, telling {@code progress} how far it has got. */
    public static DataSet read(String dataName, Pos pos, Path path, String displayName, LoadProgress progress) {
        return read(dataName, pos, path, displayName, progress, false);
    }

    /** As above; with {@code nonfinite}, cells may hold inf, -inf, nan, and numbers too large for a double (read as ±inf). */
    public static DataSet read(String dataName, Pos pos, Path path, String displayName, LoadProgress progress, boolean nonfinite) {
        return read(dataName, pos, path, displayName, progress, BUFFER, nonfinite, -1);
    }

    static DataSet read(String dataName, Pos pos, Path path, String displayName, LoadProgress progress, int buffer) {
        return read(dataName, pos, path, displayName, progress, buffer, false, -1);
    }

    /** {@code memory}: the bytes the columns may take, or -1 for what this JVM has free (tests give less). */
    static DataSet read(String dataName, Pos pos, Path path, String displayName, LoadProgress progress, int buffer, boolean nonfinite, long memory) {
        String kind;
        try {
            kind = InputFiles.notRegular(path);
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' not found", "a path in csv(...) is relative to the script's folder"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.at(pos, "cannot read data file '" + displayName + "': " + e.getMessage()));
        }
        if (kind != null) throw new CompileError(Diagnostic.at(pos, "data file " + displayName + ": not a regular file", InputFiles.notRegularHint(kind)));
        if (progress == null) progress = LoadProgress.NONE;
        long size = -1;
        try (InputStream in = Files.newInputStream(path)) {
            size = Files.size(path);
            progress.start(displayName, size);
            try {
                // a small file gets a buffer of its size (should it grow while being read, the buffer grows too)
                return new Loader(dataName, pos, path, displayName, in, progress, (int) Math.min(buffer, size + 1), nonfinite, size, memory).load();
            } finally {
                progress.finish();
            }
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' not found"));
        } catch (CharacterCodingException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is not valid UTF-8 text"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.at(pos, "cannot read data file '" + displayName + "': " + e.getMessage()));
        } catch (OutOfMemoryError e) {
            // the projection in Loader#checkFits missed (rows that grow shorter further on): what was read is garbage now
            throw new CompileError(Diagnostic.at(pos, "data file " + displayName + (size >= 0 ? " (" + InputFiles.size(size) + ")" : "")
                    + " does not fit in memory: its numbers need " + InputFiles.memoryNote(), InputFiles.MEMORY_HINT));
        }
    }

    /** Column names for a message: each quoted when short, else by its number. */
    static String describeColumns(List<String> names) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) out.add(SafeText.isShort(names.get(c)) ? names.get(c) : "column " + (c + 1));
        return String.join(", ", out);
    }

    /**
     * One file's reading. Lines end at {@code \n}, {@code \r} or {@code \r\n}, as
     * {@link java.io.BufferedReader#readLine} ends them; a record (a row) ends at the first
     * line break outside quotes. The buffer holds whole lines up to {@link #end} (after its
     * last line break, or everything at the end of the file).
     */
    private static final class Loader {
        private final String dataName, displayName;
        private final Pos pos;
        private final Path path;
        private final InputStream in;
        private final LoadProgress progress;
        private final boolean nonfinite;
        private final long size;
        private long budget;        // bytes the columns may take; see checkFits
        private boolean measured;   // whether the budget comes from a collected heap
        private final boolean ownBudget;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final Decimal decimal = new Decimal();

        private byte[] buf;
        private int at, lim, end;   // next byte; bytes in buf; end of the whole lines in buf
        private boolean eof, skipLF;
        private long bytesRead;
        private int line;           // the number of the line last started
        private int recordLine;     // the first line of the record last read as text

        private List<String> names;
        private int k;
        private boolean headerQuotable; // a header of several short names: a table's, whose names a message may quote
        private final List<double[][]> full = new ArrayList<>(); // filled chunks, each k columns of equal length
        private double[][] chunk;   // the chunk being filled
        private int inChunk, maxChunk;
        private long rows, allocated; // rows read; bytes of the chunks

        Loader(String dataName, Pos pos, Path path, String displayName, InputStream in, LoadProgress progress, int buffer,
               boolean nonfinite, long size, long memory) {
            this.dataName = dataName;
            this.pos = pos;
            this.path = path;
            this.displayName = displayName;
            this.in = in;
            this.progress = progress;
            this.buf = new byte[Math.max(1, buffer)];
            this.nonfinite = nonfinite;
            this.size = size;
            this.ownBudget = memory >= 0;
            this.budget = memory >= 0 ? memory : InputFiles.available();
            decimal.finiteOnly = !nonfinite;
        }

        DataSet load() throws IOException {
            String header = null;
            boolean first = true;
            for (String r; (r = record()) != null; first = false) {
                if (first && r.startsWith("\uFEFF")) r = r.substring(1);
                if (!r.isBlank()) {
                    header = r;
                    break;
                }
            }
            if (header == null) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is empty", "the first row must name the columns"));
            int headerLine = recordLine;
            List<Cell> cells = cells(header);
            names = new ArrayList<>();
            java.util.Map<String, Integer> seen = new java.util.HashMap<>();
            for (int c = 0; c < cells.size(); c++) {
                String n = strip(cells.get(c).text());
                if (n.isEmpty()) throw cellError(displayName, path, headerLine, header, c, false, "column " + (c + 1) + " has no name in the header row", null);
                Integer before = seen.putIfAbsent(n, c);
                if (before != null)
                    throw cellError(displayName, path, headerLine, header, c, SafeText.isShort(n), SafeText.isShort(n)
                            ? "column name '" + n + "' appears twice in the header row"
                            : "column " + (c + 1) + " has the name of column " + (before + 1) + " in the header row", null);
                names.add(n);
            }
            k = names.size();
            headerQuotable = k >= 2 && names.stream().allMatch(SafeText::isShort);
            // chunks start small (a small file stays small) and grow to about 16 MB for all columns
            int first0 = Math.max(16, Math.min(1024, (1 << 17) / k));
            maxChunk = Math.max(first0, Math.min(1 << 16, (1 << 21) / k));
            chunk = new double[k][first0];
            allocated = 8L * k * first0;
            rows();
            if (rows == 0) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' has a header but no rows"));
            return new DataSet(dataName, pos, path, columns(), (int) rows);
        }

        /** The data rows: each on the fast path when it can, else as text. */
        private void rows() throws IOException {
            final int k = this.k;
            final Decimal decimal = this.decimal;
            while (true) {
                while (at >= end) if (!fill()) return;
                byte[] b = buf;
                if (skipLF) {
                    skipLF = false;
                    if (b[at] == '\n') {
                        at++;
                        continue;
                    }
                }
                line++;
                int start = at, i = start, c = 0, stop = end;
                double[][] ch = chunk;
                int r = inChunk;
                boolean ok = false;
                while (c < k) {
                    int j = decimal.scan(b, i, stop);
                    if (j < 0) break;
                    ch[c++][r] = decimal.value;
                    if (j < stop && b[j] == ',') {
                        if (c == k) break; // a cell too many
                        i = j + 1;
                    } else {
                        ok = c == k;
                        i = j;
                        break;
                    }
                }
                if (ok) {
                    added();
                    at = afterBreak(i);
                } else {
                    line--; // counted again by record()
                    slowRow(record());
                }
            }
        }

        /** A record the fast path declined, read as text by the rules of the format (and its errors). */
        private void slowRow(String text) {
            if (text.isBlank()) return;
            List<Cell> cells = cells(text);
            if (cells.size() != k) {
                int c = cells.size() < k ? cells.size() - 1 : k;
                throw cellError(displayName, path, recordLine, text, c, table() && SafeText.isShort(strip(cells.get(c).text())),
                        "row has " + cells.size() + (cells.size() == 1 ? " cell" : " cells") + ", but the header names " + k
                                + (k == 1 ? " column" : " columns"), null);
            }
            for (int c = 0; c < k; c++) {
                String cell = strip(cells.get(c).text());
                double v;
                try {
                    v = parseNumber(cell);
                } catch (NumberFormatException x) {
                    boolean quote = table() && SafeText.isShort(cell);
                    throw cellError(displayName, path, recordLine, text, c, quote, cell.isEmpty() ? "empty cell in " + column(c, false)
                            : quote ? "'" + cell + "' in " + column(c, true) + " is not a number"
                            : "the cell in " + column(c, false) + " is not a number", null);
                }
                if (!nonfinite && !Double.isFinite(v)) {
                    boolean word = !Character.isDigit(cell.charAt(cell.length() - 1));
                    throw cellError(displayName, path, recordLine, text, c, SafeText.isShort(cell), "'" + clip(cell) + "' in " + column(c, true)
                            + (word ? " is not a finite number" : " is too large for a double"),
                            "csv(\"…\", nonfinite = 1) reads inf, -inf and nan cells, and numbers too large for a double as ±inf");
                }
                chunk[c][inChunk] = v;
            }
            added();
        }

        /** Whether the file has shown itself a table of numbers: a row has been read, or the header has several short names. */
        private boolean table() { return rows > 0 || headerQuotable; }

        /**
         * "column 'y'" when its name may be quoted: a short name in a file that has shown itself
         * a table (a row has been read, the header has several short names, or {@code table}:
         * the cell at fault is a number); else "column 2".
         */
        private String column(int c, boolean table) {
            String n = names.get(c);
            return (table || rows > 0 || headerQuotable) && SafeText.isShort(n) ? "column '" + n + "'" : "column " + (c + 1);
        }

        /** The row just written into the chunk counts. */
        private void added() {
            if (++rows > MAX_ROWS)
                throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' has more than " + MAX_ROWS + " rows, more than a column can hold"));
            if (++inChunk < chunk[0].length) return;
            full.add(chunk);
            int next = Math.min(maxChunk, chunk[0].length * 2);
            checkFits();
            chunk = new double[k][next];
            allocated += 8L * k * next;
            inChunk = 0;
        }

        /**
         * Whether the whole file's numbers can fit, projected from the bytes per row so far:
         * the chunks for all its rows and, while they are copied into columns, one column more.
         * Stops the loading at once, naming the file and its size, when they cannot.
         */
        private void checkFits() {
            long consumed = bytesRead - (lim - at);
            if (consumed <= 0 || size <= consumed) return;
            double perRow = (double) consumed / rows;
            long projected = (long) Math.min(Long.MAX_VALUE / 16.0, size / perRow);
            if (projected > MAX_ROWS)
                throw new CompileError(Diagnostic.at(pos, "data file " + displayName + " (" + InputFiles.size(size) + ") has about "
                        + count(projected) + " rows, more than a column can hold (" + MAX_ROWS + ")"));
            long need = projected * 8L * (k + 1); // every chunk, and the column being copied out of them
            if (need <= budget) return;
            if (!ownBudget && !measured) {
                System.gc(); // what is free is known only after a collection; once
                measured = true;
                budget = InputFiles.available() + allocated;
                if (need <= budget) return;
            }
            throw new CompileError(Diagnostic.at(pos, "data file " + displayName + " (" + InputFiles.size(size) + ") has about "
                    + count(projected) + " rows of " + k + (k == 1 ? " number" : " numbers") + ", " + InputFiles.size(need)
                    + " in memory, " + (ownBudget ? "more than the " + InputFiles.size(budget) + " allowed" : InputFiles.memoryNote()),
                    InputFiles.MEMORY_HINT));
        }

        private static String count(long n) {
            if (n >= 1_000_000_000L) return String.format(java.util.Locale.ROOT, "%.1f billion", n / 1e9);
            if (n >= 1_000_000L) return String.format(java.util.Locale.ROOT, "%.1f million", n / 1e6);
            return Long.toString(n);
        }

        /** The columns, each copied into one array of the exact length; the chunks go as they are copied. */
        private LinkedHashMap<String, double[]> columns() {
            int n = (int) rows;
            LinkedHashMap<String, double[]> map = new LinkedHashMap<>();
            for (int c = 0; c < k; c++) {
                double[] col = new double[n];
                int to = 0;
                for (double[][] f : full) {
                    System.arraycopy(f[c], 0, col, to, f[c].length);
                    to += f[c].length;
                    f[c] = null;
                }
                System.arraycopy(chunk[c], 0, col, to, inChunk);
                chunk[c] = null;
                map.put(names.get(c), col);
            }
            return map;
        }

        /**
         * The next record as text (its line breaks inside quotes kept), or null at the end of
         * the file; {@link #recordLine} is its first line. A control character is an error
         * where it stands, as soon as it is seen; a quote never closed, at the end of the file.
         */
        private String record() throws IOException {
            while (true) {
                while (at >= lim) if (!fill()) return null;
                if (skipLF) {
                    skipLF = false;
                    if (buf[at] == '\n') {
                        at++;
                        continue;
                    }
                }
                line++;
                recordLine = line;
                int e = recordEnd();
                String text = decode(at, e);
                line += breaks(text, text.length());
                at = afterBreak(e);
                return text;
            }
        }

        /**
         * Where the record that starts at {@link #at} ends: its first line break outside quotes,
         * or the end of the file. Reads more of the file as needed ({@link #at} moves then).
         */
        private int recordEnd() throws IOException {
            int i = at, open = -1; // open: where the quoted cell being scanned began, relative to at
            while (true) {
                byte[] b = buf;
                for (int stop = lim; i < stop; i++) {
                    byte c = b[i];
                    if (c == '"') open = open < 0 ? i - at : -1;
                    else if (c == '\n' || c == '\r') {
                        if (open < 0) return i;
                    } else if (c >= 0 && c < 0x20 && c != '\t' || c == 0x7f) {
                        throw controlError(decode(at, i + 1));
                    } else if (c == (byte) 0xC2) { // U+0080 to U+009F, the C1 controls, are C2 80 to C2 9F
                        if (i + 1 == stop && !eof) break;
                        if (i + 1 < stop && (b[i + 1] & 0xE0) == 0x80) throw controlError(decode(at, i + 2));
                    }
                }
                if (eof) {
                    if (open >= 0) throw quoteError(decode(at, lim), decode(at, at + open).length());
                    return lim;
                }
                int offset = i - at;
                fill();
                i = at + offset;
            }
        }

        /** A control character, the last of {@code text} (the record up to it). */
        private CompileError controlError(String text) {
            return CsvRecords.controlError(displayName, path, recordLine, text, table());
        }

        private CompileError quoteError(String text, int quote) {
            List<Cell> cells = cells(text.substring(0, quote));
            int c = cells.size() - 1;
            return spotError(displayName, path, recordLine, text, c, quote, 1, false, false,
                    "this quote is never closed", "a quoted cell ends with \"; a quote inside it is written twice, \"\"");
        }

        /** Past the line break at {@code e} ({@code \r\n} counts as one, also across two reads). */
        private int afterBreak(int e) {
            if (e >= end) return e;
            if (buf[e++] == '\r') {
                if (e < end) {
                    if (buf[e] == '\n') e++;
                } else {
                    skipLF = true;
                }
            }
            return e;
        }

        private String decode(int from, int to) throws CharacterCodingException {
            return decoder.decode(ByteBuffer.wrap(buf, from, to - from)).toString();
        }

        /**
         * Moves the unread bytes to the front, reads until the buffer is full or the file
         * ends (growing the buffer when it holds one incomplete record), and reports progress.
         * False when the file had already ended.
         */
        private boolean fill() throws IOException {
            if (eof) return false;
            if (at > 0) {
                System.arraycopy(buf, at, buf, 0, lim - at);
                lim -= at;
                at = 0;
            }
            if (lim == buf.length) {
                if (buf.length >= Integer.MAX_VALUE - 16) throw new IOException("a line is longer than 2 GB");
                long grown = Math.min(Integer.MAX_VALUE - 16L, 2L * buf.length);
                if (grown > budgetLeft())
                    throw new CompileError(Diagnostic.at(pos, "data file " + displayName + " (" + InputFiles.size(size) + "): line " + line
                            + " is longer than " + InputFiles.size(buf.length) + ", " + InputFiles.memoryNote(), InputFiles.MEMORY_HINT));
                buf = Arrays.copyOf(buf, (int) grown);
            }
            while (lim < buf.length) {
                int n = in.read(buf, lim, buf.length - lim);
                if (n < 0) {
                    eof = true;
                    break;
                }
                lim += n;
                bytesRead += n;
            }
            progress.read(bytesRead);
            end = lim;
            if (!eof) {
                while (end > 0 && buf[end - 1] != '\n' && buf[end - 1] != '\r') end--;
            }
            return true;
        }

        /** What the buffer may still grow by. */
        private long budgetLeft() {
            if (ownBudget) return budget - allocated;
            long free = InputFiles.available();
            if (free < 2L * buf.length) {
                System.gc();
                free = InputFiles.available();
            }
            return free;
        }
    }
}
