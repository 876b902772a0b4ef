package dev.descent.engine.simd;

import dev.descent.engine.compiled.KernelF32;
import dev.descent.engine.compiled.KernelF64;
import dev.descent.lower.KernelPlan;
import dev.descent.lower.Opcode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;

/**
 * Runs one pass of a {@link SimdProgram} over its blocks: on the calling thread, or split into
 * contiguous runs of blocks, one per worker thread, each with its own registers; on the pass's
 * compiled loop when the program gives one, else on the block interpreter. Then combines the
 * pass's reductions from their per-block partials, in block order, so that results do not
 * depend on the number of threads. It reads and writes the program's streams, offsets and
 * per-pass scalars (the arrays given at construction, whose elements the program sets).
 */
final class PassRunner {
    /** One thread's registers and scratch. */
    private static final class Worker {
        final double[][] regsD;
        final float[][] regsF;
        final double[] lanesD;
        final float[] lanesF;

        Worker(boolean f32, int regs, int block, int lanes) {
            regsD = f32 ? null : new double[regs][block];
            regsF = f32 ? new float[regs][block] : null;
            lanesD = f32 ? null : new double[lanes];
            lanesF = f32 ? new float[lanes] : null;
        }
    }

    private final boolean f32;
    private final int block, blocks, n;
    private final Worker[] workers;
    /** The reductions' partials: per partial, one per block. */
    private final double[] part;
    private final double[][] streamsD;
    private final float[][] streamsF;
    private final int[] offs;
    private final double[] scalD;
    private final float[] scalF;

    PassRunner(boolean f32, int threads, int registers, int block, int blocks, int n, int lanes, int partials,
               double[][] streamsD, float[][] streamsF, int[] offs, double[] scalD, float[] scalF) {
        this.f32 = f32;
        this.block = block;
        this.blocks = blocks;
        this.n = n;
        this.workers = new Worker[threads];
        for (int w = 0; w < threads; w++) workers[w] = new Worker(f32, registers, block, lanes);
        this.part = new double[partials];
        this.streamsD = streamsD;
        this.streamsF = streamsF;
        this.offs = offs;
        this.scalD = scalD;
        this.scalF = scalF;
    }

    /** The threads a pass is split over (one: the calling thread alone). */
    int threads() { return workers.length; }

    /** Runs pass {@code p} over every block: on {@code kernel}, its compiled loop, or on the interpreter when null. */
    void run(KernelPlan.Pass p, Object kernel) {
        int chunks = workers.length;
        if (chunks == 1 || blocks < 2) {
            chunk(p, kernel, workers[0], 0, blocks);
            return;
        }
        int per = (blocks + chunks - 1) / chunks;
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = Math.min(blocks, c * per), to = Math.min(blocks, (c + 1) * per);
            Worker w = workers[c];
            if (from < to) futures.add(Threads.POOL.submit(() -> chunk(p, kernel, w, from, to)));
        }
        chunk(p, kernel, workers[0], 0, Math.min(blocks, per));
        Threads.awaitAll(futures);
    }

    private void chunk(KernelPlan.Pass p, Object kernel, Worker w, int from, int to) {
        if (kernel != null) {
            if (f32) ((KernelF32) kernel).run(streamsF, offs, scalF, part, blocks, n, block, from, to);
            else ((KernelF64) kernel).run(streamsD, offs, scalD, part, blocks, n, block, from, to);
            return;
        }
        if (f32) {
            for (int k = 0; k < p.constRegister.length; k++) Arrays.fill(w.regsF[p.constRegister[k]], scalF[p.constScalar[k]]);
            KernelsF32.run(p.code, p.count, w.regsF, streamsF, offs, scalF, part, blocks, n, block, from, to, w.lanesF);
        } else {
            for (int k = 0; k < p.constRegister.length; k++) Arrays.fill(w.regsD[p.constRegister[k]], scalD[p.constScalar[k]]);
            KernelsF64.run(p.code, p.count, w.regsD, streamsD, offs, scalD, part, blocks, n, block, from, to, w.lanesD);
        }
    }

    /** Each reduction of {@code p} from its partials, in block order, into its slot of {@code hv}. */
    void combine(KernelPlan.Pass p, double[][] hv) {
        for (int r = 0; r < p.reductionOp.length; r++) {
            int base = p.reductionPartial[r] * blocks;
            double v;
            switch (p.reductionOp[r]) {
                case Opcode.R_MAX -> {
                    v = Double.NEGATIVE_INFINITY;
                    for (int b = 0; b < blocks; b++) v = Math.max(v, part[base + b]);
                }
                case Opcode.R_MIN -> {
                    v = Double.POSITIVE_INFINITY;
                    for (int b = 0; b < blocks; b++) v = Math.min(v, part[base + b]);
                }
                case Opcode.R_LSE -> {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int b = 0; b < blocks; b++) m = Math.max(m, part[base + b]);
                    if (!Double.isFinite(m)) v = m;
                    else {
                        double s = 0;
                        for (int b = 0; b < blocks; b++) {
                            double mb = part[base + b];
                            if (mb != Double.NEGATIVE_INFINITY) s += part[base + blocks + b] * Math.exp(mb - m);
                        }
                        v = m + Math.log(s);
                    }
                }
                default -> {
                    v = 0;
                    for (int b = 0; b < blocks; b++) v += part[base + b];
                }
            }
            hv[p.reductionSlot[r]][0] = v;
        }
    }
}
