package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.engine.Engine;

/**
 * The symbolic gradient against central finite differences at one point ({@code check
 * --gradcheck}): for each element i of θ (all of them up to {@link #MAX_ELEMENTS}, else that many
 * evenly spaced), the central differences D(h) = (f(θ + h·eᵢ) − f(θ − h·eᵢ)) / 2h at h and 2h
 * with h = 1e-3·max(1, |θᵢ|), combined by Richardson's (4·D(h) − D(2h)) / 3, whose error is
 * O(h⁴) (a step this large keeps the rounding of f, a sum over every data row, small beside it;
 * exact for polynomials of degree 4, Rosenbrock's), compared with ∂f/∂θᵢ. The relative error of an element is
 * |symbolic − difference| / max(|symbolic|, |difference|, 1e-3·max|g|, 100·ε·(|f(θ+h)| + |f(θ−h)|)/2h):
 * relative to the element, or, for an element a thousand times smaller than the largest, to
 * that one's thousandth, and never below the differences' own rounding. The worst one is
 * reported: about 1e-7 or less on smooth objectives, 1e-10 or less without data; at a kink
 * (abs, relu, max at a tie) the symbolic subgradient and the difference legitimately disagree.
 */
public final class GradCheck {
    /** The most elements differenced (four evaluations of f each). */
    public static final int MAX_ELEMENTS = 1000;
    /** The step, relative to max(1, |θᵢ|). */
    static final double STEP = 1e-3;

    /** The worst element: its index in θ, the two derivatives, the relative error; how many elements were checked. */
    public record Result(int index, double symbolic, double difference, double relative, int checked, int dimension, double value) {}

    private GradCheck() {}

    public static Result at(Script script, double[] theta) {
        Objective.Result r = new Objective(script, false, Engine.SCALAR).evaluate(theta);
        Objective value = Objective.valueOnly(script, Engine.SCALAR);
        double[] g = r.gradient();
        int n = theta.length;
        double gmax = 0;
        for (double v : g) gmax = Math.max(gmax, Math.abs(v));
        int checked = Math.min(n, MAX_ELEMENTS);
        double[] x = theta.clone();
        int worst = -1;
        double worstRel = -1, worstDiff = Double.NaN;
        for (int k = 0; k < checked; k++) {
            int i = checked == n ? k : (int) ((long) k * n / checked);
            double xi = theta[i], h = STEP * Math.max(1, Math.abs(xi));
            double[] f = new double[4]; // at xi - 2h, xi - h, xi + h, xi + 2h
            double[] at = {xi - 2 * h, xi - h, xi + h, xi + 2 * h};
            for (int j = 0; j < 4; j++) {
                x[i] = at[j];
                f[j] = value.evaluate(x).value();
            }
            x[i] = xi;
            double d1 = (f[2] - f[1]) / (at[2] - at[1]), d2 = (f[3] - f[0]) / (at[3] - at[0]);
            double diff = (4 * d1 - d2) / 3; // Richardson: the h² terms cancel
            // the differences' own rounding, about ε·|f|/h, is no error of the gradient's
            double noise = 100 * Math.ulp(1.0) * (Math.abs(f[1]) + Math.abs(f[2])) / (at[2] - at[1]);
            double scale = Math.max(Math.max(Math.abs(g[i]), Math.abs(diff)), Math.max(Math.max(1e-3 * gmax, noise), 1e-300));
            double rel = Math.abs(g[i] - diff) / scale;
            if (Double.isNaN(rel)) rel = Double.POSITIVE_INFINITY;
            if (rel > worstRel) {
                worstRel = rel;
                worst = i;
                worstDiff = diff;
            }
        }
        if (worst < 0) return new Result(-1, Double.NaN, Double.NaN, 0, 0, n, r.value());
        return new Result(worst, g[worst], worstDiff, worstRel, checked, n, r.value());
    }

    /** The name of element i of θ: "x", "x[2]", "W[1, 3]". */
    public static String element(Script script, int i) {
        for (Script.Param p : script.params) {
            int k = i - p.offset();
            if (k < 0 || k >= p.shape().size()) continue;
            if (p.shape().isScalar()) return p.name();
            if (p.shape().isVector()) return p.name() + "[" + k + "]";
            return p.name() + "[" + k / p.shape().cols() + ", " + k % p.shape().cols() + "]";
        }
        return "θ[" + i + "]";
    }
}
