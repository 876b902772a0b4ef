package dev.descent.check;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Pos;
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
 * cell. Strict: a cell that is not a number, a row with the wrong number of cells,
 * an empty file, duplicate column names are errors at FILE:LINE:COL.
 *
 * <p>Large files stream: the file is read as bytes through one buffer (1 MiB, larger
 * only for a longer line), and each row's numbers go straight from the bytes into
 * primitive columns ({@link Decimal}), with no text kept and no string made per cell.
 * A line the fast path declines (a quoted cell, {@code inf}, a non-ASCII byte, a blank
 * line, a wrong cell) is decoded and read as text, by the same rules and with the same
 * diagnostics. Columns fill chunks that are copied into one exact {@code double[]}
 * each at the end, so a table needs about its own size in memory, plus one column.
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
        return read(dataName, pos, path, displayName, progress, BUFFER);
    }

    static DataSet read(String dataName, Pos pos, Path path, String displayName, LoadProgress progress, int buffer) {
        if (!Files.exists(path)) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' not found", "a path in csv(...) is relative to the script's folder"));
        if (Files.isDirectory(path)) throw new CompileError(Diagnostic.at(pos, "'" + displayName + "' is a folder, not a CSV file"));
        if (!Files.isRegularFile(path)) throw new CompileError(Diagnostic.at(pos, "'" + displayName + "' is not a regular file"));
        if (progress == null) progress = LoadProgress.NONE;
        try (InputStream in = Files.newInputStream(path)) {
            long size = Files.size(path);
            progress.start(displayName, size);
            try {
                // a small file gets a buffer of its size (should it grow while being read, the buffer grows too)
                return new Loader(dataName, pos, path, displayName, in, progress, (int) Math.min(buffer, size + 1)).load();
            } finally {
                progress.finish();
            }
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' not found"));
        } catch (CharacterCodingException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is not valid UTF-8 text"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.at(pos, "cannot read data file '" + displayName + "': " + e.getMessage()));
        }
    }

    /**
     * One file's reading. Lines end at {@code \n}, {@code \r} or {@code \r\n}, as
     * {@link java.io.BufferedReader#readLine} ends them; the buffer holds whole lines up to
     * {@link #end} (after its last line break, or everything at the end of the file).
     */
    private static final class Loader {
        private final String dataName, displayName;
        private final Pos pos;
        private final Path path;
        private final InputStream in;
        private final LoadProgress progress;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final Decimal decimal = new Decimal();

        private byte[] buf;
        private int at, lim, end;   // next byte; bytes in buf; end of the whole lines in buf
        private boolean eof, skipLF;
        private long bytesRead;
        private int line;           // the number of the line last started

        private List<String> names;
        private int k;
        private final List<double[][]> full = new ArrayList<>(); // filled chunks, each k columns of equal length
        private double[][] chunk;   // the chunk being filled
        private int inChunk, maxChunk;
        private long rows;

        Loader(String dataName, Pos pos, Path path, String displayName, InputStream in, LoadProgress progress, int buffer) {
            this.dataName = dataName;
            this.pos = pos;
            this.path = path;
            this.displayName = displayName;
            this.in = in;
            this.progress = progress;
            this.buf = new byte[Math.max(1, buffer)];
        }

        DataSet load() throws IOException {
            String header = textLine();
            if (header != null && header.startsWith("\uFEFF")) header = header.substring(1);
            while (header != null && header.isBlank()) header = textLine();
            if (header == null) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is empty", "the first row must name the columns"));
            List<String> cells = split(header);
            names = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int c = 0; c < cells.size(); c++) {
                String n = cells.get(c).trim();
                if (n.isEmpty()) throw error(displayName, path, line, header, c, "column " + (c + 1) + " has no name in the header row");
                if (!seen.add(n)) throw error(displayName, path, line, header, c, "column name '" + n + "' appears twice in the header row");
                names.add(n);
            }
            k = names.size();
            // chunks start small (a small file stays small) and grow to about 16 MB for all columns
            int first = Math.max(16, Math.min(1024, (1 << 17) / k));
            maxChunk = Math.max(first, Math.min(1 << 16, (1 << 21) / k));
            chunk = new double[k][first];
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
                    int e = lineEnd(start);
                    slowRow(start, e);
                    at = afterBreak(e);
                }
            }
        }

        /** A line the fast path declined, read as text by the rules of the format (and its errors). */
        private void slowRow(int start, int e) throws CharacterCodingException {
            String text = decode(start, e);
            if (text.isBlank()) return;
            List<String> cells = split(text);
            if (cells.size() != k)
                throw error(displayName, path, line, text, Math.min(cells.size(), k) - (cells.size() < k ? 1 : 0),
                        "row has " + cells.size() + (cells.size() == 1 ? " cell" : " cells") + ", but the header names " + k + " columns");
            for (int c = 0; c < k; c++) {
                String cell = cells.get(c).trim();
                double v;
                try {
                    v = parseNumber(cell);
                } catch (NumberFormatException x) {
                    throw error(displayName, path, line, text, c,
                            cell.isEmpty() ? "empty cell in column '" + names.get(c) + "'" : "'" + cell + "' in column '" + names.get(c) + "' is not a number");
                }
                chunk[c][inChunk] = v;
            }
            added();
        }

        /** The row just written into the chunk counts. */
        private void added() {
            if (++rows > MAX_ROWS)
                throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' has more than " + MAX_ROWS + " rows, more than a column can hold"));
            if (++inChunk < chunk[0].length) return;
            full.add(chunk);
            chunk = new double[k][Math.min(maxChunk, chunk[0].length * 2)];
            inChunk = 0;
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

        /** The next line as text (the header, blank lines before it), or null at the end of the file. */
        private String textLine() throws IOException {
            while (true) {
                while (at >= end) if (!fill()) return null;
                if (skipLF) {
                    skipLF = false;
                    if (buf[at] == '\n') {
                        at++;
                        continue;
                    }
                }
                line++;
                int e = lineEnd(at);
                String text = decode(at, e);
                at = afterBreak(e);
                return text;
            }
        }

        /** Where the line that starts at {@code i} ends: its line break, or {@link #end}. */
        private int lineEnd(int i) {
            byte[] b = buf;
            while (i < end && b[i] != '\n' && b[i] != '\r') i++;
            return i;
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
         * ends (growing the buffer when it holds one incomplete line), and reports progress.
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
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16L, 2L * buf.length));
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
    }

    /** Numbers as the language writes them, plus inf, -inf and nan (any case). */
    static double parseNumber(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            case "nan" -> { return Double.NaN; }
            default -> {}
        }
        if (s.isEmpty() || !s.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?")) throw new NumberFormatException(s);
        return Double.parseDouble(s);
    }

    /** A cell of a CSV row: its text (quotes removed) and where it starts in the line (0-based). */
    public record Cell(String text, int start) {}

    /** Splits one CSV row into cells (RFC 4180 quotes allowed within the line). */
    public static List<Cell> cells(String line) {
        List<Cell> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') { cur.append('"'); i++; } else quoted = false;
                } else cur.append(ch);
            } else if (ch == '"') quoted = true;
            else if (ch == ',') {
                out.add(new Cell(cur.toString(), start));
                cur.setLength(0);
                start = i + 1;
            } else cur.append(ch);
        }
        out.add(new Cell(cur.toString(), start));
        return out;
    }

    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        for (Cell c : cells(line)) out.add(c.text());
        return out;
    }

    private static CompileError error(String file, Path path, int line, String text, int cell, String message) {
        List<Cell> cells = cells(text);
        int col = cell >= 0 && cell < cells.size() ? text.codePointCount(0, cells.get(cell).start()) + 1 : 1;
        return new CompileError(new Diagnostic(SourceFile.excerpt(file, path, line, text), line, col, 1, message, null));
    }
}
