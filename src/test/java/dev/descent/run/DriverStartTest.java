package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Driver#start}: an optimize statement advanced by the caller, a step or an epoch at a
 * time, is the run that {@link Driver#run} makes (the same parameters, bit for bit, and the same
 * result); and {@link Objective#valueOnly} is the objective's value without its gradient.
 */
class DriverStartTest {
    /** Mini-batches (160 training rows, batch 16: 10 steps an epoch), a validation split, early stopping. */
    static final String LINEAR = """
            seed 3
            data d = csv("examples/data/linear.csv", validation = 0.2)
            param w = [0, 0]
            param b = 0
            minimize mean((stack(d.x1, d.x2) @ w + b - d.y)^2)
            optimize with sgd(lr = 0.05, momentum = 0.9) for 40 epochs batch 16 patience 3
            """;

    static Script script(String text) {
        return Checker.checkForTraining(new SourceFile("linear.dsc", Path.of("linear.dsc").toAbsolutePath(), text), Map.of());
    }

    @Test
    void epochByEpochIsTheRunItself() {
        for (Engine engine : new Engine[] {Engine.SCALAR, Engine.defaults()}) {
            Script s = script(LINEAR);
            Driver.Result whole = new Driver(s, 3, engine).run(s.initialTheta(3), null);

            double[] theta = s.initialTheta(3);
            StatementRun run = new Driver(s, 3, engine).start(1, theta, null);
            assertEquals(10, run.stepsPerEpoch());
            int epochs = 0;
            while (run.epoch()) epochs++;
            assertFalse(run.advance(), "an ended statement stays ended");
            Driver.RunResult r = run.finish();

            assertEquals(whole.runs().get(0), r, engine.toString());
            OptimizeTest.assertBits(whole.theta(), run.parameters().toDoubles(), "theta");
            assertEquals(r.epochs(), epochs, "epoch() was true once per epoch before the end");
            assertEquals("early_stop", r.stopped().label());
        }
    }

    @Test
    void stepByStepIsTheRunItself() {
        Script s = script(LINEAR.replace("patience 3", ""));
        Driver.Result whole = new Driver(s, 3).run(s.initialTheta(3), null);
        double[] theta = s.initialTheta(3);
        StatementRun run = new Driver(s, 3).start(1, theta, null);
        while (run.advance()) assertTrue(run.steps() <= 400);
        assertEquals(400, run.steps());
        assertEquals(whole.runs().get(0), run.finish());
        OptimizeTest.assertBits(whole.theta(), run.parameters().toDoubles(), "theta");
    }

    @Test
    void startNamesAnOptimizeStatementFromOne() {
        Script s = script(LINEAR);
        Driver d = new Driver(s, 3);
        assertThrows(IllegalArgumentException.class, () -> d.start(0, s.initialTheta(3), null));
        assertThrows(IllegalArgumentException.class, () -> d.start(2, s.initialTheta(3), null));
    }

    @Test
    void valueOnlyIsTheObjectivesValueWithoutAGradient() {
        Script s = Checker.check(SourceFile.ofString("q.dsc", "param x = [1, -2]\nparam W[2, 2] = [[1, 2], [3, 4]]\nparam c = 3\n"
                + "minimize sum(tanh(W @ x) * c) + sum(x^2)\n"), Map.of());
        double[] theta = {0.3, -0.7, 1.1, 0.5, -0.2, 0.9, 1.3};
        for (Engine engine : new Engine[] {Engine.SCALAR, Engine.defaults()}) {
            Objective.Result full = new Objective(s, false, engine).evaluate(theta);
            Objective.Result value = Objective.valueOnly(s, engine).evaluate(theta);
            assertEquals(full.value(), value.value(), 1e-15 * Math.abs(full.value()), engine.toString());
            assertNull(value.gradient());
            assertNull(Objective.valueOnly(s, engine).gradientNodes());
        }
    }
}
