package dev.descent.engine.scalar;

import dev.descent.ir.Attr;
import dev.descent.ir.ScalarMath;
import dev.descent.ir.Shape;
import java.util.Arrays;

/**
 * The reference array operations, in float64 and in a fixed order: reductions (from 0.0,
 * left to right), axis reductions, broadcasts, matrix products, LU solves. The scalar
 * engine computes with them, and the SIMD engine's whole-array fallback too, so the two
 * cannot drift apart.
 */
public final class ArrayKernels {
    private ArrayKernels() {}

    // -------------------------------------------------------------- reductions

    /** From 0.0, left to right. */
    public static double sum(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s;
    }

    public static double max(double[] x) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : x) m = Math.max(m, v);
        return m;
    }

    public static double min(double[] x) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : x) m = Math.min(m, v);
        return m;
    }

    /** m + log(Σ exp(x − m)) with m = max(x); m itself when m is ±∞ or NaN. */
    public static double logSumExp(double[] x) {
        double m = max(x);
        if (!Double.isFinite(m)) return m;
        double s = 0;
        for (double v : x) s += Math.exp(v - m);
        return m + Math.log(s);
    }

    /**
     * Axis 1: each row's sum, out [m]; axis 0: each column's sum, out [n]. Each output is
     * summed from 0.0 in increasing index order (a column accumulates row by row, which is
     * the same order and reads memory contiguously).
     */
    public static void sumAxis(double[] x, Shape xs, int axis, double[] out) {
        int m = xs.rows(), n = xs.cols();
        if (axis == 1) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += x[i * n + j];
                out[i] = s;
            }
        } else {
            Arrays.fill(out, 0.0);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) out[j] += x[i * n + j];
        }
    }

    /** MAX_AXIS (max true) or MIN_AXIS, per row (axis 1) or per column (axis 0). */
    public static void maxAxis(double[] x, Shape xs, int axis, double[] out, boolean max) {
        int m = xs.rows(), n = xs.cols();
        Arrays.fill(out, max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                int o = axis == 1 ? i : j;
                out[o] = max ? Math.max(out[o], x[i * n + j]) : Math.min(out[o], x[i * n + j]);
            }
    }

    /** LSE per row (axis 1) or per column (axis 0), each exactly as {@link #logSumExp}; {@code maxima} is scratch of out's length. */
    public static void logSumExpAxis(double[] x, Shape xs, int axis, double[] out, double[] maxima) {
        int m = xs.rows(), n = xs.cols();
        maxAxis(x, xs, axis, maxima, true);
        Arrays.fill(out, 0.0);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                int o = axis == 1 ? i : j;
                if (Double.isFinite(maxima[o])) out[o] += Math.exp(x[i * n + j] - maxima[o]);
            }
        for (int o = 0; o < out.length; o++)
            out[o] = Double.isFinite(maxima[o]) ? maxima[o] + Math.log(out[o]) : maxima[o];
    }

    // --------------------------------------------------------------- structure

    public static void gather(double[] x, int[] positions, double[] out) {
        for (int k = 0; k < positions.length; k++) out[k] = x[positions[k]];
    }


    public static void scatter(double[] x, int[] positions, double[] out) {
        Arrays.fill(out, 0.0);
        for (int k = 0; k < positions.length; k++) out[positions[k]] = x[k];
    }

    public static void broadcast(double[] x, Shape xs, Attr.Broadcast b, double[] out) {
        if (xs.isScalar()) {
            Arrays.fill(out, x[0]);
            return;
        }
        int m = b.shape().rows(), n = b.shape().cols();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) out[i * n + j] = b.columns() ? x[i] : x[j];
    }

    // ---------------------------------------------------------- linear algebra

    /**
     * [m,k]@[k,n] → [m,n]; [m,k]@[k] → [m]; [k]@[k,n] → [n] (the vector as a row);
     * [k]@[k] → scalar. Every output element starts at 0.0 and adds a[i,p]·b[p,j] for p
     * ascending. The matrix-by-matrix loop runs i, p, j so that both b and out are read
     * along rows; each out[i,j] still receives its terms in the order p = 0, 1, …, so the
     * result is the same as the textbook i, j, p loop, bit for bit.
     */
    public static void matmul(double[] a, Shape as, double[] b, Shape bs, double[] out) {
        if (as.isMatrix() && bs.isMatrix()) {
            int m = as.rows(), kk = as.cols(), n = bs.cols();
            Arrays.fill(out, 0.0);
            for (int i = 0; i < m; i++)
                for (int p = 0; p < kk; p++) {
                    double aip = a[i * kk + p];
                    for (int j = 0; j < n; j++) out[i * n + j] += aip * b[p * n + j];
                }
        } else if (as.isMatrix()) {
            int m = as.rows(), kk = as.cols();
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < kk; p++) s += a[i * kk + p] * b[p];
                out[i] = s;
            }
        } else if (bs.isMatrix()) {
            int kk = bs.rows(), n = bs.cols();
            Arrays.fill(out, 0.0);
            for (int p = 0; p < kk; p++) {
                double ap = a[p];
                for (int j = 0; j < n; j++) out[j] += ap * b[p * n + j];
            }
        } else {
            double s = 0;
            for (int p = 0; p < a.length; p++) s += a[p] * b[p];
            out[0] = s;
        }
    }

    public static void transpose(double[] a, int m, int n, double[] out) {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
    }

    public static void diag(double[] v, double[] out) {
        int n = v.length;
        Arrays.fill(out, 0.0);
        for (int i = 0; i < n; i++) out[i * n + i] = v[i];
    }

    public static void diagExtract(double[] a, int n, double[] out) {
        for (int i = 0; i < n; i++) out[i] = a[i * n + i];
    }

    public static void outer(double[] a, double[] b, double[] out) {
        int n = b.length;
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < n; j++) out[i * n + j] = a[i] * b[j];
    }


    /** Each label a row of the k×k identity; a label that is not an integer in 0…k−1 (NaN included) a row of NaN. */
    public static void onehot(double[] labels, int k, double[] out) {
        for (int i = 0; i < labels.length; i++) {
            double l = labels[i];
            boolean valid = l >= 0 && l < k && l == Math.rint(l);
            Arrays.fill(out, i * k, (i + 1) * k, valid ? 0.0 : Double.NaN);
            if (valid) out[i * k + (int) l] = 1.0;
        }
    }

    /**
     * x = A⁻¹b for A [n,n] and b [n] (r = 1) or [n,r], by LU with partial pivoting: A is
     * copied into {@code lu} and eliminated column by column, choosing as pivot the first
     * row of largest |value| at or below the diagonal (NaN never wins a comparison, so it is
     * chosen only when nothing else can be), swapping rows of the right-hand sides along
     * with it; then back substitution. Nothing is skipped for zero multipliers or pivots,
     * so a singular A gives ±∞ or NaN, and NaN or ∞ anywhere in A or b spreads.
     */
    public static void solve(double[] a, int n, double[] b, int r, double[] x, double[] lu) {
        System.arraycopy(a, 0, lu, 0, n * n);
        System.arraycopy(b, 0, x, 0, n * r);
        for (int c = 0; c < n; c++) {
            int p = c;
            double best = Math.abs(lu[c * n + c]);
            for (int i = c + 1; i < n; i++) {
                double v = Math.abs(lu[i * n + c]);
                if (v > best || Double.isNaN(best) && !Double.isNaN(v)) { best = v; p = i; }
            }
            if (p != c) {
                swapRows(lu, n, p, c);
                swapRows(x, r, p, c);
            }
            double pivot = lu[c * n + c];
            for (int i = c + 1; i < n; i++) {
                double f = lu[i * n + c] / pivot;
                lu[i * n + c] = f;
                for (int j = c + 1; j < n; j++) lu[i * n + j] -= f * lu[c * n + j];
                for (int q = 0; q < r; q++) x[i * r + q] -= f * x[c * r + q];
            }
        }
        for (int i = n - 1; i >= 0; i--)
            for (int q = 0; q < r; q++) {
                double s = x[i * r + q];
                for (int j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j * r + q];
                x[i * r + q] = s / lu[i * n + i];
            }
    }

    private static void swapRows(double[] m, int width, int r1, int r2) {
        for (int j = 0; j < width; j++) {
            double t = m[r1 * width + j];
            m[r1 * width + j] = m[r2 * width + j];
            m[r2 * width + j] = t;
        }
    }
}
