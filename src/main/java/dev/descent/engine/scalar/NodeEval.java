package dev.descent.engine.scalar;

import static dev.descent.engine.scalar.ArrayKernels.*;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.ScalarMath;
import dev.descent.ir.Shape;

/**
 * Whole-array float64 evaluation of one node, exactly as the language defines it: every
 * elementwise operation through {@link ScalarMath}, every reduction in the order
 * {@link ScalarProgram} documents. The one definition both engines evaluate a node by: the
 * scalar engine for every node, the SIMD engine for what its kernels do not cover (scalars
 * computed once per run, MATMUL, SOLVE, INDEX, PACK, axis reductions, …).
 *
 * <p>A {@link Prep} holds what evaluating its node needs besides the inputs (its buffer,
 * positions, scratch, broadcasting strides), planned once. Products and transposes go
 * through {@link Prep#matmul}, {@link Prep#outer} and {@link Prep#transpose}, which an
 * engine may override: the SIMD engine's products are Vector API kernels, and it reads a
 * transpose that only products read without copying it.
 */
public final class NodeEval {
    private NodeEval() {}

    /** One node, planned: its buffer and whatever evaluating it needs besides its inputs. */
    public static class Prep {
        public final Node node;
        /** The node's value: its own buffer, or a CONST's values (never written); null for PARAM, DATA, INPUT, RANDOM. */
        public final double[] out;
        /** INDEX, SCATTER: the row-major positions read or written. */
        protected int[] positions;
        /** SOLVE: the LU factors; LSE_AXIS: per-row or per-column maxima. */
        protected double[] scratch;
        /** Elementwise: the output as a grid of rows × cols (a scalar or vector is one row). */
        private int rows, cols;
        /** Elementwise: input k's element at grid (i, j) is at {@code i * rowStride[k] + j * colStride[k]}. */
        private int[] rowStride, colStride;
        /**
         * Elementwise: no input is a vector spread over the rows of a matrix, so input k's element
         * for output element e is at {@code e * colStride[k]} (1 for a full input, 0 for a scalar),
         * and one flat loop does; about 1.5× faster than the grid loop.
         */
        private boolean flat;

        public Prep(Node node) {
            this.node = node;
            Op op = node.op;
            Shape shape = node.shape;
            this.out = switch (op) {
                case PARAM, DATA, INPUT, RANDOM -> null;
                case CONST -> shape.isScalar() ? new double[] {node.num} : ((Attr.Array) node.attr).values();
                default -> new double[shape.size()];
            };
            if (op.isElementwise()) planElementwise();
            switch (op) {
                case INDEX -> positions = Dag.flatPositions((Attr.Index) node.attr, node.in(0).shape);
                case SCATTER -> {
                    Attr.Scatter sc = (Attr.Scatter) node.attr;
                    positions = Dag.flatPositions(sc.index(), sc.shape());
                }
                case SOLVE -> scratch = new double[node.in(0).shape.size()];
                case LSE_AXIS -> scratch = new double[shape.size()];
                default -> {}
            }
        }

        /** A leaf whose value is bound from outside (PARAM, DATA, INPUT, RANDOM); a CONST is not. */
        public final boolean isLeaf() { return out == null; }

        private void planElementwise() {
            Shape shape = node.shape;
            int arity = node.arity();
            rows = shape.isMatrix() ? shape.rows() : 1;
            cols = shape.isMatrix() ? shape.cols() : shape.size();
            rowStride = new int[arity];
            colStride = new int[arity];
            for (int k = 0; k < arity; k++) {
                Shape s = node.in(k).shape;
                if (s.equals(shape)) { rowStride[k] = cols; colStride[k] = 1; }
                else if (s.isScalar()) { rowStride[k] = 0; colStride[k] = 0; }
                else if (s.isVector() && shape.isMatrix() && s.rows() == shape.cols()) { rowStride[k] = 0; colStride[k] = 1; }
                else throw new IllegalArgumentException(node.op + " cannot broadcast " + s + " to " + shape);
            }
            flat = true;
            for (int k = 0; k < arity; k++) flat &= rowStride[k] == cols * colStride[k];
        }

        /** MATMUL: {@code out = a @ b}, each element from 0.0 adding {@code a[i,p] * b[p,j]} for p ascending. */
        protected void matmul(double[] a, double[] b, double[] out) {
            ArrayKernels.matmul(a, node.in(0).shape, b, node.in(1).shape, out);
        }

        /** OUTER: {@code out[i,j] = a[i] * b[j]}. */
        protected void outer(double[] a, double[] b, double[] out) { ArrayKernels.outer(a, b, out); }

        /** TRANSPOSE of the m × n matrix {@code x}. */
        protected void transpose(double[] x, int m, int n, double[] out) { ArrayKernels.transpose(x, m, n, out); }
    }

    /** Evaluates {@code p.node} from its inputs' values {@code in} (in the node's input order) into {@code p.out}. */
    public static void eval(Prep p, double[][] in) {
        Node n = p.node;
        double[] out = p.out;
        Op op = n.op;
        switch (op.kind) {
            case LEAF -> {} // a CONST: its values are its buffer
            case UNARY -> {
                double[] x = in[0];
                for (int k = 0; k < out.length; k++) out[k] = ScalarMath.unary(op, x[k]);
            }
            case BINARY -> binary(p, in[0], in[1], out);
            case TERNARY -> ternary(p, in[0], in[1], in[2], out);
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
                    case INDEX -> gather(x, p.positions, out);
                    case PACK -> { for (int k = 0; k < out.length; k++) out[k] = in[k][0]; }
                    case SCATTER -> scatter(x, p.positions, out);
                    case BCAST -> broadcast(x, xs, (Attr.Broadcast) n.attr, out);
                    case MATMUL -> p.matmul(x, in[1], out);
                    case TRANSPOSE -> p.transpose(x, xs.rows(), xs.cols(), out);
                    case DIAG -> diag(x, out);
                    case DIAG_EXTRACT -> diagExtract(x, xs.rows(), out);
                    case OUTER -> p.outer(x, in[1], out);
                    case SOLVE -> solve(x, xs.rows(), in[1], n.shape.isMatrix() ? n.shape.cols() : 1, out, p.scratch);
                    case STACK -> {
                        int c = in.length, m = xs.rows();
                        for (int j = 0; j < c; j++) {
                            double[] col = in[j];
                            for (int i = 0; i < m; i++) out[i * c + j] = col[i];
                        }
                    }
                    case ONEHOT -> onehot(x, ((Attr.Classes) n.attr).k(), out);
                    default -> throw new IllegalStateException("no evaluation for " + op);
                }
            }
        }
    }

    private static int axis(Node n) { return ((Attr.Axis) n.attr).axis(); }

    /** Output element k = (i, j) of the grid; each input read where the strides say. */
    private static void binary(Prep p, double[] a, double[] b, double[] out) {
        Op op = p.node.op;
        int ca = p.colStride[0], cb = p.colStride[1];
        if (p.flat) {
            for (int k = 0; k < out.length; k++) out[k] = ScalarMath.binary(op, a[k * ca], b[k * cb]);
            return;
        }
        int ra = p.rowStride[0], rb = p.rowStride[1];
        for (int i = 0, k = 0; i < p.rows; i++)
            for (int j = 0; j < p.cols; j++, k++)
                out[k] = ScalarMath.binary(op, a[i * ra + j * ca], b[i * rb + j * cb]);
    }

    private static void ternary(Prep p, double[] a, double[] b, double[] c, double[] out) {
        Op op = p.node.op;
        int ca = p.colStride[0], cb = p.colStride[1], cc = p.colStride[2];
        if (p.flat) {
            for (int k = 0; k < out.length; k++) out[k] = ScalarMath.ternary(op, a[k * ca], b[k * cb], c[k * cc]);
            return;
        }
        int ra = p.rowStride[0], rb = p.rowStride[1], rc = p.rowStride[2];
        for (int i = 0, k = 0; i < p.rows; i++)
            for (int j = 0; j < p.cols; j++, k++)
                out[k] = ScalarMath.ternary(op, a[i * ra + j * ca], b[i * rb + j * cb], c[i * rc + j * cc]);
    }
}
