package dev.descent.engine.scalar;

import static dev.descent.engine.scalar.Fixture.assertBits;
import static dev.descent.engine.scalar.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.engine.Env;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MATMUL, TRANSPOSE, DIAG, DIAG_EXTRACT, OUTER, STACK, ONEHOT, SOLVE. */
class LinalgTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /** The textbook triple loop: out[i,j] = Σ_p a[i,p] b[p,j], p ascending, from 0.0. */
    static double[] textbook(double[] a, int m, int k, double[] b, int n) {
        double[] out = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                out[i * n + j] = s;
            }
        return out;
    }

    @Test
    void matmulSmallByHand() {
        Fixture f = new Fixture();
        // [[1, 2, 3],     [[7, 8],
        //  [4, 5, 6]]  @   [9, 10],
        //                  [11, 12]]
        Node A = f.matrix(2, 3, 1, 2, 3, 4, 5, 6), B = f.matrix(3, 2, 7, 8, 9, 10, 11, 12);
        Node AB = f.dag.matmul(A, B);
        assertEquals(Op.MATMUL, AB.op);
        assertEquals(Shape.matrix(2, 2), AB.shape);
        assertBits(new double[] {58, 64, 139, 154}, f.eval(AB));
        Node v = f.vector(1, 0, -1);
        assertBits(new double[] {-2, -2}, f.eval(f.dag.matmul(A, v)));
        Node u = f.vector(1, -1);
        assertBits(new double[] {-3, -3, -3}, f.eval(f.dag.matmul(u, A)));
    }

    @Test
    void matmulEveryShapeAgainstTheTextbookLoopBitForBit() {
        Random rnd = new Random(5);
        int m = 7, k = 11, n = 6;
        double[] a = Fixture.random(rnd, m * k), b = Fixture.random(rnd, k * n), x = Fixture.random(rnd, k), y = Fixture.random(rnd, m);
        a[3] = 1e17; b[3 * n + 0] = 1; a[4] = -1e17; // cancellations make the order visible
        Fixture f = new Fixture();
        Node A = f.matrix(m, k, a), B = f.matrix(k, n, b), X = f.vector(x), Y = f.vector(y);
        assertBits(textbook(a, m, k, b, n), f.eval(f.dag.matmul(A, B)), "matrix @ matrix");
        assertBits(textbook(a, m, k, x, 1), f.eval(f.dag.matmul(A, X)), "matrix @ vector");
        assertBits(textbook(y, 1, m, a, k), f.eval(f.dag.matmul(Y, A)), "vector @ matrix");
    }

    @Test
    void matmulWithATransposedLeftSide() {
        Random rnd = new Random(6);
        int m = 5, n = 3;
        double[] x = Fixture.random(rnd, m * n), r = Fixture.random(rnd, m);
        Fixture f = new Fixture();
        Node X = f.matrix(m, n, x), R = f.vector(r);
        Node Xt = f.dag.transpose(X);
        assertEquals(Op.TRANSPOSE, Xt.op);
        double[] xt = new double[n * m];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) xt[j * m + i] = x[i * n + j];
        assertBits(xt, f.eval(Xt), "transpose");
        assertBits(textbook(xt, n, m, r, 1), f.eval(f.dag.matmul(Xt, R)), "X' @ r");
        assertBits(textbook(xt, n, m, x, n), f.eval(f.dag.matmul(Xt, X)), "X' @ X");
    }

    @Test
    void matmulSpreadsNanAndInfinity() {
        Fixture f = new Fixture();
        Node A = f.matrix(2, 2, INF, 1, 0, 1), v = f.vector(0, 2);
        assertBits(new double[] {NAN, 2}, f.eval(f.dag.matmul(A, v)));
        Node B = f.matrix(2, 2, 1, NAN, 1, 1);
        assertBits(new double[] {1, NAN, 1, NAN}, f.eval(f.dag.matmul(f.matrix(2, 2, 1, 0, 1, 0), B)));
    }

    @Test
    void transposeDiagOuterStack() {
        Fixture f = new Fixture();
        Node A = f.matrix(2, 3, 1, 2, 3, 4, 5, 6);
        Node At = f.dag.transpose(A);
        assertEquals(Shape.matrix(3, 2), At.shape);
        assertBits(new double[] {1, 4, 2, 5, 3, 6}, f.eval(At));

        Node v = f.vector(1, -2, 3);
        Node D = f.dag.diag(v);
        assertEquals(Op.DIAG, D.op);
        assertBits(new double[] {1, 0, 0, 0, -2, 0, 0, 0, 3}, f.eval(D));
        Node S = f.matrix(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Node d = f.dag.diag(S);
        assertEquals(Op.DIAG_EXTRACT, d.op);
        assertBits(new double[] {1, 5, 9}, f.eval(d));

        Node o = f.dag.outer(f.vector(1, 2), f.vector(3, 4, 5));
        assertEquals(Op.OUTER, o.op);
        assertBits(new double[] {3, 4, 5, 6, 8, 10}, f.eval(o));

        Node st = f.dag.stack(List.of(f.vector(1, 2, 3, 4), f.vector(5, 6, 7, 8), f.vector(9, 10, 11, 12)));
        assertEquals(Shape.matrix(4, 3), st.shape);
        assertBits(new double[] {1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12}, f.eval(st));
    }

    @Test
    void onehotValidAndInvalidLabels() {
        Fixture f = new Fixture();
        Node y = f.vector(2, 0, 1.5, -1, 3, NAN, -0.0, 1, INF);
        Node oh = f.dag.onehot(y, 3);
        assertEquals(Op.ONEHOT, oh.op);
        assertEquals(Shape.matrix(9, 3), oh.shape);
        assertBits(new double[] {
                0, 0, 1,
                1, 0, 0,
                NAN, NAN, NAN,
                NAN, NAN, NAN,
                NAN, NAN, NAN,
                NAN, NAN, NAN,
                1, 0, 0,
                0, 1, 0,
                NAN, NAN, NAN}, f.eval(oh));
        Node one = f.dag.onehot(f.scalar(3), 4);
        assertEquals(Shape.vector(4), one.shape);
        assertBits(new double[] {0, 0, 0, 1}, f.eval(one));
    }

    /** A·x, for A [n,n] and x [n, r] row-major. */
    static double[] times(double[] a, int n, double[] x, int r) { return textbook(a, n, n, x, r); }

    @Test
    void solveKnownSystem() {
        Fixture f = new Fixture();
        // 4x + 3y = 10, 6x + 3y = 12  →  x = 1, y = 2
        Node A = f.matrix(2, 2, 4, 3, 6, 3), b = f.vector(10, 12);
        Node s = f.dag.solve(A, b);
        assertEquals(Op.SOLVE, s.op);
        assertClose(new double[] {1, 2}, f.eval(s), 1e-15);
        // needs a row swap: the first pivot is 0
        assertBits(new double[] {3, 2}, f.eval(f.dag.solve(f.matrix(2, 2, 0, 1, 1, 0), f.vector(2, 3))));
        // the identity
        assertBits(new double[] {1, 2, 3}, f.eval(f.dag.solve(f.matrix(3, 3, 1, 0, 0, 0, 1, 0, 0, 0, 1), f.vector(1, 2, 3))));
    }

    @Test
    void solveRandomSystemsMultiplyBack() {
        Random rnd = new Random(7);
        for (int n : new int[] {1, 2, 5, 12}) {
            double[] a = Fixture.random(rnd, n * n), b = Fixture.random(rnd, n), B = Fixture.random(rnd, n * 3);
            for (int i = 0; i < n; i++) a[i * n + i] += 2; // well conditioned
            Fixture f = new Fixture();
            Node A = f.matrix(n, n, a);
            double[] x = f.eval(f.dag.solve(A, f.vector(b)));
            assertClose(b, times(a, n, x, 1), 1e-12);
            Node XB = f.dag.solve(A, f.matrix(n, 3, B));
            assertEquals(Shape.matrix(n, 3), XB.shape);
            assertClose(B, times(a, n, f.eval(XB), 3), 1e-12);
        }
    }

    @Test
    void solvePivotsOnTheLargestEntry() {
        // without pivoting, the tiny first pivot loses the answer entirely
        Fixture f = new Fixture();
        double eps = 1e-20;
        double[] x = f.eval(f.dag.solve(f.matrix(2, 2, eps, 1, 1, 1), f.vector(1, 2)));
        assertClose(new double[] {1, 1}, x, 1e-15);
    }

    @Test
    void solveSingularGivesNonFinite() {
        Fixture f = new Fixture();
        double[] x = f.eval(f.dag.solve(f.matrix(2, 2, 1, 2, 2, 4), f.vector(1, 1)));
        assertFalse(Double.isFinite(x[0]) && Double.isFinite(x[1]), "a singular system gives a non-finite value");
        double[] z = f.eval(f.dag.solve(f.matrix(2, 2, 0, 0, 0, 0), f.vector(1, 1)));
        assertTrue(Double.isNaN(z[0]) || Double.isInfinite(z[0]));
        // a NaN in b reaches every unknown, even through a zero coefficient (0 * NaN = NaN), as with LAPACK
        assertBits(new double[] {NAN, NAN}, f.eval(f.dag.solve(f.matrix(2, 2, 2, 0, 0, 2), f.vector(NAN, 4))));
        assertBits(new double[] {NAN, NAN}, f.eval(f.dag.solve(f.matrix(2, 2, 2, 0, 0, 2), f.vector(4, NAN))));
        double[] nanA = f.eval(f.dag.solve(f.matrix(2, 2, NAN, 1, 1, 1), f.vector(1, 2)));
        assertTrue(Double.isNaN(nanA[0]) || Double.isNaN(nanA[1]));
    }

    @Test
    void solveReusesItsBuffersAcrossRuns() {
        Fixture f = new Fixture();
        Node A = f.matrix(3, 3, 4, 1, 0, 1, 4, 1, 0, 1, 4), b = f.vector(1, 2, 3);
        ScalarProgram p = new ScalarProgram(List.of(f.dag.solve(A, b)));
        double[] a1 = f.values.get(A).clone(), b1 = f.values.get(b).clone();
        double[] x1 = p.run(Env.of(f.values))[0];
        assertClose(b1, times(a1, 3, x1, 1), 1e-14);
        assertBits(a1, f.values.get(A), "A was not written");
        assertBits(b1, f.values.get(b), "b was not written");
        double[] a2 = {0, 2, 1, 3, 0, 1, 1, 1, 5}, b2 = {-1, 7, 0.5};
        f.values.put(A, a2);
        f.values.put(b, b2);
        double[] x2 = p.run(Env.of(f.values))[0];
        assertClose(b2, times(a2, 3, x2, 1), 1e-14);
        assertClose(b1, times(a1, 3, x1, 1), 1e-14); // the first result was a copy
    }
}
