package dev.descent.check;

import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * One {@code optimize with} statement, checked: the optimizer's step as DAG nodes
 * over the step's inputs ({@code p}, {@code g}, {@code f}, {@code t}, {@code H} and
 * the states, all INPUT leaves), what it outputs (the new p and the new states),
 * and how long it runs.
 */
public record Step(
        Ast.Optimize statement,
        /** The optimizer's name: "adam". */
        String optimizer,
        /**
         * The call as it runs, for the report, messages and plots: its arguments as written, each one
         * that is a number shown as that number ("gd(lr = 1.1)" for gd(lr = lr) after --set lr=1.1).
         */
        String call,
        Pos pos,
        long count,
        Ast.Unit unit,
        /** The batch size, or 0 for full batches. */
        long batch,
        /** The stopping condition (over t, f, g, p), or null. */
        Node until,
        /** The patience of early stopping, or 0 when there is none. */
        long patience,
        /** Input leaves. */
        Node p, Node g, Node f, Node t, Node hessian,
        /** The states: names, their input leaves, their start values (over t = 1 and the hyperparameters), their new values. */
        List<String> stateNames, List<Node> stateInputs, List<Node> stateInits, List<Node> stateOutputs,
        /** The new parameters. */
        Node pOutput,
        /** Line searches in the order the body calls them; each result is an INPUT leaf of the later code. */
        List<LineSearch> searches,
        /** The Hessian-vector products {@code hvp(v)} in the order the body calls them; each result is an INPUT leaf of the later code. */
        List<Hvp> hvps,
        /** The gradients at other points {@code grad_at(q)} in the order the body calls them; each result is an INPUT leaf of the later code. */
        List<GradAt> gradAts,
        /** The hyperparameters' values (possibly schedules over t), by name (per-parameter settings aside). */
        Map<String, Node> hypers,
        /**
         * What the body assigns {@code p_final}, the parameters the statement ends with (an average
         * of the iterates, as ema() keeps), over p, t and the states as they stand after the last
         * step; null where the body does not assign it (the statement ends with p).
         */
        Node pFinal) {

    /**
     * The run's own values that {@code until} and the arguments of {@code optimize with} may read
     * (docs/language.md, "What a run knows"): the epoch under way (from 1), f at the previous step
     * (inf at a statement's first), the latest validation loss (inf before the first) and the epochs
     * since it last improved. Inputs of these names; the driver binds them ({@code run.Driver}).
     */
    public static final List<String> RUN_NAMES = List.of("epoch", "f_prev", "val_loss", "val_stall");

    /**
     * {@code linesearch(d, a0, c, shrink)}: backtracking from {@code a0} along {@code d}
     * from {@code from} until f(from + a·d) ≤ f + c·a·slope; or, where {@code wolfe} is
     * non-zero, {@code linesearch(d, wolfe = 1, c1, c2, max_evals)}: a strong-Wolfe search
     * (bracketing, then a cubic-interpolation zoom) from {@code a0} with c1 = {@code c}, at
     * most {@code maxEvals} evaluations of f and g. {@code result} is the INPUT leaf that
     * stands for the step length found.
     */
    public record LineSearch(Node result, Node direction, Node from, Node a0, Node c, Node shrink, Node slope,
                             Node wolfe, Node c2, Node maxEvals, Pos pos) {
        /** What the search is given, in this order: direction, start, a0, c (c1), shrink, slope, wolfe, c2, max_evals. */
        public List<Node> inputs() { return List.of(direction, from, a0, c, shrink, slope, wolfe, c2, maxEvals); }
    }

    /**
     * {@code hvp(v)}: H·v at p, the Hessian of the (signed) objective times {@code v}, computed
     * without forming H. {@code result} is the INPUT leaf "hvp:k" that stands for it;
     * {@code afterSearches} line searches of the body come before it (it is evaluated after them
     * and before the next).
     */
    public record Hvp(Node result, Node v, int afterSearches, Pos pos) {}

    /**
     * {@code grad_at(q)}: the gradient of the (signed) objective at the point {@code q} (shaped
     * like p), on the step's own rows (the same mini-batch as g; dropout, where the objective has
     * it, draws its masks afresh, as a second forward pass in torch does). {@code result} is the
     * INPUT leaf "grad_at:k" that stands for it; {@code afterSearches} line searches and
     * {@code afterHvps} hvp calls of the body come before it (it is evaluated after them and
     * before the next).
     */
    public record GradAt(Node result, Node q, int afterSearches, int afterHvps, Pos pos) {}

    /** The learning rate, when the optimizer has a hyperparameter named lr; else null. */
    public Node lr() { return hypers.get("lr"); }

    /** The new parameters, then every state's new value in the states' order. */
    public List<Node> outputs() {
        List<Node> out = new ArrayList<>(1 + stateOutputs.size());
        out.add(pOutput);
        out.addAll(stateOutputs);
        return out;
    }

    /**
     * What a run of this step reads, the states aside: the new parameters (and p_final), the stopping condition,
     * and what each line search is given (its direction, start, first step, constants, slope).
     */
    public List<Node> runRoots() {
        List<Node> roots = new ArrayList<>();
        roots.add(pOutput);
        if (pFinal != null) roots.add(pFinal);
        if (until != null) roots.add(until);
        for (LineSearch ls : searches) roots.addAll(ls.inputs());
        for (Hvp hv : hvps) roots.add(hv.v());
        for (GradAt ga : gradAts) roots.add(ga.q());
        return roots;
    }

    /**
     * The live states for a run that reads {@code roots}, as indexes in increasing order: a state
     * is live when its input leaf is reachable from the roots or from the new value of a live
     * state (to a fixed point). A dead state is neither kept nor updated.
     */
    public int[] liveStates(List<Node> roots) {
        BitSet seen = Reach.ids(roots);
        boolean[] isLive = new boolean[stateInputs.size()];
        int count = 0;
        for (boolean grew = true; grew; ) {
            grew = false;
            List<Node> more = new ArrayList<>();
            for (int i = 0; i < isLive.length; i++)
                if (!isLive[i] && seen.get(stateInputs.get(i).id)) {
                    isLive[i] = true;
                    count++;
                    more.add(stateOutputs.get(i));
                    grew = true;
                }
            Reach.grow(seen, more);
        }
        int[] out = new int[count];
        for (int i = 0, k = 0; i < isLive.length; i++) if (isLive[i]) out[k++] = i;
        return out;
    }

    /** The ids of the nodes a run reads: reachable from {@link #runRoots} and from the live states' new values. */
    public BitSet reads() {
        List<Node> roots = runRoots();
        int[] live = liveStates(roots);
        for (int i : live) roots.add(stateOutputs.get(i));
        return Reach.ids(roots);
    }

    /** Whether a run reads the Hessian H (so the step forms it, an n×n matrix, every step). */
    public boolean usesHessian() { return reads().get(hessian.id); }

    /** Whether the update, a state's new value or a state's start reads the objective's value f. */
    public boolean readsF() {
        List<Node> roots = outputs();
        roots.addAll(stateInits);
        return Reach.reaches(roots, f);
    }

    /**
     * Why this step cannot be driven by gradients alone (by {@code Optimizer.step(params, grads)},
     * {@code descent bench}): it calls a line search or reads the Hessian; null when it can.
     */
    public String needsObjective() {
        if (!searches.isEmpty()) return optimizer + " needs the objective itself (its line search), not only gradients";
        if (usesHessian()) return optimizer + " needs the objective itself (its Hessian), not only gradients";
        if (!hvps.isEmpty()) return optimizer + " needs the objective itself (its Hessian-vector products), not only gradients";
        if (!gradAts.isEmpty()) return optimizer + " needs the objective itself (its gradient at another point, grad_at), not only gradients";
        return null;
    }
}
