package dev.descent.engine.simd;

import dev.descent.ir.Node;
import dev.descent.lower.KernelPlan;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A program's host nodes (scalars, matrix products, the whole-array fallback): each one's
 * prepared evaluation ({@link HostEval.Prep}) and its inputs' slots, evaluated a phase at a time
 * in float64 over the program's slot values.
 */
final class HostNodes {
    private final HostEval.Prep[] prep;
    private final double[][][] hostIn;
    /** Per host slot, its inputs' slots. */
    private final int[][] inputSlots;

    /** Prepares every host node of the plan; each one's slot value {@code hv[s]} becomes its result array. */
    HostNodes(KernelPlan plan, List<Node> outputs, int threads, double[][] hv) {
        int slots = plan.nodes.size();
        prep = new HostEval.Prep[slots];
        hostIn = new double[slots][][];
        inputSlots = new int[slots][];
        IdentityHashMap<Node, Integer> slotOf = new IdentityHashMap<>();
        for (int s = 0; s < slots; s++) slotOf.put(plan.nodes.get(s), s);
        for (KernelPlan.Phase ph : plan.phases)
            for (int s : ph.hostSlots) {
                prep[s] = new HostEval.Prep(plan.nodes.get(s), threads);
                hv[s] = prep[s].out;
                Node x = plan.nodes.get(s);
                hostIn[s] = new double[x.arity()][];
                inputSlots[s] = new int[x.arity()];
                for (int k = 0; k < x.arity(); k++) inputSlots[s][k] = slotOf.get(x.in(k));
            }
        HostEval.fuseTransposes(prep, plan.nodes, outputs);
    }

    /** The phase's host nodes, in id order, in float64. */
    void eval(KernelPlan.Phase ph, double[][] hv) {
        for (int s : ph.hostSlots) {
            HostEval.Prep p = prep[s];
            double[][] in = hostIn[s];
            int[] from = inputSlots[s];
            for (int k = 0; k < in.length; k++) in[k] = hv[from[k]];
            HostEval.eval(p, in);
        }
    }
}
