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
 * 1e-3·max|H|)}: 1e-9 relative, with the scale floored at a thousandth of the largest
 * entry so that an entry that is zero up to cancellation does not demand an exact zero.
 */
class GradientPropertiesTest {
    static final double RTOL = 1e-5, ATOL = 1e-7;

    static boolean close(double a, double b, double scale) {
        return Math.abs(a - b) <= RTOL * Math.max(Math.abs(a), Math.abs(b)) + ATOL * Math.max(1, Math.abs(scale));
    }

    @Test
    void gradientsAndHessiansMatchFiniteDifferences() {
        int cases = Props.cases(1500);
        Props.Failures failures = new Props.Failures("gradient/Hessian vs finite differences");
        long checkedG = 0, checkedH = 0, kinksG = 0, kinksH = 0, nonFinite = 0, nonFiniteDerivative = 0, asymmetric = 0;
        String nonFiniteExample = null;
        for (int seed = 0; seed < cases; seed++) {
            ScriptGen.Case c = ScriptGen.script(seed, 4);
            Script s = Props.check(c.source());
            int n = s.dimension();
            Objective withH = new Objective(s, true), plain = new Objective(s, false);
            SplittableRandom r = new SplittableRandom(1000003L * seed + 7);
            double[] theta = Props.theta(r, n);
            Objective.Result at = withH.evaluate(theta);
            if (!finite(at.value())) { nonFinite++; continue; }
            boolean derivFinite = finite(at.gradient());
            for (double[] row : at.hessian()) derivFinite &= finite(row);
            if (!derivFinite) {
                nonFiniteDerivative++;
                if (nonFiniteExample == null || c.source().length() < nonFiniteExample.length()) nonFiniteExample = c.source() + "θ = " + Arrays.toString(theta);
                continue;
            }
            double[][] hess = at.hessian();
            StringBuilder problems = new StringBuilder();
            for (int i = 0; i < n; i++) {
                double h = 1e-6 * Math.max(1, Math.abs(theta[i]));
                Objective.Result p1 = plain.evaluate(shift(theta, i, h)), m1 = plain.evaluate(shift(theta, i, -h));
                Objective.Result p4 = plain.evaluate(shift(theta, i, h / 4)), m4 = plain.evaluate(shift(theta, i, -h / 4));
                if (!finite(p1.value(), m1.value(), p4.value(), m4.value())) { kinksG++; continue; }
                double d1 = (p1.value() - m1.value()) / (2 * h), d4 = (p4.value() - m4.value()) / (h / 2);
                if (!close(d1, d4, at.value())) kinksG++;
                else {
                    checkedG++;
                    if (!close(at.gradient()[i] * (1 + 1e-4), d1, at.value()))
                        problems.append(String.format("  df/dθ[%d]: symbolic %.17g, finite differences %.17g (h) and %.17g (h/4)%n", i, at.gradient()[i], d1, d4));
                }
                // column i of the Hessian from the differences of the symbolic gradient
                for (int j = 0; j < n; j++) {
                    double[] gp1 = p1.gradient(), gm1 = m1.gradient(), gp4 = p4.gradient(), gm4 = m4.gradient();
                    if (!finite(gp1[j], gm1[j], gp4[j], gm4[j])) { kinksH++; continue; }
                    double e1 = (gp1[j] - gm1[j]) / (2 * h), e4 = (gp4[j] - gm4[j]) / (h / 2);
                    if (!close(e1, e4, at.gradient()[j])) { kinksH++; continue; }
                    checkedH++;
                    if (!close(hess[j][i], e1, at.gradient()[j]))
                        problems.append(String.format("  H[%d][%d]: symbolic %.17g, finite differences of the gradient %.17g (h) and %.17g (h/4)%n", j, i, hess[j][i], e1, e4));
                }
            }
            double maxH = 0;
            for (double[] row : hess) for (double v : row) maxH = Math.max(maxH, Math.abs(v));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    double scale = Math.max(Math.max(Math.abs(hess[i][j]), Math.abs(hess[j][i])), 1e-3 * maxH);
                    if (Math.abs(hess[i][j] - hess[j][i]) > 1e-9 * scale) {
                        asymmetric++;
                        problems.append(String.format("  H not symmetric: H[%d][%d] = %.17g, H[%d][%d] = %.17g%n", i, j, hess[i][j], j, i, hess[j][i]));
                    }
                }
            if (!problems.isEmpty())
                failures.add(c.source(), "seed " + seed + ", θ = " + Arrays.toString(theta) + ", f = " + at.value() + "\n" + problems);
        }
        if (nonFiniteExample != null) System.out.println("[gradient] example of a finite f with a non-finite derivative:\n" + nonFiniteExample);
        failures.assertNone(String.format("%d scripts, %d gradient and %d Hessian elements checked; skipped: %d gradient and %d Hessian elements at kinks, "
                + "%d points with f not finite, %d with a non-finite gradient or Hessian; %d asymmetric pairs",
                cases, checkedG, checkedH, kinksG, kinksH, nonFinite, nonFiniteDerivative, asymmetric));
    }

    static double[] shift(double[] theta, int i, double h) {
        double[] t = theta.clone();
        t[i] += h;
        return t;
    }
}
