package dev.descent.engine.simd;

import dev.descent.engine.scalar.NodeEval;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The SIMD engine's host nodes: scalars computed once per run (hyperparameters, {@code t},
 * bias corrections, what reductions feed) and every node its kernels do not cover (MATMUL,
 * SOLVE, INDEX, PACK, axis reductions, …), evaluated in float64 by {@link NodeEval}, the
 * scalar engine's own definition, except MATMUL and OUTER, which are {@link MatMul}'s Vector
 * API kernels: OUTER the same products; MATMUL the same
 * terms, matrix by matrix in the same order but each product fused with its addition,
 * matrix by vector summed in lanes as other reductions are (see {@link MatMul}). A TRANSPOSE
 * whose only readers are products is not copied: {@link #fuseTransposes}.
 */
final class HostEval {
    private HostEval() {}

    /** A host node, planned as {@link NodeEval} plans it, with the Vector API products and fused transposes. */
    static final class Prep extends NodeEval.Prep {
        /** MATMUL: the product's kernel. */
        MatMul matmul;
        /** MATMUL: the fused TRANSPOSE feeding the left or right operand, whose input the product reads; or null. */
        Prep transA, transB;
        /** TRANSPOSE: fused into every product that reads it, so it is not computed; its input at the last evaluation. */
        boolean fused;
        double[] source;
        private final int threads;

        Prep(Node node) { this(node, 1); }

        /** {@code threads}: how many threads a large MATMUL may use. */
        Prep(Node node, int threads) {
            super(node);
            this.threads = threads;
            if (node.op == Op.MATMUL) matmul = new MatMul(node.in(0).shape, false, node.in(1).shape, false, threads);
        }

        @Override protected void matmul(double[] a, double[] b, double[] out) {
            matmul.apply(transA != null ? transA.source : a, transB != null ? transB.source : b, out);
        }

        @Override protected void outer(double[] a, double[] b, double[] out) { MatMul.outer(a, b, out); }

        @Override protected void transpose(double[] x, int m, int n, double[] out) {
            if (fused) source = x;
            else super.transpose(x, m, n, out);
        }
    }

    /** Evaluates p.node from its inputs' values {@code in} into {@code p.out}. */
    static void eval(Prep p, double[][] in) { NodeEval.eval(p, in); }

    /**
     * Fuses each host TRANSPOSE that is read only by host MATMULs, and is not an output, into
     * those products: they read its input as a transposed operand, and evaluating it only
     * records that input (no copy). {@code prep[s]} is the Prep of {@code nodes.get(s)} (null
     * for nodes that are not host nodes); call once, before the first evaluation. Evaluation
     * order is unchanged: a TRANSPOSE is still evaluated before the products that read it.
     */
    static void fuseTransposes(Prep[] prep, List<Node> nodes, List<Node> outputs) {
        IdentityHashMap<Node, Integer> slot = new IdentityHashMap<>();
        for (int s = 0; s < nodes.size(); s++) slot.put(nodes.get(s), s);
        boolean[] fusable = new boolean[nodes.size()];
        for (int s = 0; s < nodes.size(); s++) fusable[s] = prep[s] != null && nodes.get(s).op == Op.TRANSPOSE;
        for (Node o : outputs) {
            Integer s = slot.get(o);
            if (s != null) fusable[s] = false;
        }
        for (int s = 0; s < nodes.size(); s++) {
            Node x = nodes.get(s);
            boolean product = x.op == Op.MATMUL && prep[s] != null;
            for (Node in : x.inputs()) {
                Integer t = slot.get(in);
                if (t != null && !product) fusable[t] = false;
            }
        }
        for (int s = 0; s < nodes.size(); s++) {
            Node x = nodes.get(s);
            if (x.op != Op.MATMUL || prep[s] == null) continue;
            Prep p = prep[s];
            Integer a = slot.get(x.in(0)), b = slot.get(x.in(1));
            p.transA = a != null && fusable[a] ? prep[a] : null;
            p.transB = b != null && fusable[b] ? prep[b] : null;
            if (p.transA != null || p.transB != null)
                p.matmul = new MatMul(x.in(0).shape, p.transA != null, x.in(1).shape, p.transB != null, p.threads);
        }
        for (int s = 0; s < nodes.size(); s++) if (fusable[s]) prep[s].fused = true;
    }

}
