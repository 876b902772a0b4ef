package dev.descent.cli;

import dev.descent.check.CsvRecords;
import dev.descent.check.CsvRecords.Cell;

import dev.descent.check.Script;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.InputFiles;
import dev.descent.syntax.SafeText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CSV of {@code eval --points}: a header naming θ's elements ({@code x}, {@code w[0]},
 * {@code "W[0, 1]"} or {@code W[0,1]}), then one point per row. Rows are kept verbatim, to be
 * printed back with the results appended. A column that names no element of θ is a usage
 * error (exit 2); a bad cell, a ragged row or a repeated column is an error in the file, at
 * FILE:LINE:COL (exit 1). Blank lines are skipped.
 */
final class PointsCsv {
    /** The header line and the rows as given; per θ element, its column over the points, or null when absent. */
    record Table(String header, List<String> rows, double[][] columns) {
        int points() { return rows.size(); }
    }

    private PointsCsv() {}

    static Table read(Script s, String file) {
        Path path = Path.of(file);
        try {
            String kind = InputFiles.notRegular(path);
            if (kind != null) throw new CompileError(Diagnostic.noPosition(file, "not a regular file").withHint(InputFiles.notRegularHint(kind)));
            long size = Files.size(path);
            // the rows kept as text, their cells while being read, and the columns
            if (size * 4 > InputFiles.available())
                throw new CompileError(new Diagnostic(null, file, 0, 0, 0, "too large to read: " + InputFiles.size(size) + ", " + InputFiles.memoryNote(),
                        InputFiles.MEMORY_HINT));
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.noPosition(file, "no such file"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.noPosition(file, "cannot be read: " + e.getMessage()));
        }
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder), 1 << 16)) {
            Records records = new Records(in, file, path);
            String header = records.next();
            if (header != null && header.startsWith("\uFEFF")) header = header.substring(1);
            while (header != null && header.isBlank()) header = records.next();
            if (header == null)
                throw new CompileError(Diagnostic.noPosition(file, "the file of points is empty; its first row must name θ's elements (" + names(s) + ")"));
            int headerLine = records.line;
            int n = s.dimension();
            List<String> theta = Points.thetaNames(s);
            Map<String, Integer> index = new LinkedHashMap<>();
            for (int k = 0; k < n; k++) index.put(normalize(theta.get(k)), k);

            List<Cell> names = joinBrackets(CsvRecords.cells(header), index.keySet());
            int width = names.size();
            int[] target = new int[width];
            int[] seenAt = new int[n];
            Arrays.fill(seenAt, -1);
            for (int c = 0; c < width; c++) {
                String name = strip(names.get(c).text());
                if (name.isEmpty()) throw error(file, path, headerLine, header, names, c, "column " + (c + 1) + " has no name in the header row", null);
                Integer k = index.get(normalize(name));
                if (k == null)
                    throw new Main.UsageError(SafeText.escape("--points " + file + ": column '" + name + "' names no element of θ" + hint(s, name, theta)));
                if (seenAt[k] >= 0)
                    throw error(file, path, headerLine, header, names, c, "column '" + name + "' sets " + theta.get(k) + ", which column "
                            + (seenAt[k] + 1) + " already sets", null);
                seenAt[k] = c;
                target[c] = k;
            }

            double[][] cols = new double[width][1024];
            List<String> rows = new ArrayList<>();
            String line;
            while ((line = records.next()) != null) {
                if (line.isBlank()) continue;
                int lineNo = records.line;
                List<Cell> cells = CsvRecords.cells(line);
                if (cells.size() != width) {
                    int at = Math.min(cells.size(), width) - (cells.size() < width ? 1 : 0);
                    throw error(file, path, lineNo, line, cells, at, "row has " + cells.size() + " cell" + (cells.size() == 1 ? "" : "s")
                            + ", but the header names " + width + " column" + (width == 1 ? "" : "s"), null);
                }
                int p = rows.size();
                if (p == cols[0].length) for (int c = 0; c < width; c++) cols[c] = Arrays.copyOf(cols[c], p * 2);
                for (int c = 0; c < width; c++) {
                    String cell = strip(cells.get(c).text());
                    String column = strip(names.get(c).text());
                    Double v = number(cell);
                    if (v == null)
                        throw error(file, path, lineNo, line, cells, c, cell.isEmpty() ? "empty cell in column '" + column + "'"
                                : "'" + cell + "' in column '" + column + "' is not a number", null);
                    if (Double.isInfinite(v) && Character.isDigit(cell.charAt(cell.length() - 1)))
                        throw error(file, path, lineNo, line, cells, c, "'" + cell + "' in column '" + column + "' is too large for a double",
                                "write inf (or -inf) for infinity");
                    cols[c][p] = v;
                }
                rows.add(line);
            }
            double[][] columns = new double[n][];
            for (int c = 0; c < width; c++) columns[target[c]] = Arrays.copyOf(cols[c], rows.size());
            return new Table(header, rows, columns);
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.noPosition(file, "no such file"));
        } catch (CharacterCodingException e) {
            throw new CompileError(Diagnostic.noPosition(file, "is not valid UTF-8 text"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.noPosition(file, "cannot be read: " + e.getMessage()));
        } catch (OutOfMemoryError e) {
            throw new CompileError(new Diagnostic(null, file, 0, 0, 0, "too large to read, " + InputFiles.memoryNote(), InputFiles.MEMORY_HINT));
        }
    }

    /**
     * The records of a CSV file, as text: a record ends at a line break outside quotes, so
     * that a quoted cell may hold line breaks (kept as {@code \n}). A control character (but
     * a tab and those breaks) or a quote never closed is an error in the file.
     */
    private static final class Records {
        private final BufferedReader in;
        private final String file;
        private final Path path;
        /** The first line of the record last returned. */
        int line;
        private int next = 1;

        Records(BufferedReader in, String file, Path path) {
            this.in = in;
            this.file = file;
            this.path = path;
        }

        String next() throws IOException {
            String first = in.readLine();
            if (first == null) return null;
            line = next++;
            StringBuilder sb = null;
            String text = first;
            int quotes = count(first);
            while (quotes % 2 != 0) {
                String more = in.readLine();
                if (more == null) {
                    int q = openQuote(text);
                    throw CsvRecords.spotError(file, path, line, text, CsvRecords.cells(text.substring(0, q)).size() - 1, q, 1, true, true,
                            "this quote is never closed", "a quoted cell ends with \"; a quote inside it is written twice, \"\"");
                }
                next++;
                if (sb == null) sb = new StringBuilder(first);
                sb.append('\n').append(more);
                quotes += count(more);
                text = sb.toString();
            }
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 && c != '\t' && c != '\n' || c >= 0x7f && c < 0xa0) {
                    List<Cell> cells = CsvRecords.cells(text.substring(0, i + 1));
                    // at the character, showing at most the numbers before it (a device's or a binary file's bytes are not echoed)
                    throw CsvRecords.spotError(file, path, line, text.substring(0, i + 1), cells.size() - 1, i, 1, false, false,
                            (c == 0 ? "a NUL byte (U+0000)" : "the control character " + String.format("U+%04X", (int) c)) + " in a CSV file",
                            "a file of points is text: tabs and line breaks are the only control characters it may hold");
                }
            }
            return text;
        }

        private static int count(String s) {
            int n = 0;
            for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '"') n++;
            return n;
        }

        private static int openQuote(String s) {
            int open = -1;
            for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '"') open = open < 0 ? i : -1;
            return Math.max(0, open);
        }
    }

    /** A cell's text without the spaces and tabs around it. */
    private static String strip(String s) { return s.strip().equals(s) ? s : s.replaceAll("^[ \t]+|[ \t]+$", ""); }

    /**
     * Header cells rejoined where an unquoted comma split an element's name ({@code W[0,1]}
     * written without quotes), when the rejoined name is an element of θ.
     */
    private static List<Cell> joinBrackets(List<Cell> cells, java.util.Set<String> theta) {
        List<Cell> out = new ArrayList<>();
        for (int c = 0; c < cells.size(); c++) {
            Cell cell = cells.get(c);
            String t = cell.text();
            if (t.indexOf('[') >= 0 && t.indexOf(']') < 0 && c + 1 < cells.size()) {
                String joined = t;
                for (int d = c + 1; d < cells.size(); d++) {
                    joined = joined + "," + cells.get(d).text();
                    if (cells.get(d).text().indexOf(']') >= 0) {
                        if (theta.contains(normalize(joined))) {
                            cell = new Cell(joined, cell.start());
                            c = d;
                        }
                        break;
                    }
                }
            }
            out.add(cell);
        }
        return out;
    }

    /** A name as it is matched: without spaces, so {@code W[0,1]} is {@code W[0, 1]}. */
    private static String normalize(String name) { return name.replaceAll("\\s+", ""); }

    private static String names(Script s) {
        List<String> t = Points.thetaNames(s);
        if (t.isEmpty()) return "the script has no parameters";
        if (t.size() <= 8) return String.join(", ", t);
        return String.join(", ", t.subList(0, 6)) + ", …, " + t.getLast();
    }

    private static String hint(Script s, String name, List<String> theta) {
        Script.Param p = s.param(name.trim());
        if (p != null && !p.shape().isScalar()) {
            List<String> own = theta.subList(p.offset(), p.offset() + p.shape().size());
            String list = own.size() <= 4 ? String.join(", ", own) : own.get(0) + ", " + own.get(1) + ", …, " + own.getLast();
            return "; " + p.name() + " is " + (p.shape().isVector() ? "a vector " : "a matrix ") + p.shape()
                    + ", so give one column per element: " + list;
        }
        String dym = dev.descent.check.Names.didYouMean(name, theta);
        if (dym == null) {
            List<String> bare = new ArrayList<>();
            for (String t : theta) bare.add(normalize(t));
            String c = dev.descent.check.Names.closest(normalize(name), bare);
            if (c != null) dym = "did you mean '" + theta.get(bare.indexOf(c)) + "'?";
        }
        return dym != null ? "; " + dym : " (θ's elements: " + names(s) + ")";
    }

    /** A number as the language writes it, or inf, -inf, nan in any case; null when the cell is not one. */
    private static Double number(String t) {
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            case "nan" -> { return Double.NaN; }
            default -> {}
        }
        if (t.isEmpty() || !NUMBER.matcher(t).matches()) return null;
        return Double.parseDouble(t);
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    /** A diagnostic at the text of cell {@code c} of a record (past its blanks), with the record's line shown. */
    private static CompileError error(String file, Path path, int line, String text, List<Cell> cells, int c, String message, String hint) {
        Cell cell = cells.get(c);
        int start = cell.start();
        while (start < text.length() && text.charAt(start) == ' ') start++; // at the cell's text, not its padding
        if (start >= text.length()) start = cell.start();
        int index = CsvRecords.cells(text).size() == cells.size() ? c : CsvRecords.cells(text.substring(0, Math.min(start, text.length()))).size() - 1;
        return CsvRecords.spotError(file, path, line, text, Math.max(0, index), Math.min(start, text.length()), 1, true, true, message, hint);
    }

    /** A header cell, quoted when it has a comma, a quote or spaces at its ends. */
    static String quote(String name) {
        if (name.contains(",") || name.contains("\"") || !name.equals(name.strip())) return '"' + name.replace("\"", "\"\"") + '"';
        return name;
    }
}
