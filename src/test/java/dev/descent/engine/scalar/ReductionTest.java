package dev.descent.engine.scalar;

import static dev.descent.engine.scalar.Fixture.assertBits;
import static dev.descent.engine.scalar.Fixture.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SUM, SUM_AXIS, MAX/MIN (all and per axis), LSE and LSE_AXIS. */
class ReductionTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    @Test
    void sumOfOneToHundred() {
        Fixture f = new Fixture();
        Node x = f.vector(Fixture.seq(100, 1, 1));
        Node s = f.dag.sum(x);
        assertEquals(Op.SUM, s.op);
        assertBits(new double[] {5050}, f.eval(s));
    }

    @Test
    void sumIsLeftToRight() {
        // left to right: ((1e16 + 1) - 1e16) + 1 = 1; a pairwise sum would give 0
        Fixture f = new Fixture();
        assertBits(new double[] {1}, f.eval(f.dag.sum(f.vector(1e16, 1, -1e16, 1))));
        double[] v = Fixture.random(new Random(1), 1000);
        double s = 0;
        for (double x : v) s += x;
        assertBits(new double[] {s}, f.eval(f.dag.sum(f.vector(v))));
        // a matrix sums row-major
        double[] m = {1e16, 1, -1e16, 1, 3, 4};
        double sm = 0;
        for (double x : m) sm += x;
        assertBits(new double[] {sm}, f.eval(f.dag.sum(f.matrix(2, 3, m))));
    }

    @Test
    void sumAxisBothWays() {
        int m = 4, n = 5;
        double[] a = Fixture.random(new Random(2), m * n);
        a[7] = 1e16; a[12] = -1e16; // column 2, rows 1 and 2: the order within a column matters
        Fixture f = new Fixture();
        Node A = f.matrix(m, n, a);
        double[] rows = new double[m], cols = new double[n];
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) s += a[i * n + j];
            rows[i] = s;
        }
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) s += a[i * n + j];
            cols[j] = s;
        }
        Node r = f.dag.reduceAxis(Op.SUM_AXIS, A, 1), c = f.dag.reduceAxis(Op.SUM_AXIS, A, 0);
        assertEquals(Shape.vector(m), r.shape);
        assertEquals(Shape.vector(n), c.shape);
        assertBits(rows, f.eval(r), "axis 1");
        assertBits(cols, f.eval(c), "axis 0");
        Node small = f.matrix(2, 3, 1, 2, 3, 4, 5, 6);
        assertBits(new double[] {6, 15}, f.eval(f.dag.reduceAxis(Op.SUM_AXIS, small, 1)));
        assertBits(new double[] {5, 7, 9}, f.eval(f.dag.reduceAxis(Op.SUM_AXIS, small, 0)));
        assertBits(new double[] {2, 5}, f.eval(f.dag.meanAxis(small, 1)));
        assertBits(new double[] {2.5, 3.5, 4.5}, f.eval(f.dag.meanAxis(small, 0)));
    }

    @Test
    void maxAndMinOfAll() {
        Fixture f = new Fixture();
        Node x = f.vector(3, -7, 12, 0.5, -0.0);
        assertBits(new double[] {12}, f.eval(f.dag.reduce(Op.MAX_ALL, x)));
        assertBits(new double[] {-7}, f.eval(f.dag.reduce(Op.MIN_ALL, x)));
        Node z = f.vector(-0.0, 0.0);
        assertBits(new double[] {0.0}, f.eval(f.dag.reduce(Op.MAX_ALL, z)));
        assertBits(new double[] {-0.0}, f.eval(f.dag.reduce(Op.MIN_ALL, z)));
        Node withNan = f.vector(1, NAN, 5);
        assertBits(new double[] {NAN}, f.eval(f.dag.reduce(Op.MAX_ALL, withNan)));
        assertBits(new double[] {NAN}, f.eval(f.dag.reduce(Op.MIN_ALL, withNan)));
        Node inf = f.vector(-INF, 2, INF);
        assertBits(new double[] {INF}, f.eval(f.dag.reduce(Op.MAX_ALL, inf)));
        assertBits(new double[] {-INF}, f.eval(f.dag.reduce(Op.MIN_ALL, inf)));
        Node M = f.matrix(2, 2, 4, -1, 9, 2);
        assertBits(new double[] {9}, f.eval(f.dag.reduce(Op.MAX_ALL, M)));
        assertBits(new double[] {-1}, f.eval(f.dag.reduce(Op.MIN_ALL, M)));
    }

    @Test
    void maxAndMinPerAxis() {
        Fixture f = new Fixture();
        // [[1, 5, -2],
        //  [7, NaN, 0],
        //  [3, 4, 9],
        //  [-1, 6, -0.0]]
        Node A = f.matrix(4, 3, 1, 5, -2, 7, NAN, 0, 3, 4, 9, -1, 6, -0.0);
        assertBits(new double[] {5, NAN, 9, 6}, f.eval(f.dag.reduceAxis(Op.MAX_AXIS, A, 1)));
        assertBits(new double[] {-2, NAN, 3, -1}, f.eval(f.dag.reduceAxis(Op.MIN_AXIS, A, 1)));
        assertBits(new double[] {7, NAN, 9}, f.eval(f.dag.reduceAxis(Op.MAX_AXIS, A, 0)));
        assertBits(new double[] {-1, NAN, -2}, f.eval(f.dag.reduceAxis(Op.MIN_AXIS, A, 0)));
    }

    static double naiveLse(double... x) {
        double s = 0;
        for (double v : x) s += Math.exp(v);
        return Math.log(s);
    }

    @Test
    void logSumExpAgainstTheNaiveFormula() {
        Fixture f = new Fixture();
        double[] v = {0.3, -1.2, 2.5, 0, 1};
        Node l = f.dag.reduce(Op.LSE, f.vector(v));
        assertEquals(Op.LSE, l.op);
        assertClose(new double[] {naiveLse(v)}, f.eval(l), 1e-15);
        double[] r = Fixture.random(new Random(3), 200);
        assertClose(new double[] {naiveLse(r)}, f.eval(f.dag.reduce(Op.LSE, f.vector(r))), 1e-14);
        assertClose(new double[] {naiveLse(1, 2, 3, 4)}, f.eval(f.dag.reduce(Op.LSE, f.matrix(2, 2, 1, 2, 3, 4))), 1e-15);
    }

    @Test
    void logSumExpIsStable() {
        Fixture f = new Fixture();
        assertClose(new double[] {1000 + Math.log(2)}, f.eval(f.dag.reduce(Op.LSE, f.vector(1000, 1000))), 1e-16);
        assertClose(new double[] {-1000 + Math.log(2)}, f.eval(f.dag.reduce(Op.LSE, f.vector(-1000, -1000))), 1e-16);
        assertBits(new double[] {1e308}, f.eval(f.dag.reduce(Op.LSE, f.vector(1e308, -1e308))));
        double[] big = f.eval(f.dag.reduce(Op.LSE, f.vector(1000, 999, 998)));
        assertTrue(Double.isFinite(big[0]));
        assertClose(new double[] {1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2))}, big, 1e-16);
    }

    @Test
    void logSumExpOfNonFinite() {
        Fixture f = new Fixture();
        assertBits(new double[] {INF}, f.eval(f.dag.reduce(Op.LSE, f.vector(INF, 1))));
        assertBits(new double[] {-INF}, f.eval(f.dag.reduce(Op.LSE, f.vector(-INF, -INF))));
        assertBits(new double[] {0}, f.eval(f.dag.reduce(Op.LSE, f.vector(-INF, 0))));
        assertBits(new double[] {NAN}, f.eval(f.dag.reduce(Op.LSE, f.vector(NAN, 1))));
        assertBits(new double[] {NAN}, f.eval(f.dag.reduce(Op.LSE, f.vector(INF, NAN))));
        assertBits(new double[] {NAN}, f.eval(f.dag.reduce(Op.LSE, f.vector(-INF, NAN))));
    }

    @Test
    void logSumExpPerAxis() {
        Fixture f = new Fixture();
        // [[1, 2, 3],
        //  [1000, 1000, 1000],
        //  [-INF, -INF, -INF],
        //  [INF, 0, 1],
        //  [NaN, 0, 1]]
        double[] a = {1, 2, 3, 1000, 1000, 1000, -INF, -INF, -INF, INF, 0, 1, NAN, 0, 1};
        Node A = f.matrix(5, 3, a);
        Node rows = f.dag.reduceAxis(Op.LSE_AXIS, A, 1);
        assertEquals(Shape.vector(5), rows.shape);
        assertClose(new double[] {naiveLse(1, 2, 3), 1000 + Math.log(3), -INF, INF, NAN}, f.eval(rows), 1e-15);

        // [[1, 1000, -1],
        //  [2, 1000, -INF],
        //  [3, 1000, 0.5]]  and a column of INF, one of NaN, one of -INF
        double[] b = {1, 1000, -1, INF, NAN, -INF,
                      2, 1000, -INF, 0, 1, -INF,
                      3, 1000, 0.5, 5, 2, -INF};
        Node B = f.matrix(3, 6, b);
        Node cols = f.dag.reduceAxis(Op.LSE_AXIS, B, 0);
        assertEquals(Shape.vector(6), cols.shape);
        assertClose(new double[] {naiveLse(1, 2, 3), 1000 + Math.log(3), naiveLse(-1, -INF, 0.5), INF, NAN, -INF}, f.eval(cols), 1e-15);
    }

    @Test
    void logSumExpPerAxisMatchesTheFullReductionOfEachRowAndColumn() {
        int m = 6, n = 7;
        double[] a = Fixture.random(new Random(4), m * n);
        for (int k = 0; k < a.length; k++) a[k] *= 50;
        Fixture f = new Fixture();
        Node A = f.matrix(m, n, a);
        double[] rows = f.eval(f.dag.reduceAxis(Op.LSE_AXIS, A, 1)), cols = f.eval(f.dag.reduceAxis(Op.LSE_AXIS, A, 0));
        for (int i = 0; i < m; i++) {
            double[] row = new double[n];
            for (int j = 0; j < n; j++) row[j] = a[i * n + j];
            assertBits(f.eval(f.dag.reduce(Op.LSE, f.vector(row))), new double[] {rows[i]}, "row " + i);
        }
        for (int j = 0; j < n; j++) {
            double[] col = new double[m];
            for (int i = 0; i < m; i++) col[i] = a[i * n + j];
            assertBits(f.eval(f.dag.reduce(Op.LSE, f.vector(col))), new double[] {cols[j]}, "column " + j);
        }
    }

    @Test
    void softmaxAndMeanThroughTheDag() {
        Fixture f = new Fixture();
        double[] v = {1, 2, 3};
        double[] sm = f.eval(f.dag.softmax(f.vector(v)));
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertClose(new double[] {Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z}, sm, 1e-15);
        // per column (axis 0); per row (axis 1) waits on the IR keeping column broadcasts (see StructureTest)
        double[] cols = f.eval(f.dag.softmaxAxis(f.matrix(2, 3, 1000, 0, 5, 1000, Math.log(3), 5), 0));
        // exp(x - lse) near 1000 carries lse's rounding (an ulp of 1000 is 1.1e-13) into the result
        assertClose(new double[] {0.5, 0.25, 0.5, 0.5, 0.75, 0.5}, cols, 1e-13);
        assertBits(new double[] {2.5}, f.eval(f.dag.mean(f.vector(1, 2, 3, 4))));
        Node a = f.vector(1, 2, 3), b = f.vector(4, 5, 6);
        assertBits(new double[] {32}, f.eval(f.dag.dot(a, b)));
        assertBits(new double[] {5}, f.eval(f.dag.norm(f.vector(3, 4))));
    }
}
