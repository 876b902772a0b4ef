package dev.descent.syntax;

/**
 * Text from files (file names, CSV headers and cells, script lines and strings) made safe
 * to print on a terminal. A character that would move the cursor, start an escape sequence,
 * reorder the line or hide itself is shown as an escape, {@code \u001B} ({@code \U000E0001}
 * past the BMP): the C0 controls (tab and line breaks included, in a one-line message), DEL,
 * the C1 controls, the format characters (the bidi marks, embeddings, overrides and isolates
 * U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C; zero-width characters; U+FEFF), the line
 * and paragraph separators, and lone surrogates. Everything else is shown as itself.
 */
public final class SafeText {
    private SafeText() {}

    /** How many characters of a file's text a diagnostic quotes at most (a cell, a column name, a token). */
    public static final int SHORT = 24;

    /** Whether {@code cp} is shown as an escape. */
    public static boolean unsafe(int cp) {
        if (cp < 0x20 || cp == 0x7f || cp >= 0x80 && cp < 0xa0) return true;
        if (cp < 0xa0) return false;
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                || type == Character.SURROGATE;
    }

    /** {@code \u001B} for one code point. */
    public static String escape(int cp) {
        return cp <= 0xffff ? String.format("\\u%04X", cp) : String.format("\\U%08X", cp);
    }

    /** The text with every {@link #unsafe} character escaped; the same string when there is none. */
    public static String escape(String s) {
        if (s == null) return null;
        int i = 0, n = s.length();
        while (i < n) {
            int cp = s.codePointAt(i);
            if (unsafe(cp)) break;
            i += Character.charCount(cp);
        }
        if (i == n) return s;
        StringBuilder sb = new StringBuilder(n + 16).append(s, 0, i);
        while (i < n) {
            int cp = s.codePointAt(i);
            if (unsafe(cp)) sb.append(escape(cp));
            else sb.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /** How many terminal cells {@code cp} takes in an echoed source line (a tab is kept as a tab: 1). */
    static int width(int cp) {
        return cp == '\t' || !unsafe(cp) ? 1 : escape(cp).length();
    }

    /** Whether a file's text is short enough to be quoted in a diagnostic: at most {@link #SHORT} characters. */
    public static boolean isShort(String s) {
        return s.length() <= SHORT || s.codePointCount(0, s.length()) <= SHORT;
    }
}
