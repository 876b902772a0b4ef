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

    /**
     * {@code FILE:LINE:COL: error: MESSAGE}, the source line, a caret under the spot, and the hint.
     * Everything that came from a file is escaped ({@link SafeText}): the file's name, what the
     * message and hint quote, and the source line, whose caret counts an escape's width. A long
     * line is shown as a window around the column; a line of a file that a script names
     * ({@link SourceFile#guarded}) only up to the end of the spot, and the spot itself only
     * when it is short.
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        String f = SafeText.escape(file), m = SafeText.escape(message);
        if (line <= 0) {
            sb.append(f).append(": error: ").append(m).append('\n');
        } else {
            sb.append(f).append(':').append(line).append(':').append(column).append(": error: ").append(m).append('\n');
            if (source != null) appendSource(sb);
        }
        if (hint != null && !hint.isEmpty()) sb.append("  hint: ").append(SafeText.escape(hint)).append('\n');
        return sb.toString();
    }

    /** Longest window of a line shown before the spot, in a file a script names. */
    private static final int GUARDED_BEFORE = 40;

    private void appendSource(StringBuilder sb) {
        int[] cps = source.line(line).codePoints().toArray();
        int shift = line == source.firstLine() ? source.firstColumn() - 1 : 0; // an excerpt that starts inside the line
        int col = column - shift;
        if (col < 1) return;
        int n = cps.length, len = Math.max(1, length), from, to;
        if (source.guarded()) {
            to = Math.min(n, col - 1 + (len <= SafeText.SHORT ? len : 0));
            from = Math.max(0, Math.min(col - 1, to) - GUARDED_BEFORE);
            if (from >= to) return;
        } else if (n <= 160) {
            from = 0;
            to = n;
        } else { // long lines (a 1 MB line) are shown as a window around the column
            from = Math.min(n, col > 80 ? col - 41 : 0);
            to = Math.min(n, from + 120);
        }
        StringBuilder shown = new StringBuilder(), caret = new StringBuilder();
        for (int i = from; i < to; i++) {
            int cp = cps[i];
            if (cp == '\t' || !SafeText.unsafe(cp)) shown.appendCodePoint(cp);
            else shown.append(SafeText.escape(cp));
        }
        int at = col - 1; // the spot, as an index into cps
        for (int i = from; i < at; i++) {
            if (i < to && cps[i] == '\t') caret.append('\t');
            else caret.repeat(' ', i < to ? SafeText.width(cps[i]) : 1);
        }
        caret.append('^');
        int under = 0; // the terminal cells of the spot that are shown
        for (int i = at; i < Math.min(to, at + len); i++) under += SafeText.width(cps[i]);
        caret.repeat('~', Math.max(0, Math.min(under, 120) - 1));
        sb.append("    ").append(shown).append('\n');
        sb.append("    ").append(caret).append('\n');
    }

    /** Characters that show nothing, move the cursor or reorder a terminal line. */
    public static boolean invisible(int cp) {
        if (cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0) return true;
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.CONTROL || type == Character.UNASSIGNED || type == Character.SURROGATE
                || type == Character.SPACE_SEPARATOR && cp != ' ' || cp == 0xFFFD;
    }
}
