package dev.descent.properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.run.Objective;
import dev.descent.syntax.SourceFile;
import org.junit.jupiter.api.Test;

/**
 * The smallest reproducers of the product bugs the property tests found (or that their
 * generator had to steer around). Each states the property it breaks; each fails until
 * the product is fixed, and is kept as a regression test afterwards.
 */
class KnownBugsTest {

    private static Script check(String src) { return Checker.check(SourceFile.ofString("bug.dsc", src)); }

    /**
     * LANGUAGE.md: a vector start broadcasts over the rows of a matrix, and the checker
     * accepts {@code param W[2, 3] = [1, 2, 3]}, but then crashes with
     * {@code IllegalStateException: not a constant} (Checker.param calls constValues() on
     * the BCAST node that Dag.broadcast makes of a constant vector; only scalars become
     * filled constants). A user would see a Java stack trace.
     */
    @Test
    void vectorStartOfAMatrixParameter() {
        Script s = check("param W[2, 3] = [1, 2, 3]\nminimize sum(W)\n");
        assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, s.initialTheta(0));
    }

    /**
     * clip(x, lo, hi) = min(max(x, lo), hi). Where lo > hi the value is hi whatever x and lo
     * are, so ∂/∂lo = 0 (as in torch.clamp); the derivative rule gives {@code x < lo} = 1,
     * so the gradient disagrees with finite differences (and lo and hi both get 1).
     */
    @Test
    void clipGradientWhenTheBoundsCross() {
        Script s = check("param lo = 0.5\nminimize clip(0, lo, -1)\n");
        Objective o = new Objective(s, false);
        double h = 1e-6;
        double fd = (o.evaluate(new double[] {0.5 + h}).value() - o.evaluate(new double[] {0.5 - h}).value()) / (2 * h);
        Objective.Result r = o.evaluate(new double[] {0.5});
        assertEquals(-1, r.value());
        assertEquals(0, fd);
        assertEquals(fd, r.gradient()[0], "d clip(0, lo, -1) / d lo at lo = 0.5 (symbolic " + o.gradientNodes().get(0) + ")");
    }

    /**
     * DESIGN.md: simplify "only with identities that hold for IEEE doubles". Gathering
     * constants ({@code c1*(c2*y) → (c1*c2)*y}, {@code (c*y)*b → c*(y*b)}) and combining like
     * terms ({@code c1*y + c2*y → (c1+c2)*y}) re-associate, which overflows or underflows where
     * the expression as written does not: each value below is what the script says in
     * IEEE arithmetic, evaluated left to right by the AST interpreter, against the DAG's.
     */
    @Test
    void constantGatheringOverflowsAndUnderflows() {
        String[][] cases = {
                {"1e200 * (1e200 * y)", "1e-300"},  // DAG: inf * y = inf, as written: 1e100
                {"1e-200 * (1e-200 * y)", "1e300"}, // DAG: 0 * y = 0, as written: 1e-100
                {"1e308 * y + 1e308 * y", "1e-300"}, // DAG: inf * y, as written: 2e8
                {"(1e-200 * y) * y", "1e200"},      // DAG: 1e-200 * y^2 = 1e-200 * inf, as written: 1e200
        };
        StringBuilder wrong = new StringBuilder();
        for (String[] c : cases) {
            String src = "param y = 1\nminimize " + c[0] + "\n";
            double y = Double.parseDouble(c[1]);
            double dag = new Objective(check(src), false).evaluate(new double[] {y}).value();
            double ref = AstEval.evaluate(src, new double[] {y}).objective();
            if (!(Math.abs(dag - ref) <= 1e-12 * Math.abs(ref)))
                wrong.append(String.format("  %s at y = %s: DAG %s, as written %s%n", c[0], c[1], dag, ref));
        }
        assertTrue(wrong.isEmpty(), "simplification changed values:\n" + wrong);
    }

    /**
     * softmax is computed as exp(x − logsumexp(x)); where |max(x)| is large, log(n) is lost
     * in rounding logsumexp (ulp(1e16) = 2 > log 2), so softmax([1e16, 1e16]) is [1, 1],
     * not [0.5, 0.5]; the relative error grows like |max(x)|·ε (1e-8 at 1e8). The usual
     * exp(x − m) / Σ exp(x − m) is exact to a few ulps at any magnitude.
     */
    @Test
    void softmaxOfLargeLogitsSumsToOne() {
        for (String x : new String[] {"[1e16, 1e16]", "[1e15, 1e15, 1e15]", "[1e10, 1e10]"}) {
            Script s = check("param x = " + x + "\nminimize sum(softmax(x))\n");
            double v = new Objective(s, false).evaluate(s.initialTheta(0)).value();
            assertEquals(1.0, v, 1e-12, "sum(softmax(" + x + "))");
        }
    }

    /**
     * x + 0 → x and 0 − x → −x do not hold for signed zeros: in IEEE, −0 + 0 = +0 and
     * 0 − (+0) = +0, while the rewrites give −0 and −0. Visible through 1/x (±inf), atan2
     * and sign. A parameter at exactly 0 is common (it is the usual start).
     */
    @Test
    void additiveZeroRewritesKeepTheSignOfZero() {
        String[][] cases = {{"1 / (y + 0)", "-0.0"}, {"1 / (0 - y)", "0.0"}, {"atan2(0 - y, -1)", "0.0"}};
        StringBuilder wrong = new StringBuilder();
        for (String[] c : cases) {
            String src = "param y = 1\nminimize " + c[0] + "\n";
            double y = Double.parseDouble(c[1]);
            double dag = new Objective(check(src), false).evaluate(new double[] {y}).value();
            double ref = AstEval.evaluate(src, new double[] {y}).objective();
            if (!Props.sameBits(dag, ref)) wrong.append(String.format("  %s at y = %s: DAG %s, IEEE as written %s%n", c[0], c[1], dag, ref));
        }
        assertTrue(wrong.isEmpty(), "simplification changed values:\n" + wrong);
    }

    /**
     * norm(w) at w = 0: the gradient is NaN (the rule for sqrt(sum(w^2)) gives 0·∞), where
     * PyTorch's norm backward gives the subgradient 0 (it masks norm == 0), and LANGUAGE.md
     * promises the usual subgradients at kinks. A script with an L2 penalty and the usual
     * zero start, {@code minimize sum((w - 1)^2) + 0.1 * norm(w)}, gets a NaN gradient at
     * step 1 and diverges.
     */
    @Test
    void normGradientAtZeroIsTheZeroSubgradient() {
        Script s = check("param w = [0, 0]\nminimize sum((w - 1)^2) + 0.1 * norm(w)\n");
        Objective o = new Objective(s, false);
        assertArrayEquals(new double[] {-2, -2}, o.evaluate(new double[] {0, 0}).gradient(), 1e-15,
                "gradient at w = 0 (symbolic " + o.gradientNodes().get(0) + ")");
    }

    /**
     * Printer.print writes a SCATTER (an index's adjoint into an array of more than 64
     * elements) as {@code x * onehot(i, n)}: where x is ±∞ or NaN, the re-checked text has
     * NaN (∞·0) everywhere the SCATTER has 0, so print → re-parse changes the value. Here
     * the gradient of {@code sqrt(y[0]) + sum(y)} at y = 0 is [∞, 1, 1, …]; its printed form
     * {@code ones(66) + 1 / (2 * sqrt(y[0])) * onehot(0, 66)} evaluates to [∞, NaN, NaN, …].
     */
    @Test
    void printedScatterOfAnInfiniteValue() {
        Script s = check("param y[66] = 1\nminimize sqrt(y[0]) + sum(y)\n");
        Objective o = new Objective(s, false);
        double[] theta = new double[66];
        double[] g = o.evaluate(theta).gradient();
        String text = dev.descent.ir.Printer.print(o.gradientNodes().get(0));
        Script again = check("param y[66] = 1\nlet q = " + text + "\nminimize sum(q)\n");
        double[] q = Props.eval(java.util.List.of(again.lets.get(0).value()), theta)[0];
        assertEquals(Double.POSITIVE_INFINITY, g[0]);
        assertArrayEquals(g, q, "the gradient printed as " + text + ", re-checked, at y = 0");
    }
}
