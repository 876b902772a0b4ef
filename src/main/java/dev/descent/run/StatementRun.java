package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import dev.descent.run.Driver.Checkpoint;
import dev.descent.run.Driver.RunResult;
import dev.descent.run.Driver.Trace;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimize statement in progress. Each {@link #advance} is one pass of the driver's loop:
 * f and g at θ on the next batch, the validation loss and early stopping when an epoch has
 * just ended, the until condition and line searches, then the update. {@link Driver#run} runs one
 * per statement; {@link Driver#start} and {@link Driver#bench} hand one to a caller to advance.
 */
public final class StatementRun {
    final Driver driver;
    /** The driver's script, engine, generator, seed, sign (−1 for maximize) and converted data columns. */
    final Script script;
    final Engine engine;
    final Rng rng;
    private final long seed;
    final double sign;
    private final Map<String, Buffer> converted;
    final int index;
    final Step step;
    final Theta theta;
    private final Trace trace;
    private final boolean detail, fuse;
    final boolean usesH;
    final Batches batches;
    final States states;
    /** The body's line searches, hvp and grad_at calls (two-program steps). */
    final BodyCalls calls;
    /** The most updates (a round of local steps moves it: {@link LocalRunner}). */
    long total;
    /** Cells the programs read: t, f (float64 whatever the precision), and t for the learning rate and state starts. */
    private final double[] tCell = {1}, fCell = {0}, lrT = {1}, one = {1};
    private final Buffer tBuf = Buffer.of(tCell), fBuf = Buffer.of(fCell), lrTBuf = Buffer.of(lrT), oneBuf = Buffer.of(one);
    /** epoch, f_prev, val_loss, val_stall ({@link Step#RUN_NAMES}): for the next update, and as the last update saw them. */
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
    /** Evaluations of the objective made by this statement's steps and line searches (the end report's aside). */
    long evaluations;
    private Evaluation endObjective;
    private boolean initialized;
    long t = 0;
    Stop stopped = Stop.STEPS;
    private String message = null;
    private double bestValidation = Double.POSITIVE_INFINITY;
    private Buffer best;
    private long sinceBest = 0;
    /** After early stopping: the epoch whose parameters were restored. */
    private long restoredEpoch = 0;
    boolean ended, interrupted;

    /** {@code steps}: the most updates (-1: the statement's own count). */
    StatementRun(Driver driver, int index, Step step, Theta theta, Trace trace, long steps) {
        this.driver = driver;
        this.script = driver.script;
        this.engine = driver.engine;
        this.rng = driver.rng;
        this.seed = driver.seed;
        this.sign = driver.sign;
        this.converted = driver.converted;
        this.index = index;
        this.step = step;
        this.theta = theta;
        this.trace = trace;
        this.detail = trace != null && trace.wantsDetail();
        batches = new Batches(script, step, rng, seed, engine.precision(), converted, driver.parallel != null);
        total = steps >= 0 ? steps : step.unit() == dev.descent.syntax.Ast.Unit.EPOCHS ? step.count() * batches.perEpoch() : step.count();
        states = new States(step, engine, step.runRoots());
        usesH = step.usesHessian();
        calls = new BodyCalls(this);
        List<Node> inits = new ArrayList<>();
        for (int i : states.live) inits.add(step.stateInits().get(i));
        BitSet initReach = Reach.ids(inits);
        boolean initReadsGradient = initReach.get(step.g().id) || initReach.get(step.f().id);
        // a step that reads what the run knows between steps (val_loss, …) runs as two programs, which read it when it is known
        fuse = driver.fusing && driver.parallel == null && StepProgram.fusable(script, step, usesH, initReadsGradient) && !readsRunNames(step);
        // the fused step of the first batch first, so that its compilation (when the run is long) starts
        // in the background before the states and the second θ are allocated and filled
        if (fuse) fused(batches.batch(0));
        states.allocate();
        if (fuse) theta.next();
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
    private SplitEvaluator epochs;

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
        calls.allocate();
        update = StepProgram.update(script, step, states, engine);
        bindInputs(update.prog);
        calls.buildCalls(this::bindInputs);
        if (step.until() != null) {
            until = new ScriptProgram(engine, List.of(step.until()));
            bindInputs(until);
        }
        calls.buildSearches(this::bindInputs);
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
        calls.bind(p);
        bindStates(p);
        p.rows(batches.all(true));
    }

    /** The states' current buffers (a state updated into its second buffer swaps them). */
    void bindStates(ScriptProgram p) {
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
        if (driver.every <= 0 || t == 0) return false;
        long period = step.unit() == dev.descent.syntax.Ast.Unit.EPOCHS ? driver.every * batches.perEpoch() : driver.every;
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
        if (driver.rounds != null) return round();
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
            } else if (calls.reusable(rows)) {
                loss = calls.acceptedValue;
                g.write(0, calls.acceptedG, 0, calls.acceptedG.length);
                if (detail) {
                    double s = 0;
                    for (double v : calls.acceptedG) s += v * v;
                    gradNorm = Math.sqrt(s);
                }
            } else {
                Evaluation o = objective(rows);
                o.theta(theta.cur);
                loss = o.run();
                evaluations++;
                if (detail) gradNorm = Math.sqrt(o.gradNormSquared());
            }
            calls.accepted = false;
        }
        double f = sign * loss;
        if (t == 0 && Double.isNaN(startLoss)) startLoss = loss;
        else if (!exploded && Double.isFinite(f) && f - sign * startLoss > Driver.EXPLOSION * Math.max(Math.abs(startLoss), 1)) {
            exploded = true;
            driver.explosions.exploded(index, step.call(), t, startLoss, loss);
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
            message = "the loss is " + Driver.word(loss) + " at step " + (t + 1) + (t > 0 ? ", after " + t + " update" + (t == 1 ? "" : "s") : ", at the start");
            return end();
        }
        if (t > 0 && trace != null && trace.wantsEpochs() && t % batches.perEpoch() == 0) { // an epoch just ended: its metrics, when asked
            if (epochs == null) epochs = new SplitEvaluator(driver, step);
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
            calls.run(f, t);
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
            message = "the parameters are not finite after step " + t + " (" + driver.firstNonFinite(theta.cur) + ")";
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
            double loss = driver.finalLoss(theta.cur);
            if (trace != null) trace.row(index, t, loss, Double.NaN, Double.NaN, theta.cur);
            if (!Double.isFinite(loss)) {
                stopped = Stop.DIVERGED;
                message = "the loss is " + Driver.word(loss) + " after " + t + " updates";
            }
            return end();
        }
        int k = (int) Math.min(driver.localSteps, total - t);
        double[][] st = null;
        if (t > 0) {
            st = new double[states.size()][];
            for (int i = 0; i < st.length; i++) st[i] = states.cur[i] == null ? null : states.cur[i].toDoubles();
        }
        DataParallel.Round r = driver.rounds.round(index, theta.cur.toDoubles(), st, t, k);
        double loss = r.loss();
        if (t == 0) startLoss = loss;
        if (trace != null) trace.row(index, t, loss, Double.NaN, Double.NaN, theta.cur);
        if (!Double.isFinite(loss)) {
            stopped = Stop.DIVERGED;
            message = "the loss is " + Driver.word(loss) + " at step " + (t + 1);
            return end();
        }
        theta.cur.write(0, r.theta(), 0, r.theta().length);
        for (int i = 0; i < states.size(); i++) if (r.states()[i] != null && states.cur[i] != null) states.cur[i].write(0, r.states()[i], 0, r.states()[i].length);
        t += k;
        if (!Driver.finite(theta.cur)) {
            stopped = Stop.DIVERGED;
            message = "the parameters are not finite after step " + t + " (" + driver.firstNonFinite(theta.cur) + ")";
            return end();
        }
        return true;
    }

    /** How the statement ended (or stands): the objective on all data at θ, and with a validation split the training and validation losses. */
    public RunResult finish() {
        if (step.pFinal() != null && t > 0 && stopped != Stop.EARLY_STOP) finalParameters();
        boolean ok = Driver.finite(theta.cur);
        double loss = ok ? driver.finalLoss(theta.cur) : Double.NaN;
        double train = Double.NaN, validation = Double.NaN;
        if (batches.hasValidation() && ok) {
            train = value(batches.training(false), theta.cur);
            validation = value(batches.validation(), theta.cur);
        }
        // with rows held out (validation, test), the loss is on the rows trained on, dropout off
        if ((batches.hasValidation() || batches.hasTest()) && ok) loss = Double.isNaN(train) ? value(batches.training(false), theta.cur) : train;
        return new RunResult(step.optimizer(), step.call(), t, loss, stopped, message, t / Math.max(1, batches.perEpoch()), train, validation, restoredEpoch);
    }

    /** Whether this statement's steps run fused (its first batch's fused step loops over θ). */
    boolean runsFused() { return fuse && fused(batches.batch(0)) != null; }

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
            o = driver.evaluation(rows.script, true, usesH, sign, detail);
            o.random(rng);
            o.gradient(g);
            if (h != null) o.hessian(h);
            o.rows(rows);
            o.expectRuns(total);
            objectives.put(rows, o);
        }
        return o;
    }


    /** The loss a mini-batch run reports at its end: on all training rows, as trained (dropout on). */
    private Evaluation endObjective() {
        if (endObjective == null) {
            endObjective = driver.evaluation(batches.training(true).script, false, false, sign, detail);
            endObjective.random(rng);
            endObjective.rows(batches.training(true));
        }
        return endObjective;
    }

    /** The objective's value alone at x on these rows (validation, a line search's trial points). */
    double value(Rows rows, Buffer x) {
        Evaluation o = values.get(rows);
        if (o == null) {
            o = driver.evaluation(rows.script, false, false, 1, false);
            o.random(rng);
            o.rows(rows);
            values.put(rows, o);
        }
        o.theta(x);
        return o.run();
    }

    /** Objective evaluations so far: one per step (none where a Wolfe search's last point is reused), each line search's trials, and each grad_at call. */
    long evaluations() { return evaluations; }

}
