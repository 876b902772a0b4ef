package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a script's {@code optimize} statements in order, each from where the last one left the
 * parameters, with fresh optimizer state and t from 1. Each step: f, g (and H when the body uses
 * it) at θ; the {@code until} condition; the line searches; the update. A non-finite loss or
 * parameter stops the run. For {@code maximize F} the optimizer minimizes −F, so inside its body
 * (and in {@code until}) f = −F and g = −∇F.
 *
 * <p>This is the one step loop: {@code run}, {@code compare}, {@code bench}, the Java API's
 * {@code Model.run} and {@code Optimizer} all step through it. θ, the gradient and every live
 * optimizer state are resident {@link Buffer}s of the engine's precision for the whole run, each
 * parameter a range of θ; a step allocates nothing and converts nothing. When the update needs
 * nothing between the gradient and itself (no Hessian, no line search) and θ is one vector, the
 * objective, its gradient and the update are one program ({@link StepProgram#fused}), with the
 * loss reduction and the divergence check folded into its pass. The host reads θ only when
 * something asks: a trace row, the early-stopping snapshot, the report. A strong-Wolfe line
 * search ({@code linesearch(d, wolfe = 1)}) evaluates f and g at its trial points; a step that
 * starts exactly at the point it accepted (full batches, no H, no dropout) takes f and g from it.
 *
 * <p>The driver holds what a run shares (the script, the engine, the seed and its generator, the
 * data converted to the engine's precision, the options set on it) and runs the statements in
 * order. Each statement is a {@link StatementRun}: the step loop, with its programs and the run's
 * state between steps; its body's line searches, hvp and grad_at calls are a {@link BodyCalls}.
 * The losses and reports on each split are a {@link SplitEvaluator}'s; a part's side of local
 * steps is a {@link LocalRunner}.
 */
public final class Driver {
    /**
     * How one optimize statement ended. {@code stopped} is "steps", "until", "diverged",
     * "early_stop" or "interrupted" ({@link #stopWhen}); {@code loss} is the objective on all data at its end; with a validation
     * split, the training and validation losses too (else NaN); after early stopping, the epoch
     * whose parameters were restored (the one with the best validation loss; else 0).
     */
    public record RunResult(String optimizer, String call, long steps, double loss, Stop stopped, String message,
                            long epochs, double trainLoss, double validationLoss, long restoredEpoch) {
        public RunResult(String optimizer, String call, long steps, double loss, Stop stopped, String message,
                         long epochs, double trainLoss, double validationLoss) {
            this(optimizer, call, steps, loss, stopped, message, epochs, trainLoss, validationLoss, 0);
        }
    }

    /**
     * The objective as written (dropout off) and each report, at the final parameters, on one
     * split: "train" (the rows trained on; every row when none are held out), "validation" or
     * "test". A metric is NaN where it is not finite (that is, as computed).
     */
    public record Split(String name, double loss, Map<String, Double> metrics) {}

    /**
     * The final parameters (resident, in the engine's precision), the objective as written there
     * (on the training rows: {@link Split} "train"), each run's result, and the losses and reports on
     * each split (empty when the run diverged).
     */
    public record Result(Buffer parameters, double loss, List<RunResult> runs, List<Split> splits) {
        public Result(Buffer parameters, double loss, List<RunResult> runs) { this(parameters, loss, runs, List.of()); }

        public boolean diverged() { return runs.stream().anyMatch(r -> r.stopped() == Stop.DIVERGED); }

        /** The final parameters as float64 values (a copy). */
        public double[] theta() { return parameters.toDoubles(); }
    }

    /**
     * Receives one row per point visited: {@code step} updates made so far in run {@code run} (from 1).
     * θ is the run's own buffer, valid during the call only, not to be written.
     */
    public interface Trace {
        /** {@code loss} is f as the optimizer saw it at this point (on its batch, in a mini-batch run). */
        void row(int run, long step, double loss, double gradNorm, double lr, Buffer theta);

        /** The validation loss after an epoch, which ended at {@code step}; follows that step's row. */
        default void validation(int run, long step, double loss) {}

        /**
         * Whether to evaluate the objective and every report on each split at the end of every
         * epoch ({@link #epoch}); off by default (each such evaluation costs a pass over the data).
         */
        default boolean wantsEpochs() { return false; }

        /**
         * The losses and reports (dropout off) on each split at θ as it stands after epoch
         * {@code epoch} (from 1) of run {@code run}, which ended at {@code step}; follows that step's
         * row. Evaluating them draws nothing from the run's random generator, so the run goes on
         * with the same bits as without them.
         */
        default void epoch(int run, long step, long epoch, List<Split> splits) {}

        /**
         * Whether rows need the gradient's norm and the learning rate (each costs a little per step:
         * a reduction, a scalar program); without them they are NaN.
         */
        default boolean wantsDetail() { return true; }
    }

    /**
     * Everything a run holds between two steps, so that a run resumed from it continues with the
     * same bits as the run that wrote it: the statement under way (from 1) and the results of those
     * done, t (updates made), θ, every live optimizer state, whether the states have been started,
     * the random generator's state, the epoch and the training rows' shuffled order, and early
     * stopping's best validation loss, its parameters and the epochs since. Values are float64
     * (a float32 run's values are exact in them).
     */
    public record Checkpoint(int statement, List<RunResult> done, long t, double[] theta, List<String> stateNames, double[][] states,
                             boolean initialized, long rng, long shuffledEpoch, int[] order,
                             double bestValidation, double[] best, long sinceBest,
                             double startLoss, double previousF, double lastValidation, long stall) {
        public Checkpoint(int statement, List<RunResult> done, long t, double[] theta, List<String> stateNames, double[][] states,
                          boolean initialized, long rng, long shuffledEpoch, int[] order, double bestValidation, double[] best, long sinceBest) {
            this(statement, done, t, theta, stateNames, states, initialized, rng, shuffledEpoch, order, bestValidation, best, sinceBest,
                    Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0);
        }
    }

    /**
     * How much the loss may grow before the run says so: a statement whose f (the loss as the
     * optimizer minimizes it) rises above its first value f0 by more than
     * {@code EXPLOSION × max(|f0|, 1)} is reported once ({@link #onExplosion}): a loss of 1 that
     * passes a million is diverging, though every number is still finite; a loss that starts near 0
     * (a start at a stationary point) must still grow by a million.
     */
    public static final double EXPLOSION = 1e6;

    /** Told once per statement when its loss explodes ({@link #EXPLOSION}). */
    public interface Explosions {
        /** {@code step}: the updates made when the loss was {@code loss}; {@code start}: the statement's first loss (both as written). */
        void exploded(int run, String call, long step, double start, double loss);
    }

    Explosions explosions = (run, call, step, start, loss) -> {};

    /** Whom to tell when a statement's loss explodes ({@link #EXPLOSION}). */
    public Driver onExplosion(Explosions e) {
        this.explosions = e;
        return this;
    }

    /** Receives checkpoints as the run makes them ({@link #checkpointEvery}). */
    public interface Checkpoints {
        void save(Checkpoint c);
    }

    long every;
    private Checkpoints sink;

    /**
     * A checkpoint every {@code every} updates (every {@code every} epochs in a statement that counts
     * epochs), and one when the run is stopped ({@link #stopWhen}), each handed to {@code sink}.
     */
    public Driver checkpointEvery(long every, Checkpoints sink) {
        if (every < 1) throw new IllegalArgumentException("checkpoints every " + every + " steps");
        this.every = every;
        this.sink = sink;
        return this;
    }

    /**
     * Continues the run a checkpoint was made in (by this script, seed and precision): the statements
     * it had finished are reported as they ended, the one under way goes on from its step.
     */
    public Result resume(Checkpoint c, Trace trace) {
        if (c.statement() < 1 || c.statement() > script.steps.size() || c.done().size() != c.statement() - 1)
            throw new IllegalArgumentException("the checkpoint is in optimize statement " + c.statement() + ", but the script has " + script.steps.size());
        if (c.theta().length != script.dimension())
            throw new IllegalArgumentException("the checkpoint's θ has " + c.theta().length + " elements, the script's " + script.dimension());
        Buffer theta = engine.allocate(c.theta().length);
        theta.write(0, c.theta(), 0, c.theta().length);
        return run(new Theta(engine, theta), trace, c);
    }

    static final int MAX_SEARCH_TRIES = 50;

    final Script script;
    final Rng rng;
    final long seed;
    final double sign;
    final Engine engine;
    /** Data columns converted to the engine's precision, once for the whole run. */
    final Map<String, Buffer> converted = Rows.cache();
    /** Whether steps that can be fused with the objective are (off only to test the fused against the two programs). */
    boolean fusing = true;
    /** Where the objective and the reports are evaluated when the rows are not here (null: here, on the engine). */
    DataParallel parallel;
    /** Whether a step that starts where a Wolfe search ended takes its f and g (off only to test that this changes no bits). */
    boolean reusing = true;
    /** Polled by {@link #run} between steps: true stops the run there ({@link #stopWhen}). */
    private java.util.function.BooleanSupplier stop = () -> false;

    public Driver(Script script, long seed) { this(script, seed, Engine.SCALAR); }

    public Driver(Script script, long seed, Engine engine) {
        this.script = script;
        this.engine = engine;
        this.seed = seed;
        this.rng = new Rng(seed ^ 0x9E3779B97F4A7C15L); // as new SplittableRandom(…) would draw
        this.sign = script.maximize ? -1 : 1;
    }

    /** Off: every step runs as the objective's program and the update's (for tests: fused steps must give the same bits). */
    Driver fusing(boolean on) {
        this.fusing = on;
        return this;
    }

    /**
     * Evaluates the objective, its derivatives and the reports through {@code where} (the rows
     * live elsewhere: a Spark cluster) and takes every step here. Full-batch runs only: the
     * script's data sets must hold no rows out and its statements take no batches.
     */
    public Driver dataParallel(DataParallel where) {
        this.parallel = where;
        return this;
    }

    /** Local steps (null: every step is one evaluation over all the rows): {@link #localRounds}. */
    DataParallel.LocalRounds rounds;
    int localSteps;

    /**
     * Takes the statements' updates in rounds of {@code steps} local steps ({@link
     * DataParallel.LocalRounds}): each round, the parts of the rows each take that many updates on
     * their own rows and θ and the states become the parts' average. The trace has a row per
     * round (at the round's first step), with the loss on every row at its θ.
     */
    public Driver localRounds(int steps, DataParallel.LocalRounds rounds) {
        if (steps < 1) throw new IllegalArgumentException("local steps must be at least 1, not " + steps);
        this.localSteps = steps;
        this.rounds = rounds;
        return this;
    }

    /**
     * One part's rounds of local steps ({@link DataParallel.LocalRounds}) of statement
     * {@code index} (from 1) of this driver's script, checked for the part's rows: kept from
     * round to round by the worker that holds the part, so that its programs are built once.
     */
    public LocalRunner localRunner(int index) { return new LocalRunner(this, index); }

    /** The objective's evaluation on these rows' script: here (an {@link Objective} on the engine) or through {@link #parallel}. */
    Evaluation evaluation(Script rows, boolean withGradient, boolean withHessian, double sign, boolean gradNorm) {
        if (parallel != null) return new Evaluation.Remote(parallel, withGradient, withHessian, sign, gradNorm);
        return new Objective(rows, withGradient, withHessian, engine, sign, gradNorm);
    }

    /** Off: every step evaluates f and g afresh, even where a Wolfe search has just done so (for tests). */
    Driver reusing(boolean on) {
        this.reusing = on;
        return this;
    }

    /**
     * A request to stop, polled by {@link #run} before each step: once it says true, the statement
     * under way ends at the point it has reached (its last row and its loss there, as when its
     * steps are done, with {@code stopped} "interrupted") and the statements after it are not run.
     * {@code descent run} stops so on SIGINT and SIGTERM, and when its trace cannot be written.
     */
    public Driver stopWhen(java.util.function.BooleanSupplier stop) {
        this.stop = stop;
        return this;
    }

    /** Whether statement {@code index} (from 1) runs fused, as this driver would run it. */
    boolean fused(int index) {
        StatementRun r = new StatementRun(this, index, script.steps.get(index - 1), new Theta(engine, engine.allocate(script.dimension())), null, -1);
        return r.runsFused();
    }

    /** Runs every statement from the script's own start (its seed drawing any random start). */
    public Result run(Trace trace) {
        Buffer theta = engine.allocate(script.dimension());
        Start.fill(script, seed, theta);
        return run(theta, trace);
    }

    /** Runs every statement from {@code start} (float64; copied). */
    public Result run(double[] start, Trace trace) {
        Buffer theta = engine.allocate(start.length);
        theta.write(0, start, 0, start.length);
        return run(theta, trace);
    }

    private Result run(Buffer start, Trace trace) { return run(new Theta(engine, start), trace, null); }

    private Result run(Theta theta, Trace trace, Checkpoint from) {
        List<RunResult> results = new ArrayList<>(from == null ? List.of() : from.done());
        for (int k = results.size(); k < script.steps.size(); k++) {
            if (k > 0 && stop.getAsBoolean()) break;
            StatementRun r = new StatementRun(this, k + 1, script.steps.get(k), theta, trace, -1);
            if (from != null && k + 1 == from.statement()) r.restore(from);
            if (stop.getAsBoolean()) r.interrupt();
            while (r.advance()) {
                boolean due = sink != null && r.checkpointDue();
                if (due) sink.save(r.checkpoint(results));
                if (stop.getAsBoolean()) {
                    if (sink != null && !due) sink.save(r.checkpoint(results));
                    r.interrupt();
                }
            }
            RunResult res = r.finish();
            results.add(res);
            if (res.stopped() == Stop.DIVERGED || res.stopped() == Stop.INTERRUPTED) break;
        }
        double loss;
        if (!results.isEmpty()) loss = results.get(results.size() - 1).loss(); // at the same θ
        else loss = finite(theta.cur) ? finalLoss(theta.cur) : Double.NaN;
        List<Split> splits = results.isEmpty() || !finite(theta.cur) ? List.of() : evaluate(theta.cur);
        return new Result(theta.cur, loss, results, splits);
    }

    /** The objective and the reports, dropout off, at θ on each split the data has ({@link Split}). */
    public List<Split> evaluate(Buffer theta) {
        return new SplitEvaluator(this, script.steps.get(script.steps.size() - 1)).evaluate(theta);
    }

    /**
     * Starts optimize statement {@code index} (from 1) at {@code start} (copied), to be advanced by
     * the caller: what {@link #run} does for each statement, a step or an epoch at a time
     * (benchmarks time epochs of training this way, without the run's setup and final report).
     * Its optimizer state starts fresh, with t = 1.
     */
    public StatementRun start(int index, double[] start, Trace trace) {
        if (index < 1 || index > script.steps.size())
            throw new IllegalArgumentException("the script has " + script.steps.size() + " optimize statement(s), not a statement " + index);
        Buffer theta = engine.allocate(start.length);
        theta.write(0, start, 0, start.length);
        return new StatementRun(this, index, script.steps.get(index - 1), new Theta(engine, theta), trace, -1);
    }

    /**
     * Statement {@code index} (from 1) from the script's own start, advanced by the caller for as
     * long as it likes (its count of steps does not end it; until, divergence and early stopping
     * still do): what {@code descent bench} times.
     */
    public StatementRun bench(int index) {
        Buffer theta = engine.allocate(script.dimension());
        Start.fill(script, seed, theta);
        return new StatementRun(this, index, script.steps.get(index - 1), new Theta(engine, theta), null, Long.MAX_VALUE);
    }

    private Evaluation finalEval;

    /** The objective as written, on all data, for evaluation (dropout is the identity), at θ. */
    double finalLoss(Buffer theta) {
        if (finalEval == null) {
            Script eval = script.options.training() && Batches.hasRandom(script.objective) ? script.instance(false, Map.of()) : script;
            finalEval = evaluation(eval, false, false, 1, false);
            finalEval.rows(Rows.all(eval, engine.precision(), converted));
        }
        finalEval.theta(theta);
        return finalEval.run();
    }

    static boolean finite(Buffer v) {
        for (int i = 0, n = v.length(); i < n; i++) if (!Double.isFinite(v.get(i))) return false;
        return true;
    }

    String firstNonFinite(Buffer theta) {
        for (Script.Param p : script.params) {
            for (int i = 0; i < p.shape().size(); i++) {
                double v = theta.get(p.offset() + i);
                if (!Double.isFinite(v)) return (p.shape().isScalar() ? p.name() : p.name() + "[" + i + "]") + " is " + word(v);
            }
        }
        return "a parameter is not finite";
    }

    static String word(double v) { return Double.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf"; }
}
