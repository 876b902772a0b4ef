package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Env;
import dev.descent.engine.Engine;
import dev.descent.engine.Program;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a script's {@code optimize} statements in order, each from where the last
 * one left the parameters, with fresh optimizer state and t from 1. Each step:
 * f, g (and H when the body uses it) at θ; the {@code until} condition; the
 * line searches; the update. A non-finite loss or parameter stops the run.
 * For {@code maximize F} the optimizer minimizes −F, so inside its body (and in
 * {@code until}) f = −F and g = −∇F.
 */
public final class Driver {
    /**
     * How one optimize statement ended. {@code stopped} is "steps", "until", "diverged" or
     * "early_stop"; {@code loss} is the objective on all data at its end; with a validation
     * split, the training and validation losses too (else NaN).
     */
    public record RunResult(String optimizer, String call, long steps, double loss, String stopped, String message,
                            long epochs, double trainLoss, double validationLoss) {}

    /** The final parameters, the objective as written there, and each run's result. */
    public record Result(double[] theta, double loss, List<RunResult> runs) {
        public boolean diverged() { return runs.stream().anyMatch(r -> r.stopped().equals("diverged")); }
    }

    /** Receives one row per point visited: {@code step} updates made so far in run {@code run} (from 1). */
    public interface Trace {
        /** {@code loss} is f as the optimizer saw it at this point (on its batch, in a mini-batch run). */
        void row(int run, long step, double loss, double gradNorm, double lr, double[] theta);

        /** The validation loss after an epoch, which ended at {@code step}; follows that step's row. */
        default void validation(int run, long step, double loss) {}
    }

    private static final int MAX_SEARCH_TRIES = 50;

    private final Script script;
    private final SplittableRandom rng;
    private final long seed;
    private final double sign;

    private final Engine engine;

    public Driver(Script script, long seed) { this(script, seed, Engine.SCALAR); }

    public Driver(Script script, long seed, Engine engine) {
        this.script = script;
        this.engine = engine;
        this.seed = seed;
        this.rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        this.sign = script.maximize ? -1 : 1;
    }

    public Result run(double[] start, Trace trace) {
        double[] theta = start.clone();
        List<RunResult> results = new ArrayList<>();
        for (int k = 0; k < script.steps.size(); k++) {
            RunResult r = runOne(k + 1, script.steps.get(k), theta, trace);
            results.add(r);
            if (r.stopped().equals("diverged")) break;
        }
        double loss = finite(theta) ? finalObjective().evaluate(theta).value() : Double.NaN;
        return new Result(theta, loss, results);
    }

    /** Runs one optimize statement, updating theta in place. */
    private RunResult runOne(int index, Step step, double[] theta, Trace trace) {
        Run r = new Run(index, step, theta, trace);
        while (r.advance()) {}
        return r.finish();
    }

    /**
     * Starts optimize statement {@code index} (from 1) at {@code theta}, which it updates in
     * place, to be advanced by the caller: what {@link #run} does for each statement, a step or
     * an epoch at a time (benchmarks time epochs of training this way, without the run's
     * setup and final report). Its optimizer state starts fresh, with t = 1.
     */
    public Run start(int index, double[] theta, Trace trace) {
        if (index < 1 || index > script.steps.size())
            throw new IllegalArgumentException("the script has " + script.steps.size() + " optimize statement(s), not a statement " + index);
        return new Run(index, script.steps.get(index - 1), theta, trace);
    }

    /**
     * One optimize statement in progress. Each {@link #advance} is one pass of the driver's
     * loop: f and g at θ on the next batch, the validation loss and early stopping when an
     * epoch has just ended, the until condition and line searches, then the update.
     */
    public final class Run {
        private final int index;
        private final Step step;
        private final double[] theta;
        private final Trace trace;
        private final StepPrograms prog;
        private final boolean usesH;
        private final Batches batches;
        private final Map<Node, double[]> inputs = new IdentityHashMap<>();
        private final double[] tv = {1}, fv = {0};
        private final Env env;
        private final double[][] states;
        private final long total;
        private long t = 0;
        private String stopped = "steps", message = null;
        private double bestValidation = Double.POSITIVE_INFINITY;
        private double[] best = null;
        private long sinceBest = 0;
        private boolean ended;

        private Run(int index, Step step, double[] theta, Trace trace) {
            this.index = index;
            this.step = step;
            this.theta = theta;
            this.trace = trace;
            prog = new StepPrograms(step, engine);
            usesH = prog.uses(step.hessian());
            batches = new Batches(script, step, rng, seed, engine);
            inputs.put(step.t(), tv);
            inputs.put(step.f(), fv);
            env = leaf -> leafValue(leaf, inputs, theta);

            // states start from their declared values, with t = 1; the driver owns their arrays
            double[][] init = prog.init.run(env);
            states = new double[step.stateInputs().size()][];
            for (int i = 0; i < states.length; i++) {
                states[i] = init[i];
                inputs.put(step.stateInputs().get(i), states[i]);
            }
            inputs.put(step.p(), theta);
            total = step.unit() == dev.descent.syntax.Ast.Unit.EPOCHS ? step.count() * batches.perEpoch() : step.count();
        }

        /** Updates made so far. */
        public long steps() { return t; }

        /** Steps per epoch: the batches of the training rows (1 without data batches). */
        public long stepsPerEpoch() { return batches.perEpoch(); }

        /** Advances {@link #stepsPerEpoch()} passes; false once the statement has ended. */
        public boolean epoch() {
            for (long k = batches.perEpoch(); k > 0; k--) if (!advance()) return false;
            return true;
        }

        /** One pass of the loop; false once the statement has ended (steps done, until, early stop, divergence). */
        public boolean advance() {
            if (ended) return false;
            Objective.Result r = t == total && batches.active() ? batches.trainingLoss(theta, false)
                    : batches.evaluate(t, theta, usesH);
            double f = sign * r.value();
            double[] g = r.gradient();
            if (sign < 0 && g != null) for (int i = 0; i < g.length; i++) g[i] = -g[i];
            double lr = Double.NaN;
            if (trace != null) {
                if (t > 0 && prog.lr != null) { tv[0] = t; prog.lr.execute(env); lr = prog.lr.output(0)[0]; }
                trace.row(index, t, r.value(), g == null ? Double.NaN : norm(g), lr, theta);
            }
            if (!Double.isFinite(r.value())) {
                stopped = "diverged";
                message = "the loss is " + word(r.value()) + " at step " + (t + 1) + (t > 0 ? ", after " + t + " update" + (t == 1 ? "" : "s") : ", at the start");
                return end();
            }
            if (t > 0 && batches.hasValidation() && t % batches.perEpoch() == 0) { // an epoch just ended
                double v = batches.validationLoss(theta);
                if (trace != null) trace.validation(index, t, v);
                if (v < bestValidation) {
                    bestValidation = v;
                    best = theta.clone();
                    sinceBest = 0;
                } else if (step.patience() > 0 && ++sinceBest >= step.patience()) {
                    System.arraycopy(best, 0, theta, 0, theta.length);
                    stopped = "early_stop";
                    return end();
                }
            }
            if (t == total) return end();
            tv[0] = t + 1;
            fv[0] = f;
            inputs.put(step.g(), g);
            if (usesH) {
                double[][] h = r.hessian();
                double[] flat = new double[theta.length * theta.length];
                for (int i = 0; i < h.length; i++)
                    for (int j = 0; j < h.length; j++) flat[i * h.length + j] = sign * h[i][j];
                inputs.put(step.hessian(), flat);
            }
            if (prog.until != null && untilHolds(prog.until, env)) {
                stopped = "until";
                return end();
            }
            for (int s = 0; s < step.searches().size(); s++) {
                Step.LineSearch ls = step.searches().get(s);
                double[][] v = prog.searches.get(s).run(env);
                final long tt = t;
                inputs.put(ls.result(), new double[] {search(v[0], v[1], v[2][0], v[3][0], v[4][0], v[5][0], f, x -> batches.value(tt, x))});
            }
            prog.main.execute(env);
            // copy out: the engine's buffers are rewritten by its next run, which reads these arrays
            System.arraycopy(prog.main.output(0), 0, theta, 0, theta.length);
            for (int i = 0; i < states.length; i++) System.arraycopy(prog.main.output(i + 1), 0, states[i], 0, states[i].length);
            t++;
            if (!finite(theta)) {
                stopped = "diverged";
                message = "the parameters are not finite after step " + t + " (" + firstNonFinite(theta) + ")";
                if (trace != null) trace.row(index, t, Double.NaN, Double.NaN, Double.NaN, theta);
                return end();
            }
            return true;
        }

        private boolean end() {
            ended = true;
            return false;
        }

        /** How the statement ended (or stands): the objective on all data at θ, and with a validation split the training and validation losses. */
        public RunResult finish() {
            double loss = finite(theta) ? finalObjective().evaluate(theta).value() : Double.NaN;
            double train = Double.NaN, validation = Double.NaN;
            if (batches.hasValidation() && finite(theta)) {
                train = batches.trainingLoss(theta, true).value();
                validation = batches.validationLoss(theta);
            }
            return new RunResult(step.optimizer(), step.call(), t, loss, stopped, message, t / Math.max(1, batches.perEpoch()), train, validation);
        }
    }

    private Objective finalEval;

    /** The objective as written, on all data, for evaluation (dropout is the identity). */
    private Objective finalObjective() {
        if (finalEval == null) {
            Script eval = script.options.training() && Batches.hasRandom(script.objective) ? script.instance(false, Map.of()) : script;
            finalEval = Objective.valueOnly(eval, engine);
        }
        return finalEval;
    }

    private static boolean untilHolds(Program until, Env env) {
        until.execute(env);
        return until.output(0)[0] != 0;
    }

    /** Armijo backtracking: the first a = a0·shrinkᵏ with f(from + a·d) ≤ f + c·a·slope, or 0 when none of 50 tries is. */
    private double search(double[] d, double[] from, double a0, double c, double shrink, double slope, double f,
                          java.util.function.ToDoubleFunction<double[]> objective) {
        double[] x = new double[from.length];
        double a = a0;
        for (int k = 0; k < MAX_SEARCH_TRIES; k++) {
            for (int i = 0; i < x.length; i++) x[i] = from[i] + a * d[i];
            double fx = sign * objective.applyAsDouble(x);
            if (fx <= f + c * a * slope) return a;
            a *= shrink;
        }
        return 0;
    }

    private double[] leafValue(Node leaf, Map<Node, double[]> inputs, double[] theta) {
        if (leaf.op == Op.INPUT) {
            double[] v = inputs.get(leaf);
            if (v == null) throw new IllegalStateException("no value for input " + leaf.attr);
            return v;
        }
        if (leaf.op == Op.PARAM) {
            Attr.Param p = (Attr.Param) leaf.attr;
            return p.slice(theta);
        }
        if (leaf.op == Op.DATA) {
            Attr.Column c = (Attr.Column) leaf.attr;
            return script.data.get(c.data()).columns().get(c.column());
        }
        if (leaf.op == Op.RANDOM) return Objective.mask((Attr.Random) leaf.attr, leaf.shape.size(), rng);
        throw new IllegalStateException("no value for " + leaf.op);
    }

    /** The engine programs of one step: state starts, until, the line searches' arguments, the update, the lr. */
    private static final class StepPrograms {
        final Program init, main;
        final Program until, lr;
        final List<Program> searches = new ArrayList<>();
        private final java.util.BitSet reachable = new java.util.BitSet();

        StepPrograms(Step s, Engine engine) {
            init = engine.compile(s.stateInits());
            until = s.until() == null ? null : engine.compile(List.of(s.until()));
            lr = s.lr() == null ? null : engine.compile(List.of(s.lr()));
            for (Step.LineSearch ls : s.searches())
                searches.add(engine.compile(List.of(ls.direction(), ls.from(), ls.a0(), ls.c(), ls.shrink(), ls.slope())));
            List<Node> outs = new ArrayList<>();
            outs.add(s.pOutput());
            outs.addAll(s.stateOutputs());
            main = engine.compile(outs);
            for (Node n : outs) mark(n);
            for (Step.LineSearch ls : s.searches()) { mark(ls.direction()); mark(ls.from()); mark(ls.slope()); }
        }

        private void mark(Node n) {
            java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
            stack.push(n);
            while (!stack.isEmpty()) {
                Node x = stack.pop();
                if (reachable.get(x.id)) continue;
                reachable.set(x.id);
                for (int i = 0; i < x.arity(); i++) stack.push(x.in(i));
            }
        }

        boolean uses(Node input) { return reachable.get(input.id); }
    }

    static boolean finite(double[] v) {
        for (double x : v) if (!Double.isFinite(x)) return false;
        return true;
    }

    private String firstNonFinite(double[] theta) {
        for (Script.Param p : script.params) {
            for (int i = 0; i < p.shape().size(); i++) {
                double v = theta[p.offset() + i];
                if (!Double.isFinite(v)) return (p.shape().isScalar() ? p.name() : p.name() + "[" + i + "]") + " is " + word(v);
            }
        }
        return "a parameter is not finite";
    }

    static String word(double v) { return Double.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf"; }

    static double norm(double[] g) {
        double s = 0;
        for (double x : g) s += x * x;
        return Math.sqrt(s);
    }
}
