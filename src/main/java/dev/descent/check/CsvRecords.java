package dev.descent.check;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.SafeText;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One CSV record as text, by RFC 4180's rules: its cells, their numbers, and a diagnostic at
 * a spot in it that shows no more of the file than {@link Csv} allows (the numbers before the
 * cell, the cell itself when it is short). Shared by the data loader's slow path ({@link Csv})
 * and {@code --points} files ({@code cli.PointsCsv}).
 */
public final class CsvRecords {
    private CsvRecords() {}

    /** Numbers as the language writes them, plus inf, -inf and nan (any case). */
    static double parseNumber(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity" -> { return Double.POSITIVE_INFINITY; }
            case "-inf", "-infinity" -> { return Double.NEGATIVE_INFINITY; }
            case "nan", "+nan", "-nan" -> { return Double.NaN; }
            default -> {}
        }
        if (s.isEmpty() || !s.matches("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?")) throw new NumberFormatException(s);
        return Double.parseDouble(s);
    }

    /** A cell's text without the blanks (spaces and tabs) around it. */
    public static String strip(String s) {
        int a = 0, b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) a++;
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) b--;
        return s.substring(a, b);
    }

    /** A cell of a CSV row: its text (quotes removed) and where it starts in the row (0-based). */
    public record Cell(String text, int start) {}

    /**
     * Splits one CSV record into cells. RFC 4180 quotes: a quoted cell may hold commas,
     * line breaks and doubled quotes ({@code ""} for one {@code "}).
     */
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

    /** The line breaks in {@code text} before {@code to} ({@code \r\n} is one). */
    public static int breaks(String text, int to) {
        int n = 0;
        for (int i = 0; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n')) n++;
        }
        return n;
    }

    static String clip(String s) {
        return SafeText.isShort(s) ? s : s.substring(0, s.offsetByCodePoints(0, SafeText.SHORT - 1)) + "…";
    }

    /** Whether {@code ch} may not be in a CSV file: a C0 control but a tab and the line breaks, DEL, a C1 control. */
    static boolean control(char ch) {
        return ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' || ch >= 0x7f && ch < 0xa0;
    }

    /**
     * The diagnostic of a control character, the last of {@code text} (a record up to it):
     * at the character, showing the cell it is in when that is short and {@code quotable}.
     */
    static CompileError controlError(String file, Path path, int firstLine, String text, boolean quotable) {
        int i = text.length() - 1;
        int cp = text.charAt(i);
        List<Cell> cells = cells(text);
        int c = cells.size() - 1;
        String what = cp == 0 ? "a NUL byte (U+0000)" : "the control character " + String.format("U+%04X", cp);
        return spotError(file, path, firstLine, text, c, i, 1, quotable && SafeText.isShort(cells.get(c).text()), false,
                what + " in a CSV file", "a data file is text: tabs and line breaks are the only control characters it may hold");
    }

    /** A diagnostic at the start of cell {@code c} of a record, under the whole cell. */
    static CompileError cellError(String file, Path path, int firstLine, String text, int c, boolean quotable, String message, String hint) {
        List<Cell> cells = cells(text);
        int start = c >= 0 && c < cells.size() ? cells.get(c).start() : 0;
        int stop = c + 1 < cells.size() ? cells.get(c + 1).start() - 1 : text.length();
        return spotError(file, path, firstLine, text, Math.max(0, Math.min(c, cells.size() - 1)), start, Math.max(1, stop - start), quotable, false, message, hint);
    }

    /**
     * A diagnostic at {@code spot} (a char index) of a record that starts on line
     * {@code firstLine}, in cell {@code c}, with {@code length} chars under the caret. What
     * it shows of the record's line: with {@code whole}, all of it; else the cells before
     * cell {@code c} when they are numbers, and the cell itself (up to the end of its line)
     * when {@code quotable}; nothing else.
     */
    public static CompileError spotError(String file, Path path, int firstLine, String text, int c, int spot, int length,
                                         boolean quotable, boolean whole, String message, String hint) {
        List<Cell> cells = cells(text);
        int lineStart = spot;
        while (lineStart > 0 && text.charAt(lineStart - 1) != '\n' && text.charAt(lineStart - 1) != '\r') lineStart--;
        int lineEnd = spot;
        while (lineEnd < text.length() && text.charAt(lineEnd) != '\n' && text.charAt(lineEnd) != '\r') lineEnd++;
        int lineNo = firstLine + breaks(text, lineStart);
        int cellStart = cells.get(c).start();
        int cellEnd = c + 1 < cells.size() ? cells.get(c + 1).start() - 1 : text.length();
        int from, to;
        if (whole) {
            from = lineStart;
            to = lineEnd;
        } else {
            boolean numbers = cellStart >= lineStart;
            for (int i = 0; i < c && numbers; i++) {
                Cell before = cells.get(i);
                int beforeEnd = cells.get(i + 1).start() - 1;
                if (beforeEnd < lineStart) continue;
                if (before.start() < lineStart) numbers = false;
                else {
                    try {
                        parseNumber(strip(before.text()));
                    } catch (NumberFormatException e) {
                        numbers = false;
                    }
                }
            }
            from = numbers ? lineStart : Math.max(lineStart, cellStart);
            to = quotable ? Math.max(from, Math.min(lineEnd, cellEnd)) : Math.max(from, Math.min(cellStart, lineEnd));
        }
        int col = text.codePointCount(lineStart, spot) + 1;
        int len = Math.max(1, text.codePointCount(spot, Math.max(spot, Math.min(lineEnd, spot + length))));
        String shown = text.substring(from, to);
        Diagnostic d = shown.isEmpty() ? new Diagnostic(null, file, lineNo, col, len, message, hint)
                : new Diagnostic(SourceFile.excerpt(file, path, lineNo, text.codePointCount(lineStart, from) + 1, shown), lineNo, col, len, message, hint);
        return new CompileError(d);
    }
}
