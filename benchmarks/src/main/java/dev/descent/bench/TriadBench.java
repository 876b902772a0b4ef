package dev.descent.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/** The bandwidth roof: a = b + s*c over 1e7 floats (12 bytes per element moved, 3 arrays of 40 MB). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TriadBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Param({"10000000"})
    int n;

    float[] a, b, c;

    @Setup
    public void setup() {
        a = new float[n];
        b = new float[n];
        c = new float[n];
        Arrays.fill(b, 1.5f);
        Arrays.fill(c, 0.25f);
    }

    @Benchmark
    public void triad(Blackhole bh) {
        float s = 1.0001f;
        int i = 0, ub = S.loopBound(n);
        for (; i < ub; i += S.length()) FloatVector.fromArray(S, b, i).add(FloatVector.fromArray(S, c, i).mul(s)).intoArray(a, i);
        for (; i < n; i++) a[i] = b[i] + s * c[i];
        bh.consume(a[n - 1]);
    }
}
