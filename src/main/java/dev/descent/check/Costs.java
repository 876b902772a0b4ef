package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Reach;
import dev.descent.ir.Shape;
import dev.descent.syntax.Pos;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checking stage that prices a script's matrix products (issue 12: what {@code check}
 * accepts, runs): the multiply-adds of one evaluation of the objective with its gradient, and
 * of one optimizer step, held against {@link Limits#maxFlops} before any work starts, with the
 * error positioned at the largest product where the script wrote it.
 */
final class Costs {
    private final Checker checker;
    /** Where each matrix product (MATMUL, SOLVE) the script writes was first made: where a cost is reported. */
    private final Map<Node, Pos> productPos = new IdentityHashMap<>();
    /** The objective's products with its gradient (set once the objective is checked; NONE without one). */
    Flops objective = Flops.NONE;

    Costs(Checker checker) { this.checker = checker; }

    /** Multiply-adds of matrix products: the total, and the largest single product (and its cost). */
    record Flops(double total, Node largest, double largestCost) {
        static final Flops NONE = new Flops(0, null, 0);

        Flops plus(double more) { return new Flops(total + more, largest, largestCost); }
    }

    /** Notes where a product was written (a node of another operation is ignored). */
    void noteProduct(Node n, Pos at) {
        if (n != null && (n.op == Op.MATMUL || n.op == Op.SOLVE)) productPos.putIfAbsent(n, at);
    }

    /**
     * The multiply-adds of the matrix products that evaluating {@code roots} takes (each node once,
     * as the DAG shares it), and, {@code withGradient}, those of the gradient's reverse pass too:
     * the adjoint of {@code A @ B} is two more products of the same size, one per operand that
     * depends on the parameters; a solve's is another solve.
     */
    static Flops flops(List<Node> roots, boolean withGradient) {
        double total = 0, largestCost = 0;
        Node largest = null;
        for (Node x : Reach.inIdOrder(roots)) {
            double cost = productCost(x);
            if (cost == 0) continue;
            if (withGradient) {
                int dependent = 0;
                for (int i = 0; i < x.arity(); i++) if (x.in(i).dependsOnParams) dependent++;
                cost *= x.op == Op.SOLVE ? (dependent > 0 ? 2 : 1) : 1 + dependent;
            }
            total += cost;
            if (cost > largestCost) { largestCost = cost; largest = x; }
        }
        return new Flops(total, largest, largestCost);
    }

    /** Multiply-adds of one evaluation of a MATMUL or SOLVE node (0 for other operations). */
    static double productCost(Node x) {
        if (x.op == Op.MATMUL) {
            Shape a = x.in(0).shape, b = x.in(1).shape;
            double m = a.isMatrix() ? a.rows() : 1, k = b.rows(), n = b.isMatrix() ? b.cols() : 1;
            return m * k * n;
        }
        if (x.op == Op.SOLVE) { // LU of A, then a forward and a back substitution per column of b
            double n = x.in(0).shape.rows(), k = x.in(1).shape.isMatrix() ? x.in(1).shape.cols() : 1;
            return n * n * n / 3 + n * n * k;
        }
        return 0;
    }

    /** Reports products over {@link Limits#maxFlops}, at the largest one where the script wrote it, else at {@code at}. */
    void tooMany(Flops f, Pos at, String what, String more) {
        Pos where = f.largest() == null ? null : productPos.get(f.largest());
        String largest = f.largest() == null ? "" : "; the largest, " + (f.largest().op == Op.SOLVE ? "solve(" + f.largest().in(0).shape + ", " + f.largest().in(1).shape + ")"
                : f.largest().in(0).shape + " @ " + f.largest().in(1).shape) + ", " + flopCount(f.largestCost()) + (where != null ? " (line " + where.line() + (where.source() != at.source() ? " of " + where.source().name() : "") + ")" : "");
        checker.error(at, what + " " + flopCount(f.total()) + " multiply-adds in matrix products" + more + ", more than the " + flopCount(checker.limits().maxFlops())
                        + " one evaluation may take" + largest,
                "at a few billion multiply-adds a second that is " + seconds(f.total()) + " for each evaluation; smaller matrices, or fewer products, cost less; "
                        + "raise the limit with --max-flops " + roundUp(f.total()) + " if the run may take that long");
    }

    /** v rounded up to two significant digits, as an option's value: 576e9 as "5.8e11". */
    static String roundUp(double v) {
        if (v < 1e4) return String.valueOf((long) Math.ceil(v));
        int e = (int) Math.floor(Math.log10(v));
        long m = (long) Math.ceil(v / Math.pow(10, e - 1) - 1e-9); // 10 to 100
        if (m >= 100) { m /= 10; e++; }
        return (m % 10 == 0 ? String.valueOf(m / 10) : m / 10 + "." + m % 10) + "e" + e;
    }

    private static String flopCount(double v) {
        return v < 1e15 ? Dag.count(Math.round(v)) : String.format(java.util.Locale.ROOT, "%.3g", v);
    }

    /** A rough wall time for this many multiply-adds (at about 5 billion a second). */
    private static String seconds(double flops) {
        double s = flops / 5e9;
        if (s < 120) return String.format(java.util.Locale.ROOT, "about %.0f s", Math.max(1, s));
        if (s < 7200) return String.format(java.util.Locale.ROOT, "about %.0f minutes", s / 60);
        return String.format(java.util.Locale.ROOT, "about %.0f hours", s / 3600);
    }
}
