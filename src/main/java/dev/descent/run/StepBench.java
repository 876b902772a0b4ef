package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.engine.simd.Triad;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

/**
 * Times an optimizer's step (what {@code descent bench} reports): the step's update program,
 * the new p and the new states, over θ of n elements, with p and g seeded random values in
 * [−1, 1], f = 1, t advancing by one each step and the states from their starts. Each step's
 * outputs are the next step's p and states, so the work is real; g stays fixed (the objective
 * is not part of what is timed). Arrays are allocated once, before timing; every measurement
 * follows a warm-up of about the same length, and is timed with {@link System#nanoTime}.
 *
 * <p>Traffic per step: every leaf array the step reads (p, g, the array states) once and every
 * output written once; arrays of one element (t, f, scalar states) are left out.
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
    private final Step step;
    private final int n;
    private final List<Node> outputs = new ArrayList<>();
    /** The leaves the update reads, in id order. */
    private final List<Node> leaves;
    private final double[] p0, g0;
    private final double[][] stateStarts;
    private double[] finalP;

    /** Refuses (IllegalArgumentException) a step whose update needs the objective: H or a line search. */
    public StepBench(Script script, Step step, int n, long seed) {
        this.script = script;
        this.step = step;
        this.n = n;
        if (needsObjective(step))
            throw new IllegalArgumentException("bench measures an optimizer's update; newton and cg need the objective's Hessian or line search");
        outputs.add(step.pOutput());
        outputs.addAll(step.stateOutputs());
        leaves = leaves(outputs);
        for (Node l : leaves)
            if (l.op == Op.RANDOM || l.op == Op.INPUT && !isKnownInput(l))
                throw new IllegalArgumentException("bench cannot give a value to " + l.op + " " + l.attr + " in the step of " + step.call());
        SplittableRandom rng = new SplittableRandom(seed);
        p0 = new double[n];
        g0 = new double[n];
        for (int i = 0; i < n; i++) p0[i] = 2 * rng.nextDouble() - 1;
        for (int i = 0; i < n; i++) g0[i] = 2 * rng.nextDouble() - 1;
        Map<Node, double[]> start = new IdentityHashMap<>();
        start.put(step.p(), p0);
        start.put(step.g(), g0);
        start.put(step.f(), new double[] {1});
        start.put(step.t(), new double[] {1});
        Env env = leaf -> value(leaf, start);
        stateStarts = step.stateInits().isEmpty() ? new double[0][] : new ScalarProgram(step.stateInits()).run(env);
    }

    /** True when the update reads H or the result of a line search (so it needs the objective). */
    public static boolean needsObjective(Step step) {
        if (!step.searches().isEmpty()) return true;
        List<Node> outs = new ArrayList<>();
        outs.add(step.pOutput());
        outs.addAll(step.stateOutputs());
        for (Node l : leaves(outs)) if (l == step.hessian()) return true;
        return false;
    }

    private boolean isKnownInput(Node l) {
        return l == step.p() || l == step.g() || l == step.f() || l == step.t() || step.stateInputs().contains(l);
    }

    public int n() { return n; }

    /** Arrays of more than one element the step reads. */
    public int arraysRead() {
        int k = 0;
        for (Node l : leaves) if (l.shape.size() > 1) k++;
        return k;
    }

    /** Arrays of more than one element the step writes. */
    public int arraysWritten() {
        int k = 0;
        for (Node o : outputs) if (o.shape.size() > 1) k++;
        return k;
    }

    /** Elements moved per step: the sizes of the arrays read and written. */
    public long elementsPerStep() {
        long e = 0;
        for (Node l : leaves) if (l.shape.size() > 1) e += l.shape.size();
        for (Node o : outputs) if (o.shape.size() > 1) e += o.shape.size();
        return e;
    }

    /** Bytes moved per step with elements of this many bytes. */
    public long bytesPerStep(int elementBytes) { return elementsPerStep() * elementBytes; }

    /** The parameters after the last run's timed steps (float64), or null before any run. */
    public double[] finalP() { return finalP; }

    /** The parameters the runs start from. */
    public double[] initialP() { return p0.clone(); }

    // ------------------------------------------------------------------ engines

    /** The SIMD engine's interpreter, float64 or float32, over caller-owned arrays (runF64/runF32), no allocation per step. */
    public Timing simd(Precision precision, int threads, Plan plan) {
        return simd(SimdProgram.Tier.INTERPRET, precision, threads, plan);
    }

    /**
     * The SIMD engine on a tier: the interpreter ("simd") or the step compiled before the first
     * timed step ("compiled"; the JIT still warms it up during the untimed warm-up).
     */
    public Timing simd(SimdProgram.Tier tier, Precision precision, int threads, Plan plan) {
        SimdProgram prog = new SimdProgram(outputs, precision, threads, tier == SimdProgram.Tier.AUTO ? SimdProgram.Tier.COMPILED : tier);
        String name = tier == SimdProgram.Tier.INTERPRET ? "simd" : prog.compiled() ? "compiled" : "compiled*";
        List<Node> lv = prog.leaves();
        int[] feed = new int[outputs.size()];
        for (int i = 0; i < feed.length; i++) {
            Node in = i == 0 ? step.p() : step.stateInputs().get(i - 1);
            feed[i] = lv.indexOf(in);
        }
        int tIndex = lv.indexOf(step.t());
        int used = Math.max(1, Math.min(threads, n / SimdProgram.MIN_CHUNK));
        long[] t = {0};
        LongUnaryOperator run;
        int pOut;
        if (precision == Precision.F64) {
            double[][] in = new double[lv.size()][], out = new double[outputs.size()][];
            for (int i = 0; i < in.length; i++) in[i] = start(lv.get(i)).clone();
            for (int i = 0; i < out.length; i++) out[i] = new double[outputs.get(i).shape.size()];
            double[] tv = tIndex >= 0 ? in[tIndex] : new double[1];
            run = k -> {
                long t0 = System.nanoTime();
                for (long s = 0; s < k; s++) {
                    tv[0] = ++t[0];
                    prog.runF64(in, out);
                    for (int i = 0; i < feed.length; i++) {
                        int f = feed[i];
                        if (f < 0) continue;
                        double[] x = in[f];
                        in[f] = out[i];
                        out[i] = x;
                    }
                }
                return System.nanoTime() - t0;
            };
            Timing timing = measure(name, precision, used, run, plan);
            finalP = feed[0] >= 0 ? in[feed[0]].clone() : out[0].clone();
            return timing;
        }
        float[][] in = new float[lv.size()][], out = new float[outputs.size()][];
        for (int i = 0; i < in.length; i++) in[i] = floats(start(lv.get(i)));
        for (int i = 0; i < out.length; i++) out[i] = new float[outputs.get(i).shape.size()];
        float[] tv = tIndex >= 0 ? in[tIndex] : new float[1];
        run = k -> {
            long t0 = System.nanoTime();
            for (long s = 0; s < k; s++) {
                tv[0] = ++t[0];
                prog.runF32(in, out);
                for (int i = 0; i < feed.length; i++) {
                    int f = feed[i];
                    if (f < 0) continue;
                    float[] x = in[f];
                    in[f] = out[i];
                    out[i] = x;
                }
            }
            return System.nanoTime() - t0;
        };
        Timing timing = measure(name, precision, used, run, plan);
        float[] last = feed[0] >= 0 ? in[feed[0]] : out[0];
        finalP = new double[last.length];
        for (int i = 0; i < last.length; i++) finalP[i] = last[i];
        return timing;
    }

    /**
     * The scalar reference engine (float64, one thread). Each step's outputs are copied into
     * the next step's p and states; only the evaluation is timed, step by step.
     */
    public Timing scalar(Plan plan) {
        ScalarProgram prog = new ScalarProgram(outputs);
        Map<Node, double[]> values = new IdentityHashMap<>();
        for (Node l : leaves) values.put(l, start(l).clone());
        double[] tv = values.computeIfAbsent(step.t(), k -> new double[1]);
        double[][] targets = new double[outputs.size()][];
        for (int i = 0; i < targets.length; i++) targets[i] = values.get(i == 0 ? step.p() : step.stateInputs().get(i - 1));
        Env env = leaf -> values.get(leaf);
        long[] t = {0};
        LongUnaryOperator run = k -> {
            long ns = 0;
            for (long s = 0; s < k; s++) {
                tv[0] = ++t[0];
                long t0 = System.nanoTime();
                prog.execute(env);
                ns += System.nanoTime() - t0;
                for (int i = 0; i < targets.length; i++) {
                    double[] o = prog.output(i);
                    if (targets[i] != null && targets[i] != o) System.arraycopy(o, 0, targets[i], 0, o.length);
                }
            }
            return ns;
        };
        Timing timing = measure("scalar", Precision.F64, 1, run, plan);
        finalP = (targets[0] != null ? targets[0] : prog.output(0)).clone();
        return timing;
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

    // ------------------------------------------------------------------ values

    /** A leaf's starting value (float64; not to be written: callers copy). */
    private double[] start(Node leaf) {
        if (leaf == step.p()) return p0;
        if (leaf == step.g()) return g0;
        if (leaf == step.f()) return new double[] {1};
        if (leaf == step.t()) return new double[] {1};
        int s = step.stateInputs().indexOf(leaf);
        if (s >= 0) return stateStarts[s];
        return value(leaf, Map.of());
    }

    private double[] value(Node leaf, Map<Node, double[]> inputs) {
        if (leaf.op == Op.INPUT) {
            double[] v = inputs.get(leaf);
            if (v == null) throw new IllegalArgumentException("bench cannot give a value to " + leaf.attr + " in the step of " + step.call());
            return v;
        }
        if (leaf.op == Op.PARAM) {
            Attr.Param p = (Attr.Param) leaf.attr;
            double[] theta = script.initialTheta(script.seed != null ? script.seed : 0L);
            return p.slice(theta);
        }
        if (leaf.op == Op.DATA) {
            Attr.Column c = (Attr.Column) leaf.attr;
            return script.data.get(c.data()).columns().get(c.column());
        }
        throw new IllegalArgumentException("bench cannot give a value to " + leaf.op + " " + leaf.attr + " in the step of " + step.call());
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    /** The leaves (nodes without inputs that are not constants) reachable from the outputs, in id order. */
    static List<Node> leaves(List<Node> outputs) {
        IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>(outputs);
        List<Node> out = new ArrayList<>();
        while (!stack.isEmpty()) {
            Node x = stack.pop();
            if (seen.put(x, Boolean.TRUE) != null) continue;
            if (x.arity() == 0 && x.op != Op.CONST) out.add(x);
            for (int i = 0; i < x.arity(); i++) stack.push(x.in(i));
        }
        out.sort(Comparator.comparingInt(x -> x.id));
        return out;
    }
}
