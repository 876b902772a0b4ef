package dev.descent.check;

import java.nio.charset.StandardCharsets;

/**
 * Reads one CSV cell's number straight from the file's bytes, with the value that
 * {@link Double#parseDouble} gives for the same text, bit for bit. The text must be
 * what the language writes, {@code [+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?}, between
 * blanks (spaces and tabs).
 *
 * <p>Most numbers take Clinger's fast path: when the significant digits make an integer
 * m ≤ 2⁵³ and the power of ten k is within ±22 (both exact as doubles), m·10ᵏ or
 * m/10⁻ᵏ is one correctly rounded operation, hence the correctly rounded result. The
 * others (more digits, larger exponents) go to {@code Double.parseDouble} on the cell's
 * few characters. {@code inf} and {@code nan} are not read here; {@link Csv} handles
 * anything this declines.
 */
final class Decimal {
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    private static final long[] LONG_POW10 = {
        1L, 10L, 100L, 1000L, 10000L, 100000L, 1000000L, 10000000L, 100000000L, 1000000000L,
        10000000000L, 100000000000L, 1000000000000L, 10000000000000L, 100000000000000L, 1000000000000000L,
    };
    private static final long TWO_53 = 1L << 53;

    /** The number the last successful {@link #scan} read. */
    double value;
    /** Whether that number took the fast path (for tests). */
    boolean fast;
    /** Whether a number too large for a double (which reads as ±inf) is declined, for the caller to report. */
    boolean finiteOnly;

    /**
     * Reads the cell that starts at {@code i}: blanks, a number, blanks, up to {@code end}
     * or the next comma or line break. Returns where it stopped (at {@code end}, a comma,
     * {@code \n} or {@code \r}), with the number in {@link #value}; or -1 when the cell is
     * anything else (empty, {@code inf}, quoted, not a number, a non-ASCII byte).
     */
    int scan(byte[] b, int i, int end) {
        while (i < end && isBlank(b[i])) i++;
        int numberStart = i;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long m = 0;
        int digits = 0;     // significant digits in m (from the first non-zero one; at most 18, so m never overflows)
        int exp10 = 0;      // value = m * 10^exp10
        boolean any = false, tooMany = false;
        int d;
        while (i < end && (d = b[i] - '0') >= 0 && d <= 9) {
            any = true;
            if (m != 0 || d != 0) {
                if (digits < 18) {
                    m = m * 10 + d;
                    digits++;
                } else {
                    tooMany = true;
                    exp10++;
                }
            }
            i++;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end && (d = b[i] - '0') >= 0 && d <= 9) {
                any = true;
                if (m != 0 || d != 0) {
                    if (digits < 18) {
                        m = m * 10 + d;
                        digits++;
                        exp10--;
                    } else {
                        tooMany = true;
                    }
                } else {
                    exp10--;
                }
                i++;
            }
        }
        if (!any) return -1;
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < end && (b[i] == '-' || b[i] == '+')) {
                expNegative = b[i] == '-';
                i++;
            }
            int e = 0;
            boolean expDigits = false;
            while (i < end && (d = b[i] - '0') >= 0 && d <= 9) {
                expDigits = true;
                if (e < 100_000) e = e * 10 + d;
                i++;
            }
            if (!expDigits) return -1;
            exp10 += expNegative ? -e : e;
        }
        int numberEnd = i;
        while (i < end && isBlank(b[i])) i++;
        if (i < end && b[i] != ',' && b[i] != '\n' && b[i] != '\r') return -1;

        fast = true;
        if (m == 0) {
            value = negative ? -0.0 : 0.0;
            return i;
        }
        if (!tooMany && m <= TWO_53) {
            double v = Double.NaN;
            if (exp10 == 0) v = m;
            else if (exp10 < 0 && exp10 >= -22) v = m / POW10[-exp10];
            else if (exp10 > 0 && exp10 <= 22) v = m * POW10[exp10];
            else if (exp10 > 22 && exp10 - 22 < LONG_POW10.length && m <= TWO_53 / LONG_POW10[exp10 - 22])
                v = (double) (m * LONG_POW10[exp10 - 22]) * 1e22; // the first product is an exact integer ≤ 2^53
            if (v == v) {
                value = negative ? -v : v;
                return i;
            }
        }
        fast = false;
        value = Double.parseDouble(new String(b, numberStart, numberEnd - numberStart, StandardCharsets.ISO_8859_1));
        return finiteOnly && Double.isInfinite(value) ? -1 : i;
    }

    /** A blank around a cell's number: a space or a tab (any other control character is an error in a CSV file). */
    static boolean isBlank(byte c) {
        return c == ' ' || c == '\t';
    }
}
