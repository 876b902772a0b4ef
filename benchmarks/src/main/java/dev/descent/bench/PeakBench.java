package dev.descent.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The machine's float64 peak on one core, in GFLOP/s (the score is flops per ns): a loop that
 * keeps 12 vector accumulators in registers, each an independent multiply-add chain
 * (a = a·x + y), enough to hide the latency of the adds (3–4 cycles) behind 1–2 vector
 * operations per cycle. {@code fma}: one fused multiply-add per step (2 flops per lane);
 * {@code mulAdd}: a multiply and a separate add (what code without fma runs). No memory
 * traffic: this is the roof for {@link MatMulBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PeakBench {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int STEPS = 1 << 20;
    /** Flops per invocation: STEPS × 12 accumulators × lanes × 2. */
    static final int FLOPS = STEPS * 12 * 2 * 8;

    double x = 0.999999, y = 1e-7;

    @Setup
    public void check() {
        if (S.length() != 8) throw new IllegalStateException("@OperationsPerInvocation assumes 8 double lanes, not " + S.length());
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public void fma(Blackhole bh) {
        DoubleVector vx = DoubleVector.broadcast(S, x), vy = DoubleVector.broadcast(S, y);
        DoubleVector a0 = DoubleVector.broadcast(S, 0.5), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4), a5 = a0.add(5);
        DoubleVector a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vx, vy); a1 = a1.fma(vx, vy); a2 = a2.fma(vx, vy); a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy); a5 = a5.fma(vx, vy); a6 = a6.fma(vx, vy); a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy); a9 = a9.fma(vx, vy); a10 = a10.fma(vx, vy); a11 = a11.fma(vx, vy);
        }
        bh.consume(a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0));
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public void mulAdd(Blackhole bh) {
        DoubleVector vx = DoubleVector.broadcast(S, x), vy = DoubleVector.broadcast(S, y);
        DoubleVector a0 = DoubleVector.broadcast(S, 0.5), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4), a5 = a0.add(5);
        DoubleVector a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.mul(vx).add(vy); a1 = a1.mul(vx).add(vy); a2 = a2.mul(vx).add(vy); a3 = a3.mul(vx).add(vy);
            a4 = a4.mul(vx).add(vy); a5 = a5.mul(vx).add(vy); a6 = a6.mul(vx).add(vy); a7 = a7.mul(vx).add(vy);
            a8 = a8.mul(vx).add(vy); a9 = a9.mul(vx).add(vy); a10 = a10.mul(vx).add(vy); a11 = a11.mul(vx).add(vy);
        }
        bh.consume(a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0));
    }
}
