package dev.descent.cli;

import dev.descent.ir.Shape;
import java.util.function.IntToDoubleFunction;
import java.util.ArrayList;
import java.util.List;

/**
 * Numbers and arrays for people: whole numbers without ".0", others in their shortest
 * round-trip form. An array of more than {@value #THRESHOLD} elements is summarized the way
 * NumPy prints one: the first and last {@value #EDGE} elements (of a matrix, the first and last
 * {@value #EDGE} rows, each summarized too) around {@code …}, then the element count. {@code --json}
 * is where every value is.
 */
final class Text {
    private Text() {}

    /** Arrays of more elements than this are summarized (NumPy's threshold). */
    static final int THRESHOLD = 1000;
    /** Elements, and rows, shown at each end of a summarized array (NumPy's edgeitems). */
    static final int EDGE = 3;

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) return Long.toString((long) v);
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v).replace('E', 'e');
    }

    /**
     * A derivative's value: as {@link #number}, but a zero prints as {@code 0} whatever its sign.
     * The sign of a zero derivative (d/dx of x·y at y = 0 is -0.0 when the product was negated) is
     * an accident of the order of the operations, not information; a value or a parameter keeps it,
     * and {@code --json} prints every derivative bit for bit.
     */
    static double derivative(double v) { return v == 0 ? 0.0 : v; }

    /**
     * A parameter-shaped value at {@code flat[offset …]}: a number, {@code [a, b]}, or
     * {@code [[a, b], [c, d]]}; past {@value #THRESHOLD} elements, summarized with its count:
     * {@code [1, 2, 3, …, 8, 9, 10] (10000 elements)}, and a matrix of 2000 × 10 as its first and
     * last three rows, each summarized: {@code [[a, b, c, …, h, i, j], …three rows…, …, …three rows…] (2000 × 10 = 20000 elements)}.
     */
    static String value(Shape shape, double[] flat, int offset) { return value(shape, i -> flat[i], offset); }

    /** As above, reading element i of θ (or of any flat array) with {@code flat}: a run's resident buffer is read where it is. */
    static String value(Shape shape, IntToDoubleFunction flat, int offset) {
        if (shape.isScalar()) return number(flat.applyAsDouble(offset));
        boolean cut = shape.size() > THRESHOLD;
        StringBuilder sb = new StringBuilder();
        if (shape.isVector()) row(sb, flat, offset, shape.rows(), cut);
        else {
            int m = shape.rows(), c = shape.cols();
            sb.append('[');
            for (int i : shown(m, cut)) {
                if (sb.length() > 1) sb.append(", ");
                if (i < 0) sb.append('…');
                else row(sb, flat, offset + i * c, c, cut);
            }
            sb.append(']');
        }
        if (cut) sb.append(" (").append(count(shape.isMatrix() ? shape.rows() : -1, shape.isMatrix() ? shape.cols() : shape.rows())).append(')');
        return sb.toString();
    }

    /**
     * A square matrix (a Hessian) as lines of rows, {@code [a, b, c]} each; past {@value
     * #THRESHOLD} elements, the first and last {@value #EDGE} rows around a line {@code …},
     * each row summarized as {@link #value} does.
     */
    static List<String> rows(double[][] m) {
        // a Hessian's rows: derivatives, so a zero prints as 0 (see derivative)
        int n = m.length, cols = n == 0 ? 0 : m[0].length;
        boolean cut = (long) n * cols > THRESHOLD;
        List<String> lines = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int i : shown(n, cut)) {
            if (i < 0) { lines.add("…"); continue; }
            sb.setLength(0);
            double[] r = m[i];
            row(sb, k -> derivative(r[k]), 0, r.length, cut);
            lines.add(sb.toString());
        }
        return lines;
    }

    /** Whether {@link #rows} summarizes a matrix of n × n. */
    static boolean summarized(long n) { return n * n > THRESHOLD; }

    /** Names (of θ's elements) joined by ", ", the first and last {@value #EDGE} around {@code …} with {@code cut}. */
    static String names(List<String> names, boolean cut) {
        List<String> out = new ArrayList<>();
        for (int i : shown(names.size(), cut)) out.add(i < 0 ? "…" : names.get(i));
        return String.join(", ", out);
    }

    /** "10000 elements", or "2000 × 10 = 20000 elements" for a matrix (rows ≥ 0). */
    static String count(int rows, int cols) {
        long size = rows < 0 ? cols : (long) rows * cols;
        return (rows < 0 ? "" : rows + " × " + cols + " = ") + size + (size == 1 ? " element" : " elements");
    }

    /** n numbers from flat[at] as [a, b, …]; with cut and more than 2·EDGE of them, the first and last EDGE around "…". */
    private static void row(StringBuilder sb, IntToDoubleFunction flat, int at, int n, boolean cut) {
        sb.append('[');
        boolean first = true;
        for (int i : shown(n, cut)) {
            if (!first) sb.append(", ");
            first = false;
            if (i < 0) sb.append('…');
            else sb.append(number(flat.applyAsDouble(at + i)));
        }
        sb.append(']');
    }

    /** The indices 0…n-1 to show; with cut and n > 2·EDGE, the first and last EDGE with -1 (for "…") between them. */
    private static int[] shown(int n, boolean cut) {
        if (!cut || n <= 2 * EDGE) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] some = new int[2 * EDGE + 1];
        for (int i = 0; i < EDGE; i++) {
            some[i] = i;
            some[EDGE + 1 + i] = n - EDGE + i;
        }
        some[EDGE] = -1;
        return some;
    }
}
