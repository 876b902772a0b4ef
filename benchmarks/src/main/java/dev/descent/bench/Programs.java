package dev.descent.bench;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.ir.Node;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The DAGs the benchmarks run, built the way the driver builds them. */
final class Programs {
    private Programs() {}

    static final double LR = 0.001, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8, WD = 0, T = 3;

    /** Adam's step over θ of n elements, with the loss sum(g*g) fused in: outputs p', m', v', v_max', loss. */
    static List<Node> adamWithLoss(int n) {
        Script s = Checker.checkForTraining(SourceFile.ofString("adam.dsc",
                "param x[" + n + "] = 0\nminimize sum(x^2)\noptimize with adam(lr = " + LR + ") for 1 steps\n"), Map.of());
        Step st = s.steps.get(0);
        List<Node> outs = new ArrayList<>();
        outs.add(st.pOutput());
        outs.addAll(st.stateOutputs());
        outs.add(s.dag.sum(s.dag.mul(st.g(), st.g())));
        return outs;
    }

    /** Leaf values for an Adam step: t = 3, p and g in [-1, 1], m in [-0.1, 0.1], v and v_max in [0, 0.01]. */
    static double[][] adamLeaves(List<Node> leaves, int n) {
        SplittableRandom rng = new SplittableRandom(42);
        double[][] v = new double[leaves.size()][];
        for (int i = 0; i < v.length; i++) {
            String name = leaves.get(i).attr.toString();
            double[] a = new double[leaves.get(i).shape.size()];
            for (int k = 0; k < a.length; k++) {
                double u = rng.nextDouble();
                a[k] = name.contains(":v") ? 0.01 * u : name.contains(":m") ? 0.2 * u - 0.1 : 2 * u - 1;
            }
            if (name.contains("name=t]")) a[0] = T;
            v[i] = a;
        }
        return v;
    }

    static float[][] toFloat(double[][] d) {
        float[][] f = new float[d.length][];
        for (int i = 0; i < d.length; i++) {
            f[i] = new float[d[i].length];
            for (int k = 0; k < d[i].length; k++) f[i][k] = (float) d[i][k];
        }
        return f;
    }

    static int index(List<Node> leaves, String name) {
        for (int i = 0; i < leaves.size(); i++) if (leaves.get(i).attr.toString().contains(name)) return i;
        throw new IllegalArgumentException("no leaf " + name);
    }
}
