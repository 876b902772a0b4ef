package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Engine;
import java.util.SplittableRandom;

/** How many updates an optimize statement will make at most, for a progress display. */
public final class StepCounts {
    private StepCounts() {}

    /** Steps per epoch of this statement (1 without data batches), or 0 when it cannot be told. */
    public static long perEpoch(Script script, Step step, long seed, Engine engine) {
        try {
            // a Batches of its own: its random generator is not the driver's, so the run is unchanged
            return new Batches(script, step, new SplittableRandom(seed), seed, engine.precision(), Rows.cache()).perEpoch();
        } catch (RuntimeException e) {
            return 0; // the driver reports the problem itself
        }
    }

    /** The most updates the statement makes: N steps, or E epochs of batches; -1 when unknown. */
    public static long total(Script script, Step step, long seed, Engine engine) {
        if (step.unit() != dev.descent.syntax.Ast.Unit.EPOCHS) return step.count();
        long per = perEpoch(script, step, seed, engine);
        return per > 0 ? step.count() * per : -1;
    }

    public static boolean countsEpochs(Step step) { return step.unit() == dev.descent.syntax.Ast.Unit.EPOCHS; }
}
