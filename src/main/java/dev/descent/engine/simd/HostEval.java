package dev.descent.engine.simd;

import static dev.descent.engine.scalar.ArrayKernels.*;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.ScalarMath;
import dev.descent.ir.Shape;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Whole-array float64 evaluation of one node, exactly as the scalar engine defines it (the
 * same formulas through {@link ScalarMath}, the same orders of summation): what a SIMD
 * program uses for scalars computed once per run (hyperparameters, {@code t}, bias
 * corrections, what reductions feed) and for every node its kernel does not cover
 * (MATMUL, SOLVE, INDEX, PACK, axis reductions, …). Plain Java, except MATMUL and OUTER,
 * which are {@link MatMul}'s Vector API kernels: OUTER the same products; MATMUL the same
 * terms, matrix by matrix in the same order but each product fused with its addition,
 * matrix by vector summed in lanes as other reductions are (see {@link MatMul}). A TRANSPOSE
 * whose only readers are products is not copied: {@link #fuseTransposes}.
 */
final class HostEval {
    private HostEval() {}

    /** What evaluating a node needs besides its inputs: positions, scratch, broadcasting strides. */
    static final class Prep {
        final Node node;
        final double[] out;
        int[] positions;
        double[] scratch;
        int rows, cols;
        int[] rowStride, colStride;
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
            this.node = node;
            this.threads = threads;
            Op op = node.op;
            this.out = op == Op.CONST ? (node.shape.isScalar() ? new double[] {node.num} : ((Attr.Array) node.attr).values())
                    : new double[node.shape.size()];
            if (op.isElementwise()) {
                Shape shape = node.shape;
                rows = shape.isMatrix() ? shape.rows() : 1;
                cols = shape.isMatrix() ? shape.cols() : shape.size();
                rowStride = new int[node.arity()];
                colStride = new int[node.arity()];
                for (int k = 0; k < node.arity(); k++) {
                    Shape s = node.in(k).shape;
                    if (s.equals(shape)) { rowStride[k] = cols; colStride[k] = 1; }
                    else if (s.isScalar()) { rowStride[k] = 0; colStride[k] = 0; }
                    else { rowStride[k] = 0; colStride[k] = 1; } // a vector over the rows of a matrix
                }
            }
            switch (op) {
                case INDEX -> positions = Dag.flatPositions((Attr.Index) node.attr, node.in(0).shape);
                case SCATTER -> {
                    Attr.Scatter sc = (Attr.Scatter) node.attr;
                    positions = Dag.flatPositions(sc.index(), sc.shape());
                }
                case MATMUL -> matmul = new MatMul(node.in(0).shape, false, node.in(1).shape, false, threads);
                case SOLVE -> scratch = new double[node.in(0).shape.size()];
                case LSE_AXIS -> scratch = new double[node.shape.size()];
                default -> {}
            }
        }
    }

    /** Evaluates p.node from its inputs' values {@code in} into {@code p.out}. */
    static void eval(Prep p, double[][] in) {
        Node n = p.node;
        double[] out = p.out;
        Op op = n.op;
        switch (op.kind) {
            case LEAF -> {}
            case UNARY -> {
                double[] x = in[0];
                if (out.length == 1) out[0] = ScalarMath.unary(op, x[0]);
                else for (int k = 0; k < out.length; k++) out[k] = ScalarMath.unary(op, x[k]);
            }
            case BINARY -> {
                if (out.length == 1) { out[0] = ScalarMath.binary(op, in[0][0], in[1][0]); return; }
                double[] a = in[0], b = in[1];
                int ra = p.rowStride[0], ca = p.colStride[0], rb = p.rowStride[1], cb = p.colStride[1];
                for (int i = 0, k = 0; i < p.rows; i++)
                    for (int j = 0; j < p.cols; j++, k++) out[k] = ScalarMath.binary(op, a[i * ra + j * ca], b[i * rb + j * cb]);
            }
            case TERNARY -> {
                double[] a = in[0], b = in[1], c = in[2];
                int ra = p.rowStride[0], ca = p.colStride[0], rb = p.rowStride[1], cb = p.colStride[1];
                int rc = p.rowStride[2], cc = p.colStride[2];
                for (int i = 0, k = 0; i < p.rows; i++)
                    for (int j = 0; j < p.cols; j++, k++)
                        out[k] = ScalarMath.ternary(op, a[i * ra + j * ca], b[i * rb + j * cb], c[i * rc + j * cc]);
            }
            case REDUCE, STRUCT, LINALG -> {
                double[] x = in[0];
                Shape xs = n.in(0).shape;
                switch (op) {
                    case SUM -> out[0] = sum(x);
                    case MAX_ALL -> out[0] = max(x);
                    case MIN_ALL -> out[0] = min(x);
                    case LSE -> out[0] = logSumExp(x);
                    case SUM_AXIS -> sumAxis(x, xs, axis(n), out);
                    case MAX_AXIS -> maxAxis(x, xs, axis(n), out, true);
                    case MIN_AXIS -> maxAxis(x, xs, axis(n), out, false);
                    case LSE_AXIS -> logSumExpAxis(x, xs, axis(n), out, p.scratch);
                    case INDEX -> { for (int k = 0; k < p.positions.length; k++) out[k] = x[p.positions[k]]; }
                    case PACK -> { for (int k = 0; k < out.length; k++) out[k] = in[k][0]; }
                    case SCATTER -> {
                        Arrays.fill(out, 0.0);
                        for (int k = 0; k < p.positions.length; k++) out[p.positions[k]] = x[k];
                    }
                    case BCAST -> broadcast(x, xs, (Attr.Broadcast) n.attr, out);
                    case MATMUL -> p.matmul.apply(p.transA != null ? p.transA.source : x, p.transB != null ? p.transB.source : in[1], out);
                    case TRANSPOSE -> {
                        if (p.fused) {
                            p.source = x;
                            return;
                        }
                        int m = xs.rows(), c = xs.cols();
                        for (int i = 0; i < m; i++) for (int j = 0; j < c; j++) out[j * m + i] = x[i * c + j];
                    }
                    case DIAG -> {
                        int m = x.length;
                        Arrays.fill(out, 0.0);
                        for (int i = 0; i < m; i++) out[i * m + i] = x[i];
                    }
                    case DIAG_EXTRACT -> { for (int i = 0; i < xs.rows(); i++) out[i] = x[i * xs.rows() + i]; }
                    case OUTER -> MatMul.outer(x, in[1], out);
                    case SOLVE -> solve(x, xs.rows(), in[1], n.shape.isMatrix() ? n.shape.cols() : 1, out, p.scratch);
                    case STACK -> {
                        int c = in.length, m = xs.rows();
                        for (int j = 0; j < c; j++) for (int i = 0; i < m; i++) out[i * c + j] = in[j][i];
                    }
                    case ONEHOT -> onehot(x, ((Attr.Classes) n.attr).k(), out);
                    default -> throw new IllegalStateException("no evaluation for " + op);
                }
            }
        }
    }

    private static int axis(Node n) { return ((Attr.Axis) n.attr).axis(); }

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
