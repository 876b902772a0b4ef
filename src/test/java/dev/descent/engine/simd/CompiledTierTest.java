package dev.descent.engine.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.compiled.PassCompiler;
import dev.descent.ir.Node;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled tier against the interpreter, bit for bit: every SymPy fixture (value, gradient,
 * Hessian), every torch.optim fixture's objective and step, every example script's steps and
 * objective, every standard optimizer, at the
 * sizes that break SIMD code, in float64 and float32, on 1, 2 and 3 threads. Small loops run
 * with short blocks (a few vectors) so that block boundaries, partial sums and tails are all
 * exercised.
 */
class CompiledTierTest {
    static final int LANES64 = KernelsF64.LANES, LANES32 = KernelsF32.LANES;

    /** Interpreter and compiled program over the same outputs; asserts every pass compiled. */
    static void agree(List<Node> outs, Map<Node, double[]> values, Precision p, int threads, int blockElements, String what) {
        SimdProgram interp = new SimdProgram(outs, p, threads, blockElements, SimdProgram.Tier.INTERPRET);
        SimdProgram comp = new SimdProgram(outs, p, threads, blockElements, SimdProgram.Tier.COMPILED);
        assertTrue(comp.compiled() || comp.plan().passCount() == 0, what + ": not compiled: " + comp.notes());
        Env env = Env.of(values);
        double[][] want = interp.run(env);
        double[][] got = comp.run(env);
        Agree.same(want, got, what + " " + p + " threads=" + threads);
        // a second run on the same program: nothing carried over from the first
        Agree.same(want, comp.run(env), what + " second run");
    }

    static void bothPrecisions(List<Node> outs, Map<Node, double[]> values, String what) {
        agree(outs, values, Precision.F64, 1, 2 * LANES64, what);
        agree(outs, values, Precision.F32, 1, 2 * LANES32, what);
        agree(outs, values, Precision.F64, 1, 0, what + " (default blocks)");
    }

    @TestFactory
    Stream<DynamicTest> sympyFixtures() throws Exception {
        JsonNode root = FixtureAgreementTest.load("/fixtures/sympy/cases.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            String name = c.get("name").asText();
            Script s = Checker.check(SourceFile.ofString(name + ".dsc", c.get("script").asText()));
            List<Node> outs = FixtureAgreementTest.valueGradientHessian(s);
            for (JsonNode pt : c.get("points")) bothPrecisions(outs, FixtureAgreementTest.at(s, pt), name);
        }));
        assertTrue(tests.size() >= 50);
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> torchFixtures() throws Exception {
        JsonNode root = FixtureAgreementTest.load("/fixtures/torch/optim.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            String script = root.get("functions").get(c.get("function").asText()).asText() + c.get("optimize").asText() + "\n";
            tests.add(DynamicTest.dynamicTest(name, () -> {
                Script s = Checker.checkForTraining(SourceFile.ofString(name, script), Map.of());
                Step st = s.steps.get(0);
                List<Node> stepOuts = Agree.stepOutputs(st);
                bothPrecisions(stepOuts, Agree.leafValues(stepOuts, name.hashCode()), name + " step");
                List<Node> params = new ArrayList<>();
                for (Script.Param p : s.params) params.add(p.node());
                List<Node> objOuts = new ArrayList<>();
                objOuts.add(s.objective);
                objOuts.addAll(Derivatives.gradient(s.dag, s.objective, params));
                bothPrecisions(objOuts, Agree.leafValues(objOuts, name.hashCode() + 1), name + " objective");
            }));
        }
        assertTrue(tests.size() >= 200);
        return tests.stream();
    }

    static List<Integer> sizes() {
        int l = LANES64, b = StepSizesTest.block();
        return List.of(1, l - 1, l, l + 1, b - 1, b, b + 1, 3 * b + 7, 300_007);
    }

    /** Adam plus a loss and a second pass, threads 1, 2, 3, both precisions, default blocks. */
    @ParameterizedTest
    @MethodSource("sizes")
    void adamAtEverySizeAndThreadCount(int n) {
        Script s = Agree.script(n, "sum(x^2)", "adam(lr = 0.01)");
        List<Node> outs = StepSizesTest.adamPlus(s);
        Map<Node, double[]> v = Agree.leafValues(outs, n);
        for (int threads = 1; threads <= 3; threads++) {
            agree(outs, v, Precision.F64, threads, 0, "adam n=" + n);
            agree(outs, v, Precision.F32, threads, 0, "adam n=" + n);
        }
    }

    /** Every optimizer of the standard library, its step compiled, on n = 1003 with short blocks. */
    @ParameterizedTest
    @MethodSource("dev.descent.engine.simd.CompiledTierTest#standardOptimizers")
    void everyStandardOptimizer(String call) {
        Script s = Agree.script(1003, "sum(x^2) + sum(sin(x))", call);
        List<Node> outs = Agree.stepOutputs(s.steps.get(0));
        bothPrecisions(outs, Agree.leafValues(outs, call.hashCode()), call);
        Map<Node, double[]> v = Agree.leafValues(outs, 7);
        agree(outs, v, Precision.F64, 3, 2 * LANES64, call + " threads");
    }

    static Stream<String> standardOptimizers() {
        return Stream.of("gd(lr = 0.1)", "sgd(lr = 0.1, momentum = 0.9, nesterov = 1)", "sgd(lr = 0.1, momentum = 0.9, dampening = 0.1, weight_decay = 0.01)",
                "adagrad(lr = 0.1)", "rmsprop(lr = 0.01, momentum = 0.9, centered = 1)", "rmsprop(lr = 0.01)", "adadelta(lr = 1)",
                "adam(lr = 0.01)", "adam(lr = 0.01, amsgrad = 1, weight_decay = 0.1)", "adamw(lr = 0.01)", "adamax(lr = 0.01)",
                "nadam(lr = 0.01)", "radam(lr = 0.01)", "cg()");
    }

    @Test
    void compilingTakesLittleTimeAndIsCounted() {
        Script s = Agree.script(1000, "sum(x^2)", "adam(lr = 0.01)");
        List<Node> outs = Agree.stepOutputs(s.steps.get(0));
        long before = PassCompiler.compiledCount();
        SimdProgram comp = new SimdProgram(outs, Precision.F64, 1, SimdProgram.Tier.COMPILED);
        assertTrue(comp.compiled(), comp.notes().toString());
        assertEquals(comp.plan().passCount(), PassCompiler.compiledCount() - before);
        assertFalse(comp.notes().isEmpty());
        assertTrue(comp.describe().startsWith("compiled"), comp.describe());
    }

    @Test
    void autoTierSwitchesAtAStepBoundaryWithTheSameResults() {
        Script s = Agree.script(300_000, "sum(x^2)", "adam(lr = 0.01)");
        List<Node> outs = StepSizesTest.adamPlus(s);
        Map<Node, double[]> v = Agree.leafValues(outs, 11);
        SimdProgram interp = new SimdProgram(outs, Precision.F64, 2, SimdProgram.Tier.INTERPRET);
        SimdProgram auto = new SimdProgram(outs, Precision.F64, 2, SimdProgram.Tier.AUTO);
        double[][] want = interp.run(Env.of(v));
        boolean switched = false;
        int runs = (int) (Tiering.AUTO_THRESHOLD / (2L * 300_000)) + 3;
        for (int run = 0; run < runs && !switched; run++) {
            Agree.same(want, auto.run(Env.of(v)), "auto run " + run);
            switched = auto.compiled();
            auto.awaitCompiled(); // the switch itself happens at the start of the next run
        }
        assertTrue(switched, "auto never compiled: " + auto.notes());
        Agree.same(want, auto.run(Env.of(v)), "auto after switching");
    }

    /** A caller passing one array as a leaf and as a result (an update in place) gets the interpreter's results. */
    @Test
    void oneArrayAsLeafAndResult() {
        Script s = Agree.script(1003, "sum(x^2)", "adam(lr = 0.01)");
        Step st = s.steps.get(0);
        List<Node> outs = Agree.stepOutputs(st);
        Map<Node, double[]> v = Agree.leafValues(outs, 5);
        double[][] got = new double[2][];
        int k = 0;
        for (SimdProgram.Tier tier : new SimdProgram.Tier[] {SimdProgram.Tier.INTERPRET, SimdProgram.Tier.COMPILED}) {
            SimdProgram prog = new SimdProgram(outs, Precision.F64, 1, 2 * LANES64, tier);
            List<Node> leaves = prog.leaves();
            double[][] in = new double[leaves.size()][];
            for (int i = 0; i < in.length; i++) in[i] = v.get(leaves.get(i)).clone();
            double[][] res = new double[outs.size()][];
            for (int i = 0; i < res.length; i++) res[i] = new double[outs.get(i).shape.size()];
            res[0] = in[leaves.indexOf(st.p())]; // p' written over p
            prog.runF64(in, res);
            got[k++] = res[0];
        }
        Agree.same(new double[][] {got[0]}, new double[][] {got[1]}, "in place");
    }

    /**
     * Every example script: each optimize statement's step, and the objective with its gradient,
     * on leaf values drawn at random (data leaves included), both tiers, both precisions.
     */
    @TestFactory
    Stream<DynamicTest> everyExample() throws Exception {
        List<java.nio.file.Path> files;
        try (Stream<java.nio.file.Path> list = java.nio.file.Files.list(java.nio.file.Path.of("examples"))) {
            files = list.filter(f -> f.toString().endsWith(".dsc")).sorted().toList();
        }
        assertTrue(files.size() >= 15, "examples: " + files);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            Script s = Checker.checkForTraining(SourceFile.read(f, f.toString()), Map.of());
            int seed = f.getFileName().toString().hashCode();
            for (Step st : s.steps) {
                List<Node> outs = Agree.stepOutputs(st);
                bothPrecisions(outs, Agree.leafValues(outs, seed++), f + " step " + st.call());
            }
            List<Node> params = new ArrayList<>();
            for (Script.Param p : s.params) params.add(p.node());
            List<Node> objOuts = new ArrayList<>();
            objOuts.add(s.objective);
            objOuts.addAll(Derivatives.gradient(s.dag, s.objective, params));
            bothPrecisions(objOuts, Agree.leafValues(objOuts, seed), f + " objective");
        }));
    }
}
