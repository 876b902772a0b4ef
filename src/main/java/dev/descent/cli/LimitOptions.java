package dev.descent.cli;

import dev.descent.check.Limits;
import picocli.CommandLine.Option;

/**
 * --max-array, --max-hessian, --max-flops, --max-nodes: how much work {@code check} lets a
 * script ask for ({@link Limits}); on every command that checks a script. Each takes a
 * whole number, written plainly or as 1e9.
 */
final class LimitOptions {
    @Option(names = "--max-array", paramLabel = "N",
            description = "Most elements of one array the script computes (default 100000000, 800 MB in float64); arrays no larger than a parameter, θ or a data set are always allowed.")
    String maxArray;

    @Option(names = "--max-hessian", paramLabel = "N",
            description = "Largest θ (scalar parameters) for which an optimizer may form the Hessian H at every step (default 2048).")
    String maxHessian;

    @Option(names = "--max-flops", paramLabel = "N",
            description = "Most multiply-adds of matrix products (@, solve) in one evaluation of the objective and its gradient, or in one step (default 1e11).")
    String maxFlops;

    @Option(names = "--max-nodes", paramLabel = "N",
            description = "Most nodes of the expression graph the script expands to, defs included (default 1000000).")
    String maxNodes;

    /** The limits these options give (the defaults for those not given); a usage error for a value that is not a whole number ≥ 1. */
    Limits limits() {
        Limits l = Limits.DEFAULT;
        if (maxArray != null) l = l.withMaxArray(whole(maxArray, "--max-array"));
        if (maxHessian != null) l = l.withMaxHessian(whole(maxHessian, "--max-hessian"));
        if (maxFlops != null) l = l.withMaxFlops(whole(maxFlops, "--max-flops"));
        if (maxNodes != null) l = l.withMaxNodes(whole(maxNodes, "--max-nodes"));
        return l;
    }

    private static long whole(String text, String option) {
        double v = Common.number(text, option);
        if (!(v >= 1) || v != Math.rint(v) || v > Long.MAX_VALUE)
            throw new Main.UsageError(option + " " + text + ": expected a whole number of at least 1");
        return (long) v;
    }
}
