package dev.descent.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.diff.Derivatives;
import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Printer;
import dev.descent.ir.Shape;
import dev.descent.syntax.SourceFile;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The symbolic layer's cost does not grow with the parameters' size: {@code param p[N] = c}
 * stores one number, a broadcast scalar (a state's {@code = 0}, a sum's adjoint, {@code
 * ones}, {@code zeros}) is one node over a scalar, and the gradient of a script with ten
 * million parameters holds no constant of more than one element.
 */
class LargeParameterTest {
    static final int N = 10_000_000;
    static final String BIG = """
            param p[10000000] = 1
            minimize sum(0.5*(p-3)^2)
            optimize with adam(lr=0.01) for 200 steps
            """;

    /** The constant elements a Dag holds: each CONST counts its elements (a scalar one). */
    static long constantElements(Dag dag) {
        long n = 0;
        for (int id = 0; id < dag.size(); id++) {
            Node x = dag.node(id);
            if (x.op == Op.CONST) n += x.shape.isScalar() ? 1 : ((Attr.Array) x.attr).values().length;
        }
        return n;
    }

    static int largestConstant(Dag dag) {
        int most = 0;
        for (int id = 0; id < dag.size(); id++)
            if (dag.node(id).op == Op.CONST) most = Math.max(most, dag.node(id).shape.size());
        return most;
    }

    @Test void aLargeParameterAndItsOptimizerHoldNoConstantOfItsSize() {
        Script s = Checker.checkForTraining(SourceFile.ofString("big.dsc", BIG), Map.of());
        Script.Param p = s.param("p");
        assertEquals(Shape.vector(N), p.shape());
        assertEquals(new Script.Init.Fill(1), p.init(), "param p[N] = 1 is a fill, not N numbers");
        // adam's states start at 0: each a filled constant over the whole θ
        Step st = s.steps.get(0);
        assertEquals(List.of("m", "v", "v_max"), st.stateNames());
        for (Node init : st.stateInits()) {
            assertTrue(init.isFill(), "a state's start is a broadcast scalar: " + init.op);
            assertEquals(0.0, init.fillValue());
            assertEquals(Shape.vector(N), init.shape);
        }
        // the gradient and the Hessian's first row, made in the same Dag
        Node g = Derivatives.gradient(s.dag, s.objective, List.of(p.node())).get(0);
        assertEquals("p - 3", Printer.print(g));
        Node zero = Derivatives.gradient(s.dag, s.dag.constant(1), List.of(p.node())).get(0);
        assertTrue(zero.isConstFilled(0) && zero.isFill(), "a zero gradient is a broadcast 0");
        Node h0 = s.dag.index(g, Attr.Index.element(0));
        Node hessianRow = Derivatives.gradient(s.dag, h0, List.of(p.node())).get(0);
        assertEquals(Op.SCATTER, hessianRow.op, "row 0 of the Hessian: 1 at [0], zeros elsewhere, without an array of zeros");
        assertEquals(1, largestConstant(s.dag), "no constant array in the whole Dag");
        assertTrue(constantElements(s.dag) < 100, constantElements(s.dag) + " constant elements");
    }

    @Test void checkingALargeScriptAllocatesLittle() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        Checker.check(SourceFile.ofString("warm.dsc", BIG.replace("10000000", "10")), Map.of()); // load the classes first
        long before = threads.getThreadAllocatedBytes(id);
        Script s = Checker.checkForTraining(SourceFile.ofString("big.dsc", BIG), Map.of());
        Derivatives.gradient(s.dag, s.objective, List.of(s.param("p").node()));
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        // one array of θ's size would be 80 MB
        assertTrue(allocated < 8L * N / 10, "checking and differentiating allocated " + allocated + " bytes");
    }

    @Test void filledConstantsOfAnySizeFold() {
        Dag d = new Dag();
        Shape big = Shape.vector(N);
        Node x = d.input("x", big), a = d.input("a", Shape.SCALAR);
        Node ones = d.filled(big, 1);
        assertTrue(ones.isFill() && ones.op == Op.BCAST && ones.arity() == 1);
        assertEquals(ones, d.broadcast(d.constant(1), big, false), "one node, whichever way it is made");
        assertEquals(d.filled(big, 6), d.mul(d.filled(big, 2), d.filled(big, 3)));
        assertEquals(d.filled(big, 6), d.mul(d.constant(2), d.filled(big, 3)));
        assertEquals(d.filled(big, Math.exp(2)), d.unary(Op.EXP, d.filled(big, 2)));
        assertEquals(x, d.mul(x, ones), "x * ones = x");
        assertEquals(x, d.div(x, ones));
        assertEquals(d.mul(d.constant(2), x), d.mul(x, d.filled(big, 2)), "a filled operand is its scalar");
        assertEquals(d.mul(d.constant(3), x), d.add(d.mul(d.filled(big, 2), x), x), "like terms through a filled coefficient");
        assertEquals(d.filled(big, 1), d.pow(x, d.filled(big, 0)), "x^0 = 1 everywhere, as one node");
        assertEquals(d.broadcast(d.add(a, d.constant(2)), big, false), d.add(a, d.filled(big, 2)));
        assertEquals(d.filled(Shape.matrix(3, 2), 5), d.transpose(d.filled(Shape.matrix(2, 3), 5)));
        assertEquals(d.constant(5), d.index(d.filled(big, 5), Attr.Index.element(123)));
        assertEquals(x, d.select(d.filled(big, 1), x, d.filled(big, 0)), "a filled condition picks a branch");
        assertEquals(d.filled(big, 2), d.clip(d.filled(big, 5), d.constant(0), d.constant(2)));
        assertEquals(x, d.accumulate(d.filled(big, 0), x), "a zero adjoint is skipped");
        // small ones still fold all the way, summed as the engines sum
        assertEquals(d.constant(0.1 + 0.1 + 0.1), d.sum(d.filled(Shape.vector(3), 0.1)));
        assertEquals(d.constant(3), d.sum(d.filled(Shape.matrix(3, 1), 1)));
        // and keep IEEE's rules: x + 0 is not x (−0 + 0 = +0), x * 0 is not 0
        assertEquals(Op.ADD, d.add(x, d.filled(big, 0)).op);
        assertEquals(Op.MUL, d.mul(x, d.filled(big, 0)).op);
    }

    @Test void literalArraysStayLiterals() {
        Dag d = new Dag();
        Node lit = d.constant(Shape.vector(3), new double[] {1, 1, 1});
        assertEquals(Op.CONST, lit.op);
        assertTrue(lit.isConstFilled(1) && lit.isConstant() && !lit.isFill());
        Script s = Checker.check(SourceFile.ofString("lit.dsc", "param x = [1, 2, 3]\nparam y[2] = [4, 5]\nminimize sum(x) + sum(y)\n"), Map.of());
        assertArrayEquals(new double[] {1, 2, 3}, ((Script.Init.Values) s.param("x").init()).values());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, s.initialTheta(0));
    }

    @Test void theStartIsWrittenIntoACallersArray() {
        Script s = Checker.check(SourceFile.ofString("mix.dsc", """
                param a[3] = 2
                param W[2, 2] ~ normal(0, 1)
                param b = [1, 2]
                param M[2, 3] = [7, 8, 9]
                param u[4] ~ uniform(-1, 1)
                param c = -0.5
                minimize sum(a) + sum(W) + sum(b) + sum(M) + sum(u) + c
                """), Map.of());
        assertEquals(new Script.Init.Fill(2), s.param("a").init());
        assertEquals(new Script.Init.Fill(-0.5), s.param("c").init());
        assertTrue(s.hasRandomStart());
        double[] theta = s.initialTheta(42);
        assertEquals(List.of(2.0, 2.0, 2.0), List.of(theta[0], theta[1], theta[2]));
        assertArrayEquals(new double[] {1, 2, 7, 8, 9, 7, 8, 9}, java.util.Arrays.copyOfRange(theta, 7, 15));
        double[] into = new double[theta.length + 5];
        java.util.Arrays.fill(into, Double.NaN);
        s.initialTheta(42, into, 3);
        assertArrayEquals(theta, java.util.Arrays.copyOfRange(into, 3, 3 + theta.length), "the same start, the same draws");
        for (int i : new int[] {0, 1, 2, into.length - 2, into.length - 1}) assertTrue(Double.isNaN(into[i]), "nothing outside the range is written");
        assertThrows(IllegalArgumentException.class, () -> s.initialTheta(42, new double[theta.length], 1));
        assertTrue(!Checker.check(SourceFile.ofString("f.dsc", "param p[5] = 0\nminimize sum(p)\n"), Map.of()).hasRandomStart());
    }
}
