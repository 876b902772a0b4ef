package dev.descent.check;

import dev.descent.ir.Node;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
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
        /** The optimizer's name and its arguments as written, for messages: "adam(lr = 0.05)". */
        String optimizer,
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
        /** The hyperparameters' values (possibly schedules over t), by name. */
        Map<String, Node> hypers) {

    /**
     * {@code linesearch(d, a0, c, shrink)}: backtracking from {@code a0} along {@code d}
     * from {@code from} until f(from + a·d) ≤ f + c·a·slope; {@code result} is the INPUT
     * leaf that stands for the step length found.
     */
    public record LineSearch(Node result, Node direction, Node from, Node a0, Node c, Node shrink, Node slope, Pos pos) {}

    /** The learning rate, when the optimizer has a hyperparameter named lr; else null. */
    public Node lr() { return hypers.get("lr"); }
}
