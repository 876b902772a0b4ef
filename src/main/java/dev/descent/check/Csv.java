package dev.descent.check;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reads a numeric CSV table: a header row naming the columns, then one number per
 * cell. Strict: a cell that is not a number, a row with the wrong number of cells,
 * an empty file, duplicate column names are errors at FILE:LINE:COL. Streams the
 * file line by line; values are kept as doubles, never as text.
 */
public final class Csv {
    private Csv() {}

    public static DataSet read(String dataName, Pos pos, Path path, String displayName) {
        if (!Files.exists(path)) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' not found", "a path in csv(...) is relative to the script's folder"));
        if (Files.isDirectory(path)) throw new CompileError(Diagnostic.at(pos, "'" + displayName + "' is a folder, not a CSV file"));
        if (!Files.isRegularFile(path)) throw new CompileError(Diagnostic.at(pos, "'" + displayName + "' is not a regular file"));
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(path), decoder), 1 << 16)) {
            String header = in.readLine();
            if (header != null && header.startsWith("\uFEFF")) header = header.substring(1);
            while (header != null && header.isBlank()) header = in.readLine();
            if (header == null) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is empty", "the first row must name the columns"));
            List<String> names = split(header);
            int lineNo = 1;
            List<String> seen = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                String n = names.get(c).trim();
                if (n.isEmpty()) throw error(displayName, path, 1, header, c, "column " + (c + 1) + " has no name in the header row");
                if (seen.contains(n)) throw error(displayName, path, 1, header, c, "column name '" + n + "' appears twice in the header row");
                seen.add(n);
            }
            int k = seen.size();
            double[][] cols = new double[k][1024];
            int rows = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                List<String> cells = split(line);
                if (cells.size() != k)
                    throw error(displayName, path, lineNo, line, Math.min(cells.size(), k) - (cells.size() < k ? 1 : 0),
                            "row has " + cells.size() + (cells.size() == 1 ? " cell" : " cells") + ", but the header names " + k + " columns");
                if (rows == cols[0].length) for (int c = 0; c < k; c++) cols[c] = java.util.Arrays.copyOf(cols[c], rows * 2);
                for (int c = 0; c < k; c++) {
                    String cell = cells.get(c).trim();
                    double v;
                    try {
                        v = parseNumber(cell);
                    } catch (NumberFormatException e) {
                        throw error(displayName, path, lineNo, line, c,
                                cell.isEmpty() ? "empty cell in column '" + seen.get(c) + "'" : "'" + cell + "' in column '" + seen.get(c) + "' is not a number");
                    }
                    cols[c][rows] = v;
                }
                rows++;
            }
            if (rows == 0) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' has a header but no rows"));
            LinkedHashMap<String, double[]> map = new LinkedHashMap<>();
            for (int c = 0; c < k; c++) map.put(seen.get(c), java.util.Arrays.copyOf(cols[c], rows));
            return new DataSet(dataName, pos, path, map, rows);
        } catch (NoSuchFileException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' not found"));
        } catch (CharacterCodingException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is not valid UTF-8 text"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.at(pos, "cannot read data file '" + displayName + "': " + e.getMessage()));
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
