package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.engine.Program;
import dev.descent.ir.Node;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The driver's resident step: a step fused with its objective gives the bits of the objective's
 * program followed by the update's; updates in place happen only where every read of the old
 * value comes first; dead states are not kept; parameters are views of θ; all engines agree.
 */
class ResidentStepTest {
    static Script script(String text) {
        return Checker.checkForTraining(new SourceFile("t.dsc", Path.of("t.dsc").toAbsolutePath(), text), Map.of());
    }

    static final Engine[] VECTOR_ENGINES = {
        new Engine(Engine.Kind.SIMD, Precision.F64, 1), new Engine(Engine.Kind.SIMD, Precision.F64, 3),
        new Engine(Engine.Kind.COMPILED, Precision.F64, 2), new Engine(Engine.Kind.SIMD, Precision.F32, 2),
        new Engine(Engine.Kind.COMPILED, Precision.F32, 1),
    };

    /** Scripts whose steps fuse: one vector parameter, updates of several kinds, data, maximize, until, schedules. */
    static final List<String> FUSABLE = List.of(
            "param p[300] = 0\nminimize sum(0.5*(p-3)^2)\noptimize with adam(lr = 0.01) for 30 steps\n",
            "param p[300] = 0.5\nminimize sum(p^4 / 4 - p^2) + sum(p)\noptimize with sgd(lr = 0.05, momentum = 0.9, nesterov = 1) for 25 steps\n",
            "param p[70000] = 1\nminimize sum((p - 2)^2)\noptimize with rmsprop(lr = 0.01, centered = 1, momentum = 0.5) for 12 steps\n",
            "param p[200] = 1\nmaximize -sum((p - 0.25)^2)\noptimize with adagrad(lr = 0.1) for 20 steps until norm(g) < 1e-3\n",
            "param p[100] = 2\nminimize sum(p^2)\noptimize with gd(lr = cosine(0.2, 0.01, 30)) for 30 steps\n");

    /** A model over data rows with a few parameters: its loop runs over the rows, so its update is not fused (it would leave the loop). */
    static final String OVER_ROWS = "param w[3] = [0.1, -0.2, 0.3]\ndata d = csv(\"examples/data/linear.csv\")\n"
            + "minimize mean((stack(d.x1, d.x2, d.x1 * d.x2) @ w - d.y)^2)\noptimize with adam(lr = 0.05) for 40 steps\n";

    @Test
    void aStepWhoseLoopRunsOverDataRowsIsNotFused() {
        for (Engine engine : VECTOR_ENGINES) assertFalse(new Driver(script(OVER_ROWS), 0, engine).fused(1), engine.label());
    }

    @Test
    void fusedStepsGiveTheBitsOfTheTwoPrograms() {
        for (String text : FUSABLE)
            for (Engine engine : VECTOR_ENGINES) {
                Script s = script(text);
                assertTrue(new Driver(s, 0, engine).fused(1), "fuses: " + text);
                assertFalse(new Driver(s, 0, engine).fusing(false).fused(1));
                Driver.Result fused = new Driver(s, 0, engine).run(null);
                Driver.Result apart = new Driver(s, 0, engine).fusing(false).run(null);
                String what = engine.label() + " " + engine.threads() + " threads: " + text;
                OptimizeTest.assertBits(apart.theta(), fused.theta(), what);
                assertEquals(apart.runs(), fused.runs(), what);
                assertEquals(apart.loss(), fused.loss(), what);
            }
    }

    /** A trace that asks for the gradient's norm adds a reduction to the fused pass, and changes no result. */
    @Test
    void aTraceThatWantsTheGradientsNormChangesNoBit() {
        for (String text : FUSABLE)
            for (Engine engine : new Engine[] {VECTOR_ENGINES[1], VECTOR_ENGINES[3], VECTOR_ENGINES[4]}) {
                Script s = script(text);
                List<double[]> fusedRows = new ArrayList<>(), apartRows = new ArrayList<>();
                Driver.Result quiet = new Driver(s, 0, engine).run(null);
                Driver.Result traced = new Driver(s, 0, engine).run((run, step, loss, gn, lr, theta) -> fusedRows.add(new double[] {loss, gn, lr}));
                new Driver(s, 0, engine).fusing(false).run((run, step, loss, gn, lr, theta) -> apartRows.add(new double[] {loss, gn, lr}));
                String what = engine.label() + ": " + text;
                OptimizeTest.assertBits(quiet.theta(), traced.theta(), what);
                assertEquals(quiet.runs(), traced.runs(), what);
                assertEquals(apartRows.size(), fusedRows.size(), what);
                for (int k = 0; k < fusedRows.size(); k++) {
                    assertArrayEquals(apartRows.get(k), fusedRows.get(k), 0, what + " row " + k + ": loss, gradient norm, lr");
                    assertTrue(Double.isFinite(fusedRows.get(k)[1]), what + " row " + k + " has a gradient norm");
                }
            }
    }

    @Test
    void everyEngineAgreesWithTheScalarReference() {
        List<String> all = new ArrayList<>(FUSABLE);
        all.add(OVER_ROWS);
        for (String text : all) {
            Script s = script(text);
            double[] want = new Driver(s, 0, Engine.SCALAR).run(null).theta();
            for (Engine engine : VECTOR_ENGINES) {
                double[] got = new Driver(s, 0, engine).run(null).theta();
                double tol = engine.precision() == Precision.F32 ? 2e-4 : 1e-11;
                for (int i = 0; i < want.length; i++)
                    assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), engine.label() + " θ[" + i + "]: " + text);
            }
        }
    }

    @Test
    void stepsThatNeedTheObjectiveBetweenGradientAndUpdateAreNotFused() {
        assertFalse(new Driver(script("param x = [1, 2]\nminimize sum(cosh(x))\noptimize with newton() for 3 steps\n"), 0).fused(1), "H");
        assertFalse(new Driver(script("param x = [1, 2]\nminimize sum(x^4)\noptimize with cg() for 3 steps\n"), 0).fused(1), "line search");
        assertFalse(new Driver(script("param x = [1, 2]\nparam y = 3\nminimize sum(x^2) + y^2\noptimize with adam for 3 steps\n"), 0).fused(1),
                "two parameters: the gradient is written into g, parameter by parameter");
    }

    /** An optimizer that reads a state's old value after computing its new one cannot update it in place. */
    static final String LAG = """
            optimizer lag(lr = 0.1) {
              state m = 0
              old = m
              m = 0.5 * m + g
              p -= lr * (m + old)
            }
            param p[5000] = 1
            minimize sum((p - 3)^2)
            optimize with lag for 20 steps
            """;

    @Test
    void aStateReadAfterItsNewValueIsWrittenIsDoubleBuffered() {
        Script s = script(LAG);
        Step step = s.steps.get(0);
        for (Engine engine : new Engine[] {new Engine(Engine.Kind.SIMD, Precision.F64, 1), new Engine(Engine.Kind.COMPILED, Precision.F64, 2)}) {
            States states = new States(step, engine, List.of(step.pOutput())).allocate();
            StepProgram update = StepProgram.update(s, step, states, engine);
            Node m = update.prog.input(states.names[0]);
            assertFalse(update.prog.program.writesInPlace(1, m), "m is read after m' is written");
            StepProgram fused = StepProgram.fused(s, 0, states, engine, 1, false);
            assertFalse(fused.prog.program.writesInPlace(1, fused.prog.input(states.names[0])), "fused too");
        }
        double[] want = new Driver(s, 0, Engine.SCALAR).run(null).theta();
        // by hand: m' = m/2 + g, p' = p - lr (m' + m), g = 2 (p - 3)
        double p = 1, mm = 0;
        for (int k = 0; k < 20; k++) {
            double g = 2 * (p - 3), m2 = 0.5 * mm + g;
            p -= 0.1 * (m2 + mm);
            mm = m2;
        }
        assertEquals(p, want[0], 1e-12);
        for (Engine engine : VECTOR_ENGINES) {
            double[] got = new Driver(s, 0, engine).run(null).theta();
            assertEquals(p, got[4999], engine.precision() == Precision.F32 ? 1e-4 : 1e-12, engine.label());
        }
    }

    @Test
    void adamUpdatesItsStatesInPlaceAndKeepsOnlyTheLiveOnes() {
        for (String amsgrad : new String[] {"0", "1"}) {
            Script s = script("param p[1000] = 0\nminimize sum(0.5*(p-3)^2)\noptimize with adam(lr = 0.01, amsgrad = " + amsgrad + ") for 3 steps\n");
            Step step = s.steps.get(0);
            Engine engine = new Engine(Engine.Kind.COMPILED, Precision.F32, 1);
            States states = new States(step, engine, List.of(step.pOutput())).allocate();
            List<String> names = new ArrayList<>(List.of(states.names));
            assertEquals(amsgrad.equals("0") ? List.of("state:adam:m", "state:adam:v") : List.of("state:adam:m", "state:adam:v", "state:adam:v_max"), names);
            StepProgram fused = StepProgram.fused(s, 0, states, engine, 1, false);
            for (int i = 0; i < states.size(); i++)
                assertTrue(fused.prog.program.writesInPlace(1 + i, fused.prog.input(states.names[i])), states.names[i] + " in place");
            assertFalse(fused.thetaInPlace(), "a fused step writes θ' beside θ");
            StepProgram update = StepProgram.update(s, step, states, engine);
            assertTrue(update.thetaInPlace(), "the update alone writes p' over p");
        }
    }

    @Test
    void aStateMayStartFromTheParameters() {
        Script s = script("""
                optimizer avg(lr = 0.1) {
                  state m = p
                  m = 0.5 * m + 0.5 * p
                  p -= lr * (p - m) + lr * g
                }
                param x = [1, 2]
                minimize sum(x^2)
                optimize with avg for 3 steps
                """);
        double[] x = {1, 2}, m = x.clone();
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 2; i++) {
                m[i] = 0.5 * m[i] + 0.5 * x[i];
                x[i] -= 0.1 * (x[i] - m[i]) + 0.1 * 2 * x[i];
            }
        for (Engine engine : new Engine[] {Engine.SCALAR, VECTOR_ENGINES[0], VECTOR_ENGINES[2]})
            assertArrayEquals(x, new Driver(s, 0, engine).run(null).theta(), 1e-15, engine.label());
    }

    @Test
    void parametersAreViewsOfTheta() {
        // b is the second parameter: the loop streams it from θ at offset 1000
        Script s = script("param a[1000] = 1\nparam b[1000] = 2\nminimize sum((a - 2*b)^2) + sum(b^2)\noptimize with adam(lr = 0.01) for 15 steps\n");
        double[] want = new Driver(s, 0, Engine.SCALAR).run(null).theta();
        double[] simd = new Driver(s, 0, VECTOR_ENGINES[1]).run(null).theta();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], simd[i], 1e-12, "θ[" + i + "]");
        OptimizeTest.assertBits(simd, new Driver(s, 0, new Engine(Engine.Kind.COMPILED, Precision.F64, 2)).run(null).theta(), "compiled");
        OptimizeTest.assertBits(simd, new Driver(s, 0, new Engine(Engine.Kind.SIMD, Precision.F64, 1)).run(null).theta(), "1 thread");
    }

    @Test
    void theObjectiveReadsParametersInPlaceAndWritesTheGradientIntoItsRanges() {
        Script s = script("param a[3] = [1, 2, 3]\nparam W[2, 2] = [[1, 0], [0, 2]]\nparam c = 0.5\nminimize sum(a^2) * c + sum(W @ [1, 2]) + c^2\n");
        for (Engine engine : new Engine[] {Engine.SCALAR, VECTOR_ENGINES[0], VECTOR_ENGINES[3]}) {
            Objective o = new Objective(s, true, false, engine, 1, true);
            Buffer theta = engine.allocate(s.dimension()), g = engine.allocate(s.dimension());
            theta.write(0, s.initialTheta(0), 0, s.dimension());
            o.theta(theta);
            o.gradient(g);
            o.rows(Rows.all(s, engine.precision(), Rows.cache()));
            double f = o.run();
            assertEquals(14 * 0.5 + (1 + 4) + 0.25, f, 1e-6);
            // d/da = 2ac, d/dW = [1, 2] per row, d/dc = sum(a²) + 2c
            double[] want = {1, 2, 3, 1, 2, 1, 2, 14 + 1};
            assertArrayEquals(want, g.toDoubles(), 1e-6, engine.label());
            double norm2 = 0;
            for (double x : want) norm2 += x * x;
            assertEquals(norm2, o.gradNormSquared(), 1e-4 * norm2);
        }
    }

    @Test
    void aProgramRejectsABufferOfTheWrongPrecisionForAStream() {
        Script s = script("param p[100] = 1\nminimize sum(p^2)\n");
        Objective o = new Objective(s, true, false, new Engine(Engine.Kind.SIMD, Precision.F32, 1), 1, false);
        Buffer wrong = Buffer.allocate(Precision.F64, 100);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> o.theta(wrong));
        assertTrue(e.getMessage().contains("F32"), e.getMessage());
    }

    @Test
    void theRunAllocatesNoFloat64CopyOfAFloat32Theta() {
        Script s = script(FUSABLE.get(0));
        Driver.Result r = new Driver(s, 0, VECTOR_ENGINES[3]).run(null);
        assertEquals(Precision.F32, r.parameters().precision());
        assertTrue(r.parameters() instanceof Buffer.F32);
    }

    /** Programs built by the driver run on the engine asked for, bound to buffers of its precision. */
    @Test
    void programsAreBoundToResidentBuffers() {
        Script s = script(FUSABLE.get(0));
        Engine engine = new Engine(Engine.Kind.SIMD, Precision.F32, 1);
        States states = new States(s.steps.get(0), engine, List.of(s.steps.get(0).pOutput())).allocate();
        StepProgram fused = StepProgram.fused(s, 0, states, engine, 1, true);
        Program p = fused.prog.program;
        assertEquals(Precision.F32, p.precision());
        for (Node leaf : p.leaves()) assertTrue(leaf.op != dev.descent.ir.Op.INPUT || leaf.attr.toString().contains("t") || leaf.attr.toString().contains("state"),
                "fused: p, g and f are no inputs any more: " + leaf.attr);
    }
}
