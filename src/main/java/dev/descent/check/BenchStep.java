package dev.descent.check;

import dev.descent.syntax.SourceFile;
import java.util.Map;

/**
 * An {@code optimize} statement's step, elaborated for a parameter vector of any length:
 * what {@code descent bench} times. The step program depends on the objective only through
 * the number of parameters, so the statement checked with the script is elaborated again,
 * by the same checker (its DAG, its module, its names), for θ of {@code n} elements.
 */
public final class BenchStep {
    private final Checker checker;
    /** The script as checked (for training), with its steps at its own number of parameters. */
    public final Script script;

    private BenchStep(Checker checker, Script script) {
        this.checker = checker;
        this.script = script;
    }

    /**
     * Checks a script for training. Throws {@link dev.descent.syntax.CompileError} with its
     * diagnostics, or {@link UnknownSetting} for a {@code --set} name it does not have.
     */
    public static BenchStep check(SourceFile source, Map<String, Double> settings) { return check(source, settings, Limits.DEFAULT); }

    /** As {@link #check(SourceFile, Map)}, with these limits on what the script may ask for. */
    public static BenchStep check(SourceFile source, Map<String, Double> settings, Limits limits) {
        Checker ck = new Checker(settings, Checker.Options.TRAINING.withLimits(limits));
        return new BenchStep(ck, ck.run(source));
    }

    /**
     * The step of the script's {@code index}-th checked optimize statement, elaborated for θ
     * of {@code n} elements: inputs p and g of shape [n], states shaped as the body makes
     * them. Throws IllegalArgumentException when the body cannot be elaborated at that size
     * (it is written for the script's own number of parameters).
     */
    public Step step(int index, int n) {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1, not " + n);
        Step own = script.steps.get(index);
        if (n == script.dimension()) return own;
        int mark = checker.mark();
        Step s = new StepBuilder(checker, script.dag, script.module, own.statement(), n).build();
        if (s == null || checker.mark() > mark) {
            checker.rollback(mark);
            throw new IllegalArgumentException("the step of " + own.call() + " cannot be elaborated for " + n
                    + " parameters (its body is written for the script's " + script.dimension() + ")");
        }
        return s;
    }
}
