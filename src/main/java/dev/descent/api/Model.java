package dev.descent.api;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.UnknownSetting;
import dev.descent.engine.Engine;
import dev.descent.run.Driver;
import dev.descent.run.Objective;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;

/**
 * A checked script: its parameters, its objective (to {@link #evaluate} at any θ) and its
 * {@code optimize} statements (to {@link #run}). Made by {@link Descent#load} or
 * {@link Descent#parse}. Not thread-safe: use one model per thread.
 */
public final class Model {
    private final SourceFile source;
    private final Script script;
    private final List<Parameter> parameters;
    private Objective objective;

    Model(SourceFile source, Script script) {
        this.source = source;
        this.script = script;
        List<Parameter> ps = new ArrayList<>();
        for (Script.Param p : script.params) ps.add(Parameter.of(p));
        this.parameters = List.copyOf(ps);
    }

    /**
     * The name diagnostics give the script.
     *
     * @return its path as given to {@link Descent#load}, or the name passed to {@link Descent#parse}
     */
    public String name() { return source.name(); }

    /**
     * The parameters' names, shapes and places in θ.
     *
     * @return the parameters in declaration order, unmodifiable
     */
    public List<Parameter> parameters() { return parameters; }

    /**
     * The length of θ.
     *
     * @return the number of all parameters' elements together
     */
    public int dimension() { return script.dimension(); }

    /**
     * Whether there is an objective to {@link #evaluate} and {@link #run}.
     *
     * @return true when the script has a {@code minimize} or {@code maximize}
     */
    public boolean hasObjective() { return script.objective != null; }

    /**
     * The starting point, as {@code descent run} starts.
     *
     * @return θ0, a new array {@link #dimension()} long, random starts drawn with the script's seed (or 0)
     */
    public double[] start() { return script.initialTheta(script.seed != null ? script.seed : 0L); }

    /**
     * The starting point with a seed of your own.
     *
     * @param seed the seed random starts are drawn with, instead of the script's
     * @return θ0, a new array {@link #dimension()} long
     */
    public double[] start(long seed) { return script.initialTheta(seed); }

    /**
     * The objective as written at {@code theta} (what {@code descent eval} prints as value), its
     * gradient written into {@code gradOut} (which may be null when only the value is wanted).
     * Computed by the SIMD engine in float64, as {@code descent eval} computes it by default.
     *
     * @param theta   the parameters, laid out as {@link #parameters()} says; not changed
     * @param gradOut where the gradient is written, or null
     * @return the objective's value at {@code theta}
     * @throws IllegalArgumentException when an array is not {@link #dimension()} long
     * @throws DescentException         when the script has no objective
     */
    public double evaluate(double[] theta, double[] gradOut) {
        int n = dimension();
        if (theta.length != n) throw new IllegalArgumentException("theta has " + theta.length + " elements; the script's parameters have " + n);
        if (gradOut != null && gradOut.length != n)
            throw new IllegalArgumentException("gradOut has " + gradOut.length + " elements; the script's parameters have " + n);
        if (script.objective == null) throw new DescentException(name() + ": error: there is nothing to evaluate: the script has no 'minimize' or 'maximize'");
        if (objective == null) objective = new Objective(script, false, Engine.defaults());
        Objective.Result r;
        try {
            r = objective.evaluate(theta);
        } catch (CompileError e) {
            throw new DescentException(e);
        }
        if (gradOut != null) System.arraycopy(r.gradient(), 0, gradOut, 0, n);
        return r.value();
    }

    /**
     * Runs the script's optimize statements as {@code descent run} does, with its defaults
     * ({@link Options#defaults()}).
     *
     * @return the final loss, parameters and each run's outcome
     * @throws DescentException as {@link #run(Options)} does
     */
    public Result run() { return run(Options.defaults()); }

    /**
     * Runs the script's optimize statements in order from its start, as {@code descent run} does
     * with these options; the result holds the numbers {@code descent run --json} prints.
     *
     * @param options the engine, precision, threads, seed and settings to run with
     * @return the final loss, parameters and each run's outcome
     * @throws DescentException when the script has nothing to run, a setting names no let, or the data fail at run time
     */
    public Result run(Options options) {
        Engine engine;
        try {
            engine = options.toEngine();
        } catch (IllegalArgumentException e) {
            throw new DescentException(e.getMessage());
        }
        Script s;
        try {
            s = Checker.checkForTraining(source, options.settings());
        } catch (CompileError e) {
            throw new DescentException(e);
        } catch (UnknownSetting e) {
            throw new DescentException(e.getMessage().replace("--set ", "setting "));
        }
        if (s.objective == null) throw new DescentException(name() + ": error: there is nothing to run: the script has no 'minimize' or 'maximize'");
        if (s.steps.isEmpty()) throw new DescentException(name() + ": error: there is nothing to run: the script has no 'optimize with … for N steps'");
        long seed = options.seed() != null ? options.seed() : s.seed != null ? s.seed : 0L;
        Driver.Result r;
        try {
            r = new Driver(s, seed, engine).run(null);
        } catch (CompileError e) {
            throw new DescentException(e);
        }
        List<Result.Run> runs = new ArrayList<>();
        for (Driver.RunResult x : r.runs())
            runs.add(new Result.Run(x.optimizer(), x.call(), x.steps(), x.loss(), x.stopped().label(), x.message(), x.epochs(), x.trainLoss(), x.validationLoss(), x.restoredEpoch()));
        List<Parameter> ps = new ArrayList<>();
        for (Script.Param p : s.params) ps.add(Parameter.of(p));
        return new Result(r.loss(), r.theta().clone(), List.copyOf(ps), runs);
    }
}
