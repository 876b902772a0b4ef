package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Helpers: build step programs from scripts, feed random leaf values, compare engines. */
final class Agree {
    private Agree() {}

    /** A training script with a parameter vector of n elements and this optimizer call. */
    static Script script(int n, String objective, String optimizer) {
        String src = "param x[" + n + "] = 0.5\nminimize " + objective + "\noptimize with " + optimizer + " for 10 steps\n";
        return Checker.checkForTraining(SourceFile.ofString("step.dsc", src), Map.of());
    }

    /** The step's outputs: the new p, then the new states. */
    static List<Node> stepOutputs(Step st) {
        List<Node> outs = new ArrayList<>();
        outs.add(st.pOutput());
        outs.addAll(st.stateOutputs());
        return outs;
    }

    /**
     * Random values for every leaf the outputs reach: t = 3, a search step 0.5, f = 1.25;
     * state and vector inputs uniform in [-1, 1] except names that must be non-negative
     * (second moments: v, sum, square_avg, acc_delta, u) in [0, 1].
     */
    static Map<Node, double[]> leafValues(List<Node> outputs, long seed) {
        Map<Node, double[]> values = new IdentityHashMap<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (Node leaf : reach(outputs)) {
            if (leaf.op == Op.CONST || leaf.arity() > 0) continue;
            String name = leaf.attr == null ? "" : leaf.attr.toString();
            double[] v = new double[leaf.shape.size()];
            boolean positive = name.matches(".*:(v|v_max|sum|square_avg|acc_delta|u|mu_product)\\].*");
            for (int i = 0; i < v.length; i++) v[i] = positive ? rng.nextDouble() : 2 * rng.nextDouble() - 1;
            if (name.contains("name=t]")) v[0] = 3;
            if (name.contains("name=f]")) v[0] = 1.25;
            if (name.contains("search:")) v[0] = 0.5;
            if (name.contains("mu_product")) for (int i = 0; i < v.length; i++) v[i] = 0.8;
            values.put(leaf, v);
        }
        return values;
    }

    static List<Node> reach(List<Node> outputs) {
        return dev.descent.ir.Reach.inIdOrder(outputs);
    }

    static double[][] scalar(List<Node> outputs, Map<Node, double[]> values) {
        return new ScalarProgram(outputs).run(Env.of(values));
    }

    static double[][] simd(List<Node> outputs, Map<Node, double[]> values, Precision p, int threads) {
        return new SimdProgram(outputs, p, threads).run(Env.of(values));
    }

    /** |got - want| ≤ tol·max(1, |want|) elementwise; NaN matches NaN, an infinity itself. */
    static void close(double[][] want, double[][] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": outputs");
        for (int o = 0; o < want.length; o++) {
            assertEquals(want[o].length, got[o].length, what + ": output " + o + " length");
            for (int i = 0; i < want[o].length; i++) {
                double w = want[o][i], g = got[o][i];
                if (Double.isNaN(w) && Double.isNaN(g) || w == g) continue;
                if (Math.abs(g - w) <= tol * Math.max(1, Math.abs(w))) continue;
                fail(what + ": output " + o + " element " + i + ": expected " + w + " but got " + g
                        + " (difference " + Math.abs(g - w) + ", tolerance " + tol + " relative)");
            }
        }
    }

    /** Bit-for-bit. */
    static void same(double[][] want, double[][] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int o = 0; o < want.length; o++)
            for (int i = 0; i < want[o].length; i++)
                if (Double.doubleToLongBits(want[o][i]) != Double.doubleToLongBits(got[o][i]))
                    fail(what + ": output " + o + " element " + i + ": " + want[o][i] + " vs " + got[o][i]);
    }
}
