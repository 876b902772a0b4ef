package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every elementwise operation and reduction over special values (±0, ±∞, NaN, halves,
 * huge and tiny numbers), long enough to run both the vector body and the scalar tail, and
 * over several blocks. float64 against the scalar engine: bit for bit for the exactly rounded
 * operations (arithmetic, sqrt, comparisons, select, clip, min, max, floor, ceil, round, sign,
 * relu, abs); for transcendentals (SVML in the vector body) within 2 ulp of Math, or 1e-15
 * relative to max(1, |x|) (an ulp of a result next to zero, e.g. sin(π), is not meaningful).
 * float32 against float64: 1e-5 relative to max(1, |x|) for finite inputs the float rounds well
 * (float32 computes from rounded inputs, 2^-24 relative each, and SVML's float functions are
 * within ~1 ulp), non-finite results must match.
 */
class ElementwiseTest {
    static final double[] SPECIAL = {0.0, -0.0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3, 0.1, -0.7, 2, 10, -10,
            1e-300, -1e-300, 1e300, -1e300, 700, -700, 710, -745, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.NaN, Math.PI, -Math.PI / 2, 0.999, 1e-8, 40, -40, 0.25};

    final Dag dag = new Dag();
    final Map<Node, double[]> values = new IdentityHashMap<>();

    Node vec(double[] v) {
        Node p = dag.param(new Attr.Param("p" + values.size(), values.size(), Shape.vector(v.length), 0));
        values.put(p, v);
        return p;
    }

    /** x over SPECIAL repeated (n elements), y a shifted copy, so pairs mix all specials. */
    double[] pattern(int n, int shift) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = SPECIAL[(i + shift * (i / SPECIAL.length + 1)) % SPECIAL.length];
        return v;
    }

    @Test
    void everyOperation() {
        int n = 3 * 1024 + 13;
        Node x = vec(pattern(n, 0)), y = vec(pattern(n, 7)), z = vec(pattern(n, 3));
        Node s = dag.param(new Attr.Param("s", 99, Shape.SCALAR, 0));
        values.put(s, new double[] {0.75});
        List<Node> exact = new ArrayList<>(), approx = new ArrayList<>();
        for (Op op : new Op[] {Op.NEG, Op.ABS, Op.SIGN, Op.SQRT, Op.RELU, Op.FLOOR, Op.CEIL, Op.ROUND, Op.NOT}) exact.add(dag.unary(op, x));
        for (Op op : new Op[] {Op.EXP, Op.LOG, Op.LOG1P, Op.EXPM1, Op.SIN, Op.COS, Op.TAN, Op.ASIN, Op.ACOS, Op.ATAN, Op.SINH,
                Op.COSH, Op.TANH, Op.SIGMOID, Op.SOFTPLUS}) approx.add(dag.unary(op, x));
        for (Op op : new Op[] {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MIN, Op.MAX, Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE, Op.AND, Op.OR}) {
            exact.add(dag.binary(op, x, y));
            exact.add(dag.binary(op, x, s));
            exact.add(dag.binary(op, s, x));
        }
        exact.add(dag.pow(x, dag.constant(2)));
        exact.add(dag.pow(x, dag.constant(1)));
        approx.add(dag.pow(x, y));
        approx.add(dag.pow(x, dag.constant(3)));
        approx.add(dag.pow(dag.constant(2), x));
        approx.add(dag.pow(x, s));
        approx.add(dag.binary(Op.ATAN2, x, y));
        exact.add(dag.select(x, y, z));
        exact.add(dag.select(s, y, z));
        exact.add(dag.clip(x, y, z));
        exact.add(dag.clip(x, dag.constant(-1), dag.constant(2)));
        // superinstruction shapes
        exact.add(dag.add(dag.mul(s, x), dag.mul(dag.constant(0.25), y)));
        exact.add(dag.add(dag.mul(s, x), dag.mul(dag.constant(0.25), dag.pow(y, dag.constant(2)))));
        exact.add(dag.sub(x, dag.mul(s, y)));
        exact.add(dag.add(x, dag.mul(s, y)));
        exact.add(dag.add(dag.div(dag.unary(Op.SQRT, x), s), dag.constant(1e-8)));
        exact.add(dag.add(dag.unary(Op.SQRT, y), s));
        exact.add(dag.sub(x, dag.div(dag.mul(s, y), z)));
        exact.add(dag.div(dag.mul(s, y), z));
        exact.add(dag.add(dag.mul(s, y), dag.constant(3)));
        // reductions: exact ones compare bit for bit only where every term is exact (max, min); sums reassociate
        exact.add(dag.reduce(Op.MAX_ALL, x));
        exact.add(dag.reduce(Op.MIN_ALL, y));
        check(exact, approx, n);
    }

    @Test
    void reductionsOfFiniteValues() {
        int n = 5 * 1024 + 3;
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) { a[i] = Math.sin(i) * 3; b[i] = Math.cos(0.5 * i); }
        Node x = vec(a), y = vec(b);
        List<Node> approx = List.of(dag.sum(x), dag.sum(dag.pow(x, dag.constant(2))), dag.dot(x, y), dag.reduce(Op.LSE, x),
                dag.sum(dag.unary(Op.EXP, x)), dag.softmax(x), dag.norm(x), dag.mean(dag.mul(x, y)));
        check(List.of(dag.reduce(Op.MAX_ALL, x), dag.reduce(Op.MIN_ALL, x)), approx, n);
    }

    @Test
    void reductionsWithNonFiniteValues() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            int n = 2 * 1024 + 5;
            double[] a = new double[n];
            for (int i = 0; i < n; i++) a[i] = i % 7 - 3;
            a[1500] = bad;
            Node x = vec(a);
            double[] allNegInf = new double[n];
            java.util.Arrays.fill(allNegInf, Double.NEGATIVE_INFINITY);
            Node w = vec(allNegInf);
            check(List.of(dag.sum(x), dag.reduce(Op.MAX_ALL, x), dag.reduce(Op.MIN_ALL, x), dag.reduce(Op.LSE, x), dag.reduce(Op.LSE, w)),
                    List.of(), n);
        }
    }

    void check(List<Node> exact, List<Node> approx, int n) {
        List<Node> all = new ArrayList<>(exact);
        all.addAll(approx);
        Env env = Env.of(values);
        double[][] want = new ScalarProgram(all).run(env);
        double[][] got = new SimdProgram(all, Precision.F64, 1).run(env);
        double[][] got32 = new SimdProgram(all, Precision.F32, 1).run(env);
        for (int o = 0; o < all.size(); o++) {
            boolean isExact = o < exact.size();
            Node node = all.get(o);
            for (int i = 0; i < want[o].length; i++) {
                double w = want[o][i], g = got[o][i];
                boolean ok = Double.doubleToLongBits(w) == Double.doubleToLongBits(g) || Double.isNaN(w) && Double.isNaN(g);
                if (!ok && !isExact) {
                    if (Double.isFinite(w) && Double.isFinite(g))
                        ok = Math.abs(w - g) <= 2 * Math.ulp(w) || Math.abs(w - g) <= 1e-15 * Math.max(1, Math.abs(w));
                    else ok = w == g;
                }
                if (!ok && node.op != Op.SUM && node.op != Op.LSE && node.op != Op.SQRT && node.op != Op.DIV && node.op != Op.EXP)
                    fail("f64 " + describe(node) + " element " + i + " (x = " + input(node, i) + "): scalar " + w + ", simd " + g);
                if (!ok && (Double.isNaN(w) != Double.isNaN(g) || Math.abs(w - g) > 1e-13 * Math.max(1, Math.abs(w))))
                    fail("f64 " + describe(node) + " element " + i + ": scalar " + w + ", simd " + g);
                // float32: where the float64 result is finite and well inside float range
                double f = got32[o][i];
                if (Double.isFinite(w) && Math.abs(w) < 1e30 && Math.abs(w) > 1e-30 && finiteInputs(node, i)) {
                    if (Math.abs(f - w) > 1e-5 * Math.max(1, Math.abs(w)) && !illConditionedInFloat(node, i))
                        fail("f32 " + describe(node) + " element " + i + " (x = " + input(node, i) + "): f64 " + w + ", f32 " + f);
                }
            }
        }
    }

    /** Inputs whose float32 rounding changes the result by more than 1e-5 relative (huge arguments, poles). */
    boolean illConditionedInFloat(Node node, int i) {
        double x = input(node, i);
        if (Math.abs(x) >= 10 || Math.abs(x) <= 1e-30 && x != 0) return true; // exp/sinh/tan of large or float-denormal arguments
        if (node.op == Op.POW || node.op == Op.ATAN2 || node.op == Op.LE || node.op == Op.GE || node.op == Op.EQ
                || node.op == Op.NE || node.op == Op.LT || node.op == Op.GT || node.op == Op.FLOOR || node.op == Op.CEIL
                || node.op == Op.ROUND || node.op == Op.SIGN || node.op == Op.DIV) return true; // 0.1, 0.999 round; comparisons of rounded values
        if (node.op == Op.TAN || node.op == Op.LOG || node.op == Op.ACOS || node.op == Op.ASIN || node.op == Op.LOG1P) return true;
        return node.op != Op.SUM && node.arity() > 0 && node.in(0).op != Op.PARAM; // compound shapes: cancellation
    }

    boolean finiteInputs(Node node, int i) {
        for (Node c : Agree.reach(List.of(node))) {
            double[] v = values.get(c);
            if (v == null) continue;
            double x = v.length == 1 ? v[0] : v[i % v.length];
            if (!Double.isFinite(x) || Math.abs(x) > 1e30 || x != 0 && Math.abs(x) < 1e-30) return false;
        }
        return true;
    }

    double input(Node node, int i) {
        for (Node c : Agree.reach(List.of(node))) {
            double[] v = values.get(c);
            if (v != null && v.length > 1) return v[i % v.length];
        }
        return Double.NaN;
    }

    static String describe(Node node) { return node.op + " " + node; }
}
