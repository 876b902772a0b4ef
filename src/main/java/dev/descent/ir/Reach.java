package dev.descent.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Predicate;

/**
 * The one walk over a DAG: which nodes are reachable from some roots (following inputs). Every
 * stage asks this question (the engines plan the nodes they evaluate, the driver asks whether a
 * step reads the Hessian, the API whether it reads f, a plot whether an objective draws random
 * numbers), and all of them ask it here.
 *
 * <p>A node's inputs have smaller {@link Node#id}s, so id order is a topological order; ids are
 * unique within one {@link Dag}. The walks are iterative (a DAG may be deeper than the stack).
 */
public final class Reach {
    private Reach() {}

    /** The ids of the nodes reachable from {@code roots} (themselves included). All nodes must be of one Dag. */
    public static BitSet ids(Collection<Node> roots) {
        return grow(new BitSet(), roots);
    }

    /**
     * Adds to {@code seen} the ids of the nodes reachable from {@code more}, not walking again below
     * a node already in it; returns {@code seen}. For a fixed point (the live states of a step).
     */
    public static BitSet grow(BitSet seen, Collection<Node> more) {
        ArrayDeque<Node> stack = new ArrayDeque<>(more);
        while (!stack.isEmpty()) {
            Node x = stack.pop();
            if (seen.get(x.id)) continue;
            seen.set(x.id);
            for (int k = 0; k < x.arity(); k++) stack.push(x.in(k));
        }
        return seen;
    }

    /** Whether {@code target} is reachable from {@code roots}. */
    public static boolean reaches(Collection<Node> roots, Node target) {
        return any(roots, x -> x == target);
    }

    /** Whether a node reachable from {@code roots} satisfies {@code p}; stops at the first. */
    public static boolean any(Collection<Node> roots, Predicate<Node> p) {
        BitSet seen = new BitSet();
        ArrayDeque<Node> stack = new ArrayDeque<>(roots);
        while (!stack.isEmpty()) {
            Node x = stack.pop();
            if (seen.get(x.id)) continue;
            seen.set(x.id);
            if (p.test(x)) return true;
            for (int k = 0; k < x.arity(); k++) stack.push(x.in(k));
        }
        return false;
    }

    /** Number of distinct nodes reachable from {@code roots}. */
    public static int count(Collection<Node> roots) {
        return ids(roots).cardinality();
    }

    /**
     * The nodes reachable from {@code outputs}, each once, in id order (a topological order).
     *
     * @throws IllegalArgumentException when they are nodes of different Dags (two have one id)
     */
    public static List<Node> inIdOrder(Collection<Node> outputs) {
        IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>(outputs);
        List<Node> found = new ArrayList<>();
        while (!stack.isEmpty()) {
            Node x = stack.pop();
            if (seen.put(x, Boolean.TRUE) != null) continue;
            found.add(x);
            for (int k = 0; k < x.arity(); k++) stack.push(x.in(k));
        }
        found.sort(Comparator.comparingInt(x -> x.id));
        for (int i = 1; i < found.size(); i++)
            if (found.get(i).id == found.get(i - 1).id)
                throw new IllegalArgumentException("the outputs are nodes of different Dags (two nodes have id " + found.get(i).id + ")");
        return found;
    }
}
