package dev.descent.properties;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Script;
import dev.descent.diff.Derivatives;
import dev.descent.ir.Node;
import dev.descent.run.Objective;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Property 4: no expression swell. Reverse mode keeps one adjoint per node, so the DAG of
 * the objective and its gradient together grows linearly in the size of the objective.
 * For each family the node count n(k) (distinct nodes reachable from the objective and
 * every gradient node, and for two families the Hessian's nodes too) is measured at
 * k = 10, 20, 40, 80, 160, and:
 * <ul>
 *   <li>a line c·k + d is fitted through k = 10 and 20, and every larger k must stay under
 *       {@code 2·(c·k + d)}. A quadratic count αk² has the line 30αk − 200α through those
 *       points and exceeds twice it by 2.8× at k = 160, so quadratic growth fails, while the
 *       factor 2 leaves room for the change of representation at 64 elements (an adjoint
 *       is a PACK of its elements up to {@code Dag.PACK_LIMIT}, a SCATTER beyond, which
 *       changes the slope of x[0]*…*x[k-1] from 4 to 6 nodes per factor);</li>
 *   <li>{@code n(160) ≤ 2.2·n(80)}: doubling k past the PACK limit at most doubles the
 *       count, where quadratic growth would quadruple it.</li>
 * </ul>
 */
class SwellPropertiesTest {
    static final int[] KS = {10, 20, 40, 80, 160};

    /** Distinct nodes reachable from any of the roots. */
    static int nodes(List<Node> roots) {
        BitSet seen = new BitSet();
        ArrayDeque<Node> stack = new ArrayDeque<>(roots);
        int n = 0;
        while (!stack.isEmpty()) {
            Node x = stack.pop();
            if (seen.get(x.id)) continue;
            seen.set(x.id);
            n++;
            for (int i = 0; i < x.arity(); i++) stack.push(x.in(i));
        }
        return n;
    }

    static List<Node> params(Script s) {
        List<Node> p = new ArrayList<>();
        for (Script.Param q : s.params) p.add(q.node());
        return p;
    }

    /** Node counts of objective ∪ gradient (and of objective ∪ gradient ∪ Hessian) for each k. */
    static Map<Integer, int[]> measure(IntFunction<String> script, boolean hessian) {
        Map<Integer, int[]> out = new LinkedHashMap<>();
        for (int k : KS) {
            Script s = Props.check(script.apply(k));
            List<Node> roots = new ArrayList<>();
            roots.add(s.objective);
            roots.addAll(Derivatives.gradient(s.dag, s.objective, params(s)));
            int g = nodes(roots);
            int h = -1;
            if (hessian) {
                for (List<Node> row : Derivatives.hessian(s.dag, s.objective, params(s))) roots.addAll(row);
                h = nodes(roots);
            }
            out.put(k, new int[] {g, h});
        }
        return out;
    }

    static void assertLinear(String what, Map<Integer, int[]> counts, int which) {
        double n10 = counts.get(10)[which], n20 = counts.get(20)[which];
        double c = (n20 - n10) / 10, d = n10 - 10 * c;
        StringBuilder sb = new StringBuilder(what + ": nodes by k " );
        for (var e : counts.entrySet()) sb.append(e.getKey()).append('→').append(e.getValue()[which]).append(' ');
        sb.append(String.format("(fit from k = 10, 20: %.2f·k + %.1f)", c, d));
        System.out.println("[swell] " + sb);
        for (int k : KS) {
            if (k <= 20) continue;
            int n = counts.get(k)[which];
            assertTrue(n <= 2 * (c * k + d), sb + ": at k = " + k + ", " + n + " nodes exceed 2·(" + c + "·k + " + d + ") = " + 2 * (c * k + d));
        }
        assertTrue(counts.get(160)[which] <= 2.2 * counts.get(80)[which], sb + ": from k = 80 to 160 the count more than doubles");
    }

    /** sin(cos(exp(sin(cos(exp(… x …)))))), k functions deep. */
    static String chain(int k) {
        String[] f = {"sin", "cos", "exp"};
        StringBuilder open = new StringBuilder(), close = new StringBuilder();
        for (int i = 0; i < k; i++) {
            open.append(f[i % 3]).append('(');
            close.append(')');
        }
        return "param x = 0.3\nminimize " + open + "x" + close + "\n";
    }

    /** x[0]*x[1]*…*x[k-1] over a vector x near 1. */
    static String vectorProduct(int k) {
        StringBuilder init = new StringBuilder("["), prod = new StringBuilder();
        for (int i = 0; i < k; i++) {
            init.append(i > 0 ? ", " : "").append(1 + 0.05 * Math.sin(i + 1));
            prod.append(i > 0 ? " * " : "").append("x[").append(i).append(']');
        }
        return "param x = " + init + "]\nminimize " + prod + "\n";
    }

    /** (x+1)*(x+2)*…*(x+k) over a scalar x. */
    static String scalarProduct(int k) {
        StringBuilder prod = new StringBuilder();
        for (int i = 1; i <= k; i++) prod.append(i > 1 ? " * " : "").append("(x + ").append(i).append(')');
        return "param x = 0.3\nminimize " + prod + "\n";
    }

    @Test
    void chainOfFunctions() {
        Map<Integer, int[]> counts = measure(SwellPropertiesTest::chain, true);
        assertLinear("gradient of a chain of k functions", counts, 0);
        assertLinear("gradient and Hessian of a chain of k functions", counts, 1);
    }

    @Test
    void productOfVectorElements() {
        Map<Integer, int[]> counts = measure(SwellPropertiesTest::vectorProduct, false);
        assertLinear("gradient of x[0]*…*x[k-1]", counts, 0);
    }

    @Test
    void productOfShiftedScalars() {
        Map<Integer, int[]> counts = measure(SwellPropertiesTest::scalarProduct, true);
        assertLinear("gradient of (x+1)*…*(x+k)", counts, 0);
        assertLinear("gradient and Hessian of (x+1)*…*(x+k)", counts, 1);
    }

    /** The products' gradients are right: against the exact formula and central differences. */
    @Test
    void productGradientsAreCorrect() {
        for (int k : KS) {
            // ∂/∂x_i Π x_j = Π_{j≠i} x_j
            Script s = Props.check(vectorProduct(k));
            double[] x = s.initialTheta(0);
            Objective.Result res = new Objective(s, false).evaluate(x);
            for (int i = 0; i < k; i++) {
                double exact = 1;
                for (int j = 0; j < k; j++) if (j != i) exact *= x[j];
                double h = 1e-6;
                double fd = (new Objective(s, false).evaluate(GradientPropertiesTest.shift(x, i, h)).value()
                        - new Objective(s, false).evaluate(GradientPropertiesTest.shift(x, i, -h)).value()) / (2 * h);
                // exact and symbolic differ only by rounding of k products (k ulps)
                assertTrue(Math.abs(res.gradient()[i] - exact) <= 1e-13 * k * Math.abs(exact),
                        "k = " + k + ", ∂f/∂x[" + i + "]: symbolic " + res.gradient()[i] + ", exact " + exact);
                assertTrue(GradientPropertiesTest.close(res.gradient()[i], fd, res.value()),
                        "k = " + k + ", ∂f/∂x[" + i + "]: symbolic " + res.gradient()[i] + ", finite differences " + fd);
            }
            // d/dx Π (x + i) = f · Σ 1/(x + i)
            Script t = Props.check(scalarProduct(k));
            Objective o = new Objective(t, true);
            double x0 = 0.3;
            Objective.Result r = o.evaluate(new double[] {x0});
            double sum = 0, sum2 = 0;
            for (int i = 1; i <= k; i++) { sum += 1 / (x0 + i); sum2 += 1 / ((x0 + i) * (x0 + i)); }
            double exactG = r.value() * sum, exactH = r.value() * (sum * sum - sum2);
            assertTrue(Math.abs(r.gradient()[0] - exactG) <= 1e-12 * k * Math.abs(exactG),
                    "k = " + k + ": f' symbolic " + r.gradient()[0] + ", exact " + exactG);
            assertTrue(Math.abs(r.hessian()[0][0] - exactH) <= 1e-12 * k * Math.abs(exactH),
                    "k = " + k + ": f'' symbolic " + r.hessian()[0][0] + ", exact " + exactH);
            double h = 1e-6;
            double fd = (o.evaluate(new double[] {x0 + h}).value() - o.evaluate(new double[] {x0 - h}).value()) / (2 * h);
            assertTrue(GradientPropertiesTest.close(r.gradient()[0], fd, r.value()) || Math.abs(r.gradient()[0] - fd) <= 1e-6 * Math.abs(fd),
                    "k = " + k + ": f' symbolic " + r.gradient()[0] + ", finite differences " + fd);
        }
    }
}
