package dev.descent.run;

import java.util.Arrays;

/**
 * What a Hessian says about a point: its eigenvalues (a symmetric eigen-decomposition, values
 * only), its condition number, and, where the gradient is about zero, whether the point is a
 * minimum, a maximum or a saddle point ({@code descent eval --hessian}).
 *
 * <p>The eigenvalues come from a Householder reduction to tridiagonal form followed by the
 * implicit QL iteration with Wilkinson shifts (EISPACK's tred1/tql1): O(n³) once, backward stable,
 * every eigenvalue within a few ulps of ‖H‖ of the exact one of the matrix given. The Hessian is
 * symmetrized first ((H + Hᵀ)/2), which changes nothing for the symbolic Hessian but a rounding.
 */
public final class Curvature {
    private Curvature() {}

    /** The gradient counts as zero where max |gᵢ| ≤ this × max(1, |f|). */
    public static final double STATIONARY = 1e-6;

    /** What the eigenvalues say. */
    public enum Kind {
        /** All eigenvalues positive. */
        MINIMUM("minimum", "positive definite"),
        /** All negative. */
        MAXIMUM("maximum", "negative definite"),
        /** Some positive and some negative. */
        SADDLE("saddle point", "indefinite"),
        /** None of different signs, but some about zero: the second-order test cannot tell. */
        DEGENERATE("degenerate", "singular (semidefinite)"),
        /** A non-finite entry: nothing is known. */
        UNKNOWN("unknown", "not finite");

        public final String point, definiteness;

        Kind(String point, String definiteness) {
            this.point = point;
            this.definiteness = definiteness;
        }
    }

    /**
     * The analysis of one Hessian at one point.
     *
     * @param eigenvalues ascending (null where H has a non-finite entry)
     * @param condition max |λ| / min |λ| (infinite where some λ is 0; NaN without eigenvalues)
     * @param kind the definiteness of H, as the point it would make where the gradient is zero
     * @param stationary whether the gradient is about zero ({@link #STATIONARY})
     */
    public record Result(double[] eigenvalues, double condition, Kind kind, boolean stationary, int negative, int zero, int positive) {
        /** "minimum", "maximum", "saddle point", "degenerate" where the gradient is about zero; else null. */
        public String point() { return stationary && kind != Kind.UNKNOWN ? kind.point : null; }
    }

    /** The analysis of Hessian {@code h} at a point where the objective is {@code f} and its gradient {@code g}. */
    public static Result analyze(double[][] h, double f, double[] g) {
        double gmax = 0;
        boolean finiteG = true;
        for (double v : g) {
            if (!Double.isFinite(v)) finiteG = false;
            gmax = Math.max(gmax, Math.abs(v));
        }
        boolean stationary = finiteG && gmax <= STATIONARY * Math.max(1, Double.isFinite(f) ? Math.abs(f) : 1);
        double[] ev = eigenvalues(h);
        if (ev == null) return new Result(null, Double.NaN, Kind.UNKNOWN, stationary, 0, 0, 0);
        int n = ev.length;
        double big = 0, small = Double.POSITIVE_INFINITY;
        for (double v : ev) {
            big = Math.max(big, Math.abs(v));
            small = Math.min(small, Math.abs(v));
        }
        // an eigenvalue this small is zero to the accuracy of the decomposition (and of H's own rounding)
        double tol = Math.max(n, 1) * 1e-13 * big;
        int neg = 0, zero = 0, pos = 0;
        for (double v : ev) {
            if (v > tol) pos++;
            else if (v < -tol) neg++;
            else zero++;
        }
        Kind kind = neg > 0 && pos > 0 ? Kind.SADDLE : zero > 0 ? Kind.DEGENERATE : pos > 0 ? Kind.MINIMUM : Kind.MAXIMUM;
        double condition = big == 0 ? Double.POSITIVE_INFINITY : small == 0 ? Double.POSITIVE_INFINITY : big / small;
        return new Result(ev, condition, kind, stationary, neg, zero, pos);
    }

    /**
     * The eigenvalues of the symmetric matrix {@code a} (n × n; its symmetric part is used),
     * ascending; null where an entry is not finite. {@code a} is not changed.
     */
    public static double[] eigenvalues(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("the matrix is not square: row " + i + " has " + a[i].length + " entries, not " + n);
            for (int j = 0; j < n; j++) {
                double v = 0.5 * (a[i][j] + a[j][i]);
                if (!Double.isFinite(a[i][j])) return null;
                m[i][j] = v;
            }
        }
        double[] d = new double[n], e = new double[n];
        tridiagonalize(m, d, e);
        ql(d, e);
        Arrays.sort(d);
        return d;
    }

    /**
     * Householder reduction of symmetric {@code m} (overwritten) to the tridiagonal matrix with
     * diagonal {@code d} and off-diagonal {@code e} ({@code e[i]} couples i and i + 1; {@code e[n-1]} = 0).
     * Step k reflects rows and columns k+1… so that column k below its subdiagonal is zero:
     * with the reflector I − 2vvᵀ (‖v‖ = 1), the trailing block A becomes A − vwᵀ − wvᵀ, where
     * p = 2Av and w = p − (vᵀp)v.
     */
    static void tridiagonalize(double[][] m, double[] d, double[] e) {
        int n = m.length;
        double[] v = new double[n], p = new double[n];
        for (int k = 0; k < n - 2; k++) {
            // x = m[k+1.., k], scaled to avoid overflow and underflow in its norm
            double scale = 0;
            for (int i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(m[i][k]));
            if (scale == 0) {
                e[k] = 0;
                continue;
            }
            double norm2 = 0;
            for (int i = k + 1; i < n; i++) {
                v[i] = m[i][k] / scale;
                norm2 += v[i] * v[i];
            }
            double norm = Math.sqrt(norm2);
            double alpha = v[k + 1] > 0 ? -norm : norm; // the sign that avoids cancellation in v = x − αe₁
            e[k] = alpha * scale;
            v[k + 1] -= alpha;
            double vnorm2 = 0;
            for (int i = k + 1; i < n; i++) vnorm2 += v[i] * v[i];
            double vn = Math.sqrt(vnorm2);
            for (int i = k + 1; i < n; i++) v[i] /= vn;
            // p = 2 A v over the trailing block, K = vᵀp, w = p − K v
            double kk = 0;
            for (int i = k + 1; i < n; i++) {
                double s = 0;
                double[] row = m[i];
                for (int j = k + 1; j < n; j++) s += row[j] * v[j];
                p[i] = 2 * s;
                kk += v[i] * p[i];
            }
            for (int i = k + 1; i < n; i++) p[i] -= kk * v[i];
            for (int i = k + 1; i < n; i++) {
                double[] row = m[i];
                double vi = v[i], wi = p[i];
                for (int j = k + 1; j < n; j++) row[j] -= vi * p[j] + wi * v[j];
            }
        }
        for (int i = 0; i < n; i++) d[i] = m[i][i];
        if (n >= 2) e[n - 2] = m[n - 1][n - 2];
        if (n >= 1) e[n - 1] = 0;
    }

    /**
     * The implicit QL iteration with Wilkinson shifts on the symmetric tridiagonal matrix
     * ({@code d}, {@code e}) (EISPACK tql1, as in Numerical Recipes' tqli without vectors):
     * {@code d} becomes the eigenvalues, unordered; {@code e} is destroyed.
     */
    static void ql(double[] d, double[] e) {
        int n = d.length;
        final double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            int iter = 0, m;
            do {
                for (m = l; m < n - 1; m++) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= eps * dd) break;
                }
                if (m != l) {
                    if (iter++ == 100) throw new ArithmeticException("the eigenvalue iteration did not converge");
                    double g = (d[l + 1] - d[l]) / (2 * e[l]);
                    double r = Math.hypot(g, 1);
                    g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                    double s = 1, c = 1, p = 0;
                    int i;
                    boolean underflow = false;
                    for (i = m - 1; i >= l; i--) {
                        double f = s * e[i], b = c * e[i];
                        r = Math.hypot(f, g);
                        e[i + 1] = r;
                        if (r == 0) { // recover from underflow
                            d[i + 1] -= p;
                            e[m] = 0;
                            underflow = true;
                            break;
                        }
                        s = f / r;
                        c = g / r;
                        g = d[i + 1] - p;
                        r = (d[i] - g) * s + 2 * c * b;
                        p = s * r;
                        d[i + 1] = g + p;
                        g = c * r - b;
                    }
                    if (underflow) continue;
                    d[l] -= p;
                    e[l] = g;
                    e[m] = 0;
                }
            } while (m != l);
        }
    }
}
