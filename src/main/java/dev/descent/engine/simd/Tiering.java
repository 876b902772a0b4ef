package dev.descent.engine.simd;

import dev.descent.engine.Precision;
import dev.descent.engine.compiled.KernelF32;
import dev.descent.engine.compiled.KernelF64;
import dev.descent.engine.compiled.PassCompiler;
import dev.descent.ir.Node;
import dev.descent.lower.KernelPlan;
import dev.descent.lower.Lowering;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The tiers of one {@link SimdProgram}: which of its passes run as compiled loops and when it
 * switches to them. {@link SimdProgram.Tier#COMPILED} compiles every pass at once; {@link
 * SimdProgram.Tier#AUTO} counts the work done (or announced, {@link #expectRuns}) and, past
 * {@link #AUTO_THRESHOLD} elements, compiles and warms the loops on the compiler
 * thread while the program goes on interpreting, switching at the start of a run (a step
 * boundary). A pass the compiler rejects, or whose loop fails warming up, stays on the
 * interpreter with a note. The interpreter and the compiled loops give the same bits, so a
 * switch changes only the speed.
 */
final class Tiering {
    private static final ExecutorService COMPILER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "descent-compiler");
        t.setDaemon(true);
        return t;
    });

    /**
     * Work after which {@link SimdProgram.Tier#AUTO} compiles: elements processed (loop size, at least 64 for
     * a run's fixed cost, × passes × runs). Compiling a step takes a few ms, but the loop then
     * needs the JIT: the warm-up ({@link #warm}) runs it on scratch arrays on the compiler thread until it is
     * fast, measured at 0.5–0.8 s of one core for Adam (2 shared cores, AVX-512). The
     * interpreter runs Adam at about 1.5–3 ns per element, so 2^26 elements (0.1–0.2 s of
     * interpreting) starts compiling once a run has shown it is not a short one, and the
     * compiled loop (about 2× faster) repays the warm-up within a comparable time again: the
     * break-even rule that bounds the cost at about twice the best choice made in hindsight.
     * The system property {@code descent.compile.threshold} overrides it (0: at once).
     */
    static final long AUTO_THRESHOLD = Long.getLong("descent.compile.threshold", 1L << 26);

    /**
     * Elements of work (loop size × passes × runs) ahead from which auto waits for its compiled
     * loops rather than interpreting while they warm up (see {@link SimdProgram#expectRuns}): 2^27, a few
     * tenths of a second of interpreting once the interpreter is compiled, more before. Measured
     * whole process (Adam over 1e6 float32, 200 steps: 2e8 elements), waiting took 0.75–0.8 of the
     * time of interpreting beside the warm-up, with the launcher's compile thresholds for the
     * engine (bin/descent), under which the compiled loop is warm after about 0.25 s. The system
     * property {@code descent.compile.wait} overrides it.
     */
    static final long WAIT_THRESHOLD = Long.getLong("descent.compile.wait", 1L << 27);

    /** Calls of a kernel on scratch arrays, at most, before an auto switch ({@link #warm}). */
    static final int WARM_CALLS = 40_000;

    private final SimdProgram.Tier tier;
    private final KernelPlan plan;
    private final boolean f32;
    private final int lanes;
    /** Per phase, its pass's compiled kernel ({@link KernelF64} or {@link KernelF32}) or null; null until compiled. */
    private volatile Object[] kernels;
    private CompletableFuture<Object[]> pending;
    private long work;
    /** The first run waits for the background compilation ({@link #expectRuns}). */
    private volatile boolean waitForCompiled;
    /** Where tiering notes go as they happen (the command line's --verbose), or null. */
    private final Consumer<String> listener;
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

    Tiering(SimdProgram.Tier tier, KernelPlan plan, boolean f32, Consumer<String> listener) {
        this.tier = tier;
        this.plan = plan;
        this.f32 = f32;
        this.lanes = f32 ? KernelsF32.LANES : KernelsF64.LANES;
        this.listener = listener;
        if (tier == SimdProgram.Tier.COMPILED || tier == SimdProgram.Tier.AUTO && AUTO_THRESHOLD == 0) kernels = compileAll();
    }

    SimdProgram.Tier tier() { return tier; }

    /** Per phase, the compiled kernel of its pass or null; null while nothing is compiled. */
    Object[] kernels() { return kernels; }

    /** Whether every pass now runs compiled (false while interpreting, or when one was rejected). */
    boolean compiled() {
        Object[] ks = kernels;
        if (ks == null) return false;
        for (KernelPlan.Phase ph : plan.phases) if (ph.pass != null && ks[ph.pass.index] == null) return false;
        return true;
    }

    /** Notes on tiering: what was compiled, in how long, and what stayed on the interpreter and why. */
    List<String> notes() {
        synchronized (notes) {
            return List.copyOf(notes);
        }
    }

    /** "simd", "compiled", "auto (interpreting)", …: the tier and where it stands. */
    String describe() {
        return switch (tier) {
            case INTERPRET -> "simd";
            case COMPILED -> compiled() ? "compiled" : "compiled (partly interpreted)";
            case AUTO -> "auto (" + (compiled() ? "compiled" : kernels != null ? "partly compiled" : "interpreting") + ")";
        };
    }

    /** Blocks until a background compilation has finished and switches to it (for tests and benchmarks). */
    void awaitCompiled() {
        if (pending != null) {
            try {
                pending.join();
            } catch (RuntimeException ignored) {
                // switchTier notes it and stays on the interpreter
            }
            switchTier();
        }
    }

    /**
     * At a run's start (a step boundary): counts work, starts compiling, or switches to what was
     * compiled. {@code sd}/{@code sf}: the run's scalar slots, copied for warming the loops.
     */
    void atRunStart(double[] sd, float[] sf) {
        if (tier != SimdProgram.Tier.AUTO || kernels != null) return;
        if (pending == null) {
            int passes = plan.passCount();
            if (passes == 0) return;
            work += (long) Math.max(plan.n, 64) * passes;
            if (work >= AUTO_THRESHOLD) startCompiling(sd, sf);
        } else if (pending.isDone() || waitForCompiled) {
            switchTier(); // waits for the compiled loops when the run ahead is long enough to repay the wait
        }
    }

    /** See {@link SimdProgram#expectRuns}. */
    void expectRuns(long runs, double[] sd, float[] sf) {
        if (tier != SimdProgram.Tier.AUTO || kernels != null || runs <= 0) return;
        int passes = plan.passCount();
        double expected = (double) Math.max(plan.n, 64) * passes * runs;
        if (passes == 0 || expected < AUTO_THRESHOLD) return;
        if (expected >= WAIT_THRESHOLD) waitForCompiled = true;
        if (pending == null) startCompiling(sd, sf);
    }

    /** Installs what the background compilation gave; if it failed, notes why and stays on the interpreter for good. */
    private void switchTier() {
        try {
            kernels = pending.join();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            note("compiling failed, staying on the interpreter: " + cause);
            kernels = new Object[plan.phases.size()];
        }
        pending = null;
    }

    private void note(String s) {
        notes.add(s);
        if (listener != null) listener.accept(s);
    }

    private Object[] compileAll() {
        Object[] ks = new Object[plan.phases.size()];
        for (KernelPlan.Phase ph : plan.phases) {
            if (ph.pass == null) continue;
            PassCompiler.Outcome o = PassCompiler.compile(ph.pass, f32);
            ks[ph.pass.index] = o.kernel();
            String what = "loop over " + plan.loopShape + (plan.passCount() > 1 ? ", pass " + ph.pass.index : "");
            if (o.ok()) note(String.format(java.util.Locale.ROOT, "compiled the %s (%d instructions) in %.1f ms, %d bytes of bytecode",
                    what, ph.pass.count, o.nanos() / 1e6, o.bytecodeBytes()));
            else note("the " + what + " stays on the interpreter: " + o.rejected());
        }
        return ks;
    }

    /**
     * Runs each compiled kernel on scratch arrays (a few short blocks, the run's scalars) until
     * its calls have become fast and steady (the JIT has compiled it: its first calls run in
     * the bytecode interpreter, where the Vector API is hundreds of times slower), so that
     * {@link SimdProgram.Tier#AUTO} switches to a compiled loop only once it pays. On the compiler
     * thread, while the calling thread goes on interpreting.
     */
    private Object[] warm(Object[] ks, double[] sd, float[] sf) {
        long t0 = System.nanoTime();
        int wblock = 4 * lanes, wn = 2 * wblock + 1, wblocks = 3;
        for (KernelPlan.Phase ph : plan.phases) {
            if (ph.pass == null || ks[ph.pass.index] == null) continue;
            Object k = ks[ph.pass.index];
            double[] wpart = new double[Math.max(1, ph.pass.partials) * wblocks];
            int streams = plan.streamSlot.length;
            int[] woffs = new int[streams];
            double[][] d = f32 ? null : new double[streams][wn];
            float[][] f = f32 ? new float[streams][wn] : null;
            for (int i = 0; i < streams; i++) {
                if (d != null) Arrays.fill(d[i], 0.5);
                else Arrays.fill(f[i], 0.5f);
            }
            double[] scd = sd == null ? null : Arrays.copyOf(sd, Math.max(sd.length, ph.pass.scalarSlots.length));
            float[] scf = sf == null ? null : Arrays.copyOf(sf, Math.max(sf.length, ph.pass.scalarSlots.length));
            double last = Double.MAX_VALUE;
            int steady = 0;
            try {
                for (int calls = 0; calls < WARM_CALLS && steady < 3; ) {
                    long b0 = System.nanoTime();
                    for (int c = 0; c < 1000; c++, calls++) {
                        if (f32) ((KernelF32) k).run(f, woffs, scf, wpart, wblocks, wn, wblock, 0, wblocks);
                        else ((KernelF64) k).run(d, woffs, scd, wpart, wblocks, wn, wblock, 0, wblocks);
                    }
                    double per = (System.nanoTime() - b0) / 1000.0;
                    steady = calls >= 15_000 && per > 0.8 * last ? steady + 1 : 0;
                    last = Math.min(last, per);
                }
            } catch (RuntimeException e) { // a compiled loop that fails on scratch data is not used
                ks[ph.pass.index] = null;
                note("pass " + ph.pass.index + " stays on the interpreter: its compiled loop failed warming up: " + e);
            }
        }
        note(String.format(java.util.Locale.ROOT, "warmed the compiled loops in %.0f ms; switching at the next step", (System.nanoTime() - t0) / 1e6));
        return ks;
    }

    /** Compiles and warms the passes on the compiler thread; a later run switches to them ({@link #atRunStart}). */
    private void startCompiling(double[] sd, float[] sf) {
        double[] scd = sd == null ? null : sd.clone();
        float[] scf = sf == null ? null : sf.clone();
        pending = CompletableFuture.supplyAsync(() -> warm(compileAll(), scd, scf), COMPILER);
    }

    private static volatile boolean prewarmed;

    /**
     * Loads and runs the compiling tier once, on a tiny pass, on the compiler thread: the first
     * class a JVM generates with the ClassFile API costs hundreds of milliseconds of class loading
     * and cold code, which a run that will compile its step can spend while it reads and checks
     * its script, rather than after.
     */
    static void prewarm(Precision precision) {
        if (prewarmed) return;
        prewarmed = true;
        COMPILER.submit(() -> {
            try {
                dev.descent.ir.Dag dag = new dev.descent.ir.Dag();
                Node x = dag.input("x", dev.descent.ir.Shape.vector(64));
                Node y = dag.add(dag.mul(dag.constant(2), x), dag.constant(1));
                KernelPlan p = Lowering.lower(List.of(y, dag.sum(dag.mul(x, y))));
                for (KernelPlan.Phase ph : p.phases) if (ph.pass != null) PassCompiler.compile(ph.pass, precision == Precision.F32);
            } catch (RuntimeException | LinkageError ignored) {
                // a head start only: the real compilation reports its own problems
            }
        });
    }
}
