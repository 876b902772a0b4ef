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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The line-by-line CSV reader that {@link Csv} replaced (a string per line, a list of strings
 * per row, a regular expression and {@code Double.parseDouble} per cell), kept as the reference
 * the streaming reader must agree with: the same columns bit for bit, or the same diagnostic.
 * One change from the original: the header's line number counts blank lines before it.
 */
final class ReferenceCsv {
    private ReferenceCsv() {}

    static DataSet read(String dataName, Pos pos, Path path, String displayName) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(path), decoder), 1 << 16)) {
            String header = in.readLine();
            int lineNo = 1;
            if (header != null && header.startsWith("\uFEFF")) header = header.substring(1);
            while (header != null && header.isBlank()) {
                header = in.readLine();
                lineNo++;
            }
            if (header == null) throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is empty", "the first row must name the columns"));
            List<String> names = CsvRecords.split(header);
            List<String> seen = new ArrayList<>();
            for (int c = 0; c < names.size(); c++) {
                String n = names.get(c).trim();
                if (n.isEmpty()) throw error(displayName, path, lineNo, header, c, "column " + (c + 1) + " has no name in the header row");
                if (seen.contains(n)) throw error(displayName, path, lineNo, header, c, "column name '" + n + "' appears twice in the header row");
                seen.add(n);
            }
            int k = seen.size();
            double[][] cols = new double[k][1024];
            int rows = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                List<String> cells = CsvRecords.split(line);
                if (cells.size() != k)
                    throw error(displayName, path, lineNo, line, Math.min(cells.size(), k) - (cells.size() < k ? 1 : 0),
                            "row has " + cells.size() + (cells.size() == 1 ? " cell" : " cells") + ", but the header names " + k + " columns");
                if (rows == cols[0].length) for (int c = 0; c < k; c++) cols[c] = java.util.Arrays.copyOf(cols[c], rows * 2);
                for (int c = 0; c < k; c++) {
                    String cell = cells.get(c).trim();
                    double v;
                    try {
                        v = CsvRecords.parseNumber(cell);
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
        } catch (CharacterCodingException e) {
            throw new CompileError(Diagnostic.at(pos, "data file '" + displayName + "' is not valid UTF-8 text"));
        } catch (IOException e) {
            throw new CompileError(Diagnostic.at(pos, "cannot read data file '" + displayName + "': " + e.getMessage()));
        }
    }

    private static CompileError error(String file, Path path, int line, String text, int cell, String message) {
        List<CsvRecords.Cell> cells = CsvRecords.cells(text);
        int col = cell >= 0 && cell < cells.size() ? text.codePointCount(0, cells.get(cell).start()) + 1 : 1;
        return new CompileError(new Diagnostic(SourceFile.excerpt(file, path, line, text), line, col, 1, message, null));
    }
}
