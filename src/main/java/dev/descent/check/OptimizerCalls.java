package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import dev.descent.syntax.Ast;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls that only an optimizer's body knows, {@code linesearch}, {@code hvp} and
 * {@code grad_at}: they evaluate the objective again, away from the step's DAG. Each call met
 * while a body is elaborated is checked and recorded for the {@link Step}, in the body's order;
 * its result is an INPUT leaf ("search:k", "hvp:k", "grad_at:k") of the code after it.
 */
final class OptimizerCalls {
    private final Checker ck;
    private final Dag dag;
    private final int n;
    final List<Step.LineSearch> searches = new ArrayList<>();
    final List<Step.Hvp> hvps = new ArrayList<>();
    final List<Step.GradAt> gradAts = new ArrayList<>();

    OptimizerCalls(Checker ck, Dag dag, int n) {
        this.ck = ck;
        this.dag = dag;
        this.n = n;
    }

    /** Whether {@code name} is one of these calls. */
    static boolean isBodyCall(String name) { return name.equals("linesearch") || name.equals("hvp") || name.equals("grad_at"); }

    /** Forgets every call recorded (a body elaborated again). */
    void clear() {
        searches.clear();
        hvps.clear();
        gradAts.clear();
    }

    /** How many calls of each kind are recorded, for {@link #rollback}. */
    int[] mark() { return new int[] {searches.size(), hvps.size(), gradAts.size()}; }

    /** Forgets the calls recorded since {@code mark} (a probe's). */
    void rollback(int[] mark) {
        while (searches.size() > mark[0]) searches.removeLast();
        while (hvps.size() > mark[1]) hvps.removeLast();
        while (gradAts.size() > mark[2]) gradAts.removeLast();
    }

    /**
     * {@code linesearch(d, a0 = 1, c = 1e-4, shrink = 0.5)} (Armijo backtracking), or
     * {@code linesearch(d, wolfe = 1, a0 = 1, c1 = 1e-4, c2 = 0.9, max_evals = 25)} (strong Wolfe),
     * inside the body being elaborated.
     */
    Node linesearch(Ast.Call c, Checker.Scope s) {
        List<String> names = List.of("d", "a0", "c", "shrink", "wolfe", "c1", "c2", "max_evals");
        List<Node> a = ck.bindBuiltin(c, names, 1, s);
        if (a == null) return null;
        Node d = a.get(0);
        if (!d.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "linesearch(d) needs a direction shaped like p, a vector [" + n + "], not " + Dag.describe(d.shape));
            return null;
        }
        for (int i = 1; i < a.size(); i++)
            if (a.get(i) != null && !a.get(i).shape.isScalar()) {
                ck.error(c.pos(), "linesearch's " + names.get(i) + " is a number, not " + Dag.describe(a.get(i).shape));
                return null;
            }
        Node wolfe = a.get(4) == null ? dag.constant(0) : a.get(4);
        boolean backtracking = wolfe.isScalarConst() && wolfe.num == 0, strong = wolfe.isScalarConst() && wolfe.num != 0;
        if (backtracking && (a.get(5) != null || a.get(6) != null || a.get(7) != null)) {
            ck.error(c.pos(), "c1, c2 and max_evals belong to the strong-Wolfe search", "add wolfe = 1, or give backtracking its own c and shrink");
            return null;
        }
        if (strong && a.get(3) != null) {
            ck.error(c.pos(), "shrink belongs to backtracking, not to the strong-Wolfe search (wolfe = 1)", "leave out shrink, or wolfe");
            return null;
        }
        if (a.get(2) != null && a.get(5) != null) {
            ck.error(c.pos(), "linesearch takes c or c1 (the same constant of sufficient decrease), not both");
            return null;
        }
        Node a0 = a.get(1) == null ? dag.constant(1) : a.get(1);
        Node c1 = a.get(5) != null ? a.get(5) : a.get(2) != null ? a.get(2) : dag.constant(1e-4);
        Node shrink = a.get(3) == null ? dag.constant(0.5) : a.get(3);
        Node c2 = a.get(6) == null ? dag.constant(0.9) : a.get(6);
        Node maxEvals = a.get(7) == null ? dag.constant(25) : a.get(7);
        if (shrink.isScalarConst() && !(shrink.num > 0 && shrink.num < 1)) {
            ck.error(c.pos(), "linesearch's shrink must be between 0 and 1");
            return null;
        }
        if (c1.isScalarConst() && !(c1.num > 0 && c1.num < 1)) {
            ck.error(c.pos(), "linesearch's " + (a.get(5) != null ? "c1" : "c") + " must be between 0 and 1");
            return null;
        }
        if (c2.isScalarConst() && !(c2.num < 1 && (!c1.isScalarConst() || c2.num > c1.num))) {
            ck.error(c.pos(), "linesearch's c2 must be between c1 and 1 (0 < c1 < c2 < 1)");
            return null;
        }
        if (maxEvals.isScalarConst() && !(maxEvals.num >= 1 && maxEvals.num == Math.rint(maxEvals.num))) {
            ck.error(c.pos(), "linesearch's max_evals must be a whole number ≥ 1");
            return null;
        }
        Node from = s.locals().getOrDefault("p", dag.input("p", Shape.vector(n)));
        Node g = s.locals().getOrDefault("g", dag.input("g", Shape.vector(n)));
        Node result = dag.input("search:" + searches.size(), Shape.SCALAR);
        searches.add(new Step.LineSearch(result, d, from, a0, c1, shrink, dag.dot(g, d), wolfe, c2, maxEvals, c.pos()));
        return result;
    }

    /**
     * {@code hvp(v)}: the Hessian of the objective at p times v, H·v, a vector like p, computed
     * symbolically as the gradient of g·v (a reverse pass over the gradient's expression) without
     * forming H. Each call is one such evaluation per step, run after the line searches the body
     * calls before it; its result is an INPUT leaf of the later code.
     */
    Node hvp(Ast.Call c, Checker.Scope s) {
        List<Node> a = ck.bindBuiltin(c, List.of("v"), 1, s);
        if (a == null) return null;
        Node v = a.get(0);
        if (!v.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "hvp(v) needs a vector shaped like p, a vector [" + n + "], not " + Dag.describe(v.shape),
                    "H·v multiplies the Hessian over θ by a direction in θ");
            return null;
        }
        Node result = dag.input("hvp:" + hvps.size(), Shape.vector(n));
        hvps.add(new Step.Hvp(result, v, searches.size(), c.pos()));
        return result;
    }

    /**
     * {@code grad_at(q)}: the gradient of the objective at the point q, a vector shaped like p, on
     * the step's own rows (the same mini-batch as g; dropout masks drawn afresh). Each call is one
     * more evaluation of the objective's gradient per step, run after the line searches and hvp
     * calls the body makes before it; its result is an INPUT leaf of the later code.
     */
    Node gradAt(Ast.Call c, Checker.Scope s) {
        List<Node> a = ck.bindBuiltin(c, List.of("q"), 1, s);
        if (a == null) return null;
        Node q = a.get(0);
        if (!q.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "grad_at(q) needs a point shaped like p, a vector [" + n + "], not " + Dag.describe(q.shape),
                    "the gradient is taken at q in place of θ");
            return null;
        }
        Node result = dag.input("grad_at:" + gradAts.size(), Shape.vector(n));
        gradAts.add(new Step.GradAt(result, q, searches.size(), hvps.size(), c.pos()));
        return result;
    }
}
