package dev.descent.syntax;

/**
 * One problem found in a script or its data: where (file, line and column from 1,
 * columns counted in characters), what, and optionally a hint. Parse, check,
 * data and run-time errors are all Diagnostics; the command line renders them
 * with the source line and a caret.
 */
public record Diagnostic(SourceFile source, String file, int line, int column, int length, String message, String hint) {

    public Diagnostic(SourceFile source, int line, int column, int length, String message, String hint) {
        this(source, source.name(), line, column, length, message, hint);
    }

    public static Diagnostic at(Pos pos, String message) { return at(pos, message, null); }

    public static Diagnostic at(Pos pos, String message, String hint) {
        return new Diagnostic(pos.source(), pos.line(), pos.column(), pos.length(), message, hint);
    }

    /** A problem with a whole file (missing, unreadable): no line to show. */
    public static Diagnostic noPosition(String file, String message) {
        return new Diagnostic(null, file, 0, 0, 0, message, null);
    }

    public Diagnostic withHint(String h) { return new Diagnostic(source, file, line, column, length, message, h); }

    /** {@code FILE:LINE:COL: error: MESSAGE}, the source line, a caret under the spot, and the hint. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        if (line <= 0) {
            sb.append(file).append(": error: ").append(message).append('\n');
        } else {
            sb.append(file).append(':').append(line).append(':').append(column).append(": error: ").append(message).append('\n');
            if (source != null) {
                String src = source.line(line);
                String shown = clip(src, column);
                int offset = shown.length() < src.length() && column > 80 ? column - 41 : 0; // clipped prefix, in code points
                sb.append("    ").append(display(shown)).append('\n');
                sb.append("    ").append(caretLine(shown, column - offset, Math.max(1, length))).append('\n');
            }
        }
        if (hint != null && !hint.isEmpty()) sb.append("  hint: ").append(hint).append('\n');
        return sb.toString();
    }

    /** Long lines (a 1 MB line) are shown as a window around the column. */
    private static String clip(String src, int column) {
        int n = src.codePointCount(0, src.length());
        if (n <= 160) return src;
        int from = column > 80 ? column - 41 : 0;
        int to = Math.min(n, from + 120);
        int a = src.offsetByCodePoints(0, from), b = src.offsetByCodePoints(0, to);
        return src.substring(a, b);
    }

    /** Control characters would garble a terminal: show them as '?'. */
    private static String display(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(cp == '\t' || !unprintable(cp) ? cp : '?'));
        return sb.toString();
    }

    /** Characters that show nothing, move the cursor or reorder a terminal line. */
    public static boolean invisible(int cp) {
        if (cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0) return true;
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.CONTROL || type == Character.UNASSIGNED || type == Character.SURROGATE
                || type == Character.SPACE_SEPARATOR && cp != ' ' || cp == 0xFFFD;
    }

    /** Characters that would garble the shown source line (move the cursor, reorder the line, break it). */
    static boolean unprintable(int cp) {
        if (cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0) return true;
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE;
    }

    private static String caretLine(String src, int column, int length) {
        StringBuilder sb = new StringBuilder();
        int col = 1;
        for (int i = 0; i < src.length() && col < column; col++) {
            int cp = src.codePointAt(i);
            sb.append(cp == '\t' ? '\t' : ' ');
            i += Character.charCount(cp);
        }
        while (col < column) { sb.append(' '); col++; }
        sb.append('^');
        int available = Math.max(0, src.codePointCount(0, src.length()) - column);
        for (int k = 1; k < Math.min(length, available + 1) && k < 120; k++) sb.append('~');
        return sb.toString();
    }
}
