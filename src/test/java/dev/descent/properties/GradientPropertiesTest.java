package dev.descent.properties;

import static dev.descent.properties.Props.finite;

import dev.descent.check.Script;
import dev.descent.run.Objective;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property 1: the symbolic gradient and Hessian of random scripts agree with central finite
 * differences, and the Hessian is symmetric.
 *
 * <p><b>Finite differences.</b> For θ element i, with {@code h = 1e-6·max(1, |θ_i|)}:
 * {@code D_h = (f(θ + h e_i) − f(θ − h e_i)) / 2h}. Its truncation error is
 * {@code h²·f'''/6}, about 1e-13 relative for our smooth functions, and its rounding error
 * about {@code ε·M/h} where ε = 2.2e-16 and M is the size of the values that cancel in
 * {@code f(θ+h e_i) − f(θ−h e_i)}: about {@code 2e-10·M} at h and {@code 1e-9·M} at h/4.
 * So the tolerance is
 * <pre>  |D − g| ≤ 1e-5·max(|D|, |g|) + 1e-7·max(1, |f|)</pre>
 * (for the Hessian, f is replaced by the gradient element being differenced): the absolute
 * part leaves a factor of 100 for rounding amplified by cancellation inside f, and the
 * relative part is far above the truncation error, so a wrong derivative rule (which is
 * wrong by O(1) relative) cannot pass.
 *
 * <p><b>Kinks and noise.</b> Where {@code D_h} and {@code D_{h/4}} disagree by more than
 * that tolerance, f is not smooth on [θ − h, θ + h] (a kink or jump of abs, relu, floor,
 * min, max, clip, a comparison or an {@code if}) or rounding dominates; that element is
 * skipped and counted. A wrong derivative rule gives two differences that agree with each
 * other and not with the symbolic value, so skipping cannot hide it. Points where f, the
 * gradient or the Hessian is not finite are skipped and counted too.
 *
 * <p><b>Symmetry.</b> {@code H[i][j]} and {@code H[j][i]} come from two different reverse
 * passes, so they may differ by rounding: {@code |H_ij − H_ji| ≤ 1e-9·max(|H_ij|, |H_ji|,
 * 1e-3·max|H|) + 1e-13}: 1e-9 relative, with the scale floored at a thousandth of the
 * largest entry, and an absolute 1e-13 (about 500 ulps of 1; the generated functions'
 * intermediate values are O(1)), so that an entry that is zero up to cancellation (seen:
 * 2.9e-17 against 3.2e-17 where the whole Hessian is below 1e-14) does not demand an exact
 * zero from both passes.
 */
class GradientPropertiesTest {
    static final double RTOL = 1e-5, ATOL = 1e-7;

    static boolean close(double a, double b, double scale) {
        return Math.abs(a - b) <= RTOL * Math.max(Math.abs(a), Math.abs(b)) + ATOL * Math.max(1, Math.abs(scale));
    }

    /** Counts over a run. */
    static final class Stats {
        long checkedG, checkedH, kinksG, kinksH, nonFinite, nonFiniteDerivative, asymmetric;
        String nonFiniteExample;

        String summary(int cases) {
            return String.format("%d scripts, %d gradient and %d Hessian elements checked; skipped: %d gradient and %d Hessian elements at kinks, "
                    + "%d points with f not finite, %d with a non-finite gradient or Hessian; %d asymmetric pairs",
                    cases, checkedG, checkedH, kinksG, kinksH, nonFinite, nonFiniteDerivative, asymmetric);
        }
    }

    @Test
    void gradientsAndHessiansMatchFiniteDifferences() {
        int cases = Props.cases(1500);
        Props.Failures failures = new Props.Failures("gradient/Hessian vs finite differences");
        Stats st = new Stats();
        for (int seed = 0; seed < cases; seed++) {
            ScriptGen.Case c = ScriptGen.script(seed, 4 + seed % 3);
            checkOne(c, seed, null, true, st, failures);
        }
        if (st.nonFiniteExample != null) System.out.println("[gradient] example of a finite f with a non-finite derivative:\n" + st.nonFiniteExample);
        failures.assertNone(st.summary(cases));
    }

    /**
     * Scripts with the 72-element matrix parameter Z[9, 8] and the 66-element vector y as well
     * (their adjoints are SCATTERs, column broadcasts and axis sums rather than PACKs): the
     * gradient along the 13 small parameters' coordinates and 12 random coordinates of Z and
     * y; no Hessian.
     */
    @Test
    void gradientsWithALargeParameterMatchFiniteDifferences() {
        int cases = Props.cases(400);
        Props.Failures failures = new Props.Failures("gradient with a large parameter vs finite differences");
        Stats st = new Stats();
        for (int seed = 0; seed < cases; seed++) {
            ScriptGen.Case c = ScriptGen.bigScript(seed, 4 + seed % 2);
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            int big = 72 + 66;
            int[] coords = new int[ScriptGen.DIMENSION + 12];
            for (int i = 0; i < ScriptGen.DIMENSION; i++) coords[i] = i;
            for (int i = ScriptGen.DIMENSION; i < coords.length; i++) coords[i] = ScriptGen.DIMENSION + r.nextInt(big);
            checkOne(c, seed, coords, false, st, failures);
        }
        failures.assertNone(st.summary(cases));
    }

    /** Checks one script at one random point, along {@code coords} (null: every coordinate). */
    static void checkOne(ScriptGen.Case c, int seed, int[] coords, boolean hessian, Stats st, Props.Failures failures) {
        Script s = Props.check(c.source());
        int n = s.dimension();
        if (coords == null) {
            coords = new int[n];
            for (int i = 0; i < n; i++) coords[i] = i;
        }
        Objective at0 = new Objective(s, hessian), plain = new Objective(s, false);
        SplittableRandom r = new SplittableRandom(1000003L * seed + 7);
        double[] theta = Props.theta(r, n);
        Objective.Result at = at0.evaluate(theta);
        if (!finite(at.value())) { st.nonFinite++; return; }
        boolean derivFinite = finite(at.gradient());
        if (hessian) for (double[] row : at.hessian()) derivFinite &= finite(row);
        if (!derivFinite) {
            st.nonFiniteDerivative++;
            if (st.nonFiniteExample == null || c.source().length() < st.nonFiniteExample.length())
                st.nonFiniteExample = c.source() + "θ = " + Arrays.toString(theta);
            return;
        }
        double[][] hess = at.hessian();
        StringBuilder problems = new StringBuilder();
        for (int i : coords) {
            double h = 1e-6 * Math.max(1, Math.abs(theta[i]));
            Objective.Result p1 = plain.evaluate(shift(theta, i, h)), m1 = plain.evaluate(shift(theta, i, -h));
            Objective.Result p4 = plain.evaluate(shift(theta, i, h / 4)), m4 = plain.evaluate(shift(theta, i, -h / 4));
            if (!finite(p1.value(), m1.value(), p4.value(), m4.value())) { st.kinksG++; continue; }
            double d1 = (p1.value() - m1.value()) / (2 * h), d4 = (p4.value() - m4.value()) / (h / 2);
            if (!close(d1, d4, at.value())) st.kinksG++;
            else {
                st.checkedG++;
                if (!close(at.gradient()[i], d1, at.value()))
                    problems.append(String.format("  df/dθ[%d]: symbolic %.17g, finite differences %.17g (h) and %.17g (h/4)%n", i, at.gradient()[i], d1, d4));
            }
            if (!hessian) continue;
            // column i of the Hessian from the differences of the symbolic gradient
            double[] gp1 = p1.gradient(), gm1 = m1.gradient(), gp4 = p4.gradient(), gm4 = m4.gradient();
            for (int j = 0; j < n; j++) {
                if (!finite(gp1[j], gm1[j], gp4[j], gm4[j])) { st.kinksH++; continue; }
                double e1 = (gp1[j] - gm1[j]) / (2 * h), e4 = (gp4[j] - gm4[j]) / (h / 2);
                if (!close(e1, e4, at.gradient()[j])) { st.kinksH++; continue; }
                st.checkedH++;
                if (!close(hess[j][i], e1, at.gradient()[j]))
                    problems.append(String.format("  H[%d][%d]: symbolic %.17g, finite differences of the gradient %.17g (h) and %.17g (h/4)%n", j, i, hess[j][i], e1, e4));
            }
        }
        if (hessian) {
            double maxH = 0;
            for (double[] row : hess) for (double v : row) maxH = Math.max(maxH, Math.abs(v));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    double scale = Math.max(Math.max(Math.abs(hess[i][j]), Math.abs(hess[j][i])), 1e-3 * maxH);
                    if (Math.abs(hess[i][j] - hess[j][i]) > 1e-9 * scale + 1e-13) {
                        st.asymmetric++;
                        problems.append(String.format("  H not symmetric: H[%d][%d] = %.17g, H[%d][%d] = %.17g%n", i, j, hess[i][j], j, i, hess[j][i]));
                    }
                }
        }
        if (!problems.isEmpty())
            failures.add(c.source(), "seed " + seed + ", θ = " + Arrays.toString(theta) + ", f = " + at.value() + "\n" + problems);
    }

    static double[] shift(double[] theta, int i, double h) {
        double[] t = theta.clone();
        t[i] += h;
        return t;
    }
}
