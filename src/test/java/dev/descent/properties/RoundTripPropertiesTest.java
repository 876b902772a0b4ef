package dev.descent.properties;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.ir.Node;
import dev.descent.ir.Printer;
import dev.descent.ir.Shape;
import dev.descent.run.Objective;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property 2: printing a node with {@link Printer#print} and checking the text again gives
 * the same value, for the objective of random scripts and for every gradient node.
 *
 * <p>The printed text goes into a script of the same parameter declarations as
 * {@code let q = <printed>}, then {@code minimize q} (a scalar node), or
 * {@code minimize sum(q * W)} with W a literal of random weights (a vector or matrix
 * gradient), and is evaluated at the same θ as the original.
 *
 * <p><b>Bitwise where the structure survives.</b> When the re-checked {@code q} prints to
 * the same text as the original node, it is the same DAG (the printer is meant to be
 * injective up to what simplification does anyway), and the scalar engine evaluates the
 * same operations in the same order, so the value must be equal bit for bit. The weighted
 * sum adds, from 0.0 and left to right, the products {@code g_k·w_k}: exactly what
 * {@code sum(q * W)} does (its MUL and SUM are not rewritten when W is a non-scalar
 * constant), so it too is compared bitwise with Σ g_k·w_k computed here from the
 * original gradient.
 *
 * <p><b>1e-12 where it does not.</b> Where re-checking the printed text simplifies further
 * (the text of {@code q} differs: printing is not a fixpoint of simplification), a few
 * re-associations may change the last bits: then {@code |got − expected| ≤ 1e-12·max(|got|,
 * |expected|)} (some 4500 ulps). Such cases are counted and one is shown on stdout.
 */
class RoundTripPropertiesTest {
    /** Printed forms longer than this are skipped (print writes shared nodes in full). */
    static final int MAX_TEXT = 200_000;

    @Test
    void printedNodesReparseToTheSameValues() {
        int cases = Props.cases(1200);
        Props.Failures failures = new Props.Failures("print → re-parse");
        long bitwise = 0, tolerance = 0, tooLong = 0, nodes = 0;
        String refixExample = null;
        for (int seed = 0; seed < cases; seed++) {
            ScriptGen.Case c = seed % 4 == 3 ? ScriptGen.bigScript(seed, 4) : ScriptGen.script(seed, 4 + seed % 3);
            Script s = Props.check(c.source());
            Objective o = new Objective(s, false);
            double[] theta = Props.theta(new SplittableRandom(7919L * seed + 1), s.dimension());
            Objective.Result res = o.evaluate(theta);
            StringBuilder problems = new StringBuilder();

            List<Node> targets = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            List<double[]> weights = new ArrayList<>();
            List<Double> expected = new ArrayList<>();
            targets.add(s.objective);
            labels.add("objective");
            weights.add(null);
            expected.add(res.value());
            SplittableRandom wr = new SplittableRandom(seed);
            for (int j = 0; j < s.params.size(); j++) {
                Script.Param p = s.params.get(j);
                Node g = o.gradientNodes().get(j);
                targets.add(g);
                labels.add("gradient of " + p.name());
                if (p.shape().isScalar()) {
                    weights.add(null);
                    expected.add(res.gradient()[p.offset()]);
                } else {
                    double[] w = new double[p.shape().size()];
                    double sum = 0;
                    for (int k = 0; k < w.length; k++) {
                        w[k] = Math.round(wr.nextDouble(-1, 1) * 1000) / 1000.0;
                        sum += res.gradient()[p.offset() + k] * w[k];
                    }
                    weights.add(w);
                    expected.add(sum);
                }
            }
            for (int t = 0; t < targets.size(); t++) {
                Node node = targets.get(t);
                String text = Printer.print(node);
                if (text.length() > MAX_TEXT) { tooLong++; continue; }
                nodes++;
                double[] w = weights.get(t);
                String src = c.header() + "let q = " + text + "\n"
                        + (w == null ? "minimize q\n" : "minimize sum(q * " + literal(w, node.shape) + ")\n");
                Script s2;
                try {
                    s2 = Checker.check(SourceFile.ofString("printed.dsc", src));
                } catch (CompileError e) {
                    problems.append("  the printed ").append(labels.get(t)).append(" does not check:\n").append(e.render())
                            .append("  printed: ").append(text).append('\n');
                    continue;
                }
                double got = Props.eval1(s2.objective, theta), want = expected.get(t);
                if (Props.sameBits(got, want)) { bitwise++; continue; }
                String again = Printer.print(s2.lets.get(0).value());
                if (again.equals(text)) {
                    problems.append(String.format("  %s: printed %s%n    re-checked to the same text but evaluates to %.17g, not %.17g%n",
                            labels.get(t), text, got, want));
                    continue;
                }
                if (refixExample == null || text.length() < refixExample.length())
                    refixExample = text + "\n  re-checked and printed again: " + again;
                if (Math.abs(got - want) <= 1e-12 * Math.max(Math.abs(got), Math.abs(want))) { tolerance++; continue; }
                problems.append(String.format("  %s: printed %s%n    re-checked (printing again gives %s) evaluates to %.17g, not %.17g%n",
                        labels.get(t), text, again, got, want));
            }
            if (!problems.isEmpty()) failures.add(c.source(), "seed " + seed + ", θ = " + Arrays.toString(theta) + "\n" + problems);
        }
        if (refixExample != null) System.out.println("[round trip] shortest print that simplifies further when re-checked:\n  " + refixExample);
        failures.assertNone(String.format("%d scripts, %d nodes printed and re-checked: %d equal bit for bit, %d within 1e-12 after further simplification; %d skipped (text over %d chars)",
                cases, nodes, bitwise, tolerance, tooLong, MAX_TEXT));
    }

    /** Weights as a literal of the gradient's shape. */
    static String literal(double[] w, Shape shape) {
        if (shape.isVector()) return Arrays.toString(w);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.rows(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(Arrays.toString(Arrays.copyOfRange(w, i * shape.cols(), (i + 1) * shape.cols())));
        }
        return sb.append(']').toString();
    }
}
