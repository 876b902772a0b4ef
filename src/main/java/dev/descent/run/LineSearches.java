package dev.descent.run;

/**
 * The line searches an optimizer's body calls ({@code linesearch(d, …)}), as algorithms over the
 * values the driver computes: Armijo backtracking over f alone, and the strong-Wolfe search of
 * torch.optim.LBFGS over f and the slope g·d. The driver supplies the trial points (θ = from + a·d
 * evaluated on the step's rows, signed so that the search always minimizes) and keeps what it
 * needs of the accepted one.
 */
final class LineSearches {
    private LineSearches() {}

    /** f (signed) at from + a·d. */
    interface Values {
        double at(double a);
    }

    /** The trial point from + a·d: its f and gradient. */
    interface Trials {
        Trial at(double a);
    }

    /** A point of a strong-Wolfe search: step a, f (signed), value as written, signed gradient (null at a = 0), slope g·d. */
    record Trial(double a, double f, double value, double[] g, double gtd) {}

    /**
     * Armijo backtracking: the first a = a0·shrinkᵏ with f(from + a·d) ≤ f + c·a·slope, or 0 when
     * none of {@code maxTries} tries is.
     */
    static double backtracking(Values value, double a0, double c, double shrink, double slope, double f, int maxTries) {
        double a = a0;
        for (int k = 0; k < maxTries; k++) {
            if (value.at(a) <= f + c * a * slope) return a;
            a *= shrink;
        }
        return 0;
    }

    /**
     * The strong-Wolfe line search of torch.optim.LBFGS ({@code _strong_wolfe}, after Nocedal and
     * Wright's Algorithms 3.5 and 3.6): from a0, extrapolate by cubic interpolation (within
     * [a + 0.01(a − a_prev), 10a]) until a point breaks sufficient decrease, stops decreasing,
     * or has a non-negative slope, which brackets an acceptable step; then zoom into the bracket
     * by cubic interpolation (kept 10% of its width from its ends once progress is slow) until
     * f(from + a·d) ≤ f + c1·a·slope and |∇f(from + a·d)·d| ≤ −c2·slope. At most maxEvals trials
     * after the first (torch's max_ls); the bracket's low point is the result when the
     * conditions are not met by then, or the bracket shrinks below 1e-9 along d. A non-finite
     * f at a trial counts as too far.
     *
     * @param gtd  the slope g·d at a = 0 (negative along a descent direction)
     * @param f    f (signed) at a = 0
     * @param dNorm the largest |dᵢ|, to tell when the bracket has shrunk to nothing along d
     * @return the accepted trial (or the bracket's low point); its {@code g} is null when it is a = 0
     */
    static Trial wolfe(Trials trial, double a0, double c1, double c2, int maxEvals, double gtd, double f, double dNorm) {
        Trial prev = new Trial(0, f, Double.NaN, null, gtd), cur = trial.at(a0);
        Trial[] br = null;
        boolean done = false;
        int iter = 0;
        while (iter < maxEvals) { // bracketing
            if (!(cur.f <= f + c1 * cur.a * gtd) || (iter > 1 && cur.f >= prev.f)) { br = new Trial[] {prev, cur}; break; }
            if (Math.abs(cur.gtd) <= -c2 * gtd) { br = new Trial[] {cur, cur}; done = true; break; }
            if (cur.gtd >= 0) { br = new Trial[] {prev, cur}; break; }
            double next = cubic(prev.a, prev.f, prev.gtd, cur.a, cur.f, cur.gtd, cur.a + 0.01 * (cur.a - prev.a), cur.a * 10);
            prev = cur;
            cur = trial.at(next);
            iter++;
        }
        if (iter == maxEvals) br = new Trial[] {new Trial(0, f, Double.NaN, null, gtd), cur};
        int low = br[0].f <= br[1].f ? 0 : 1, high = 1 - low;
        boolean slow = false;
        while (!done && iter < maxEvals) { // zoom
            if (Math.abs(br[1].a - br[0].a) * dNorm < 1e-9) break;
            double a = cubic(br[0].a, br[0].f, br[0].gtd, br[1].a, br[1].f, br[1].gtd, Double.NaN, Double.NaN);
            double hi = Math.max(br[0].a, br[1].a), lo = Math.min(br[0].a, br[1].a), eps = 0.1 * (hi - lo);
            if (Math.min(hi - a, a - lo) < eps) { // close to an end of the bracket
                if (slow || a >= hi || a <= lo) {
                    a = Math.abs(a - hi) < Math.abs(a - lo) ? hi - eps : lo + eps;
                    slow = false;
                } else slow = true;
            } else slow = false;
            Trial x = trial.at(a);
            iter++;
            if (!(x.f <= f + c1 * a * gtd) || !(x.f < br[low].f)) { // not sufficient decrease, or not below the low end
                br[high] = x;
                low = br[0].f <= br[1].f ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(x.gtd) <= -c2 * gtd) done = true;
                else if (x.gtd * (br[high].a - br[low].a) >= 0) br[high] = br[low];
                br[low] = x;
            }
        }
        return br[low];
    }

    /**
     * The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, kept within
     * [lo, hi] (the interval between x1 and x2 when lo is NaN); the middle of that interval when
     * the cubic has no minimizer (torch's {@code _cubic_interpolate}).
     */
    static double cubic(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
        double xmin = Double.isNaN(lo) ? Math.min(x1, x2) : lo, xmax = Double.isNaN(lo) ? Math.max(x1, x2) : hi;
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2sq = d1 * d1 - g1 * g2;
        if (d2sq >= 0) {
            double d2 = Math.sqrt(d2sq);
            double at = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            if (!Double.isNaN(at)) return Math.min(Math.max(at, xmin), xmax);
        }
        return (xmin + xmax) / 2;
    }
}
