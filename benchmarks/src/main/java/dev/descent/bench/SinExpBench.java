package dev.descent.bench;

import dev.descent.engine.Precision;
import dev.descent.engine.compiled.OpsF32;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/** sin(x)·exp(−x²/2) over 1e6 points in float32: the engine, a Math.sin/Math.exp loop, a hand Vector API loop. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SinExpBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Param({"1000000"})
    int n;

    SimdProgram simd, compiled;
    float[][] leaves, results;
    float[] x, y;

    @Setup
    public void setup() {
        Dag d = new Dag();
        Node xs = d.param(new Attr.Param("x", 0, Shape.vector(n), 0));
        Node e = d.mul(d.unary(Op.SIN, xs), d.unary(Op.EXP, d.div(d.neg(d.pow(xs, d.constant(2))), d.constant(2))));
        simd = new SimdProgram(List.of(e), Precision.F32, 1);
        compiled = new SimdProgram(List.of(e), Precision.F32, 1, SimdProgram.Tier.COMPILED);
        if (!compiled.compiled()) throw new IllegalStateException("not compiled: " + compiled.notes());
        x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -4 + 8f * i / n;
        y = new float[n];
        leaves = new float[][] {x};
        results = new float[][] {y};
    }

    @Benchmark
    public void simd(Blackhole bh) {
        simd.runF32(leaves, results);
        bh.consume(y[n / 2]);
    }

    @Benchmark
    public void compiled(Blackhole bh) {
        compiled.runF32(leaves, results);
        bh.consume(y[n / 2]);
    }

    @Benchmark
    public void mathLoop(Blackhole bh) {
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = (float) (Math.sin(v) * Math.exp(-(v * v) / 2));
        }
        bh.consume(y[n / 2]);
    }

    @Benchmark
    public void handVector(Blackhole bh) {
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.lanewise(VectorOperators.SIN).mul(v.mul(v).neg().div(2f).lanewise(VectorOperators.EXP)).intoArray(y, i);
        }
        for (; i < n; i++) y[i] = (float) (Math.sin(x[i]) * Math.exp(-(x[i] * x[i]) / 2));
        bh.consume(y[n / 2]);
    }

    /**
     * The compiled pass's operations (the same OpsF32 calls, in the same order, the divisor a
     * run-time value as in the pass's scalar table) in a plain Java loop: a diagnostic for the
     * gap between the generated loop and the hand-written one (benchmarks/README.md).
     */
    @Benchmark
    public void helperLoop(Blackhole bh) {
        float d = two;
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector r0 = OpsF32.sin(v);
            FloatVector r1 = OpsF32.square(v);
            r1 = OpsF32.divVS(r1, d, 0f);
            r1 = OpsF32.neg(r1);
            r1 = OpsF32.exp(r1);
            OpsF32.mul(r0, r1).intoArray(y, i);
        }
        bh.consume(y[n / 2]);
    }

    float two = 2f;
}
