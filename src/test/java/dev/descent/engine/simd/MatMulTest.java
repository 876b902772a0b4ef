package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.scalar.ArrayKernels;
import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import dev.descent.lower.KernelPlan;
import dev.descent.lower.Lowering;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MatMul} against the scalar engine's {@code ArrayKernels.matmul}: every shape case,
 * sizes 0, 1, odd, around the lane count, the tile and the cache blocks; transposed operands;
 * the exact order of summation it documents; bit-identical results on 1, 2 and 3 threads; and
 * the SIMD engine (fused transposes included) against the scalar engine on products and their
 * gradients.
 */
class MatMulTest {
    static final int L = MatMul.L;
    /** Sizes: empty, tiny, around the lane count, the tile (MR, NR) and the blocks (KC, MC). */
    static final int[] SIZES = {0, 1, 2, 3, 5, L - 1, L, L + 1, MatMul.MR, MatMul.MR + 1, MatMul.NR - 1, MatMul.NR, MatMul.NR + 3,
            2 * MatMul.NR + 5, 31, MatMul.MC + 7, MatMul.KC + 9};

    static double[] random(SplittableRandom rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = 2 * rnd.nextDouble() - 1;
        return a;
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        ArrayKernels.transpose(a, rows, cols, t);
        return t;
    }

    /** The shape case: 0 matrix @ matrix, 1 matrix @ vector, 2 vector @ matrix, 3 vector @ vector. */
    record Case(int kind, int m, int k, int n, boolean ta, boolean tb) {
        Shape as() { return kind <= 1 ? Shape.matrix(m, k) : Shape.vector(k); }
        Shape bs() { return kind == 0 || kind == 2 ? Shape.matrix(k, n) : Shape.vector(k); }
        int rows() { return kind <= 1 ? m : 1; }
        int cols() { return kind == 0 || kind == 2 ? n : 1; }
        int outSize() { return rows() * cols(); }
        @Override public String toString() {
            return as() + (ta ? "ᵀ" : "") + " @ " + bs() + (tb ? "ᵀ" : "");
        }
    }

    /** out = op(a) @ op(b) through MatMul, the arrays given transposed where the case says. */
    static double[] product(Case c, double[] a, double[] b, int threads) {
        double[] aa = c.ta ? transpose(a, c.m, c.k) : a, bb = c.tb ? transpose(b, c.k, c.n) : b;
        double[] out = new double[c.outSize()];
        java.util.Arrays.fill(out, Double.NaN); // every element must be written
        new MatMul(c.as(), c.ta, c.bs(), c.tb, threads).apply(aa, bb, out);
        return out;
    }

    static double[] reference(Case c, double[] a, double[] b) {
        double[] out = new double[c.outSize()];
        ArrayKernels.matmul(a, c.as(), b, c.bs(), out);
        return out;
    }

    /** Each element within 1e-12 of Σ_p |a[i,p]|·|b[p,j]|: a change of summation order and of rounding, nothing more. */
    static void assertClose(Case c, double[] a, double[] b, double[] want, double[] got) {
        int k = c.k, n = c.cols();
        for (int i = 0; i < c.rows(); i++)
            for (int j = 0; j < n; j++) {
                double mag = 0;
                for (int p = 0; p < k; p++) mag += Math.abs(a[c.kind <= 1 ? i * k + p : p]) * Math.abs(b[c.kind == 0 || c.kind == 2 ? p * n + j : p]);
                double w = want[i * n + j], g = got[i * n + j];
                if (Double.isNaN(w) ? Double.isNaN(g) : Math.abs(g - w) <= 1e-12 * mag) continue;
                fail(c + ": element [" + i + "," + j + "]: expected " + w + " but got " + g + " (Σ|a||b| = " + mag + ")");
            }
    }

    static void assertBits(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            if (Double.doubleToLongBits(want[i]) != Double.doubleToLongBits(got[i]))
                fail(what + ": element " + i + ": " + want[i] + " vs " + got[i]);
    }

    @Test
    void everyShapeCaseAndEdgeSizeAgainstTheReference() {
        SplittableRandom rnd = new SplittableRandom(1);
        int checked = 0;
        for (int m : SIZES)
            for (int k : SIZES)
                for (int n : new int[] {0, 1, 3, L + 1, MatMul.NR, MatMul.NR + 3, 2 * MatMul.NR + 5})
                    for (int kind = 0; kind < 4; kind++) {
                        if (kind == 3 && (m != 1 || n != 1)) continue; // vector @ vector: k alone matters
                        if (kind == 1 && n != 1 || kind == 2 && m != 1) continue;
                        for (int t = 0; t < 4; t++) {
                            Case c = new Case(kind, m, k, n, (t & 1) != 0 && kind <= 1, (t & 2) != 0 && (kind == 0 || kind == 2));
                            if ((t & 1) != 0 && !c.ta || (t & 2) != 0 && !c.tb) continue;
                            double[] a = random(rnd, c.as().size()), b = random(rnd, c.bs().size());
                            assertClose(c, a, b, reference(c, a, b), product(c, a, b, 1));
                            checked++;
                        }
                    }
        assertTrue(checked > 2000, checked + " cases");
    }

    @Test
    void largeProductsAcrossTheCacheBlocks() {
        SplittableRandom rnd = new SplittableRandom(2);
        // k over two KC blocks, n over NC, m over several MC blocks and not a multiple of MR
        int[][] shapes = {{MatMul.MC * 2 + 5, MatMul.KC * 2 + 3, 37}, {13, 70, MatMul.NC + MatMul.NR + 3}, {1437, 64, 32}, {1437, 32, 10}};
        for (int[] s : shapes)
            for (int t = 0; t < 4; t++) {
                Case c = new Case(0, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0);
                double[] a = random(rnd, c.as().size()), b = random(rnd, c.bs().size());
                assertClose(c, a, b, reference(c, a, b), product(c, a, b, 1));
            }
    }

    /**
     * The order MatMul documents, exactly: matrix @ matrix adds a·b for p ascending from 0,
     * one fma each; vector @ matrix the same with a multiply and an add (the reference, bit
     * for bit); matrix @ vector sums each row in lanes (p ≡ l mod L up to the last whole
     * vector), adds the lanes in order, then the tail.
     */
    @Test
    void theDocumentedSummationOrderBitForBit() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int[] s : new int[][] {{7, 300, 19}, {MatMul.MR * 3, 5, MatMul.NR * 2}, {1, 41, 33}, {29, 17, 1}, {40, 13, 1}}) {
            int m = s[0], k = s[1], n = s[2];
            double[] a = random(rnd, m * k), b = random(rnd, k * n);
            a[0] = 1e17; a[Math.min(1, a.length - 1)] = -1e17; // cancellations make the order visible
            for (int t = 0; t < 4; t++) {
                Case c = new Case(0, m, k, n, (t & 1) != 0, (t & 2) != 0);
                double[] want = new double[m * n];
                boolean gemv = n == 1 && !c.ta || m == 1 && c.tb; // a dot product per output
                boolean vecmat = !gemv && (n == 1 || m == 1); // one row of sums in registers
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double sum = 0;
                        if (gemv) {
                            double[] part = new double[L];
                            int ub = k / L * L;
                            for (int p = 0; p < ub; p++) part[p % L] += a[i * k + p] * b[p * n + j];
                            for (double v : part) sum += v;
                            for (int p = ub; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                        } else if (vecmat) for (int p = 0; p < k; p++) sum += a[i * k + p] * b[p * n + j];
                        else for (int p = 0; p < k; p++) sum = Math.fma(a[i * k + p], b[p * n + j], sum);
                        want[i * n + j] = sum;
                    }
                if (vecmat) assertBits(reference(c, a, b), want, "vector @ matrix is the reference");
                assertBits(want, product(c, a, b, 1), c.toString());
            }
        }
    }

    @Test
    void bitIdenticalOnOneTwoAndThreeThreads() {
        SplittableRandom rnd = new SplittableRandom(4);
        int m = 97, k = 83, n = 45; // several MR panels per thread, and a masked edge
        Case[] cases = {
            new Case(0, m, k, n, false, false), new Case(0, m, k, n, true, false), new Case(0, m, k, n, false, true),
            new Case(0, m, MatMul.KC + 40, n, true, true),
            new Case(1, 301, 97, 1, false, false), new Case(1, 301, 97, 1, true, false),
            new Case(2, 1, 97, 301, false, false), new Case(2, 1, 97, 301, false, true),
        };
        for (Case c : cases) {
            double[] a = random(rnd, c.as().size()), b = random(rnd, c.bs().size());
            double[] one = product(c, a, b, 1);
            for (int threads = 2; threads <= 3; threads++) {
                double[] aa = c.ta ? transpose(a, c.m, c.k) : a, bb = c.tb ? transpose(b, c.k, c.n) : b;
                MatMul mm = new MatMul(c.as(), c.ta, c.bs(), c.tb, threads, 1000); // split even these small products
                assertEquals(threads, mm.parts(), c + " splits between " + threads + " threads");
                double[] out = new double[c.outSize()];
                mm.apply(aa, bb, out);
                assertBits(one, out, c + " on " + threads + " threads");
                mm.apply(aa, bb, out); // buffers reused: the same again
                assertBits(one, out, c + " on " + threads + " threads, second run");
            }
            assertClose(c, a, b, reference(c, a, b), one);
        }
        assertEquals(1, new MatMul(Shape.matrix(64, 64), false, Shape.matrix(64, 64), false, 3).parts(), "small products stay on one thread");
        int side = (int) Math.cbrt(3.0 * MatMul.THREAD_MIN_FMAS) + 1;
        assertEquals(3, new MatMul(Shape.matrix(side, side), false, Shape.matrix(side, side), false, 3).parts(), "large ones are split");
    }

    @Test
    void nanAndInfinitySpreadAsInTheReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        int m = 13, k = 9, n = 21;
        double[] a = random(rnd, m * k), b = random(rnd, k * n);
        a[2 * k + 3] = Double.NaN;
        a[7 * k + 1] = Double.POSITIVE_INFINITY;
        b[4 * n + 17] = Double.NEGATIVE_INFINITY;
        b[1] = 0; // ∞·0 in row 7, column 1: NaN
        for (int t = 0; t < 4; t++) {
            Case c = new Case(0, m, k, n, (t & 1) != 0, (t & 2) != 0);
            double[] want = reference(c, a, b), got = product(c, a, b, 1);
            for (int i = 0; i < want.length; i++) {
                if (Double.isNaN(want[i]) || Double.isInfinite(want[i])) assertEquals(want[i], got[i], c + ": element " + i);
                else assertTrue(Double.isFinite(got[i]), c + ": element " + i + " is " + got[i]);
            }
        }
    }

    @Test
    void outerIsTheReferenceBitForBit() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int m : new int[] {0, 1, 3, 17})
            for (int n : new int[] {0, 1, L - 1, L, 2 * L + 3}) {
                double[] a = random(rnd, m), b = random(rnd, n), want = new double[m * n], got = new double[m * n];
                ArrayKernels.outer(a, b, want);
                MatMul.outer(a, b, got);
                assertBits(want, got, "outer " + m + " × " + n);
            }
    }

    // ------------------------------------------------------ through the engine

    /** A transpose is fused only when products alone read it and it is not an output; a fused one is not computed. */
    @Test
    void transposesReadOnlyByProductsAreFused() {
        Dag dag = new Dag();
        Node X = dag.input("X", Shape.matrix(5, 3)), Y = dag.input("Y", Shape.matrix(5, 4));
        Node Z = dag.input("Z", Shape.matrix(2, 5)), r = dag.input("r", Shape.vector(5));
        Node Xt = dag.transpose(X), Yt = dag.transpose(Y), Zt = dag.transpose(Z);
        Node p1 = dag.matmul(Xt, Y), p2 = dag.matmul(Xt, r), p3 = dag.matmul(Yt, Y), p4 = dag.matmul(Z, Zt);
        Node e = dag.sum(dag.mul(Yt, Yt)); // Yt is also read elementwise
        List<Node> outputs = List.of(p1, p2, p3, p4, e, Zt); // Zt is an output
        List<Node> nodes = Agree.reach(outputs);
        HostEval.Prep[] prep = new HostEval.Prep[nodes.size()];
        for (int s = 0; s < prep.length; s++) {
            Op op = nodes.get(s).op;
            if (op == Op.MATMUL || op == Op.TRANSPOSE) prep[s] = new HostEval.Prep(nodes.get(s), 2);
        }
        HostEval.fuseTransposes(prep, nodes, outputs);
        HostEval.Prep xt = prep[nodes.indexOf(Xt)], yt = prep[nodes.indexOf(Yt)], zt = prep[nodes.indexOf(Zt)];
        assertTrue(xt.fused, "X' feeds only products");
        assertTrue(!yt.fused && !zt.fused, "Y' is read elementwise, Z' is an output");
        assertTrue(prep[nodes.indexOf(p1)].transA == xt && prep[nodes.indexOf(p2)].transA == xt);
        assertTrue(prep[nodes.indexOf(p3)].transA == null && prep[nodes.indexOf(p4)].transB == null);

        SplittableRandom rnd = new SplittableRandom(8);
        double[] x = random(rnd, 15), y = random(rnd, 20), rv = random(rnd, 5);
        HostEval.eval(xt, new double[][] {x});
        assertBits(new double[15], xt.out, "a fused transpose is not computed");
        HostEval.Prep q1 = prep[nodes.indexOf(p1)], q2 = prep[nodes.indexOf(p2)];
        HostEval.eval(q1, new double[][] {xt.out, y});
        HostEval.eval(q2, new double[][] {xt.out, rv});
        double[] xtv = transpose(x, 5, 3);
        assertClose(new Case(0, 3, 5, 4, false, false), xtv, y, reference(new Case(0, 3, 5, 4, false, false), xtv, y), q1.out);
        double[] want2 = new double[3];
        ArrayKernels.matmul(xtv, Shape.matrix(3, 5), rv, Shape.vector(5), want2);
        assertClose(new Case(1, 3, 5, 1, false, false), xtv, rv, want2, q2.out);
    }

    /**
     * A two-layer network's loss and gradient (MATMUL with both operands transposed in the
     * backward pass, OUTER, and transposes read only by products, which the engine fuses),
     * plus a transpose that is also an output and one read elementwise (not fused): the SIMD
     * engine agrees with the scalar engine, and is bit-identical on 1, 2 and 3 threads (the
     * first layer's products are large enough to be split).
     */
    @Test
    void networkGradientAgreesWithTheScalarEngineAndAcrossThreads() {
        Dag dag = new Dag();
        int rows = 2000, in = 64, hidden = 40, classes = 10;
        assertTrue(new MatMul(Shape.matrix(rows, in), false, Shape.matrix(in, hidden), false, 2).parts() == 2, "X @ W1 is split");
        Node X = dag.input("X", Shape.matrix(rows, in)), W1 = dag.input("W1", Shape.matrix(in, hidden));
        Node W2 = dag.input("W2", Shape.matrix(hidden, classes)), v = dag.input("v", Shape.vector(hidden));
        Node u = dag.input("u", Shape.vector(in));
        Node H = dag.unary(Op.TANH, dag.matmul(X, W1));
        Node Z = dag.matmul(H, W2);
        Node loss = dag.add(dag.add(dag.sum(dag.mul(Z, Z)), dag.sum(dag.matmul(H, v))), dag.sum(dag.matmul(u, W1)));
        List<Node> outs = new ArrayList<>(List.of(loss));
        outs.addAll(dev.descent.diff.Derivatives.gradient(dag, loss, List.of(W1, W2, v, u)));
        Node Wt = dag.transpose(W1);
        outs.add(Wt); // a transpose that is an output
        outs.add(dag.matmul(Wt, u));
        outs.add(dag.sum(dag.mul(dag.transpose(W2), dag.transpose(W2)))); // a transpose read elementwise

        int transposes = 0;
        for (Node x : Agree.reach(outs)) if (x.op == Op.TRANSPOSE) transposes++;
        assertTrue(transposes >= 4, "the gradient has transposes to fuse: " + transposes);
        // as SimdProgram prepares its host nodes: X' and H' (read only by products) are fused, W1' and W2' are not
        KernelPlan plan = Lowering.lower(outs);
        HostEval.Prep[] prep = new HostEval.Prep[plan.nodes.size()];
        for (KernelPlan.Phase ph : plan.phases) for (int s : ph.hostSlots) prep[s] = new HostEval.Prep(plan.nodes.get(s), 1);
        HostEval.fuseTransposes(prep, plan.nodes, outs);
        List<Op> fusedOf = new ArrayList<>();
        for (HostEval.Prep p : prep) if (p != null && p.fused) fusedOf.add(p.node.in(0).op);
        assertEquals(List.of(Op.INPUT, Op.TANH), fusedOf.stream().sorted().toList(), "the transposes fused");

        Map<Node, double[]> values = new IdentityHashMap<>();
        SplittableRandom rnd = new SplittableRandom(7);
        for (Node leaf : List.of(X, W1, W2, v, u)) values.put(leaf, random(rnd, leaf.shape.size()));
        double[][] scalar = new ScalarProgram(outs).run(Env.of(values));
        double[][] one = new SimdProgram(outs, Precision.F64, 1).run(Env.of(values));
        Agree.close(scalar, one, 1e-12, "simd f64 vs scalar");
        for (int threads = 2; threads <= 3; threads++)
            Agree.same(one, new SimdProgram(outs, Precision.F64, threads).run(Env.of(values)), "simd on " + threads + " threads");
        double[][] f32 = new SimdProgram(outs, Precision.F32, 2).run(Env.of(values));
        Agree.close(scalar, f32, 1e-4, "simd f32 vs scalar");
    }
}
