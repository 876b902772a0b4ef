package dev.descent.engine.scalar;

import static dev.descent.engine.scalar.Fixture.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.ScalarMath;
import dev.descent.ir.Shape;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Elementwise operations: every op against ScalarMath and against the Dag's constant folding, bit for bit; broadcasting. */
class ElementwiseTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;
    /** Values that exercise signs, zeros, overflow, underflow and the non-finite. */
    static final double[] SPECIAL = {-2.5, -1, -0.5, -0.0, 0.0, 0.5, 1, 2, 2.5, 3.7, 40, -40, 800, -800, 1e-300, NAN, INF, -INF};

    /** A permutation of SPECIAL, so that binary ops meet every kind of pair somewhere. */
    static double[] other() {
        double[] b = new double[SPECIAL.length];
        for (int k = 0; k < b.length; k++) b[k] = SPECIAL[(k * 7 + 3) % SPECIAL.length];
        return b;
    }

    static Stream<Op> unaryOps() { return Arrays.stream(Op.values()).filter(op -> op.kind == Op.Kind.UNARY); }

    static Stream<Op> binaryOps() { return Arrays.stream(Op.values()).filter(op -> op.kind == Op.Kind.BINARY); }

    @ParameterizedTest
    @MethodSource("unaryOps")
    void unaryMatchesScalarMathAndFolding(Op op) {
        Fixture f = new Fixture();
        Node x = f.vector(SPECIAL);
        Node y = f.dag.unary(op, x);
        assertEquals(op, y.op, "the Dag kept the operation");
        double[] expected = new double[SPECIAL.length];
        for (int k = 0; k < expected.length; k++) expected[k] = ScalarMath.unary(op, SPECIAL[k]);
        double[] actual = f.eval(y);
        assertBits(expected, actual, op.name());
        Node folded = f.dag.unary(op, f.dag.constant(x.shape, SPECIAL));
        assertEquals(Op.CONST, folded.op);
        assertBits(folded.constValues(), actual, op + " folded");
    }

    @Test
    void unaryKnownValues() {
        Fixture f = new Fixture();
        Node x = f.vector(0, -2, NAN, 2.5, -0.0);
        Fixture.assertClose(new double[] {0.5, 1 / (1 + Math.exp(2)), NAN, 1 / (1 + Math.exp(-2.5)), 0.5}, f.eval(f.dag.unary(Op.SIGMOID, x)), 1e-15);
        assertBits(new double[] {0, 0, NAN, 2.5, 0}, f.eval(f.dag.unary(Op.RELU, x)));
        assertBits(new double[] {0, -1, NAN, 1, -0.0}, f.eval(f.dag.unary(Op.SIGN, x)));
        assertBits(new double[] {0, -2, NAN, 2, -0.0}, f.eval(f.dag.unary(Op.ROUND, x)));
        assertBits(new double[] {1, 0, 0, 0, 1}, f.eval(f.dag.unary(Op.NOT, x)));
        assertBits(new double[] {-0.0, 2, NAN, -2.5, 0.0}, f.eval(f.dag.neg(x)));
        double[] sp = f.eval(f.dag.unary(Op.SOFTPLUS, x));
        assertEquals(Math.log(2), sp[0], 1e-16);
        assertEquals(Math.log1p(Math.exp(-2)), sp[1], 1e-16);
        // softplus and sigmoid do not overflow
        Node big = f.vector(1000, -1000);
        assertBits(new double[] {1000, 0}, f.eval(f.dag.unary(Op.SOFTPLUS, big)));
        assertBits(new double[] {1, 0}, f.eval(f.dag.unary(Op.SIGMOID, big)));
    }

    @ParameterizedTest
    @MethodSource("binaryOps")
    void binarySameShapeMatchesScalarMathAndFolding(Op op) {
        Fixture f = new Fixture();
        double[] bv = other();
        Node a = f.vector(SPECIAL), b = f.vector(bv);
        Node y = f.dag.binary(op, a, b);
        assertEquals(op, y.op);
        double[] expected = new double[SPECIAL.length];
        for (int k = 0; k < expected.length; k++) expected[k] = ScalarMath.binary(op, SPECIAL[k], bv[k]);
        double[] actual = f.eval(y);
        assertBits(expected, actual, op.name());
        Node folded = f.dag.binary(op, f.dag.constant(a.shape, SPECIAL), f.dag.constant(b.shape, bv));
        assertEquals(Op.CONST, folded.op);
        assertBits(folded.constValues(), actual, op + " folded");
    }

    @ParameterizedTest
    @MethodSource("binaryOps")
    void binaryBroadcasts(Op op) {
        int m = 3, n = 6;
        double[] mat = Arrays.copyOf(SPECIAL, m * n);
        double[] vec = Arrays.copyOfRange(other(), 0, n);
        double s = 2.5;
        Fixture f = new Fixture();
        Node A = f.matrix(m, n, mat), v = f.vector(vec), c = f.scalar(s), w = f.vector(Arrays.copyOf(SPECIAL, n));

        double[] mv = new double[m * n], vm = new double[m * n], ms = new double[m * n], sm = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                mv[i * n + j] = ScalarMath.binary(op, mat[i * n + j], vec[j]);
                vm[i * n + j] = ScalarMath.binary(op, vec[j], mat[i * n + j]);
                ms[i * n + j] = ScalarMath.binary(op, mat[i * n + j], s);
                sm[i * n + j] = ScalarMath.binary(op, s, mat[i * n + j]);
            }
        double[] vs = new double[n], sv = new double[n];
        for (int j = 0; j < n; j++) {
            vs[j] = ScalarMath.binary(op, SPECIAL[j], s);
            sv[j] = ScalarMath.binary(op, s, SPECIAL[j]);
        }
        assertBits(mv, f.eval(f.dag.binary(op, A, v)), "matrix " + op + " vector");
        assertBits(vm, f.eval(f.dag.binary(op, v, A)), "vector " + op + " matrix");
        assertBits(ms, f.eval(f.dag.binary(op, A, c)), "matrix " + op + " scalar");
        assertBits(sm, f.eval(f.dag.binary(op, c, A)), "scalar " + op + " matrix");
        assertBits(vs, f.eval(f.dag.binary(op, w, c)), "vector " + op + " scalar");
        assertBits(sv, f.eval(f.dag.binary(op, c, w)), "scalar " + op + " vector");
        assertBits(new double[] {ScalarMath.binary(op, s, s)}, f.eval(f.dag.binary(op, c, f.scalar(s))), "scalar " + op + " scalar");
    }

    @Test
    void arithmeticKnownValues() {
        Fixture f = new Fixture();
        Node a = f.vector(1, 6, 2, 0, -3), b = f.vector(2, 4, 10, 0, 2);
        assertBits(new double[] {3, 10, 12, 0, -1}, f.eval(f.dag.add(a, b)));
        assertBits(new double[] {-1, 2, -8, 0, -5}, f.eval(f.dag.sub(a, b)));
        assertBits(new double[] {2, 24, 20, 0, -6}, f.eval(f.dag.mul(a, b)));
        assertBits(new double[] {0.5, 1.5, 0.2, NAN, -1.5}, f.eval(f.dag.div(a, b)));
        assertBits(new double[] {1, 1296, 1024, 1, 9}, f.eval(f.dag.pow(a, b)));
        assertBits(new double[] {1, 0, 1, 0, 1}, f.eval(f.dag.binary(Op.LT, a, b)));
        assertBits(new double[] {1, 1, 1, 0, 1}, f.eval(f.dag.binary(Op.OR, a, b)));
        assertBits(new double[] {1, 1, 1, 0, 1}, f.eval(f.dag.binary(Op.AND, a, b)));
        // the bias pattern: a matrix plus a vector over its rows
        Node X = f.matrix(2, 3, 1, 2, 3, 4, 5, 6), bias = f.vector(10, 20, 30);
        assertBits(new double[] {11, 22, 33, 14, 25, 36}, f.eval(f.dag.add(X, bias)));
        assertBits(new double[] {9, 18, 27, 6, 15, 24}, f.eval(f.dag.sub(bias, X)));
    }

    @Test
    void selectAndClipBroadcast() {
        int m = 3, n = 4;
        double[] cond = {1, 0, NAN, -0.0, 0.0, -2, 0, 1, INF, 0, 1, 0};
        double[] av = {10, 20, 30, 40};
        double bs = -7;
        Fixture f = new Fixture();
        Node C = f.matrix(m, n, cond), a = f.vector(av), b = f.scalar(bs);
        Node sel = f.dag.select(C, a, b);
        assertEquals(Op.SELECT, sel.op);
        double[] expected = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) expected[i * n + j] = cond[i * n + j] != 0 ? av[j] : bs;
        assertBits(expected, f.eval(sel), "select");
        Node folded = f.dag.select(f.dag.constant(C.shape, cond), f.dag.constant(a.shape, av), f.dag.constant(bs));
        assertBits(folded.constValues(), f.eval(sel), "select folded");

        double[] xv = {-5, 0.5, 3, NAN, 2, -0.0, 9, INF, -INF, 0.25, 1, 0.75};
        double[] hi = {1, 2, 3, 4};
        Node x = f.matrix(m, n, xv), lo = f.scalar(0), h = f.vector(hi);
        Node clip = f.dag.clip(x, lo, h);
        assertEquals(Op.CLIP, clip.op);
        double[] ce = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) ce[i * n + j] = Math.min(Math.max(xv[i * n + j], 0), hi[j]);
        assertBits(ce, f.eval(clip), "clip");
        assertBits(new double[] {0, 0.5, 3, NAN, 1, 0, 3, 4, 0, 0.25, 1, 0.75}, f.eval(clip), "clip by hand");
        Node cf = f.dag.clip(f.dag.constant(x.shape, xv), f.dag.constant(0), f.dag.constant(h.shape, hi));
        assertBits(cf.constValues(), f.eval(clip), "clip folded");
    }

    @Test
    void degenerateMatricesBroadcast() {
        Fixture f = new Fixture();
        // one row: the vector is that row
        assertBits(new double[] {11, 22, 33}, f.eval(f.dag.add(f.matrix(1, 3, 1, 2, 3), f.vector(10, 20, 30))));
        // one column: a vector of length 1 is added to every row
        assertBits(new double[] {11, 12, 13}, f.eval(f.dag.add(f.matrix(3, 1, 1, 2, 3), f.vector(10))));
        assertBits(new double[] {-9, -8, -7}, f.eval(f.dag.sub(f.matrix(3, 1, 1, 2, 3), f.scalar(10))));
        // a flat ternary: all inputs full or scalar
        assertBits(new double[] {1, 5, 3}, f.eval(f.dag.clip(f.vector(0, 9, 3), f.scalar(1), f.vector(4, 5, 6))));
    }

    @Test
    void selectDoesNotSpreadNanFromTheBranchNotTaken() {
        Fixture f = new Fixture();
        Node c = f.vector(1, 0), a = f.vector(1, NAN), b = f.vector(NAN, 2);
        assertBits(new double[] {1, 2}, f.eval(f.dag.select(c, a, b)));
    }

    @Test
    void scalarOutputShape() {
        Fixture f = new Fixture();
        Node x = f.scalar(3);
        assertEquals(Shape.SCALAR, f.dag.unary(Op.EXP, x).shape);
        assertBits(new double[] {Math.exp(3)}, f.eval(f.dag.unary(Op.EXP, x)));
    }
}
