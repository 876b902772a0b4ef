package dev.descent.engine.scalar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.engine.Env;
import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** A Dag with PARAM leaves (so nothing folds away) and their values, for building and running small programs. */
final class Fixture {
    final Dag dag = new Dag();
    final Map<Node, double[]> values = new IdentityHashMap<>();
    private int params;

    /** A parameter of this shape with these values (row-major). */
    Node param(Shape shape, double... v) {
        if (v.length != shape.size()) throw new IllegalArgumentException("test bug: " + v.length + " values for " + shape);
        Node p = dag.param(new Attr.Param("p" + params, params, shape, 0));
        params++;
        values.put(p, v);
        return p;
    }

    Node scalar(double v) { return param(Shape.SCALAR, v); }

    Node vector(double... v) { return param(Shape.vector(v.length), v); }

    Node matrix(int m, int n, double... v) { return param(Shape.matrix(m, n), v); }

    Env env() { return Env.of(values); }

    /** Evaluates one node with a fresh program. */
    double[] eval(Node out) { return new ScalarProgram(List.of(out)).run(env())[0]; }

    double[][] eval(Node... outs) { return new ScalarProgram(List.of(outs)).run(env()); }

    // ---------------------------------------------------------------- assertions

    /** Bit-for-bit equality (so NaN equals NaN and -0.0 differs from 0.0). */
    static void assertBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int k = 0; k < expected.length; k++)
            if (Double.doubleToLongBits(expected[k]) != Double.doubleToLongBits(actual[k]))
                fail(what + ": element " + k + " expected " + expected[k] + " but was " + actual[k]
                        + "\n expected " + Arrays.toString(expected) + "\n actual   " + Arrays.toString(actual));
    }

    static void assertBits(double[] expected, double[] actual) { assertBits(expected, actual, "values"); }

    /** Equal within tol, relative to max(1, |expected|); NaN matches NaN and an infinity itself. */
    static void assertClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int k = 0; k < expected.length; k++)
            if (Double.compare(expected[k], actual[k]) != 0 && !(Math.abs(expected[k] - actual[k]) <= tol * Math.max(1, Math.abs(expected[k]))))
                fail("element " + k + " expected " + expected[k] + " but was " + actual[k]
                        + "\n expected " + Arrays.toString(expected) + "\n actual   " + Arrays.toString(actual));
    }

    static double[] seq(int n, double start, double step) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) v[k] = start + k * step;
        return v;
    }

    static double[] random(java.util.Random rnd, int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) v[k] = rnd.nextDouble() * 2 - 1;
        return v;
    }

    static List<Node> list(Node... n) { return new ArrayList<>(List.of(n)); }
}
