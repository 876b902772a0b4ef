package dev.descent.engine.simd;

import dev.descent.engine.Buffer;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.compiled.PassCompiler;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.lower.KernelPlan;
import dev.descent.lower.Lowering;
import java.util.Arrays;
import java.util.List;

/**
 * The SIMD engine: a DAG lowered once ({@link Lowering}) to a kernel program, then run
 * block by block by a Vector API interpreter ({@code KernelsF64}, {@code KernelsF32}).
 *
 * <p>A run evaluates, phase by phase, the host nodes (scalars once per run, in float64, and the
 * whole-array fallback), then the phase's pass: every instruction over block 1, then block 2, …,
 * each block's values in preallocated registers, the pass's reductions leaving one partial per
 * block. Partials are combined in block order, and blocks are the same whatever the thread
 * count, so results do not depend on the number of threads, bit for bit. Threads split a pass
 * into contiguous runs of blocks of at least {@link #MIN_CHUNK} elements, each thread with its
 * own registers; smaller loops run on the calling thread.
 *
 * <p>In float64 the results equal the scalar engine's except for the order of summation in
 * reductions (lanes, then blocks) and about an ulp in transcendentals. In float32 the loop
 * computes in float (leaves converted on the way in, results out); scalars and the fallback
 * stay float64, and reductions add their block partials in float64.
 *
 * <p>Tiers ({@link Tier}): a pass runs on the interpreter, or on a fused loop compiled by
 * {@link PassCompiler} into a hidden class, which computes the same operations in the same
 * order over the same blocks and so gives the same bits. {@link Tier#AUTO} interprets first
 * and compiles in the background once the work done passes {@code Tiering.AUTO_THRESHOLD}
 * elements, switching at the start of a run (a step boundary); a pass the compiler rejects
 * stays on the interpreter, with a note ({@link #notes}).
 *
 * <p>Not thread-safe: one program, one run at a time.
 */
public final class SimdProgram implements dev.descent.engine.Program {
    /** Which tier runs the passes. */
    public enum Tier {
        /** The block interpreter only ({@code --engine simd}). */
        INTERPRET,
        /** Every pass compiled before the first run ({@code --engine compiled}). */
        COMPILED,
        /** Interpret, compile in the background when the work makes it pay ({@code --engine auto}). */
        AUTO
    }


    /** The smallest run of elements a thread takes. */
    public static final int MIN_CHUNK = 1 << 16;
    /**
     * Block size in bytes per register for a loop whose arrays fit in the caches: a block's
     * registers and stream slices stay in L1. The system property {@code descent.simd.blockBytes}
     * overrides the choice below, for measurements.
     */
    public static final int BLOCK_BYTES = Integer.getInteger("descent.simd.blockBytes", 4096);

    /**
     * Block size per register when each array is larger than {@link #STREAMING_ARRAY}: the
     * step streams from memory, and an instruction that streams only a short slice of one or
     * two arrays before the next instruction starts others defeats the hardware prefetchers.
     * Measured (JMH, Adam f32, n = 1e7, quiet machine): 4 KB blocks ran at 0.41× a hand-fused
     * loop, 64 KB blocks at 0.58×; at n = 1e5 (in cache) 4 KB was 12% faster than 64 KB.
     */
    public static final int STREAMING_BLOCK_BYTES = 65536;

    /** Bytes per array beyond which a loop counts as streaming from memory. */
    public static final long STREAMING_ARRAY = 1L << 20;

    /** The block size in bytes per register for a loop of n elements of this width. */
    static int blockBytes(int n, int elementBytes) {
        Integer forced = Integer.getInteger("descent.simd.blockBytes");
        if (forced != null) return forced;
        return (long) n * elementBytes > STREAMING_ARRAY ? STREAMING_BLOCK_BYTES : BLOCK_BYTES;
    }

    private final KernelPlan plan;
    private final List<Node> outputs;
    private final Precision precision;
    private final int threads, block, blocks, n;
    private final boolean f32;

    /** Float64 value of each slot: host buffers, constants, leaves' arrays, reductions' results. */
    private final double[][] hv;
    /** The host nodes, evaluated phase by phase over {@link #hv}. */
    private final HostNodes hostNodes;
    /** The passes' runs over blocks, on one thread or several, and their reductions' partials. */
    private final PassRunner passes;
    // float64 streams
    private final double[][] streamsD;
    private final double[] scalD;
    // float32 streams
    private final float[][] streamsF;
    private final float[] scalF;
    /** Float32 copies of the leaves and results for runs from an {@link Env} (allocated at the first such run). */
    private float[][] leafF, resultF;
    private final double[][] leafD;

    /** The tiers: which passes run compiled, the background compilation, the notes. */
    private final Tiering tiers;
    /** Whether a pass's compiled loop may run over the streams as bound for this run. */
    private final PassAliasing aliasing;
    /** Per stream, the element of its array where it starts (a view: a parameter's range of θ). */
    private final int[] offs;

    /** Plans once: lowers the outputs' DAG into a kernel program for this precision and thread count (interpreter only). */
    public SimdProgram(List<Node> outputs, Precision precision, int threads) {
        this(outputs, precision, threads, 0, Tier.INTERPRET, null);
    }

    /** As above, on a tier. */
    public SimdProgram(List<Node> outputs, Precision precision, int threads, Tier tier) {
        this(outputs, precision, threads, 0, tier, null);
    }

    /** As above, with tiering notes sent to {@code notes} as they happen (null: only kept, see {@link #notes()}). */
    public SimdProgram(List<Node> outputs, Precision precision, int threads, Tier tier, java.util.function.Consumer<String> notes) {
        this(outputs, precision, threads, 0, tier, notes);
    }

    /** As above, with a block size in elements (0: {@link #BLOCK_BYTES} worth), for measurements. */
    SimdProgram(List<Node> outputs, Precision precision, int threads, int blockElements) {
        this(outputs, precision, threads, blockElements, Tier.INTERPRET, null);
    }

    SimdProgram(List<Node> outputs, Precision precision, int threads, int blockElements, Tier tier) {
        this(outputs, precision, threads, blockElements, tier, null);
    }

    SimdProgram(List<Node> outputs, Precision precision, int threads, int blockElements, Tier tier,
                java.util.function.Consumer<String> notes) {
        this.outputs = List.copyOf(outputs);
        this.precision = precision;
        this.f32 = precision == Precision.F32;
        this.threads = Math.max(1, threads);
        this.plan = Lowering.lower(this.outputs);
        this.n = plan.n;
        int lanes = f32 ? KernelsF32.LANES : KernelsF64.LANES;
        int b = blockElements > 0 ? blockElements : blockBytes(n, f32 ? 4 : 8) / (f32 ? 4 : 8);
        this.block = Math.max(lanes, b / lanes * lanes);
        this.blocks = (n + block - 1) / block;

        int slots = plan.nodes.size();
        hv = new double[slots][];
        hostNodes = new HostNodes(plan, this.outputs, this.threads, hv);
        for (int s = 0; s < slots; s++) {
            Node x = plan.nodes.get(s);
            if (x.op == Op.CONST) hv[s] = x.constValues();
        }
        int maxPartials = 0, maxRegs = 0, maxScal = 0;
        for (KernelPlan.Phase ph : plan.phases) {
            if (ph.pass == null) continue;
            maxPartials = Math.max(maxPartials, ph.pass.partials);
            maxRegs = Math.max(maxRegs, ph.pass.registers);
            maxScal = Math.max(maxScal, ph.pass.scalarSlots.length);
            for (int r : ph.pass.reductionSlot) hv[r] = new double[1];
        }

        int streams = plan.streamSlot.length;
        if (!f32) {
            streamsD = new double[streams][];
            scalD = new double[maxScal];
            streamsF = null;
            scalF = null;
            leafD = new double[plan.leaves.size()][];
            for (int st = 0; st < streams; st++) {
                int s = plan.streamSlot[st];
                if (plan.streamKind[st] == KernelPlan.StreamKind.HOST) streamsD[st] = hv[s];
                else if (plan.streamKind[st] == KernelPlan.StreamKind.LOOP && !homesAnOutput(st)) hv[s] = streamsD[st] = new double[n];
            }
        } else {
            streamsD = null;
            scalD = null;
            streamsF = new float[streams][];
            scalF = new float[maxScal];
            leafD = null;
            for (int st = 0; st < streams; st++) {
                int s = plan.streamSlot[st];
                if (plan.streamKind[st] != KernelPlan.StreamKind.LEAF && !homesAnOutput(st)) streamsF[st] = new float[n];
                // the float64 copy of a loop value that a host step reads (converted after its pass)
                if (plan.streamKind[st] == KernelPlan.StreamKind.LOOP && plan.hostReads[s]) hv[s] = new double[n];
            }
            // leaves the host reads get their float64 copies when bound (or, from an Env, at the first run)
        }
        aliasing = new PassAliasing(plan);
        offs = new int[streams];
        int usable = Math.max(1, Math.min(this.threads, n / MIN_CHUNK));
        passes = new PassRunner(f32, usable, maxRegs, block, blocks, n, lanes, maxPartials * blocks, streamsD, streamsF, offs, scalD, scalF);
        leafIndex = new java.util.IdentityHashMap<>();
        for (int i = 0; i < plan.leaves.size(); i++) leafIndex.put(plan.leaves.get(i), i);
        leafBuf = new Buffer[plan.leaves.size()];
        leafOff = new int[plan.leaves.size()];
        leafCopied = new boolean[plan.leaves.size()];
        leafCopy = new double[plan.leaves.size()][];
        ownD = streamsD == null ? null : streamsD.clone();
        ownF = streamsF == null ? null : streamsF.clone();
        outBuf = new Buffer[outputs.size()];
        outOff = new int[outputs.size()];
        outDirect = new boolean[outputs.size()];
        tiers = new Tiering(tier, plan, f32, notes);
    }

    // ------------------------------------------------------------------ tiers

    /** The tier this program was made for. */
    public Tier tier() { return tiers.tier(); }

    /** Whether every pass now runs compiled (false while interpreting, or when one was rejected). */
    public boolean compiled() { return tiers.compiled(); }

    /** Notes on tiering: what was compiled, in how long, and what stayed on the interpreter and why. */
    public List<String> notes() { return tiers.notes(); }

    /** Blocks until a background compilation has finished and switches to it (for tests and benchmarks). */
    public void awaitCompiled() { tiers.awaitCompiled(); }

    /** Loads and runs the compiling tier once, in the background (see {@link Tiering#prewarm}). */
    public static void prewarm(Precision precision) { Tiering.prewarm(precision); }

    /** At a run's start (a step boundary): counts work, starts compiling, or switches to what was compiled. */
    private void tierUp() { tiers.atRunStart(scalD, scalF); }

    public Precision precision() { return precision; }

    /** The lowered plan (for tests and tools). */
    public KernelPlan plan() { return plan; }

    /** Block size in elements. */
    public int blockSize() { return block; }

    /** Vector lanes of this precision on this machine. */
    public int lanes() { return f32 ? KernelsF32.LANES : KernelsF64.LANES; }

    /** The leaves whose values a run reads, in the order {@link #runF32}/{@link #runF64} take them. */
    public List<Node> leaves() { return plan.leaves; }

    /** The outputs, in the order results come back. */
    public List<Node> outputs() { return outputs; }

    // --------------------------------------------------------------------- runs

    /**
     * Evaluates with leaf values from env (float64; in F32 converted on the way in, results
     * converted out). Returns each output's value as a fresh array.
     */
    public double[][] run(Env env) {
        List<Node> leaves = plan.leaves;
        double[][] results = new double[outputs.size()][];
        for (int i = 0; i < results.length; i++) results[i] = new double[outputs.get(i).shape.size()];
        if (!f32) {
            for (int i = 0; i < leafD.length; i++) leafD[i] = leafValue(leaves.get(i), env);
            runF64(leafD, results);
            Arrays.fill(leafD, null);
            return results;
        }
        if (leafF == null) {
            leafF = new float[plan.leaves.size()][];
            for (int i = 0; i < leafF.length; i++) leafF[i] = new float[plan.leaves.get(i).shape.size()];
            resultF = new float[outputs.size()][];
            for (int i = 0; i < resultF.length; i++) resultF[i] = new float[outputs.get(i).shape.size()];
        }
        for (int i = 0; i < leafF.length; i++) {
            double[] v = leafValue(leaves.get(i), env);
            float[] f = leafF[i];
            for (int k = 0; k < f.length; k++) f[k] = (float) v[k];
        }
        runF32(leafF, resultF);
        for (int i = 0; i < results.length; i++) {
            float[] f = resultF[i];
            double[] d = results[i];
            for (int k = 0; k < f.length; k++) d[k] = f[k];
        }
        return results;
    }

    private double[][] executed;

    @Override public void execute(Env env) {
        if (f32) {
            executed = run(env);
            return;
        }
        if (executed == null) {
            executed = new double[outputs.size()][];
            for (int i = 0; i < executed.length; i++) executed[i] = new double[outputs.get(i).shape.size()];
        }
        List<Node> leaves = plan.leaves;
        for (int i = 0; i < leafD.length; i++) leafD[i] = leafValue(leaves.get(i), env);
        runF64(leafD, executed);
        Arrays.fill(leafD, null);
    }

    @Override public double[] output(int i) { return executed[i]; }

    private static double[] leafValue(Node leaf, Env env) {
        double[] v = env.value(leaf);
        if (v == null || v.length != leaf.shape.size())
            throw new IllegalArgumentException("the value of " + leaf.op + " " + leaf.attr + " (" + leaf.shape + ") has "
                    + (v == null ? "no array" : v.length + " elements"));
        return v;
    }

    /** Float64 run over caller-owned arrays: leaf values as listed by {@link #leaves()}, results per output. */
    public void runF64(double[][] leafValues, double[][] results) {
        if (f32) throw new IllegalStateException("this program was planned for " + precision);
        checkShapes(leafValues.length, results.length);
        tierUp();
        for (int i = 0; i < leafValues.length; i++) {
            int s = plan.leafSlots[i];
            double[] v = leafValues[i];
            if (v.length != plan.nodes.get(s).shape.size()) throw badLeaf(i, v.length);
            hv[s] = v;
            int st = plan.streamOf[s];
            if (st >= 0) {
                streamsD[st] = v;
                offs[st] = 0;
            }
        }
        for (int i = 0; i < results.length; i++) {
            int st = plan.outputStream[i];
            if (st >= 0) {
                if (results[i].length != n) throw badResult(i, results[i].length);
                streamsD[st] = results[i];
                offs[st] = 0;
                hv[plan.outputSlots[i]] = results[i];
            }
        }
        phasesF64();
        for (int i = 0; i < results.length; i++) {
            if (plan.outputStream[i] >= 0) continue;
            double[] v = hv[plan.outputSlots[i]];
            if (results[i].length != v.length) throw badResult(i, results[i].length);
            System.arraycopy(v, 0, results[i], 0, v.length);
        }
        // materialized outputs keep pointing at the caller's arrays only for this run
        for (int i = 0; i < results.length; i++) {
            int st = plan.outputStream[i];
            if (st >= 0) {
                streamsD[st] = null;
                hv[plan.outputSlots[i]] = null;
            }
        }
    }

    /** Float32 run over caller-owned arrays: no conversion of the loop's arrays, no allocation. */
    public void runF32(float[][] leafValues, float[][] results) {
        if (!f32) throw new IllegalStateException("this program was planned for " + precision);
        checkShapes(leafValues.length, results.length);
        tierUp();
        for (int i = 0; i < leafValues.length; i++) {
            int s = plan.leafSlots[i];
            float[] v = leafValues[i];
            if (v.length != plan.nodes.get(s).shape.size()) throw badLeaf(i, v.length);
            int st = plan.streamOf[s];
            if (st >= 0) {
                streamsF[st] = v;
                offs[st] = 0;
            }
            if (plan.hostReads[s]) {
                double[] d = hv[s];
                if (d == null || d.length != v.length) d = hv[s] = new double[v.length];
                for (int k = 0; k < v.length; k++) d[k] = v[k];
            }
        }
        for (int i = 0; i < results.length; i++) {
            int st = plan.outputStream[i];
            if (st >= 0) {
                if (results[i].length != n) throw badResult(i, results[i].length);
                streamsF[st] = results[i];
                offs[st] = 0;
            }
        }
        phasesF32();
        for (int i = 0; i < results.length; i++) {
            if (plan.outputStream[i] >= 0) continue;
            int s = plan.outputSlots[i];
            float[] r = results[i];
            int st = plan.streamOf[s];
            int leaf = plan.leaves.indexOf(plan.nodes.get(s));
            if (leaf >= 0) {
                if (r.length != leafValues[leaf].length) throw badResult(i, r.length);
                System.arraycopy(leafValues[leaf], 0, r, 0, r.length);
            } else if (st >= 0 && plan.streamKind[st] == KernelPlan.StreamKind.LOOP) {
                if (r.length != n) throw badResult(i, r.length);
                System.arraycopy(streamsF[st], 0, r, 0, n);
            } else {
                double[] v = hv[s];
                if (r.length != v.length) throw badResult(i, r.length);
                for (int k = 0; k < r.length; k++) r[k] = (float) v[k];
            }
        }
        for (int i = 0; i < results.length; i++) if (plan.outputStream[i] >= 0) streamsF[plan.outputStream[i]] = null;
        for (int i = 0; i < leafValues.length; i++) {
            int st = plan.streamOf[plan.leafSlots[i]];
            if (st >= 0) streamsF[st] = null;
        }
    }

    /** The phases in float64: host steps, then the pass over the streams as set. */
    private void phasesF64() {
        for (KernelPlan.Phase ph : plan.phases) {
            host(ph);
            KernelPlan.Pass p = ph.pass;
            if (p == null) continue;
            for (int k = 0; k < p.scalarSlots.length; k++) scalD[k] = hv[p.scalarSlots[k]][0];
            execute(p);
            combine(p);
        }
    }

    /** The phases in float32: host steps in float64, their arrays converted for the pass, and what the host reads of the pass converted back. */
    private void phasesF32() {
        for (KernelPlan.Phase ph : plan.phases) {
            host(ph);
            for (int st : ph.convertIn) {
                double[] d = hv[plan.streamSlot[st]];
                float[] f = streamsF[st];
                for (int k = 0; k < f.length; k++) f[k] = (float) d[k];
            }
            KernelPlan.Pass p = ph.pass;
            if (p == null) continue;
            for (int k = 0; k < p.scalarSlots.length; k++) scalF[k] = (float) hv[p.scalarSlots[k]][0];
            execute(p);
            combine(p);
            for (int st : ph.convertOut) {
                double[] d = hv[plan.streamSlot[st]];
                float[] f = streamsF[st];
                for (int k = 0; k < f.length; k++) d[k] = f[k];
            }
        }
    }

    // ------------------------------------------------------------ resident runs

    private final java.util.IdentityHashMap<Node, Integer> leafIndex;
    private final Buffer[] leafBuf, outBuf;
    private final int[] leafOff, outOff;
    /** Per leaf: the host reads a float64 copy of it ({@link #leafCopy}), refreshed at the start of every run (a view, or float32). */
    private final boolean[] leafCopied;
    private final double[][] leafCopy;
    /** Per stream, the program's own array for it (a loop node's values when no output buffer takes them), or null. */
    private final double[][] ownD;
    private final float[][] ownF;
    /** Per output: the pass writes it straight into its bound buffer (else it is copied there at the end of a run). */
    private final boolean[] outDirect;

    private int leaf(Node leaf) {
        Integer i = leafIndex.get(leaf);
        if (i == null) throw new IllegalArgumentException("the program does not read " + leaf.op + " " + leaf.attr);
        return i;
    }

    @Override public void bind(Node leaf, Buffer values, int offset) {
        int i = leaf(leaf), s = plan.leafSlots[i], size = leaf.shape.size();
        values.checkRange(leaf.op + " " + leaf.attr, size, offset);
        leafBuf[i] = values;
        leafOff[i] = offset;
        int st = plan.streamOf[s];
        if (st >= 0) {
            if (values.precision() != precision)
                throw new IllegalArgumentException(leaf.op + " " + leaf.attr + " is streamed in " + precision + ", but its buffer is " + values.precision());
            if (f32) streamsF[st] = ((Buffer.F32) values).a;
            else streamsD[st] = ((Buffer.F64) values).a;
            offs[st] = offset;
        }
        if (plan.hostReads[s] || st < 0) {
            if (values instanceof Buffer.F64 d && offset == 0 && d.a.length == size) {
                hv[s] = d.a;
                leafCopied[i] = false;
            } else {
                if (leafCopy[i] == null) leafCopy[i] = new double[size];
                hv[s] = leafCopy[i];
                leafCopied[i] = true;
            }
        }
    }

    @Override public void bindOutput(int output, Buffer into, int offset) {
        int size = outputs.get(output).shape.size();
        into.checkRange("output " + output, size, offset);
        outBuf[output] = into;
        outOff[output] = offset;
        int st = plan.outputStream[output], s = plan.outputSlots[output];
        // the pass writes it straight there unless the host reads it whole afterwards (then it stays in its own array)
        boolean direct = st >= 0 && into.precision() == precision && (f32 || !plan.hostReads[s] || offset == 0 && into.length() == n);
        outDirect[output] = direct;
        if (st < 0) return;
        if (!direct) { // back to the program's own array, copied out at the end of a run
            if (f32) streamsF[st] = ownF[st];
            else hv[s] = streamsD[st] = ownD[st];
            offs[st] = 0;
            return;
        }
        if (f32) streamsF[st] = ((Buffer.F32) into).a;
        else {
            streamsD[st] = ((Buffer.F64) into).a;
            if (offset == 0 && into.length() == n) hv[s] = streamsD[st];
        }
        offs[st] = offset;
    }

    /** Whether stream st is where a pass writes an output (its array is the caller's, or allocated when first needed). */
    private boolean homesAnOutput(int st) {
        for (int o : plan.outputStream) if (o == st) return true;
        return false;
    }

    @Override public void run() {
        for (int i = 0; i < outBuf.length; i++) { // an output the caller takes by copy, or not at all: the program's own array
            int st = plan.outputStream[i];
            if (st < 0 || (f32 ? streamsF[st] : streamsD[st]) != null) continue;
            if (f32) streamsF[st] = ownF[st] = new float[n];
            else {
                streamsD[st] = ownD[st] = new double[n];
                hv[plan.outputSlots[i]] = streamsD[st];
            }
            offs[st] = 0;
        }
        for (int i = 0; i < leafBuf.length; i++) {
            if (leafBuf[i] == null) {
                Node l = plan.leaves.get(i);
                throw new IllegalStateException("no buffer bound to " + l.op + " " + l.attr);
            }
            if (leafCopied[i]) {
                int s = plan.leafSlots[i];
                leafBuf[i].read(leafOff[i], hv[s], 0, hv[s].length);
            }
        }
        tierUp();
        if (f32) phasesF32();
        else phasesF64();
        for (int i = 0; i < outBuf.length; i++) {
            Buffer into = outBuf[i];
            if (into == null || outDirect[i]) continue;
            int s = plan.outputSlots[i], size = outputs.get(i).shape.size();
            Integer leaf = leafIndex.get(plan.nodes.get(s));
            int st = plan.streamOf[s];
            if (leaf != null) into.copy(outOff[i], leafBuf[leaf], leafOff[leaf], size);
            else if (st >= 0 && plan.streamKind[st] == KernelPlan.StreamKind.LOOP) {
                if (f32) into.write(outOff[i], streamsF[st], offs[st], size);
                else into.write(outOff[i], streamsD[st], offs[st], size);
            } else into.write(outOff[i], hv[s], 0, size);
        }
    }

    @Override public double scalar(int output) {
        int s = plan.outputSlots[output];
        if (!outputs.get(output).shape.isScalar()) throw new IllegalArgumentException("output " + output + " is not a scalar");
        double[] v = hv[s];
        if (v != null) return f32 ? (float) v[0] : v[0]; // a float32 program's results are float32 values
        Integer leaf = leafIndex.get(plan.nodes.get(s));
        if (leaf != null && leafBuf[leaf] != null) return leafBuf[leaf].get(leafOff[leaf]);
        throw new IllegalStateException("output " + output + " has no value yet");
    }

    @Override public boolean writesInPlace(int output, Node leaf) {
        Integer i = leafIndex.get(leaf);
        return i == null || plan.canWriteOver(i, output);
    }

    /**
     * Auto: when the runs announced make at least {@code Tiering.AUTO_THRESHOLD} elements of work, compiles
     * at once in the background (rather than after the first runs); when they make at least
     * {@code Tiering.WAIT_THRESHOLD}, the first run waits for the warmed compiled loops instead of
     * interpreting beside them: interpreting while the JIT is still compiling the interpreter's
     * kernels is slow (its first steps run in the bytecode interpreter), and it takes the cores
     * the compiler threads need, so on a long run of large arrays waiting is the shorter way.
     */
    @Override public void expectRuns(long runs) { tiers.expectRuns(runs, scalD, scalF); }


    private void checkShapes(int leaves, int results) {
        if (leaves != plan.leaves.size()) throw new IllegalArgumentException(leaves + " leaf arrays for " + plan.leaves.size() + " leaves");
        if (results != outputs.size()) throw new IllegalArgumentException(results + " result arrays for " + outputs.size() + " outputs");
    }

    private IllegalArgumentException badLeaf(int i, int len) {
        Node leaf = plan.leaves.get(i);
        return new IllegalArgumentException("the value of " + leaf.op + " " + leaf.attr + " (" + leaf.shape + ") has " + len + " elements");
    }

    private IllegalArgumentException badResult(int i, int len) {
        return new IllegalArgumentException("result " + i + " has " + len + " elements, not " + outputs.get(i).shape.size());
    }

    /** The phase's host nodes, in id order, in float64. */
    private void host(KernelPlan.Phase ph) { hostNodes.eval(ph, hv); }


    // ------------------------------------------------------------------ passes

    private void execute(KernelPlan.Pass p) {
        Object[] ks = tiers.kernels();
        boolean compiled = ks != null && ks[p.index] != null && aliasing.compiledSafe(p, f32 ? streamsF : streamsD, offs);
        passes.run(p, compiled ? ks[p.index] : null);
    }

    private void combine(KernelPlan.Pass p) { passes.combine(p, hv); }


    /** A short human description of the lowered program (passes, blocks, instructions, superinstructions). */
    public String describe() {
        return tiers.describe() + " " + precision.name().toLowerCase() + ", " + lanes() + " lanes, block " + block + ", "
                + blocks + (blocks == 1 ? " block" : " blocks") + ", " + passes.threads() + (passes.threads() == 1 ? " thread" : " threads")
                + "; " + plan.describe();
    }
}
