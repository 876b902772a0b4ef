package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
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

    private Explosions explosions = (run, call, step, start, loss) -> {};

    /** Whom to tell when a statement's loss explodes ({@link #EXPLOSION}). */
    public Driver onExplosion(Explosions e) {
        this.explosions = e;
        return this;
    }

    /** Receives checkpoints as the run makes them ({@link #checkpointEvery}). */
    public interface Checkpoints {
        void save(Checkpoint c);
    }

    private long every;
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
        return run(new Theta(theta), trace, c);
    }

    private static final int MAX_SEARCH_TRIES = 50;

    private final Script script;
    private final Rng rng;
    private final long seed;
    private final double sign;
    private final Engine engine;
    /** Data columns converted to the engine's precision, once for the whole run. */
    private final Map<String, Buffer> converted = Rows.cache();
    /** Whether steps that can be fused with the objective are (off only to test the fused against the two programs). */
    private boolean fusing = true;
    /** Where the objective and the reports are evaluated when the rows are not here (null: here, on the engine). */
    private DataParallel parallel;
    /** Whether a step that starts where a Wolfe search ended takes its f and g (off only to test that this changes no bits). */
    private boolean reusing = true;
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
    private DataParallel.LocalRounds rounds;
    private int localSteps;

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
    public LocalRunner localRunner(int index) { return new LocalRunner(index); }

    /** A part's statement, run a round at a time ({@link #localRunner}). */
    public final class LocalRunner {
        private final double[] first = {Double.NaN};
        private final Run run;
        private boolean started;

        private LocalRunner(int index) {
            Trace firstLoss = new Trace() {
                @Override public void row(int run, long step, double loss, double gradNorm, double lr, Buffer theta) {
                    if (Double.isNaN(first[0])) first[0] = loss;
                }

                @Override public boolean wantsDetail() { return false; }
            };
            // as many updates as rounds will take (its programs are told so: the engine compiles what pays): each round sets its own end
            run = new Run(index, script.steps.get(index - 1), new Theta(engine.allocate(script.dimension())), firstLoss, Long.MAX_VALUE);
        }

        /**
         * {@code steps} updates from θ and the states (null: as the optimizer starts them) after t
         * updates, the generator seeded with {@code seed} (so a round's draws do not depend on
         * which worker ran the part before); θ, the states and the loss at the round's start.
         */
        public DataParallel.Round round(double[] start, double[][] stateValues, long t, int steps, long seed) {
            first[0] = Double.NaN;
            run.theta.cur.write(0, start, 0, start.length);
            if (stateValues != null) run.restoreStates(stateValues);
            else if (started) run.freshStates();
            started = true;
            rng.restore(seed);
            run.t = t;
            run.total = t + steps;
            run.ended = false;
            run.interrupted = false;
            run.stopped = Stop.STEPS;
            run.accepted = false;
            while (run.advance()) {}
            double[][] out = new double[run.states.size()][];
            for (int i = 0; i < out.length; i++) out[i] = run.states.cur[i] == null ? null : run.states.cur[i].toDoubles();
            return new DataParallel.Round(run.theta.cur.toDoubles(), out, first[0]);
        }
    }

    /** The objective's evaluation on these rows' script: here (an {@link Objective} on the engine) or through {@link #parallel}. */
    private Evaluation evaluation(Script rows, boolean withGradient, boolean withHessian, double sign, boolean gradNorm) {
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
        Run r = new Run(index, script.steps.get(index - 1), new Theta(engine.allocate(script.dimension())), null, -1);
        return r.fuse && r.fused(r.batches.batch(0)) != null;
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

    private Result run(Buffer start, Trace trace) { return run(new Theta(start), trace, null); }

    private Result run(Theta theta, Trace trace, Checkpoint from) {
        List<RunResult> results = new ArrayList<>(from == null ? List.of() : from.done());
        for (int k = results.size(); k < script.steps.size(); k++) {
            if (k > 0 && stop.getAsBoolean()) break;
            Run r = new Run(k + 1, script.steps.get(k), theta, trace, -1);
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
        return new Evaluator(script.steps.get(script.steps.size() - 1)).evaluate(theta);
    }

    /**
     * The objective's and the reports' programs on each split, built once and evaluated at any θ
     * (dropout off). Its rows are its own (the splits are drawn from the seed alone), and it is
     * handed a generator of its own, never drawn from: evaluating never moves the run's random
     * stream.
     */
    private final class Evaluator {
        private final List<String> names = new ArrayList<>();
        private final List<Evaluation> objectives = new ArrayList<>();
        private final List<ScriptProgram> reports = new ArrayList<>();
        private final List<Script> scripts = new ArrayList<>();

        Evaluator(Step step) {
            Batches b = new Batches(script, step, new Rng(seed), seed, engine.precision(), converted, parallel != null);
            for (String name : List.of("train", "validation", "test")) {
                Rows rows = b.split(name);
                if (rows == null) continue;
                names.add(name);
                Evaluation o = evaluation(rows.script, false, false, 1, false);
                o.rows(rows);
                objectives.add(o);
                scripts.add(rows.script);
                ScriptProgram p = null;
                if (!rows.script.reports.isEmpty() && parallel == null) {
                    List<Node> nodes = new ArrayList<>();
                    for (Script.Report r : rows.script.reports) nodes.add(r.value());
                    p = new ScriptProgram(engine, nodes);
                    p.rows(rows);
                }
                reports.add(p);
            }
        }

        List<Split> evaluate(Buffer theta) {
            List<Split> out = new ArrayList<>();
            for (int k = 0; k < names.size(); k++) {
                Evaluation o = objectives.get(k);
                o.theta(theta);
                double loss = o.run();
                Map<String, Double> metrics = new java.util.LinkedHashMap<>();
                if (o instanceof Evaluation.Remote remote && !scripts.get(k).reports.isEmpty()) { // the reports on the split's rows, as averages of the parts'
                    double[] r = remote.request(DataParallel.Kind.REPORTS, theta, null);
                    List<Script.Report> rs = scripts.get(k).reports;
                    for (int i = 0; i < rs.size(); i++) metrics.put(rs.get(i).name(), r[1 + i]);
                }
                ScriptProgram p = reports.get(k);
                if (p != null) {
                    p.theta(theta);
                    p.run(null); // evaluated: no dropout masks to draw
                    List<Script.Report> rs = scripts.get(k).reports;
                    for (int i = 0; i < rs.size(); i++) metrics.put(rs.get(i).name(), p.program.scalar(i));
                }
                out.add(new Split(names.get(k), loss, metrics));
            }
            return out;
        }
    }

    /**
     * Starts optimize statement {@code index} (from 1) at {@code start} (copied), to be advanced by
     * the caller: what {@link #run} does for each statement, a step or an epoch at a time
     * (benchmarks time epochs of training this way, without the run's setup and final report).
     * Its optimizer state starts fresh, with t = 1.
     */
    public Run start(int index, double[] start, Trace trace) {
        if (index < 1 || index > script.steps.size())
            throw new IllegalArgumentException("the script has " + script.steps.size() + " optimize statement(s), not a statement " + index);
        Buffer theta = engine.allocate(start.length);
        theta.write(0, start, 0, start.length);
        return new Run(index, script.steps.get(index - 1), new Theta(theta), trace, -1);
    }

    /**
     * Statement {@code index} (from 1) from the script's own start, advanced by the caller for as
     * long as it likes (its count of steps does not end it; until, divergence and early stopping
     * still do): what {@code descent bench} times.
     */
    public Run bench(int index) {
        Buffer theta = engine.allocate(script.dimension());
        Start.fill(script, seed, theta);
        return new Run(index, script.steps.get(index - 1), new Theta(theta), null, Long.MAX_VALUE);
    }

    /** θ: the buffer that holds it, and a second one a fused step writes the next θ into. */
    private final class Theta {
        Buffer cur, next;

        Theta(Buffer cur) { this.cur = cur; }

        Buffer next() {
            if (next == null) next = engine.allocate(cur.length());
            return next;
        }

        void swap() {
            Buffer x = cur;
            cur = next;
            next = x;
        }
    }

    /**
     * One optimize statement in progress. Each {@link #advance} is one pass of the driver's loop:
     * f and g at θ on the next batch, the validation loss and early stopping when an epoch has
     * just ended, the until condition and line searches, then the update.
     */
    public final class Run {
        private final int index;
        private final Step step;
        private final Theta theta;
        private final Trace trace;
        private final boolean detail, usesH, fuse;
        private final Batches batches;
        private final States states;
        /** The most updates (a round of local steps moves it: {@link LocalRunner}). */
        private long total;
        /** Cells the programs read: t, f (float64 whatever the precision), and t for the learning rate and state starts. */
        private final double[] tCell = {1}, fCell = {0}, lrT = {1}, one = {1};
        private final Buffer tBuf = Buffer.of(tCell), fBuf = Buffer.of(fCell), lrTBuf = Buffer.of(lrT), oneBuf = Buffer.of(one);
        /** epoch, f_prev, val_loss, val_stall ({@code StepBuilder.RUN_NAMES}): for the next update, and as the last update saw them. */
        private final double[] runCells = {1, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 0}, usedCells = runCells.clone();
        private final Buffer runBuf = Buffer.of(runCells), usedBuf = Buffer.of(usedCells);
        /** f at the last point, the latest validation loss (as f: the optimizer's sign), the epochs since it improved. */
        private double previousF = Double.POSITIVE_INFINITY, lastValidation = Double.POSITIVE_INFINITY;
        private long stall = 0;
        /** The statement's first loss (as written), and whether its explosion was told. */
        private double startLoss = Double.NaN;
        private boolean exploded;
        /** The gradient and the Hessian (two-program steps only). */
        private Buffer g, h;
        /** Fused steps, or the objective's programs, by the rows they see; the update's program (two-program steps). */
        private final Map<Rows, StepProgram> fused = new HashMap<>();
        private final Map<Rows, Evaluation> objectives = new HashMap<>();
        private final Map<Rows, Evaluation> values = new HashMap<>();
        private StepProgram update;
        private ScriptProgram until, lr, init;
        private final List<ScriptProgram> searches = new ArrayList<>();
        /** hvp(v): each call's program for its v, its result H·v, the shared v, and the H·v program for each batch's rows. */
        private final List<ScriptProgram> hvpVs = new ArrayList<>();
        private Buffer[] hvpOut = new Buffer[0];
        private Buffer hvpV;
        private final Map<Rows, HessianVector> hvpPrograms = new HashMap<>();
        /** grad_at(q): each call's program for its q, its result (the gradient at q), the shared q, and the gradient program for each batch's rows. */
        private final List<ScriptProgram> gradAtQs = new ArrayList<>();
        private Buffer[] gradAtOut = new Buffer[0];
        private Buffer gradAtQ;
        private final Map<Rows, Evaluation> gradAtPrograms = new HashMap<>();
        private Buffer searchD, searchFrom, searchX, searchG;
        private final double[][] searchCells;
        /** The gradient objective a strong-Wolfe search evaluates at its trial points, by rows. */
        private final Map<Rows, Evaluation> searchObjectives = new HashMap<>();
        /**
         * The point a strong-Wolfe search accepted, with the objective's value (as written) and
         * signed gradient there: when the next step starts at exactly that θ on the same rows,
         * they are its f and g, not evaluated again.
         */
        private Buffer acceptedX;
        private double[] acceptedG;
        private double acceptedValue;
        private boolean accepted;
        /** Evaluations of the objective made by this statement's steps and line searches (the end report's aside). */
        private long evaluations;
        private Evaluation endObjective;
        private boolean initialized;
        private long t = 0;
        private Stop stopped = Stop.STEPS;
        private String message = null;
        private double bestValidation = Double.POSITIVE_INFINITY;
        private Buffer best;
        private long sinceBest = 0;
        /** After early stopping: the epoch whose parameters were restored. */
        private long restoredEpoch = 0;
        private boolean ended, interrupted;

        /** {@code steps}: the most updates (-1: the statement's own count). */
        private Run(int index, Step step, Theta theta, Trace trace, long steps) {
            this.index = index;
            this.step = step;
            this.theta = theta;
            this.trace = trace;
            this.detail = trace != null && trace.wantsDetail();
            batches = new Batches(script, step, rng, seed, engine.precision(), converted, parallel != null);
            total = steps >= 0 ? steps : step.unit() == dev.descent.syntax.Ast.Unit.EPOCHS ? step.count() * batches.perEpoch() : step.count();
            states = new States(step, engine, step.runRoots());
            usesH = step.usesHessian();
            List<Node> inits = new ArrayList<>();
            for (int i : states.live) inits.add(step.stateInits().get(i));
            BitSet initReach = Reach.ids(inits);
            boolean initReadsGradient = initReach.get(step.g().id) || initReach.get(step.f().id);
            // a step that reads what the run knows between steps (val_loss, …) runs as two programs, which read it when it is known
            fuse = fusing && parallel == null && StepProgram.fusable(script, step, usesH, initReadsGradient) && !readsRunNames(step);
            // the fused step of the first batch first, so that its compilation (when the run is long) starts
            // in the background before the states and the second θ are allocated and filled
            if (fuse) fused(batches.batch(0));
            states.allocate();
            if (fuse) theta.next();
            searchCells = new double[step.searches().size()][1];
            if (step.lr() != null && detail) {
                lr = new ScriptProgram(engine, List.of(step.lr()));
                lr.bind("t", lrTBuf, 0);
                bindRunNames(lr, usedBuf);
                lr.theta(theta.cur);
                lr.rows(batches.all(true));
            }
            if (!inits.isEmpty()) {
                init = new ScriptProgram(engine, inits);
                init.bind("t", oneBuf, 0);
                bindRunNames(init, runBuf);
                init.bind("f", fBuf, 0);
                for (int i = 0; i < states.size(); i++) init.program.bindOutput(i, states.cur[i], 0);
            }
            if (!fuse) twoPrograms();
            if (init != null && !initReadsGradient) initStates();
        }

        /** The losses and reports on each split at each epoch's end, built when a trace first asks ({@link Trace#wantsEpochs}). */
        private Evaluator epochs;

        /** Whether the step (its update, until, line searches, state starts) reads epoch, f_prev, val_loss or val_stall. */
        private static boolean readsRunNames(Step step) {
            List<Node> roots = new ArrayList<>(step.runRoots());
            roots.addAll(step.stateInits());
            roots.addAll(step.stateOutputs());
            if (step.lr() != null) roots.add(step.lr());
            return Reach.any(roots, n -> n.op == dev.descent.ir.Op.INPUT && Step.RUN_NAMES.contains(((dev.descent.ir.Attr.Input) n.attr).name()));
        }

        /** What the run knows between steps, as the next update sees it and as the last one saw it (for the trace's lr). */
        private void bindRunNames(ScriptProgram p, Buffer cells) {
            for (int i = 0; i < Step.RUN_NAMES.size(); i++) p.bind(Step.RUN_NAMES.get(i), cells, i);
        }

        /** The objective's program and the update's, and what they share (g, H, until, the line searches), built once. */
        private void twoPrograms() {
            if (update != null) return;
            states.allocate();
            g = engine.allocate(script.dimension());
            if (usesH) h = Buffer.allocate(Precision.F64, script.dimension() * script.dimension());
            hvpOut = new Buffer[step.hvps().size()];
            for (int k = 0; k < hvpOut.length; k++) hvpOut[k] = engine.allocate(script.dimension());
            if (hvpOut.length > 0) hvpV = engine.allocate(script.dimension());
            gradAtOut = new Buffer[step.gradAts().size()];
            for (int k = 0; k < gradAtOut.length; k++) gradAtOut[k] = engine.allocate(script.dimension());
            if (gradAtOut.length > 0) gradAtQ = engine.allocate(script.dimension());
            update = StepProgram.update(script, step, states, engine);
            bindInputs(update.prog);
            for (Step.Hvp hv : step.hvps()) {
                ScriptProgram vp = new ScriptProgram(engine, List.of(hv.v()));
                bindInputs(vp);
                vp.bindOutput(0, hvpV, 0);
                hvpVs.add(vp);
            }
            for (Step.GradAt ga : step.gradAts()) {
                ScriptProgram qp = new ScriptProgram(engine, List.of(ga.q()));
                bindInputs(qp);
                qp.bindOutput(0, gradAtQ, 0);
                gradAtQs.add(qp);
            }
            if (step.until() != null) {
                until = new ScriptProgram(engine, List.of(step.until()));
                bindInputs(until);
            }
            for (Step.LineSearch ls : step.searches()) {
                ScriptProgram sp = new ScriptProgram(engine, ls.inputs());
                bindInputs(sp);
                if (searchD == null) {
                    searchD = engine.allocate(script.dimension());
                    searchFrom = engine.allocate(script.dimension());
                    searchX = engine.allocate(script.dimension());
                }
                sp.program.bindOutput(0, searchD, 0);
                sp.program.bindOutput(1, searchFrom, 0);
                searches.add(sp);
            }
            update.prog.program.expectRuns(total);
            if (init != null) init.bind("g", g, 0);
        }

        /** The inputs of a two-program step's own programs: g, f, t, H, the line searches' results, the states, the data. */
        private void bindInputs(ScriptProgram p) {
            p.bind("g", g, 0);
            p.bind("f", fBuf, 0);
            p.bind("t", tBuf, 0);
            bindRunNames(p, runBuf);
            if (h != null) p.bind("H", h, 0);
            for (int s = 0; s < step.searches().size(); s++) p.bind("search:" + s, Buffer.of(searchCells[s]), 0);
            for (int k = 0; k < hvpOut.length; k++) p.bind("hvp:" + k, hvpOut[k], 0);
            for (int k = 0; k < gradAtOut.length; k++) p.bind("grad_at:" + k, gradAtOut[k], 0);
            bindStates(p);
            p.rows(batches.all(true));
        }

        /** The states' current buffers (a state updated into its second buffer swaps them). */
        private void bindStates(ScriptProgram p) {
            for (int i = 0; i < states.size(); i++) p.bind(states.names[i], states.cur[i], 0);
        }

        /** The live states' start values (t = 1), written into their buffers. */
        private void initStates() {
            init.theta(theta.cur);
            init.bind("p", theta.cur, 0);
            if (g != null) init.bind("g", g, 0);
            init.rows(batches.all(true));
            init.run(rng);
            initialized = true;
        }

        /** Updates made so far. */
        public long steps() { return t; }

        /** Whether a checkpoint falls here: every {@code every} updates, or epochs in a statement that counts epochs. */
        boolean checkpointDue() {
            if (every <= 0 || t == 0) return false;
            long period = step.unit() == dev.descent.syntax.Ast.Unit.EPOCHS ? every * batches.perEpoch() : every;
            return t % period == 0;
        }

        /** This statement's state between two steps (after {@link #advance} returned true), with the results of those before it. */
        Checkpoint checkpoint(List<RunResult> done) {
            double[][] st = new double[states.size()][];
            for (int i = 0; i < st.length; i++) st[i] = states.cur[i] == null ? null : states.cur[i].toDoubles();
            return new Checkpoint(index, List.copyOf(done), t, theta.cur.toDoubles(), List.of(states.names), st,
                    initialized || init == null, rng.state(), batches.shuffledEpoch(), batches.order(),
                    bestValidation, best == null ? null : best.toDoubles(), sinceBest, startLoss, previousF, lastValidation, stall);
        }

        /** The states as before the first step (zero, then the optimizer's starts at the next step). */
        void freshStates() {
            states.allocate();
            for (int i = 0; i < states.size(); i++) if (states.cur[i] != null) states.cur[i].write(0, new double[states.cur[i].length()], 0, states.cur[i].length());
            initialized = false;
        }

        /** The states' values (a round of local steps starts from the parts' average), started. */
        void restoreStates(double[][] values) {
            states.allocate();
            for (int i = 0; i < states.size(); i++) if (values[i] != null) states.cur[i].write(0, values[i], 0, values[i].length);
            initialized = true;
        }

        /** Back to a checkpoint of this statement: θ, the states, t, the generator, the shuffled order, early stopping's record. */
        void restore(Checkpoint c) {
            if (!List.of(states.names).equals(c.stateNames()))
                throw new IllegalArgumentException("the checkpoint's optimizer states (" + String.join(", ", c.stateNames())
                        + ") are not this statement's (" + String.join(", ", states.names) + ")");
            states.allocate();
            for (int i = 0; i < states.size(); i++) {
                double[] v = c.states()[i];
                if (v == null) continue;
                if (v.length != states.cur[i].length())
                    throw new IllegalArgumentException("the checkpoint's state " + states.names[i] + " has " + v.length + " elements, not " + states.cur[i].length());
                states.cur[i].write(0, v, 0, v.length);
            }
            theta.cur.write(0, c.theta(), 0, c.theta().length);
            t = c.t();
            if (c.initialized()) initialized = true;
            rng.restore(c.rng());
            batches.restore(c.shuffledEpoch(), c.order());
            bestValidation = c.bestValidation();
            if (c.best() != null) {
                if (best == null) best = engine.allocate(c.best().length);
                best.write(0, c.best(), 0, c.best().length);
            }
            sinceBest = c.sinceBest();
            startLoss = c.startLoss();
            previousF = c.previousF();
            lastValidation = c.lastValidation();
            stall = c.stall();
        }

        /**
         * The programs that make a step, as built so far (the fused step, or the objective's program
         * and the update's): what a step reads and writes, for bench's traffic.
         */
        public List<dev.descent.engine.Program> programs() {
            List<dev.descent.engine.Program> out = new ArrayList<>();
            for (StepProgram p : fused.values()) if (p != null) { out.add(p.prog.program); return out; }
            for (Evaluation o : objectives.values()) { if (o instanceof Objective ob) out.add(ob.program()); break; }
            if (update != null) out.add(update.prog.program);
            return out;
        }

        /** θ as it stands (the run's own buffer: read it, do not keep it across {@link #advance}). */
        public Buffer parameters() { return theta.cur; }

        /** Steps per epoch: the batches of the training rows (1 without data batches). */
        public long stepsPerEpoch() { return batches.perEpoch(); }

        /** Advances {@link #stepsPerEpoch()} passes; false once the statement has ended. */
        public boolean epoch() {
            for (long k = batches.perEpoch(); k > 0; k--) if (!advance()) return false;
            return true;
        }

        /**
         * Makes the next {@link #advance} the statement's last, as if its steps were done: it reads
         * f (and the trace's row) at θ as it stands and ends, with {@code stopped} "interrupted"
         * (unless that last point ends it otherwise: a non-finite loss, early stopping).
         */
        public void interrupt() {
            if (ended || interrupted) return;
            interrupted = true;
            stopped = Stop.INTERRUPTED;
        }

        /** One pass of the loop; false once the statement has ended (steps done, until, early stop, divergence, interrupted). */
        public boolean advance() {
            if (ended) return false;
            if (rounds != null) return round();
            boolean last = t == total || interrupted;
            double loss, gradNorm = Double.NaN;
            StepProgram fz = null;
            if (last && batches.active()) {
                Evaluation o = endObjective();
                o.theta(theta.cur);
                loss = o.run();
                if (detail) gradNorm = Math.sqrt(o.gradNormSquared());
            } else {
                Rows rows = batches.batch(t);
                if (fuse) fz = fused(rows);
                if (fz != null) {
                    tCell[0] = t + 1;
                    fz.bind(theta.cur, theta.next(), false);
                    fz.prog.rows(rows);
                    fz.prog.run(rng);
                    loss = fz.scalar(fz.lossOut);
                    if (detail) gradNorm = Math.sqrt(fz.scalar(fz.gradNormOut));
                } else if (reusable(rows)) {
                    loss = acceptedValue;
                    g.write(0, acceptedG, 0, acceptedG.length);
                    if (detail) {
                        double s = 0;
                        for (double v : acceptedG) s += v * v;
                        gradNorm = Math.sqrt(s);
                    }
                } else {
                    Evaluation o = objective(rows);
                    o.theta(theta.cur);
                    loss = o.run();
                    evaluations++;
                    if (detail) gradNorm = Math.sqrt(o.gradNormSquared());
                }
                accepted = false;
            }
            double f = sign * loss;
            if (t == 0 && Double.isNaN(startLoss)) startLoss = loss;
            else if (!exploded && Double.isFinite(f) && f - sign * startLoss > EXPLOSION * Math.max(Math.abs(startLoss), 1)) {
                exploded = true;
                explosions.exploded(index, step.call(), t, startLoss, loss);
            }
            if (trace != null) {
                double rate = Double.NaN;
                if (lr != null && t > 0) {
                    lrT[0] = t;
                    lr.theta(theta.cur);
                    lr.run(rng);
                    rate = lr.program.scalar(0);
                }
                trace.row(index, t, loss, gradNorm, rate, theta.cur);
            }
            if (!Double.isFinite(loss)) {
                stopped = Stop.DIVERGED;
                message = "the loss is " + word(loss) + " at step " + (t + 1) + (t > 0 ? ", after " + t + " update" + (t == 1 ? "" : "s") : ", at the start");
                return end();
            }
            if (t > 0 && trace != null && trace.wantsEpochs() && t % batches.perEpoch() == 0) { // an epoch just ended: its metrics, when asked
                if (epochs == null) epochs = new Evaluator(step);
                trace.epoch(index, t, t / batches.perEpoch(), epochs.evaluate(theta.cur));
            }
            if (t > 0 && batches.hasValidation() && t % batches.perEpoch() == 0) { // an epoch just ended
                double v = value(batches.validation(), theta.cur);
                if (trace != null) trace.validation(index, t, v);
                stall = v < bestValidation ? 0 : stall + 1;
                lastValidation = sign * v;
                if (v < bestValidation) {
                    bestValidation = v;
                    if (best == null) best = engine.allocate(theta.cur.length());
                    best.copy(0, theta.cur, 0, best.length());
                    sinceBest = 0;
                } else if (step.patience() > 0 && ++sinceBest >= step.patience() && best != null) {
                    theta.cur.copy(0, best, 0, best.length());
                    restoredEpoch = t / batches.perEpoch() - sinceBest;
                    stopped = Stop.EARLY_STOP;
                    return end();
                }
            }
            if (last) return end();
            // what the run knows, for this update's until and schedules
            runCells[0] = t / batches.perEpoch() + 1;
            runCells[1] = previousF;
            runCells[2] = lastValidation;
            runCells[3] = stall;
            previousF = f;
            double flag;
            if (fz != null) {
                if (fz.untilOut >= 0 && fz.scalar(fz.untilOut) != 0) {
                    stopped = Stop.UNTIL;
                    return end();
                }
                flag = fz.scalar(fz.flagOut);
                states.commit();
                theta.swap();
            } else {
                tCell[0] = t + 1;
                fCell[0] = f;
                if (!initialized && init != null) initStates();
                if (until != null) {
                    until.theta(theta.cur);
                    until.bind("p", theta.cur, 0);
                    bindStates(until);
                    until.run(rng);
                    if (until.program.scalar(0) != 0) {
                        stopped = Stop.UNTIL;
                        return end();
                    }
                }
                int hk = 0, gk = 0;
                for (int s = 0; s <= searches.size(); s++) {
                    // the body's hvp and grad_at calls before search s, in the body's order
                    while (true) {
                        boolean hvpNext = hk < hvpVs.size() && step.hvps().get(hk).afterSearches() == s;
                        boolean gradAtNext = gk < gradAtQs.size() && step.gradAts().get(gk).afterSearches() == s;
                        if (gradAtNext && (!hvpNext || step.gradAts().get(gk).afterHvps() <= hk)) gradientAt(gk++, t);
                        else if (hvpNext) hessianVector(hk++, t);
                        else break;
                    }
                    if (s == searches.size()) break;
                    ScriptProgram sp = searches.get(s);
                    sp.theta(theta.cur);
                    sp.bind("p", theta.cur, 0);
                    bindStates(sp);
                    sp.run(rng);
                    dev.descent.engine.Program q = sp.program;
                    searchCells[s][0] = q.scalar(6) != 0 ? wolfe(q.scalar(2), q.scalar(3), q.scalar(7), q.scalar(8), q.scalar(5), f, t)
                            : search(q.scalar(2), q.scalar(3), q.scalar(4), q.scalar(5), f, t);
                }
                boolean inPlace = update.thetaInPlace();
                update.bind(theta.cur, inPlace ? null : theta.next(), inPlace);
                update.prog.run(rng);
                flag = update.scalar(update.flagOut);
                states.commit();
                if (!inPlace) theta.swap();
            }
            System.arraycopy(runCells, 0, usedCells, 0, runCells.length);
            t++;
            if (!Double.isFinite(flag)) {
                stopped = Stop.DIVERGED;
                message = "the parameters are not finite after step " + t + " (" + firstNonFinite(theta.cur) + ")";
                if (trace != null) trace.row(index, t, Double.NaN, Double.NaN, Double.NaN, theta.cur);
                return end();
            }
            return true;
        }

        private boolean end() {
            ended = true;
            return false;
        }

        /** θ becomes the body's p_final (a state, such as ema()'s average), as it stands after the last step. */
        private void finalParameters() {
            ScriptProgram fin = new ScriptProgram(engine, List.of(step.pFinal()));
            bindStates(fin);
            Buffer out = engine.allocate(theta.cur.length());
            fin.program.bindOutput(0, out, 0);
            fin.run(rng);
            theta.cur.copy(0, out, 0, out.length());
        }

        /** A round of local steps ({@link #localRounds}), or the statement's end: the loss on every row at θ. */
        private boolean round() {
            if (t >= total || interrupted) {
                double loss = finalLoss(theta.cur);
                if (trace != null) trace.row(index, t, loss, Double.NaN, Double.NaN, theta.cur);
                if (!Double.isFinite(loss)) {
                    stopped = Stop.DIVERGED;
                    message = "the loss is " + word(loss) + " after " + t + " updates";
                }
                return end();
            }
            int k = (int) Math.min(localSteps, total - t);
            double[][] st = null;
            if (t > 0) {
                st = new double[states.size()][];
                for (int i = 0; i < st.length; i++) st[i] = states.cur[i] == null ? null : states.cur[i].toDoubles();
            }
            DataParallel.Round r = rounds.round(index, theta.cur.toDoubles(), st, t, k);
            double loss = r.loss();
            if (t == 0) startLoss = loss;
            if (trace != null) trace.row(index, t, loss, Double.NaN, Double.NaN, theta.cur);
            if (!Double.isFinite(loss)) {
                stopped = Stop.DIVERGED;
                message = "the loss is " + word(loss) + " at step " + (t + 1);
                return end();
            }
            theta.cur.write(0, r.theta(), 0, r.theta().length);
            for (int i = 0; i < states.size(); i++) if (r.states()[i] != null && states.cur[i] != null) states.cur[i].write(0, r.states()[i], 0, r.states()[i].length);
            t += k;
            if (!finite(theta.cur)) {
                stopped = Stop.DIVERGED;
                message = "the parameters are not finite after step " + t + " (" + firstNonFinite(theta.cur) + ")";
                return end();
            }
            return true;
        }

        /** How the statement ended (or stands): the objective on all data at θ, and with a validation split the training and validation losses. */
        public RunResult finish() {
            if (step.pFinal() != null && t > 0 && stopped != Stop.EARLY_STOP) finalParameters();
            boolean ok = finite(theta.cur);
            double loss = ok ? finalLoss(theta.cur) : Double.NaN;
            double train = Double.NaN, validation = Double.NaN;
            if (batches.hasValidation() && ok) {
                train = value(batches.training(false), theta.cur);
                validation = value(batches.validation(), theta.cur);
            }
            // with rows held out (validation, test), the loss is on the rows trained on, dropout off
            if ((batches.hasValidation() || batches.hasTest()) && ok) loss = Double.isNaN(train) ? value(batches.training(false), theta.cur) : train;
            return new RunResult(step.optimizer(), step.call(), t, loss, stopped, message, t / Math.max(1, batches.perEpoch()), train, validation, restoredEpoch);
        }

        /** The fused step for these rows (one per batch size), built on first use; null when it does not loop over θ (then the two programs run). */
        private StepProgram fused(Rows rows) {
            if (fused.containsKey(rows)) return fused.get(rows);
            StepProgram p = StepProgram.fused(rows.script, index - 1, states, engine, sign, detail, true);
            if (p != null) {
                p.prog.bind("t", tBuf, 0);
                p.prog.program.expectRuns(total);
            } else twoPrograms();
            fused.put(rows, p);
            return p;
        }

        /** The objective's program for these rows: value, the gradient into g (and H), for the update to read. */
        private Evaluation objective(Rows rows) {
            twoPrograms();
            Evaluation o = objectives.get(rows);
            if (o == null) {
                o = evaluation(rows.script, true, usesH, sign, detail);
                o.random(rng);
                o.gradient(g);
                if (h != null) o.hessian(h);
                o.rows(rows);
                o.expectRuns(total);
                objectives.put(rows, o);
            }
            return o;
        }

        /** Runs a program of the body's values (an hvp's v, a grad_at's q) at this step's p and states. */
        private void atThisStep(ScriptProgram prog) {
            prog.theta(theta.cur);
            prog.bind("p", theta.cur, 0);
            bindStates(prog);
            prog.run(rng);
        }

        /** hvp call k: its v at this step's p and states, then H·v at p on this step's rows, into its result. */
        private void hessianVector(int k, long t) {
            atThisStep(hvpVs.get(k));
            hessianVectorProducts++;
            Rows rows = batches.batch(t);
            if (parallel != null) {
                Evaluation.Remote remote = new Evaluation.Remote(parallel, false, false, sign, false);
                remote.rows(rows);
                double[] r = remote.request(DataParallel.Kind.HVP, theta.cur, hvpV);
                hvpOut[k].write(0, r, 1, hvpOut[k].length());
                return;
            }
            HessianVector hv = hvpPrograms.get(rows);
            if (hv == null) {
                hv = new HessianVector(rows.script, engine, sign);
                hv.rows(rows);
                hvpPrograms.put(rows, hv);
            }
            hv.bind(theta.cur, hvpV, hvpOut[k]);
            hv.run(rng);
        }

        /** grad_at call k: its q at this step's p and states, then the (signed) gradient at q on this step's rows, into its result. */
        private void gradientAt(int k, long t) {
            atThisStep(gradAtQs.get(k));
            Rows rows = batches.batch(t);
            Evaluation o = gradAtPrograms.get(rows);
            if (o == null) {
                o = evaluation(rows.script, true, false, sign, false);
                o.random(rng);
                o.rows(rows);
                gradAtPrograms.put(rows, o);
            }
            o.gradient(gradAtOut[k]);
            o.theta(gradAtQ);
            o.run();
            evaluations++;
        }

        /** The loss a mini-batch run reports at its end: on all training rows, as trained (dropout on). */
        private Evaluation endObjective() {
            if (endObjective == null) {
                endObjective = evaluation(batches.training(true).script, false, false, sign, detail);
                endObjective.random(rng);
                endObjective.rows(batches.training(true));
            }
            return endObjective;
        }

        /** The objective's value alone at x on these rows (validation, a line search's trial points). */
        private double value(Rows rows, Buffer x) {
            Evaluation o = values.get(rows);
            if (o == null) {
                o = evaluation(rows.script, false, false, 1, false);
                o.random(rng);
                o.rows(rows);
                values.put(rows, o);
            }
            o.theta(x);
            return o.run();
        }

        /** Armijo backtracking ({@link LineSearches#backtracking}) along the search's direction, on this step's rows. */
        private double search(double a0, double c, double shrink, double slope, double f, long t) {
            Rows rows = batches.batch(t);
            Buffer d = searchD, from = searchFrom, x = searchX;
            int n = x.length();
            return LineSearches.backtracking(a -> {
                for (int i = 0; i < n; i++) x.set(i, from.get(i) + a * d.get(i));
                evaluations++;
                return sign * value(rows, x);
            }, a0, c, shrink, slope, f, MAX_SEARCH_TRIES);
        }

        /** hvp(v) evaluations so far. */
        private long hessianVectorProducts;

        /** Objective evaluations so far: one per step (none where a Wolfe search's last point is reused), each line search's trials, and each grad_at call. */
        long evaluations() { return evaluations; }

        /** Whether this step's f and g are those a strong-Wolfe search left at exactly this θ (full batches, no H, no dropout). */
        private boolean reusable(Rows rows) {
            if (!reusing || !accepted || batches.active() || usesH || rows != batches.batch(t)) return false;
            if (script.options.training() && Batches.hasRandom(script.objective)) return false;
            Buffer x = theta.cur;
            for (int i = 0, n = x.length(); i < n; i++)
                if (Double.doubleToRawLongBits(x.get(i)) != Double.doubleToRawLongBits(acceptedX.get(i))) return false;
            return true;
        }

        /** f and g at from + a·d on these rows (a trial of the strong-Wolfe search). */
        private LineSearches.Trial trial(Rows rows, double a) {
            Buffer d = searchD, from = searchFrom, x = searchX;
            int n = x.length();
            for (int i = 0; i < n; i++) x.set(i, from.get(i) + a * d.get(i));
            Evaluation o = searchObjectives.get(rows);
            if (o == null) {
                if (searchG == null) searchG = engine.allocate(n);
                o = evaluation(rows.script, true, false, sign, false);
                o.random(rng);
                o.gradient(searchG);
                o.rows(rows);
                searchObjectives.put(rows, o);
            }
            o.theta(x);
            double value = o.run();
            evaluations++;
            double[] gx = new double[n];
            searchG.read(0, gx, 0, n);
            double gtd = 0;
            for (int i = 0; i < n; i++) gtd += gx[i] * d.get(i);
            return new LineSearches.Trial(a, sign * value, value, gx, gtd);
        }

        /**
         * The strong-Wolfe line search ({@link LineSearches#wolfe}) along the search's direction, on
         * this step's rows; the accepted point's f and g are kept for the next step.
         */
        private double wolfe(double a0, double c1, double c2, double maxEvalsValue, double gtd, double f, long t) {
            accepted = false;
            Rows rows = batches.batch(t);
            int maxEvals = (int) Math.max(1, Math.min(1e6, Math.floor(maxEvalsValue)));
            Buffer d = searchD;
            double dNorm = 0;
            for (int i = 0, n = d.length(); i < n; i++) dNorm = Math.max(dNorm, Math.abs(d.get(i)));
            LineSearches.Trial best = LineSearches.wolfe(a -> trial(rows, a), a0, c1, c2, maxEvals, gtd, f, dNorm);
            if (best.g() != null) {
                Buffer from = searchFrom;
                if (acceptedX == null) acceptedX = engine.allocate(d.length());
                for (int i = 0, n = d.length(); i < n; i++) acceptedX.set(i, from.get(i) + best.a() * d.get(i));
                acceptedG = best.g();
                acceptedValue = best.value();
                accepted = true;
            }
            return best.a();
        }
    }

    private Evaluation finalEval;

    /** The objective as written, on all data, for evaluation (dropout is the identity), at θ. */
    private double finalLoss(Buffer theta) {
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

    private String firstNonFinite(Buffer theta) {
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
