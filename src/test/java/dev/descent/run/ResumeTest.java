package dev.descent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint and resume ({@link Driver#checkpointEvery}, {@link Driver#resume}): a run stopped at
 * any step and resumed from the checkpoint it wrote ends with the same bits (θ, the loss, each
 * statement's steps and how it stopped) as the run never stopped, for every standard optimizer,
 * with mini-batches (a checkpoint in the middle of an epoch's shuffled order), dropout (the
 * generator's state), a validation split with early stopping, a test split, a schedule, and a
 * second statement.
 */
class ResumeTest {
    static final List<String> OPTIMIZERS = List.of(
            "gd(lr = 0.05)", "sgd(lr = 0.05, momentum = 0.9, nesterov = 1, weight_decay = 0.01)", "sgd(lr = step_decay(0.1, 0.5, 7), momentum = 0.5)",
            "adagrad(lr = 0.1, lr_decay = 0.01)", "rmsprop(lr = 0.01, momentum = 0.9, centered = 1)", "adadelta(lr = 1.0)",
            "adam(lr = cosine(0.02, 0.001, 30), amsgrad = 1)", "adamw(lr = warmup(0.02, 5))", "adamax(lr = 0.02)", "nadam(lr = 0.02)", "radam(lr = 0.02)");

    static String script(String optimizer) {
        return """
                seed 3
                data d = csv("examples/data/linear.csv", validation = 0.2, test = 0.1)
                let X = stack(d.x1, d.x2)
                param W[2, 6] ~ normal(0, 0.5)
                param b[6] = 0
                param v[6] ~ normal(0, 0.5)
                let H = dropout(tanh(X @ W + b), 0.2)
                minimize mean((H @ v - d.y)^2)
                optimize with OPT for 6 epochs batch 24 patience 2
                optimize with sgd(lr = exp_decay(0.05, 0.9), momentum = 0.9) for 9 steps batch 50
                report mae = mean(abs(tanh(X @ W + b) @ v - d.y))
                """.replace("OPT", optimizer);
    }

    static Script check(String text) {
        return Checker.checkForTraining(new SourceFile("s.dsc", Path.of("s.dsc").toAbsolutePath(), text), Map.of());
    }

    static void assertSame(Driver.Result want, Driver.Result got, String what) {
        OptimizeTest.assertBits(want.theta(), got.theta(), what + ": theta");
        assertEquals(Double.doubleToRawLongBits(want.loss()), Double.doubleToRawLongBits(got.loss()), what + ": loss");
        assertEquals(want.runs().size(), got.runs().size(), what + ": statements run");
        for (int i = 0; i < want.runs().size(); i++) {
            assertEquals(want.runs().get(i).steps(), got.runs().get(i).steps(), what + ": steps of statement " + (i + 1));
            assertEquals(want.runs().get(i).stopped(), got.runs().get(i).stopped(), what + ": how statement " + (i + 1) + " stopped");
            assertEquals(Double.doubleToRawLongBits(want.runs().get(i).validationLoss()), Double.doubleToRawLongBits(got.runs().get(i).validationLoss()),
                    what + ": validation loss of statement " + (i + 1));
        }
        assertEquals(want.splits(), got.splits(), what + ": losses and reports on each split");
    }

    @Test void aRunStoppedAndResumedEndsWithTheSameBitsForEveryOptimizer() {
        // engines that run the same code every step (auto switches to the compiled tier when its compilation is
        // ready, which may differ from the interpreter by an ulp in a transcendental: not bit-reproducible even unstopped)
        Engine simd32 = new Engine(Engine.Kind.SIMD, dev.descent.engine.Precision.F32, 1), compiled = new Engine(Engine.Kind.COMPILED, dev.descent.engine.Precision.F64, 1);
        for (Engine engine : new Engine[] {Engine.SCALAR, simd32, compiled})
            for (String optimizer : engine == compiled ? List.of(OPTIMIZERS.get(1), OPTIMIZERS.get(9)) : OPTIMIZERS) {
                String opt = optimizer;
                String text = script(optimizer);
                opt = opt + " on " + engine.kind() + " " + engine.precision();
                Driver.Result full = new Driver(check(text), 7, engine).run((Driver.Trace) null);
                assertTrue(full.runs().get(0).steps() > 12, opt + ": the first statement runs past the stops below");
                // checkpoints every 2 epochs do not change the run
                List<Driver.Checkpoint> made = new ArrayList<>();
                Driver.Result watched = new Driver(check(text), 7, engine).checkpointEvery(2, made::add).run((Driver.Trace) null);
                assertSame(full, watched, opt + " with checkpoints");
                assertFalse(made.isEmpty());
                for (Driver.Checkpoint c : made) assertSame(full, new Driver(check(text), 7, engine).resume(c, null), opt + " resumed at " + c.statement() + ":" + c.t());
                // stopped in the middle of an epoch (and in the second statement): the checkpoint made at the stop
                long total = full.runs().get(0).steps() + 9;
                for (long stopAt : new long[] {1, 5, 13, full.runs().get(0).steps() + 4}) {
                    if (stopAt >= total) continue;
                    List<Driver.Checkpoint> cut = new ArrayList<>();
                    long[] steps = {0};
                    Driver.Trace count = (run, step, loss, g, lr, th) -> steps[0]++;
                    Driver.Result stopped = new Driver(check(text), 7, engine).checkpointEvery(1000, cut::add).stopWhen(() -> steps[0] > stopAt).run(count);
                    assertEquals(Stop.INTERRUPTED, stopped.runs().get(stopped.runs().size() - 1).stopped(), opt + ": stopped at " + stopAt);
                    assertEquals(1, cut.size(), "one checkpoint, at the stop");
                    assertSame(full, new Driver(check(text), 7, engine).resume(cut.get(0), null), opt + " stopped after " + stopAt + " rows and resumed");
                }
            }
    }

    @Test void newtonAndConjugateGradientsResumeToo() {
        String text = """
                param x = [-1.5, 2]
                minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
                optimize with cg() for 20 steps
                optimize with newton(lr = 0.5) for 10 steps
                """;
        Driver.Result full = new Driver(check(text), 0).run((Driver.Trace) null);
        List<Driver.Checkpoint> made = new ArrayList<>();
        new Driver(check(text), 0).checkpointEvery(3, made::add).run((Driver.Trace) null);
        assertEquals(9, made.size(), "every 3 steps: t = 3, 6, …, 18 of the first statement, 3, 6, 9 of the second");
        for (Driver.Checkpoint c : made) assertSame(full, new Driver(check(text), 0).resume(c, null), "resumed at " + c.statement() + ":" + c.t());
    }
}
