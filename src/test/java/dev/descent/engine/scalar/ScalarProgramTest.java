package dev.descent.engine.scalar;

import static dev.descent.engine.scalar.Fixture.assertBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.engine.Env;
import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The program itself: planning, buffers reused across runs, outputs, leaves, errors, non-finite values end to end. */
class ScalarProgramTest {
    static final double NAN = Double.NaN, INF = Double.POSITIVE_INFINITY;

    /** A small regression objective: mean((X @ w + b - y)^2) + 0.1 * sum(w^2), and its pieces. */
    record Regression(Fixture f, Node X, Node w, Node b, Node y, Node residual, Node loss) {
        static Regression make(int m, int n) {
            Fixture f = new Fixture();
            Node X = f.matrix(m, n, new double[m * n]), w = f.vector(new double[n]), b = f.scalar(0), y = f.vector(new double[m]);
            Dag d = f.dag;
            Node r = d.sub(d.add(d.matmul(X, w), b), y);
            Node loss = d.add(d.mean(d.pow(r, d.constant(2))), d.mul(0.1, d.sum(d.pow(w, d.constant(2)))));
            return new Regression(f, X, w, b, y, r, loss);
        }

        void set(double[] x, double[] wv, double bv, double[] yv) {
            f.values.put(X, x);
            f.values.put(w, wv);
            f.values.put(b, new double[] {bv});
            f.values.put(y, yv);
        }

        /** The same objective by hand. */
        static double[] expected(double[] x, double[] wv, double bv, double[] yv, int m, int n) {
            double[] r = new double[m];
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int j = 0; j < n; j++) s += x[i * n + j] * wv[j];
                r[i] = s + bv - yv[i];
            }
            double sq = 0, ww = 0;
            for (double v : r) sq += v * v;
            for (double v : wv) ww += v * v;
            double[] out = new double[m + 1];
            System.arraycopy(r, 0, out, 0, m);
            out[m] = sq / m + 0.1 * ww;
            return out;
        }
    }

    @Test
    void buffersAreReusedAcrossRunsWithDifferentValues() {
        int m = 20, n = 4;
        Regression g = Regression.make(m, n);
        ScalarProgram p = new ScalarProgram(List.of(g.residual(), g.loss()));
        Random rnd = new Random(8);
        double[][] firsts = null;
        double[] firstExpected = null;
        for (int run = 0; run < 3; run++) {
            double[] x = Fixture.random(rnd, m * n), w = Fixture.random(rnd, n), y = Fixture.random(rnd, m);
            double b = rnd.nextDouble();
            g.set(x, w, b, y);
            double[] xc = x.clone(), wc = w.clone(), yc = y.clone();
            double[][] out = p.run(g.f().env());
            double[] e = Regression.expected(x, w, b, y, m, n);
            assertBits(java.util.Arrays.copyOf(e, m), out[0], "residual, run " + run);
            assertEquals(e[m], out[1][0], 1e-14, "loss, run " + run);
            assertBits(xc, x, "X was not written");
            assertBits(wc, w, "w was not written");
            assertBits(yc, y, "y was not written");
            if (run == 0) { firsts = out; firstExpected = e; }
        }
        // the first run's results were copies, untouched by later runs
        assertBits(java.util.Arrays.copyOf(firstExpected, m), firsts[0], "first residual kept");
    }

    @Test
    void executeAndOutputShareTheProgramsBuffers() {
        Regression g = Regression.make(5, 2);
        g.set(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new double[] {1, -1}, 0.5, new double[] {0, 0, 0, 0, 0});
        ScalarProgram p = new ScalarProgram(List.of(g.residual(), g.loss()));
        p.execute(g.f().env());
        double[] r = p.output(0);
        assertBits(new double[] {-0.5, -0.5, -0.5, -0.5, -0.5}, r);
        assertBits(new double[] {0.25 + 0.1 * 2}, p.output(1));
        g.set(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, new double[] {1, 1}, 0, new double[] {0, 0, 0, 0, 0});
        p.execute(g.f().env());
        assertSame(r, p.output(0), "the same buffer, refilled");
        assertBits(new double[] {3, 7, 11, 15, 19}, r);
        double[][] copies = p.run(g.f().env());
        assertNotSame(r, copies[0]);
        assertBits(r, copies[0]);
    }

    @Test
    void nodeCountIsTheReachableNodes() {
        Fixture f = new Fixture();
        Node x = f.vector(1, 2), y = f.vector(3, 4);
        Node xy = f.dag.mul(x, y);
        Node unused = f.dag.unary(Op.EXP, f.dag.add(x, y));
        Node a = f.dag.sum(xy), b = f.dag.unary(Op.SIN, xy);
        assertEquals(a.dagSize(), new ScalarProgram(List.of(a)).nodeCount());
        assertEquals(4, new ScalarProgram(List.of(a)).nodeCount()); // x, y, x*y, sum
        assertEquals(5, new ScalarProgram(List.of(a, b)).nodeCount()); // x*y shared
        assertEquals(5, new ScalarProgram(List.of(a, b, a, xy)).nodeCount()); // repeats are one node
        assertEquals(4, new ScalarProgram(List.of(unused)).nodeCount());
        // a shared subexpression is evaluated once and feeds both outputs
        double[][] out = f.eval(a, b, xy);
        assertBits(new double[] {11}, out[0]);
        assertBits(new double[] {Math.sin(3), Math.sin(8)}, out[1]);
        assertBits(new double[] {3, 8}, out[2]);
    }

    @Test
    void leafAndConstantOutputsAreCopies() {
        Fixture f = new Fixture();
        Node x = f.vector(1, 2, 3);
        Node c = f.dag.constant(Shape.vector(2), new double[] {5, 6});
        ScalarProgram p = new ScalarProgram(List.of(x, c));
        double[][] out = p.run(f.env());
        assertBits(new double[] {1, 2, 3}, out[0]);
        assertBits(new double[] {5, 6}, out[1]);
        assertNotSame(f.values.get(x), out[0]);
        out[0][0] = 99;
        out[1][0] = 99;
        assertBits(new double[] {1, 2, 3}, f.values.get(x));
        assertBits(new double[] {5, 6}, p.run(f.env())[1]);
        assertBits(new double[] {5, 6}, c.constValues());
    }

    @Test
    void aMissingOrMisshapedLeafIsAnError() {
        Fixture f = new Fixture();
        Node x = f.vector(1, 2, 3);
        Node y = f.dag.unary(Op.EXP, x);
        ScalarProgram p = new ScalarProgram(List.of(y));
        assertThrows(IllegalArgumentException.class, () -> p.run(leaf -> null));
        assertThrows(IllegalArgumentException.class, () -> p.run(leaf -> new double[2]));
        assertThrows(IllegalArgumentException.class, () -> p.run(Env.of(java.util.Map.of())));
    }

    @Test
    void nodesOfTwoDagsAreRefused() {
        Dag d1 = new Dag(), d2 = new Dag();
        Node a = d1.param(new Attr.Param("a", 0, Shape.SCALAR, 0));
        Node b = d2.param(new Attr.Param("b", 0, Shape.SCALAR, 0));
        assertThrows(IllegalArgumentException.class, () -> new ScalarProgram(List.of(a, b)));
    }

    @Test
    void nanAndInfinityFlowThroughWithoutExceptions() {
        Fixture f = new Fixture();
        Node x = f.vector(INF, -INF, NAN, 0, 1);
        Dag d = f.dag;
        assertBits(new double[] {NAN}, f.eval(d.sum(x)));
        assertBits(new double[] {NAN}, f.eval(d.sum(f.vector(INF, -INF))));
        assertBits(new double[] {INF}, f.eval(d.sum(f.vector(INF, 1))));
        assertBits(new double[] {INF, 0, NAN, 1, Math.E}, f.eval(d.unary(Op.EXP, x)));
        assertBits(new double[] {INF, NAN, NAN, -INF, 0}, f.eval(d.unary(Op.LOG, x)));
        Node one = f.scalar(1);
        assertBits(new double[] {0, -0.0, NAN, INF, 1}, f.eval(d.div(one, x)));
        assertBits(new double[] {INF, INF, NAN, NAN, 1}, f.eval(d.div(x, f.vector(1, -0.0, 1, 0, 1))));
        // the dot product and the mean of an array with one NaN are NaN
        assertBits(new double[] {NAN}, f.eval(d.dot(x, f.vector(1, 1, 1, 1, 1))));
        assertBits(new double[] {NAN}, f.eval(d.mean(x)));
        // overflow to infinity and on to NaN
        Node big = f.vector(1e308, 1e308);
        assertBits(new double[] {INF}, f.eval(d.sum(big)));
        assertBits(new double[] {NAN}, f.eval(d.sub(d.sum(big), d.sum(f.vector(1e308, 1e308)))));
    }

    @Test
    void aLargeElementwiseStepRunsRepeatedly() {
        // an Adam-like update over 10^5 elements, run several times into the same buffers
        int n = 100_000;
        Fixture f = new Fixture();
        Dag d = f.dag;
        Random rnd = new Random(9);
        Node p = f.vector(Fixture.random(rnd, n)), g = f.vector(Fixture.random(rnd, n)), m = f.vector(new double[n]), v = f.vector(new double[n]);
        Node lr = f.scalar(0.001), b1 = f.scalar(0.9), b2 = f.scalar(0.999), eps = f.scalar(1e-8);
        Node one = d.constant(1);
        Node m1 = d.add(d.mul(b1, m), d.mul(d.sub(one, b1), g));
        Node v1 = d.add(d.mul(b2, v), d.mul(d.sub(one, b2), d.pow(g, d.constant(2))));
        Node p1 = d.sub(p, d.div(d.mul(lr, m1), d.add(d.unary(Op.SQRT, v1), eps)));
        ScalarProgram prog = new ScalarProgram(List.of(p1, m1, v1));
        for (int step = 0; step < 5; step++) {
            double[] pv = f.values.get(p), gv = f.values.get(g), mv = f.values.get(m), vv = f.values.get(v);
            double[][] out = prog.run(f.env());
            for (int k = 0; k < n; k += 997) {
                double em = 0.9 * mv[k] + (1 - 0.9) * gv[k];
                double ev = 0.999 * vv[k] + (1 - 0.999) * (gv[k] * gv[k]);
                assertBits(new double[] {em, ev, pv[k] - 0.001 * em / (Math.sqrt(ev) + 1e-8)},
                        new double[] {out[1][k], out[2][k], out[0][k]}, "step " + step + ", element " + k);
            }
            f.values.put(p, out[0]);
            f.values.put(m, out[1]);
            f.values.put(v, out[2]);
            f.values.put(g, Fixture.random(rnd, n));
        }
    }
}
