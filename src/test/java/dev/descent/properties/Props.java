package dev.descent.properties;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Env;
import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Shared helpers of the property tests: compiling, evaluating nodes at θ, sampling, collecting failures. */
final class Props {
    private Props() {}

    /** Longer runs (ten times the cases) with {@code -Ddescent.long=true}. */
    static final boolean LONG = Boolean.getBoolean("descent.long");

    static int cases(int normal) { return LONG ? normal * 10 : normal; }

    static Script check(String source) {
        try {
            return Checker.check(SourceFile.ofString("generated.dsc", source));
        } catch (CompileError e) {
            throw new AssertionError("a generated script does not check (a generator bug, or a checker bug):\n"
                    + e.render() + "\n--- script ---\n" + source, e);
        }
    }

    /** Parameter values from θ, by each PARAM leaf's offset. */
    static Env env(double[] theta) {
        return leaf -> {
            if (leaf.op != Op.PARAM) throw new IllegalStateException("no value for " + leaf.op + " " + leaf.attr);
            Attr.Param p = (Attr.Param) leaf.attr;
            double[] v = new double[p.shape().size()];
            System.arraycopy(theta, p.offset(), v, 0, v.length);
            return v;
        };
    }

    /** The values of nodes (of one Dag) at θ, each row-major. */
    static double[][] eval(List<Node> nodes, double[] theta) {
        return new ScalarProgram(nodes).run(env(theta));
    }

    static double eval1(Node scalar, double[] theta) { return eval(List.of(scalar), theta)[0][0]; }

    /** θ uniform in [-1.5, 1.5]. */
    static double[] theta(SplittableRandom r, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = r.nextDouble(-1.5, 1.5);
        return t;
    }

    static boolean finite(double... v) {
        for (double x : v) if (!Double.isFinite(x)) return false;
        return true;
    }

    static boolean sameBits(double a, double b) { return Double.doubleToLongBits(a) == Double.doubleToLongBits(b); }

    /** Collects failures (with their scripts) so that one run reports many, the smallest first. */
    static final class Failures {
        private final String what;
        private final List<String> list = new ArrayList<>();
        int count;

        Failures(String what) { this.what = what; }

        void add(String source, String detail) {
            count++;
            list.add(detail + "\n--- script (" + source.length() + " chars) ---\n" + source);
        }

        void assertNone(String stats) {
            System.out.println("[" + what + "] " + stats + ", failures " + count);
            if (count == 0) return;
            list.sort(java.util.Comparator.comparingInt(String::length));
            StringBuilder sb = new StringBuilder(what + ": " + count + " failures (" + stats + "); the shortest:\n");
            for (int i = 0; i < Math.min(3, list.size()); i++) sb.append("\n#").append(i + 1).append(' ').append(list.get(i)).append('\n');
            throw new AssertionError(sb.toString());
        }
    }
}
