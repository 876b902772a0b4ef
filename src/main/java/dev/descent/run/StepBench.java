package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.engine.Program;
import dev.descent.engine.simd.Triad;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

/**
 * Times what {@code descent bench} reports, through the code that runs it everywhere else:
 * <ul>
 *   <li>{@link #script}: a step of the script's first optimize statement exactly as {@code run}
 *       takes it ({@link StatementRun#advance}: the objective's value and gradient on its batch, the
 *       update, fused where the driver fuses them), from the script's own start;</li>
 *   <li>{@link #update}: the optimizer's update alone for θ of n elements, with p and g seeded
 *       random values in [−1, 1] and f = 1: the driver's own update program
 *       ({@link GradientStep}), which is what the Java API's {@code Optimizer.step} runs and what
 *       a step that is not fused runs after the objective.</li>
 * </ul>
 * Buffers are allocated before timing; every measurement follows a warm-up of about the same
 * length, and is timed with {@link System#nanoTime}. Traffic per step counts each array of more
 * than one element that the step's programs read, and each they write, once.
 */
public final class StepBench {
    /** One measurement: {@code steps} timed, {@code nanos} in all. */
    public record Timing(String engine, Precision precision, int threads, long steps, long nanos) {
        public double nsPerStep() { return (double) nanos / steps; }
    }

    /** Which steps to time: exactly {@code steps} (after as many to warm up), or as many as fit in {@code seconds}. */
    public record Plan(long steps, double seconds, boolean cap) {
        /** Exactly k steps after k to warm up. */
        public static Plan exactly(long k) { return new Plan(k, Double.POSITIVE_INFINITY, false); }

        /** As many as take about this long, after a warm-up as long. */
        public static Plan forSeconds(double s) { return new Plan(Long.MAX_VALUE, s, false); }

        /** At most k, fewer when k would take longer than s (for a slow engine). */
        public static Plan atMost(long k, double s) { return new Plan(k, s, true); }
    }

    private final Script script;
    private final Dag dag;
    private final Step step;
    private final int n;
    private final long seed;
    private final double[] p0, g0;
    private double[] finalP;
    private int arraysRead = -1, arraysWritten = -1;
    private long elementsPerStep = -1;

    private StepBench(Script script, Dag dag, Step step, int n, long seed, double[] p0, double[] g0) {
        this.script = script;
        this.dag = dag;
        this.step = step;
        this.n = n;
        this.seed = seed;
        this.p0 = p0;
        this.g0 = g0;
    }

    /** A step of the script's first optimize statement as {@code run} takes it, from the script's start (seeded by {@code seed}). */
    public static StepBench script(Script script, long seed) {
        double[] start = script.initialTheta(seed);
        return new StepBench(script, script.dag, null, start.length, seed, start, null);
    }

    /**
     * The update of {@code step} (elaborated for θ of {@code n}, its nodes in {@code dag}: an
     * {@link dev.descent.check.OptimizerStep}'s) alone. Refuses (IllegalArgumentException) a step
     * that needs the objective.
     */
    public static StepBench update(Dag dag, Step step, int n, long seed) {
        String why = step.needsObjective();
        if (why != null) throw new IllegalArgumentException(why);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] p = new double[n], g = new double[n];
        for (int i = 0; i < n; i++) p[i] = 2 * rng.nextDouble() - 1;
        for (int i = 0; i < n; i++) g[i] = 2 * rng.nextDouble() - 1;
        return new StepBench(null, dag, step, n, seed, p, g);
    }

    /** True when the update reads H or the result of a line search (so it needs the objective). */
    public static boolean needsObjective(Step step) { return step.needsObjective() != null; }

    /** Whether this times a whole step of the script (else the update alone). */
    public boolean wholeStep() { return step == null; }

    public int n() { return n; }

    /** Arrays of more than one element a step reads (known after a timing). */
    public int arraysRead() { return arraysRead; }

    /** Arrays of more than one element a step writes (known after a timing). */
    public int arraysWritten() { return arraysWritten; }

    /** Elements moved per step: the sizes of the arrays read and written. */
    public long elementsPerStep() { return elementsPerStep; }

    /** Bytes moved per step with elements of this many bytes. */
    public long bytesPerStep(int elementBytes) { return elementsPerStep * elementBytes; }

    /** The parameters after the last run's timed steps (float64), or null before any run. */
    public double[] finalP() { return finalP; }

    /** The parameters the runs start from. */
    public double[] initialP() { return p0.clone(); }

    /** Times the step on this engine; {@code label} names the row ("compiled", "simd", "scalar"). */
    public Timing time(Engine engine, String label, Plan plan) {
        int used = engine.threadsFor(n);
        return step == null ? timeScript(engine, label, used, plan) : timeUpdate(engine, label, used, plan);
    }

    private Timing timeScript(Engine engine, String label, int used, Plan plan) {
        Driver d = new Driver(script, seed, engine);
        StatementRun[] run = {d.bench(1)};
        LongUnaryOperator steps = k -> {
            long t0 = System.nanoTime();
            for (long s = 0; s < k; s++)
                if (!run[0].advance()) run[0] = d.bench(1); // until, divergence or early stopping ended it: from the start again
            return System.nanoTime() - t0;
        };
        Timing t = measure(label, engine.precision(), used, steps, plan);
        finalP = run[0].parameters().toDoubles();
        traffic(run[0].programs());
        return t;
    }

    private Timing timeUpdate(Engine engine, String label, int used, Plan plan) {
        GradientStep u = new GradientStep(dag, step, engine, 1);
        Buffer p = engine.allocate(n), g = engine.allocate(n);
        p.write(0, p0, 0, n);
        g.write(0, g0, 0, n);
        LongUnaryOperator steps = k -> {
            long t0 = System.nanoTime();
            for (long s = 0; s < k; s++) u.step(p, g);
            return System.nanoTime() - t0;
        };
        Timing t = measure(label, engine.precision(), used, steps, plan);
        finalP = p.toDoubles();
        arraysRead = u.arraysRead();
        arraysWritten = u.arraysWritten();
        elementsPerStep = (long) (arraysRead + arraysWritten) * n;
        return t;
    }

    /** Arrays (of more than one element) that these programs read and write, each counted once per program. */
    private void traffic(List<Program> programs) {
        int r = 0, w = 0;
        long e = 0;
        for (Program p : programs) {
            for (Node l : p.leaves())
                if (l.shape.size() > 1) {
                    r++;
                    e += l.shape.size();
                }
            for (Node o : p.outputs())
                if (o.shape.size() > 1) {
                    w++;
                    e += o.shape.size();
                }
        }
        arraysRead = r;
        arraysWritten = w;
        elementsPerStep = e;
    }

    /** The triad a = b + s·c over arrays larger than the caches: bytes per element are {@link Triad#bytesPerElement}. */
    public static Timing triad(Triad triad, Precision precision, Plan plan) {
        double[] sink = {0};
        LongUnaryOperator run = k -> {
            long t0 = System.nanoTime();
            for (long s = 0; s < k; s++) triad.pass();
            long ns = System.nanoTime() - t0;
            sink[0] += triad.sample();
            return ns;
        };
        return measure("triad", precision, triad.threads(), run, plan);
    }

    /**
     * Warm-up, then the timed steps: see {@link Plan}. {@code run.applyAsLong(k)} runs k steps and
     * returns the nanoseconds they took. A timed warm-up runs batches of steps (1, 2, 4, …) until it
     * has lasted the plan's seconds and run at least {@link #WARM_BATCHES} batches (the first steps
     * run before the JIT has compiled the loops, and can be many times slower); the number of timed
     * steps comes from the last batch's rate.
     */
    static Timing measure(String engine, Precision precision, int threads, LongUnaryOperator run, Plan plan) {
        long k;
        if (!plan.cap() && plan.steps() != Long.MAX_VALUE) {
            run.applyAsLong(plan.steps());
            k = plan.steps();
        } else {
            long limit = plan.steps(), done = 0, total = 0, batch = 1;
            double target = plan.seconds() * 1e9, rate = Double.NaN;
            int batches = 0;
            while ((total < target || batches < WARM_BATCHES) && done < limit && total < WARM_LIMIT * target) {
                long b = Math.min(batch, limit - done);
                long ns = Math.max(1, run.applyAsLong(b));
                total += ns;
                done += b;
                batches++;
                rate = (double) ns / b;
                batch = Math.max(1, Math.min(2 * b, (long) ((target - total) / rate)));
            }
            k = Math.max(1, Math.min(limit, Math.round(target / rate)));
        }
        long ns = Math.max(1, run.applyAsLong(k));
        return new Timing(engine, precision, threads, k, ns);
    }

    /** Batches of steps a timed warm-up runs at least, and how many times its target it may last at most. */
    static final int WARM_BATCHES = 3, WARM_LIMIT = 5;
}
