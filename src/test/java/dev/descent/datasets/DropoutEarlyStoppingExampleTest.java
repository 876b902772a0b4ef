package dev.descent.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.run.Driver;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 6: examples/mlp_dropout_digits.dsc is the example "with dropout and early stopping that
 * shows the validation curve turning". Run as {@code descent run} runs it (the SIMD engine, its
 * seed), the validation loss per epoch reaches a minimum before the end, then rises for the
 * {@code patience} epochs that follow, clearly (the last is well above the minimum, and most of
 * those epochs go up) while the training loss keeps falling; the run stops with "early_stop" and
 * the parameters of the best epoch are restored (the final validation loss is the minimum).
 */
class DropoutEarlyStoppingExampleTest {
    static final Path SCRIPT = Path.of("examples/mlp_dropout_digits.dsc");

    @Test
    void theValidationCurveTurnsAndEarlyStoppingRestoresTheBestEpoch() {
        Script s = Checker.checkForTraining(SourceFile.read(SCRIPT, SCRIPT.toString()), Map.of());
        long seed = s.seed != null ? s.seed : 0L;
        long patience = s.steps.get(0).patience();
        List<Double> validation = new ArrayList<>();
        List<Double> training = new ArrayList<>();   // f as the optimizer saw it, per step (dropout on)
        Driver.Trace trace = new Driver.Trace() {
            @Override public void row(int run, long step, double loss, double gradNorm, double lr, dev.descent.engine.Buffer theta) { training.add(loss); }

            @Override public void validation(int run, long step, double loss) { validation.add(loss); }
        };
        Driver.Result r = new Driver(s, seed, Engine.defaults()).run(s.initialTheta(seed), trace);
        Driver.RunResult run = r.runs().get(0);
        String curve = "validation loss per epoch: " + validation + "\n" + run;

        assertEquals("early_stop", run.stopped().label(), curve);
        assertTrue(patience >= 5, "patience " + patience);
        int best = 0;
        for (int e = 1; e < validation.size(); e++) if (validation.get(e) < validation.get(best)) best = e;
        double min = validation.get(best), last = validation.getLast();
        // the minimum is not at the start, and the run stopped exactly patience epochs after it
        assertTrue(best >= 5, "minimum at epoch " + (best + 1) + "\n" + curve);
        assertEquals(patience, validation.size() - 1 - best, curve);
        // the curve turns: the epochs after the minimum mostly rise, and end well above it
        int rises = 0;
        for (int e = best + 1; e < validation.size(); e++) if (validation.get(e) > validation.get(e - 1)) rises++;
        assertTrue(rises >= 0.7 * patience, rises + " of " + patience + " epochs rise after the minimum\n" + curve);
        assertTrue(last > 1.1 * min, "validation loss at the stop " + last + ", minimum " + min + "\n" + curve);
        // while the training loss (one full-batch step per epoch) keeps falling
        long perEpoch = (training.size() - 1) / validation.size();
        double trainAtBest = training.get((int) ((best + 1) * perEpoch)), trainAtStop = training.getLast();
        assertTrue(trainAtStop < 0.75 * trainAtBest, "training loss " + trainAtBest + " at the best epoch, " + trainAtStop + " at the stop\n" + curve);
        // the best epoch's parameters are restored: the reported validation loss is the minimum
        assertEquals(min, run.validationLoss(), 1e-9 * min, curve);
    }
}
