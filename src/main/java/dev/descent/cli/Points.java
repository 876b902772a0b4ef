package dev.descent.cli;

import dev.descent.check.Script;
import java.util.ArrayList;
import java.util.List;

/** Starting points and --at values. */
final class Points {
    private Points() {}

    /** θ0: the script's starting values; a random start uses --seed, else the script's seed, else 0. */
    static double[] start(Script s, Long seed) {
        long sd = seed != null ? seed : s.seed != null ? s.seed : 0L;
        return s.initialTheta(sd);
    }

    /** Applies --at NAME=V[,V…] to θ; a usage error for an unknown name or a wrong count. */
    static void applyAt(Script s, double[] theta, List<String> at) {
        if (at == null) return;
        for (String a : at) {
            int eq = a.indexOf('=');
            if (eq <= 0) throw new Main.UsageError("--at " + a + ": expected NAME=V[,V...]");
            String name = a.substring(0, eq).trim();
            Script.Param p = s.param(name);
            if (p == null) {
                List<String> names = new ArrayList<>();
                for (Script.Param q : s.params) names.add(q.name());
                String hint = dev.descent.check.Names.didYouMean(name, names);
                throw new Main.UsageError("--at " + name + ": the script has no parameter '" + name + "'"
                        + (hint != null ? "; " + hint : names.isEmpty() ? "" : " (its parameters: " + String.join(", ", names) + ")"));
            }
            String[] parts = a.substring(eq + 1).split(",", -1);
            int n = p.shape().size();
            if (parts.length != n && parts.length != 1)
                throw new Main.UsageError("--at " + name + ": " + name + " has " + n + " element" + (n == 1 ? "" : "s") + " (" + p.shape()
                        + "), but " + parts.length + " values are given");
            for (int i = 0; i < n; i++)
                theta[p.offset() + i] = Common.number(parts[parts.length == 1 ? 0 : i], "--at " + name);
        }
    }

    static String describe(Script s, double[] theta) {
        List<String> parts = new ArrayList<>();
        for (Script.Param p : s.params) parts.add(p.name() + " = " + Text.value(p.shape(), theta, p.offset()));
        return parts.isEmpty() ? "(no parameters)" : String.join(", ", parts);
    }

    /** The names of θ's elements: x, w[0], W[0, 1], … */
    static List<String> thetaNames(Script s) {
        List<String> out = new ArrayList<>();
        for (Script.Param p : s.params) {
            var sh = p.shape();
            if (sh.isScalar()) out.add(p.name());
            else if (sh.isVector()) for (int i = 0; i < sh.rows(); i++) out.add(p.name() + "[" + i + "]");
            else for (int i = 0; i < sh.rows(); i++) for (int j = 0; j < sh.cols(); j++) out.add(p.name() + "[" + i + ", " + j + "]");
        }
        return out;
    }
}
