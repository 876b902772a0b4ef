package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.engine.Engine;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A filled constant (a scalar constant broadcast: {@code ones}, {@code zeros}, {@code c *
 * ones(n)}, a state's {@code = 0}, a sum's adjoint) gives every engine the values the same
 * array written out as a literal gives it: as an output, as an operand of elementwise
 * operations and reductions in a loop, of a select, and of a matrix product on the host.
 */
class FilledConstantEnginesTest {
    static final int N = 4099; // past the Dag's folding limit, so literal arrays are evaluated, not folded

    /** The same expressions over x [N], M [3, N], with c(shape, v) making each constant array. */
    static List<Node> outputs(Dag d, BiFunction<Shape, Double, Node> c) {
        Shape v = Shape.vector(N);
        Node x = d.input("x", v), m = d.input("M", Shape.matrix(3, N));
        List<Node> out = new ArrayList<>();
        out.add(c.apply(v, 2.5));                                                    // an output by itself
        out.add(d.mul(x, c.apply(v, 2.5)));
        out.add(d.add(d.unary(Op.SIN, x), c.apply(v, -0.0)));
        out.add(d.binary(Op.MAX, x, c.apply(v, 0.25)));
        out.add(d.select(d.binary(Op.GT, x, d.constant(0)), c.apply(v, 1.0), c.apply(v, -1.0)));
        out.add(d.sum(c.apply(v, 0.1)));                                             // a reduction of a constant
        out.add(d.sum(d.mul(d.unary(Op.EXP, x), c.apply(v, 3.0))));
        out.add(d.matmul(m, c.apply(v, 0.5)));                                       // a product on the host
        out.add(d.matmul(c.apply(Shape.matrix(2, 3), 1.5), d.mul(m, m)));
        out.add(d.add(m, c.apply(Shape.matrix(3, N), 7.0)));
        out.add(d.unary(Op.EXP, c.apply(Shape.matrix(2, 2), 1.0)));
        return out;
    }

    static double[][] run(Engine engine, boolean filled) {
        Dag d = new Dag();
        List<Node> outs = outputs(d, (shape, value) -> {
            if (filled) return d.filled(shape, value);
            double[] a = new double[shape.size()];
            java.util.Arrays.fill(a, value);
            return d.constant(shape, a);
        });
        for (Node o : outs)
            if (filled) assertTrue(largestConstant(o) <= 1, "no constant array with filled constants");
        Map<Node, double[]> values = new IdentityHashMap<>();
        SplittableRandom rng = new SplittableRandom(7);
        for (Node leaf : Agree.reach(outs)) {
            if (leaf.op != Op.INPUT) continue;
            double[] a = new double[leaf.shape.size()];
            for (int i = 0; i < a.length; i++) a[i] = 4 * rng.nextDouble() - 2;
            values.put(leaf, a);
        }
        return engine.compile(outs).run(Env.of(values));
    }

    static int largestConstant(Node root) {
        int most = 0;
        for (Node x : Agree.reach(List.of(root))) if (x.op == Op.CONST) most = Math.max(most, x.shape.size());
        return most;
    }

    @Test void everyEngineGivesAFilledConstantTheValuesOfTheLiteral() {
        Engine[] engines = {
                Engine.SCALAR,
                new Engine(Engine.Kind.SIMD, Precision.F64, 1),
                new Engine(Engine.Kind.SIMD, Precision.F64, 2),
                new Engine(Engine.Kind.COMPILED, Precision.F64, 1),
                new Engine(Engine.Kind.SIMD, Precision.F32, 1),
                new Engine(Engine.Kind.COMPILED, Precision.F32, 2),
        };
        double[][] reference = run(Engine.SCALAR, false);
        for (Engine e : engines) {
            double[][] literal = run(e, false), filled = run(e, true);
            assertEquals(literal.length, filled.length);
            for (int k = 0; k < literal.length; k++) {
                assertEquals(literal[k].length, filled[k].length);
                for (int i = 0; i < literal[k].length; i++) {
                    double want = literal[k][i], got = filled[k][i];
                    assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got),
                            e.kind() + " " + e.precision() + " threads " + e.threads() + ": output " + k + " element " + i + ": " + got + ", the literal " + want);
                    // and the vectorized engines agree with the reference
                    double ref = reference[k][i], tol = e.precision() == Precision.F32 ? 1e-5 : 1e-12;
                    assertEquals(ref, got, tol * Math.max(1, Math.abs(ref)), e.kind() + " " + e.precision() + ": output " + k + " element " + i);
                }
            }
        }
    }
}
