package dev.descent.bench;

import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.ir.Node;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One Adam step (amsgrad off, so v_max is still tracked, as the standard library's adam does)
 * with the loss sum(g*g) fused in, out of place: reads p, g, m, v, v_max; writes p', m', v',
 * v_max'; returns the loss. Six ways: the SIMD engine's interpreter and its compiled tier, the scalar engine (float64 always), a
 * hand-written fused Vector API loop, a plain Java loop, and a NumPy-like array-at-a-time
 * evaluation (one full pass per operation into preallocated temporaries).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AdamBench {
    static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;

    @Param({"1000", "100000", "10000000"})
    int n;

    @Param({"F32", "F64"})
    Precision precision;

    SimdProgram simd, compiled;
    ScalarProgram scalar;
    Env env;
    float[][] leavesF, resultsF;
    double[][] leavesD, resultsD;
    int ip, ig, im, iv, ivm;
    // scalars of the step, as the engine computes them
    double lrc, sqc;
    // array-at-a-time temporaries
    float[][] tf;
    double[][] td;

    @Setup
    public void setup() {
        List<Node> outs = Programs.adamWithLoss(n);
        simd = new SimdProgram(outs, precision, 1);
        compiled = new SimdProgram(outs, precision, 1, SimdProgram.Tier.COMPILED);
        if (!compiled.compiled()) throw new IllegalStateException("not compiled: " + compiled.notes());
        List<Node> leaves = simd.leaves();
        leavesD = Programs.adamLeaves(leaves, n);
        resultsD = new double[outs.size()][];
        for (int i = 0; i < outs.size(); i++) resultsD[i] = new double[outs.get(i).shape.size()];
        leavesF = Programs.toFloat(leavesD);
        resultsF = new float[outs.size()][];
        for (int i = 0; i < outs.size(); i++) resultsF[i] = new float[outs.get(i).shape.size()];
        ip = Programs.index(leaves, "name=p]");
        ig = Programs.index(leaves, "name=g]");
        im = Programs.index(leaves, ":m]");
        iv = Programs.index(leaves, ":v]");
        ivm = Programs.index(leaves, ":v_max]");
        lrc = Programs.LR / (1 - Math.pow(Programs.BETA1, Programs.T));
        sqc = Math.sqrt(1 - Math.pow(Programs.BETA2, Programs.T));
        scalar = new ScalarProgram(outs);
        Map<Node, double[]> values = new IdentityHashMap<>();
        for (int i = 0; i < leaves.size(); i++) values.put(leaves.get(i), leavesD[i]);
        env = Env.of(values);
        if (precision == Precision.F32) tf = new float[8][n];
        else td = new double[8][n];
    }

    @Benchmark
    public void simd(Blackhole bh) {
        if (precision == Precision.F32) {
            simd.runF32(leavesF, resultsF);
            bh.consume(resultsF[4][0]);
        } else {
            simd.runF64(leavesD, resultsD);
            bh.consume(resultsD[4][0]);
        }
    }

    @Benchmark
    public void compiled(Blackhole bh) {
        if (precision == Precision.F32) {
            compiled.runF32(leavesF, resultsF);
            bh.consume(resultsF[4][0]);
        } else {
            compiled.runF64(leavesD, resultsD);
            bh.consume(resultsD[4][0]);
        }
    }

    @Benchmark
    public void scalarEngine(Blackhole bh) {
        scalar.execute(env);
        bh.consume(scalar.output(4)[0]);
    }

    @Benchmark
    public void handFused(Blackhole bh) {
        if (precision == Precision.F32) bh.consume(fusedF(leavesF[ip], leavesF[ig], leavesF[im], leavesF[iv], leavesF[ivm],
                resultsF[0], resultsF[1], resultsF[2], resultsF[3], (float) lrc, (float) sqc));
        else bh.consume(fusedD(leavesD[ip], leavesD[ig], leavesD[im], leavesD[iv], leavesD[ivm],
                resultsD[0], resultsD[1], resultsD[2], resultsD[3], lrc, sqc));
    }

    @Benchmark
    public void plainLoop(Blackhole bh) {
        if (precision == Precision.F32) bh.consume(plainF(leavesF[ip], leavesF[ig], leavesF[im], leavesF[iv], leavesF[ivm],
                resultsF[0], resultsF[1], resultsF[2], resultsF[3], (float) lrc, (float) sqc));
        else bh.consume(plainD(leavesD[ip], leavesD[ig], leavesD[im], leavesD[iv], leavesD[ivm],
                resultsD[0], resultsD[1], resultsD[2], resultsD[3], lrc, sqc));
    }

    @Benchmark
    public void arrayAtATime(Blackhole bh) {
        if (precision == Precision.F32) bh.consume(arraysF(leavesF[ip], leavesF[ig], leavesF[im], leavesF[iv], leavesF[ivm],
                resultsF[0], resultsF[1], resultsF[2], resultsF[3], (float) lrc, (float) sqc, tf));
        else bh.consume(arraysD(leavesD[ip], leavesD[ig], leavesD[im], leavesD[iv], leavesD[ivm],
                resultsD[0], resultsD[1], resultsD[2], resultsD[3], lrc, sqc, td));
    }

    static final float B1 = 0.9f, C1 = 0.1f, B2 = 0.999f, C2 = 0.001f, EPSF = 1e-8f, WDF = 0f;
    static final double B1D = 0.9, C1D = 0.1, B2D = 0.999, C2D = 0.001, EPSD = 1e-8, WDD = 0;

    static double fusedF(float[] p, float[] g, float[] m, float[] v, float[] vm, float[] po, float[] mo, float[] vo, float[] vmo, float lrc, float sqc) {
        int n = p.length, i = 0, ub = SF.loopBound(n);
        FloatVector acc = FloatVector.zero(SF);
        for (; i < ub; i += SF.length()) {
            FloatVector P = FloatVector.fromArray(SF, p, i), G0 = FloatVector.fromArray(SF, g, i);
            FloatVector G = G0.add(P.mul(WDF));
            FloatVector M = FloatVector.fromArray(SF, m, i).mul(B1).add(G.mul(C1));
            FloatVector V = FloatVector.fromArray(SF, v, i).mul(B2).add(G.mul(G).mul(C2));
            FloatVector VM = FloatVector.fromArray(SF, vm, i).max(V);
            FloatVector D = V.sqrt().div(sqc).add(EPSF);
            P.sub(M.mul(lrc).div(D)).intoArray(po, i);
            M.intoArray(mo, i);
            V.intoArray(vo, i);
            VM.intoArray(vmo, i);
            acc = acc.add(G0.mul(G0));
        }
        double loss = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) loss += stepF(p, g, m, v, vm, po, mo, vo, vmo, lrc, sqc, i);
        return loss;
    }

    static float stepF(float[] p, float[] g, float[] m, float[] v, float[] vm, float[] po, float[] mo, float[] vo, float[] vmo, float lrc, float sqc, int i) {
        float G = g[i] + WDF * p[i];
        float M = B1 * m[i] + C1 * G;
        float V = B2 * v[i] + C2 * (G * G);
        vmo[i] = Math.max(vm[i], V);
        float D = (float) Math.sqrt(V) / sqc + EPSF;
        po[i] = p[i] - lrc * M / D;
        mo[i] = M;
        vo[i] = V;
        return g[i] * g[i];
    }

    static double plainF(float[] p, float[] g, float[] m, float[] v, float[] vm, float[] po, float[] mo, float[] vo, float[] vmo, float lrc, float sqc) {
        double loss = 0;
        for (int i = 0; i < p.length; i++) loss += stepF(p, g, m, v, vm, po, mo, vo, vmo, lrc, sqc, i);
        return loss;
    }

    static double fusedD(double[] p, double[] g, double[] m, double[] v, double[] vm, double[] po, double[] mo, double[] vo, double[] vmo, double lrc, double sqc) {
        int n = p.length, i = 0, ub = SD.loopBound(n);
        DoubleVector acc = DoubleVector.zero(SD);
        for (; i < ub; i += SD.length()) {
            DoubleVector P = DoubleVector.fromArray(SD, p, i), G0 = DoubleVector.fromArray(SD, g, i);
            DoubleVector G = G0.add(P.mul(WDD));
            DoubleVector M = DoubleVector.fromArray(SD, m, i).mul(B1D).add(G.mul(C1D));
            DoubleVector V = DoubleVector.fromArray(SD, v, i).mul(B2D).add(G.mul(G).mul(C2D));
            DoubleVector VM = DoubleVector.fromArray(SD, vm, i).max(V);
            DoubleVector D = V.sqrt().div(sqc).add(EPSD);
            P.sub(M.mul(lrc).div(D)).intoArray(po, i);
            M.intoArray(mo, i);
            V.intoArray(vo, i);
            VM.intoArray(vmo, i);
            acc = acc.add(G0.mul(G0));
        }
        double loss = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) loss += stepD(p, g, m, v, vm, po, mo, vo, vmo, lrc, sqc, i);
        return loss;
    }

    static double stepD(double[] p, double[] g, double[] m, double[] v, double[] vm, double[] po, double[] mo, double[] vo, double[] vmo, double lrc, double sqc, int i) {
        double G = g[i] + WDD * p[i];
        double M = B1D * m[i] + C1D * G;
        double V = B2D * v[i] + C2D * (G * G);
        vmo[i] = Math.max(vm[i], V);
        double D = Math.sqrt(V) / sqc + EPSD;
        po[i] = p[i] - lrc * M / D;
        mo[i] = M;
        vo[i] = V;
        return g[i] * g[i];
    }

    static double plainD(double[] p, double[] g, double[] m, double[] v, double[] vm, double[] po, double[] mo, double[] vo, double[] vmo, double lrc, double sqc) {
        double loss = 0;
        for (int i = 0; i < p.length; i++) loss += stepD(p, g, m, v, vm, po, mo, vo, vmo, lrc, sqc, i);
        return loss;
    }

    /** NumPy-style: every operation one pass over whole arrays, into temporaries. */
    static double arraysF(float[] p, float[] g, float[] m, float[] v, float[] vm, float[] po, float[] mo, float[] vo, float[] vmo, float lrc, float sqc, float[][] t) {
        int n = p.length;
        float[] a = t[0], b = t[1], G = t[2], c = t[3], d = t[4];
        for (int i = 0; i < n; i++) a[i] = WDF * p[i];
        for (int i = 0; i < n; i++) G[i] = g[i] + a[i];
        for (int i = 0; i < n; i++) a[i] = B1 * m[i];
        for (int i = 0; i < n; i++) b[i] = C1 * G[i];
        for (int i = 0; i < n; i++) mo[i] = a[i] + b[i];
        for (int i = 0; i < n; i++) a[i] = G[i] * G[i];
        for (int i = 0; i < n; i++) b[i] = C2 * a[i];
        for (int i = 0; i < n; i++) a[i] = B2 * v[i];
        for (int i = 0; i < n; i++) vo[i] = a[i] + b[i];
        for (int i = 0; i < n; i++) vmo[i] = Math.max(vm[i], vo[i]);
        for (int i = 0; i < n; i++) a[i] = (float) Math.sqrt(vo[i]);
        for (int i = 0; i < n; i++) b[i] = a[i] / sqc;
        for (int i = 0; i < n; i++) c[i] = b[i] + EPSF;
        for (int i = 0; i < n; i++) a[i] = lrc * mo[i];
        for (int i = 0; i < n; i++) d[i] = a[i] / c[i];
        for (int i = 0; i < n; i++) po[i] = p[i] - d[i];
        for (int i = 0; i < n; i++) a[i] = g[i] * g[i];
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i];
        return s;
    }

    static double arraysD(double[] p, double[] g, double[] m, double[] v, double[] vm, double[] po, double[] mo, double[] vo, double[] vmo, double lrc, double sqc, double[][] t) {
        int n = p.length;
        double[] a = t[0], b = t[1], G = t[2], c = t[3], d = t[4];
        for (int i = 0; i < n; i++) a[i] = WDD * p[i];
        for (int i = 0; i < n; i++) G[i] = g[i] + a[i];
        for (int i = 0; i < n; i++) a[i] = B1D * m[i];
        for (int i = 0; i < n; i++) b[i] = C1D * G[i];
        for (int i = 0; i < n; i++) mo[i] = a[i] + b[i];
        for (int i = 0; i < n; i++) a[i] = G[i] * G[i];
        for (int i = 0; i < n; i++) b[i] = C2D * a[i];
        for (int i = 0; i < n; i++) a[i] = B2D * v[i];
        for (int i = 0; i < n; i++) vo[i] = a[i] + b[i];
        for (int i = 0; i < n; i++) vmo[i] = Math.max(vm[i], vo[i]);
        for (int i = 0; i < n; i++) a[i] = Math.sqrt(vo[i]);
        for (int i = 0; i < n; i++) b[i] = a[i] / sqc;
        for (int i = 0; i < n; i++) c[i] = b[i] + EPSD;
        for (int i = 0; i < n; i++) a[i] = lrc * mo[i];
        for (int i = 0; i < n; i++) d[i] = a[i] / c[i];
        for (int i = 0; i < n; i++) po[i] = p[i] - d[i];
        for (int i = 0; i < n; i++) a[i] = g[i] * g[i];
        double s = 0;
        for (int i = 0; i < n; i++) s += a[i];
        return s;
    }
}
