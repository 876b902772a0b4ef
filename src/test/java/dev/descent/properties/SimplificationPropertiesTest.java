package dev.descent.properties;

import dev.descent.check.Script;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property 3: simplification never changes a value. The DAG's value of a random script's
 * objective (and of each of its top-level lets), built with hash-consing, constant folding
 * and every local rewrite, is compared with {@link AstEval}, an independent tree-walking
 * interpreter of the parsed AST that does each operation exactly as written.
 *
 * <p><b>Bound.</b> The two may differ only where the DAG re-associates or rewrites:
 * {@code (c1*y)*c2 → (c1*c2)*y}, {@code c1*x + c2*x → (c1+c2)*x}, {@code x*x → x^2} (which
 * the engine computes as x*x, but {@code Math.pow} here), and the different but equivalent
 * formulas of softmax ({@code exp(x − lse)} against {@code e_i/Σe_j}) and sigmoid. Each such
 * step changes a result by an ulp or two (2.2e-16 relative); a chain of a few dozen of them,
 * amplified by moderate cancellation, stays far below
 * <pre>  |dag − ref| ≤ 1e-12·max(|dag|, |ref|)</pre>
 * (some 4500 ulps). A rewrite that is wrong for doubles (x·0 → 0, x − x → 0, a wrong
 * broadcast, a wrong fold) is off by far more. NaN must match NaN and an infinity itself.
 *
 * <p>Two exceptions, each counted and accepted only when it explains the difference:
 * <ul>
 *   <li><b>Cancellation.</b> Where the value is a difference of nearly equal terms (in one
 *       case the mean of [s₁, s₂, −1, −0] with s the softmax of two numbers: 0 here, 7.7e-34
 *       after the DAG's exp(x − lse) softmax, squared), a relative bound cannot hold. Then
 *       the reference is evaluated 8 more times with every rounding operation's result
 *       perturbed by up to an ulp ({@link AstEval#evaluateNoisy}), and the DAG must lie
 *       within 10 times the spread of those values from the reference: the DAG's
 *       re-associations are a few such perturbations.</li>
 *   <li><b>Jumps.</b> At a point where a tiny difference flips a jump ({@code floor},
 *       {@code round}, a comparison), the values may differ by O(1); that is accepted if
 *       both agree at 3 points 1e-9 away.</li>
 * </ul>
 */
class SimplificationPropertiesTest {
    static boolean close(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) return Double.isNaN(a) && Double.isNaN(b);
        if (Double.isInfinite(a) || Double.isInfinite(b)) return a == b;
        return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    }

    @Test
    void dagValuesMatchAnIndependentAstInterpreter() {
        int cases = Props.cases(3000);
        Props.Failures failures = new Props.Failures("DAG value vs AST interpreter");
        long compared = 0, cancellation = 0, knifeEdge = 0;
        for (int seed = 0; seed < cases; seed++) {
            ScriptGen.Case c = seed % 4 == 3 ? ScriptGen.bigScript(seed, 4) : ScriptGen.script(seed, 4 + seed % 3);
            Script s = Props.check(c.source());
            double[] theta = Props.theta(new SplittableRandom(31L * seed + 5), s.dimension());
            String problem = compare(c.source(), s, theta);
            if (problem == null) {
                compared++;
                continue;
            }
            if (withinRoundingSpread(c.source(), s, theta)) {
                cancellation++;
                continue;
            }
            // a jump flipped by rounding? then nearby points agree
            boolean nearbyAgree = true;
            SplittableRandom r = new SplittableRandom(seed);
            for (int k = 0; k < 3 && nearbyAgree; k++) {
                double[] t2 = theta.clone();
                for (int i = 0; i < t2.length; i++) t2[i] += r.nextDouble(-1e-9, 1e-9);
                nearbyAgree = compare(c.source(), s, t2) == null;
            }
            if (nearbyAgree) { knifeEdge++; continue; }
            failures.add(c.source(), "seed " + seed + ", θ = " + Arrays.toString(theta) + "\n" + problem);
        }
        failures.assertNone(String.format("%d scripts: %d agree to 1e-12 (objective and every let), %d within the rounding spread (cancellation), "
                + "%d only at points 1e-9 away (a jump at θ)", cases, compared, cancellation, knifeEdge));
    }

    /** Whether every value of the DAG lies within 10× the spread of 8 noisy reference evaluations around the exact one. */
    static boolean withinRoundingSpread(String source, Script s, double[] theta) {
        List<Node> outs = new ArrayList<>();
        outs.add(s.objective);
        for (Script.Let l : s.lets) outs.add(l.value());
        double[][] dag = Props.eval(outs, theta);
        AstEval.Result ref = AstEval.evaluate(source, theta);
        List<double[]> exact = new ArrayList<>();
        exact.add(new double[] {ref.objective()});
        for (Script.Let l : s.lets) exact.add(ref.lets().get(l.name()).d());
        double[][] spread = new double[exact.size()][];
        for (int i = 0; i < spread.length; i++) spread[i] = new double[exact.get(i).length];
        for (int run = 0; run < 8; run++) {
            AstEval.Result noisy = AstEval.evaluateNoisy(source, theta, run);
            for (int i = 0; i < spread.length; i++) {
                double[] v = i == 0 ? new double[] {noisy.objective()} : noisy.lets().get(s.lets.get(i - 1).name()).d();
                for (int k = 0; k < v.length; k++) spread[i][k] = Math.max(spread[i][k], Math.abs(v[k] - exact.get(i)[k]));
            }
        }
        for (int i = 0; i < spread.length; i++)
            for (int k = 0; k < spread[i].length; k++) {
                double d = dag[i][k], r = exact.get(i)[k];
                if (!Props.finite(d, r, spread[i][k])) return false;
                if (Math.abs(d - r) > 10 * spread[i][k] && !close(d, r)) return false;
            }
        return true;
    }

    /** null when the DAG and the reference agree on the objective and every let at θ, else what differs. */
    static String compare(String source, Script s, double[] theta) {
        List<Node> outs = new ArrayList<>();
        outs.add(s.objective);
        for (Script.Let l : s.lets) outs.add(l.value());
        double[][] dag = Props.eval(outs, theta);
        AstEval.Result ref = AstEval.evaluate(source, theta);
        StringBuilder sb = new StringBuilder();
        if (!close(dag[0][0], ref.objective()))
            sb.append(String.format("  objective: DAG %.17g, reference %.17g%n", dag[0][0], ref.objective()));
        for (int i = 0; i < s.lets.size(); i++) {
            Script.Let l = s.lets.get(i);
            double[] want = ref.lets().get(l.name()).d(), got = dag[i + 1];
            if (want.length != got.length) {
                sb.append("  let ").append(l.name()).append(": DAG has ").append(got.length).append(" elements, reference ").append(want.length).append('\n');
                continue;
            }
            for (int k = 0; k < want.length; k++)
                if (!close(got[k], want[k])) {
                    sb.append(String.format("  let %s: DAG %s, reference %s%n", l.name(), Arrays.toString(got), Arrays.toString(want)));
                    break;
                }
        }
        return sb.isEmpty() ? null : sb.toString();
    }
}
