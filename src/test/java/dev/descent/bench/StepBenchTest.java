package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.OptimizerStep;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.ir.Shape;
import dev.descent.run.StepBench;
import dev.descent.syntax.SourceFile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The step elaborated for another n, and the bench's steps fed into each other the same way on both engines. */
class StepBenchTest {
    static Script script(String text) {
        return Checker.checkForTraining(SourceFile.ofString("t.dsc", text), Map.of());
    }

    @Test void theStepIsElaboratedForAnyN() {
        Script b = script("param x = [1, 2]\nminimize sum(x^2)\noptimize with adam(lr = 0.1) for 3 steps\n");
        OptimizerStep elaborated = OptimizerStep.of(b, 0);
        assertSame(b.steps.get(0), elaborated.step(2), "at the script's own size, its own step");
        Step s = elaborated.step(12345);
        assertEquals(Shape.vector(12345), s.p().shape);
        assertEquals(Shape.vector(12345), s.pOutput().shape);
        assertEquals(3, s.stateOutputs().size());
        for (var o : s.stateOutputs()) assertEquals(Shape.vector(12345), o.shape);
        assertEquals("adam(lr = 0.1)", s.call());
    }

    @Test void aBodyWrittenForItsOwnSizeIsRefused() {
        Script b = script("""
                optimizer fixed(lr) {
                  state w = [1, 2]
                  p -= lr * w * g
                }
                param x = [1, 2]
                minimize sum(x^2)
                optimize with fixed(lr = 0.1) for 3 steps
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptimizerStep.of(b, 0).step(10));
        assertTrue(e.getMessage().contains("cannot be elaborated for 10 parameters"), e.getMessage());
    }

    /** Float64 SIMD (arrays swapped step to step) and the scalar engine (outputs copied back) walk the same path. */
    @Test void bothEnginesTakeTheSameSteps() {
        for (String opt : new String[] {"adam(lr = 0.01)", "sgd(lr = 0.1, momentum = 0.9, nesterov = 1)", "rmsprop(centered = 1, momentum = 0.5)", "nadam()", "adadelta()"}) {
            OptimizerStep b = OptimizerStep.of(script("param x = [1, 2]\nminimize sum(x^2)\noptimize with " + opt + " for 3 steps\n"), 0);
            int n = 1037;
            StepBench sb = StepBench.update(b.dag(), b.step(n), n, 7);
            double[] p0 = sb.initialP();
            sb.time(new Engine(Engine.Kind.SIMD, Precision.F64, 2), "simd", StepBench.Plan.exactly(6));
            double[] simd = sb.finalP();
            sb.time(Engine.SCALAR, "scalar", StepBench.Plan.exactly(6));
            double[] scalar = sb.finalP();
            double moved = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(scalar[i], simd[i], 1e-12 * Math.max(1, Math.abs(scalar[i])), opt + " element " + i);
                moved = Math.max(moved, Math.abs(simd[i] - p0[i]));
            }
            assertTrue(moved > 0, opt + " moved p");
        }
    }

    @Test void newtonIsRefused() {
        Script b = script("param x = 3\nminimize cosh(x)\noptimize with newton() for 3 steps\n");
        assertTrue(StepBench.needsObjective(b.steps.get(0)));
        assertThrows(IllegalArgumentException.class, () -> StepBench.update(b.dag, b.steps.get(0), 1, 1));
    }

    /** The script's own step is the driver's: after k timed steps (and k to warm up) θ is where a run of 2k steps leaves it. */
    @Test void theScriptsStepIsTheDriversStep() {
        Script b = script("param x[300] = 1\nminimize sum((x - 2)^2)\noptimize with adam(lr = 0.01) for 10 steps\n");
        for (Engine e : new Engine[] {Engine.SCALAR, new Engine(Engine.Kind.COMPILED, Precision.F32, 1)}) {
            StepBench sb = StepBench.script(b, 0);
            sb.time(e, "x", StepBench.Plan.exactly(40));
            dev.descent.check.Script longer = dev.descent.check.Checker.checkForTraining(
                    dev.descent.syntax.SourceFile.ofString("x.dsc", "param x[300] = 1\nminimize sum((x - 2)^2)\noptimize with adam(lr = 0.01) for 80 steps\n"), java.util.Map.of());
            double[] run = new dev.descent.run.Driver(longer, 0, e).run(null).theta();
            assertEquals(java.util.Arrays.toString(run), java.util.Arrays.toString(sb.finalP()), e.label());
            assertEquals(3, sb.arraysRead(), "x, m, v (fused: no g; v_max is dead)");
            assertEquals(3, sb.arraysWritten(), "x', m', v'");
        }
    }
}
