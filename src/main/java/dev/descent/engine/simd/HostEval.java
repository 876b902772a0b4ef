package dev.descent.engine.simd;

import static dev.descent.engine.scalar.ArrayKernels.*;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.ScalarMath;
import dev.descent.ir.Shape;
import java.util.Arrays;

/**
 * Whole-array float64 evaluation of one node, exactly as the scalar engine defines it (the
 * same formulas through {@link ScalarMath}, the same orders of summation): what a SIMD
 * program uses for scalars computed once per run (hyperparameters, {@code t}, bias
 * corrections, what reductions feed) and for every node its kernel does not cover
 * (MATMUL, SOLVE, INDEX, PACK, axis reductions, …). Plain Java: no vectors here.
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

        Prep(Node node) {
            this.node = node;
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
                    case MATMUL -> matmul(x, xs, in[1], n.in(1).shape, out);
                    case TRANSPOSE -> {
                        int m = xs.rows(), c = xs.cols();
                        for (int i = 0; i < m; i++) for (int j = 0; j < c; j++) out[j * m + i] = x[i * c + j];
                    }
                    case DIAG -> {
                        int m = x.length;
                        Arrays.fill(out, 0.0);
                        for (int i = 0; i < m; i++) out[i * m + i] = x[i];
                    }
                    case DIAG_EXTRACT -> { for (int i = 0; i < xs.rows(); i++) out[i] = x[i * xs.rows() + i]; }
                    case OUTER -> {
                        double[] b = in[1];
                        for (int i = 0; i < x.length; i++) for (int j = 0; j < b.length; j++) out[i * b.length + j] = x[i] * b[j];
                    }
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

}
