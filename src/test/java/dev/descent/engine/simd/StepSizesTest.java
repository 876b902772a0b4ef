package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Optimizer steps at the sizes that break naive SIMD code, against the scalar engine in
 * float64 (1e-12 relative to max(1, |x|)), and 1, 2 and 3 threads bit for bit, reductions
 * included (the loss sum(g*g), and norm(g) used elementwise).
 */
class StepSizesTest {
    static int lanes() { return KernelsF64.LANES; }

    static int block() { return new SimdProgram(List.of(new Dag().constant(1)), Precision.F64, 1).blockSize(); }

    static List<Integer> sizes() {
        int l = lanes(), b = block();
        return List.of(1, l - 1, l, l + 1, b - 1, b, b + 1, 3 * b + 7, 999_983);
    }

    /** Adam's step, plus the loss sum(g*g) and a second, normalized update p - 0.01*g/norm(g) (a second pass). */
    static List<Node> adamPlus(Script s) {
        Step st = s.steps.get(0);
        Dag d = s.dag;
        List<Node> outs = new ArrayList<>(Agree.stepOutputs(st));
        outs.add(d.sum(d.mul(st.g(), st.g())));
        outs.add(d.sub(st.p(), d.mul(d.constant(0.01), d.div(st.g(), d.norm(st.g())))));
        return outs;
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void adamAgreesAndThreadsAreBitIdentical(int n) {
        Script s = Agree.script(n, "sum(x^2)", "adam(lr = 0.01)");
        List<Node> outs = adamPlus(s);
        Map<Node, double[]> v = Agree.leafValues(outs, n);
        double[][] want = Agree.scalar(outs, v);
        double[][] one = Agree.simd(outs, v, Precision.F64, 1);
        Agree.close(want, one, 1e-12, "adam n=" + n);
        Agree.same(one, Agree.simd(outs, v, Precision.F64, 2), "2 threads n=" + n);
        Agree.same(one, Agree.simd(outs, v, Precision.F64, 3), "3 threads n=" + n);
        double[][] f32 = Agree.simd(outs, v, Precision.F32, 1);
        Agree.close(one, f32, 1e-4, "f32 n=" + n);
        Agree.same(f32, Agree.simd(outs, v, Precision.F32, 3), "f32 3 threads n=" + n);
    }

    @Test
    void cgStepAtAPrimeSizeIsThreadIndependent() {
        int n = 999_983;
        Script s = Agree.script(n, "sum(x^2)", "cg()");
        List<Node> outs = Agree.stepOutputs(s.steps.get(0));
        Map<Node, double[]> v = Agree.leafValues(outs, 7);
        double[][] one = Agree.simd(outs, v, Precision.F64, 1);
        Agree.close(Agree.scalar(outs, v), one, 1e-12, "cg");
        Agree.same(one, Agree.simd(outs, v, Precision.F64, 2), "cg 2 threads");
        Agree.same(one, Agree.simd(outs, v, Precision.F64, 3), "cg 3 threads");
    }

    @Test
    void emptyLoop() {
        // a vector of length 0: sums are 0, max is -inf, logsumexp -inf, elementwise results empty
        Dag d = new Dag();
        Node x = d.param(new dev.descent.ir.Attr.Param("x", 0, dev.descent.ir.Shape.vector(0), 0));
        List<Node> outs = List.of(d.sum(d.mul(x, x)), d.reduce(dev.descent.ir.Op.MAX_ALL, x), d.reduce(dev.descent.ir.Op.LSE, x),
                d.unary(dev.descent.ir.Op.EXP, x));
        Map<Node, double[]> v = Map.of(x, new double[0]);
        double[][] want = Agree.scalar(outs, v);
        Agree.same(want, Agree.simd(outs, v, Precision.F64, 3), "n = 0");
        Agree.same(want, Agree.simd(outs, v, Precision.F32, 1), "n = 0, f32");
    }

    @Test
    void everyStandardOptimizerAgrees() {
        String[] optimizers = {"gd(lr = 0.1)", "sgd(lr = 0.1, momentum = 0.9, nesterov = 1, weight_decay = 0.01)",
                "sgd(lr = 0.1, momentum = 0.9, dampening = 0.1)", "adagrad(lr_decay = 0.01, weight_decay = 0.1)",
                "rmsprop(centered = 1, momentum = 0.9, weight_decay = 0.1)", "rmsprop()", "adadelta(weight_decay = 0.1)",
                "adam(amsgrad = 1, weight_decay = 0.1)", "adamw()", "adamax(weight_decay = 0.1)", "nadam(weight_decay = 0.1)",
                "radam()", "cg()", "sgd(lr = cosine(0.1, 0.001, 50))", "adam(lr = warmup(0.01, 5))"};
        int l = lanes();
        for (String opt : optimizers)
            for (int n : new int[] {1, 2 * l + 3, 3 * block() + 7}) {
                Script s = Agree.script(n, "sum(x^2)", opt);
                List<Node> outs = Agree.stepOutputs(s.steps.get(0));
                Map<Node, double[]> v = Agree.leafValues(outs, 11 * n);
                double[][] f64 = Agree.simd(outs, v, Precision.F64, 1);
                Agree.close(Agree.scalar(outs, v), f64, 1e-12, opt + " n=" + n);
                Agree.close(f64, Agree.simd(outs, v, Precision.F32, 1), 1e-4, opt + " f32 n=" + n);
            }
    }

    @Test
    void describeShowsTheFusion() {
        Script s = Agree.script(1000, "sum(x^2)", "adam(lr = 0.01)");
        List<Node> adam = new ArrayList<>(Agree.stepOutputs(s.steps.get(0)));
        adam.add(s.dag.sum(s.dag.mul(s.steps.get(0).g(), s.steps.get(0).g())));
        SimdProgram p = new SimdProgram(adam, Precision.F32, 1);
        String text = p.describe();
        assertTrue(text.contains("1 pass"), text);
        assertEquals(1, p.plan().passCount(), text);
        assertTrue(text.contains("sum(%"), "the loss is a fused reduction: " + text);
        assertTrue(p.plan().phases.get(0).pass.superinstructions() >= 5, text);
        assertTrue(p.plan().phases.get(0).pass.count <= 7, "Adam plus its loss in at most 7 instructions: " + text);

        SimdProgram two = new SimdProgram(adamPlus(s), Precision.F64, 1);
        assertEquals(2, two.plan().passCount(), "norm(g) used elementwise needs a second pass: " + two.describe());
    }

    @Test
    void resultsComeBackInCallerArraysWithoutConversion() {
        int n = 3 * block() + 7;
        Script s = Agree.script(n, "sum(x^2)", "adam(lr = 0.01)");
        List<Node> outs = adamPlus(s);
        Map<Node, double[]> v = Agree.leafValues(outs, 5);
        SimdProgram p = new SimdProgram(outs, Precision.F32, 2);
        float[][] leaves = new float[p.leaves().size()][];
        for (int i = 0; i < leaves.length; i++) {
            double[] d = v.get(p.leaves().get(i));
            leaves[i] = new float[d.length];
            for (int k = 0; k < d.length; k++) leaves[i][k] = (float) d[k];
        }
        float[][] results = new float[outs.size()][];
        for (int i = 0; i < outs.size(); i++) results[i] = new float[outs.get(i).shape.size()];
        p.runF32(leaves, results);
        double[][] viaEnv = p.run(Env.of(v));
        for (int o = 0; o < outs.size(); o++)
            for (int k = 0; k < results[o].length; k++) assertEquals((float) viaEnv[o][k], results[o][k], "output " + o + " [" + k + "]");
    }
}
