package dev.descent.bench;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.Driver;
import dev.descent.run.StatementRun;
import dev.descent.syntax.SourceFile;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

/**
 * The step that {@code descent run} takes, timed through the driver itself
 * ({@code Driver.bench(1).advance()}: the same code as {@code run}, {@code compare} and
 * {@code bench}), on Adam over {@code sum(0.5*(p-3)^2)} with {@code param p[n] = 0}: the
 * objective's value, its gradient and the update, fused into one program over resident buffers
 * of the chosen precision. Beside it, in the same class and run, {@code hand}: the same job as a
 * competent Java programmer writes it with the Vector API (p, m, v in place, one fused loop, the
 * loss folded in). One thread, so that the two compare loop for loop.
 *
 * <ul>
 *   <li>{@code engine = auto}: the default; the step compiled to one fused loop (the setup waits
 *       until auto has switched to it), what a long run reaches after its first steps.</li>
 *   <li>{@code engine = simd}: the block interpreter ({@code --engine simd}).</li>
 *   <li>{@code engine = hand}: the hand-written loop.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StepRunnerBench {
    @Param({"1000", "100000", "10000000"}) int n;
    @Param({"F32", "F64"}) String precision;
    @Param({"auto", "simd", "hand"}) String engine;

    StatementRun run;
    float[] pf, mf, vf;
    double[] pd, md, vd;
    int t;

    static final float LR = 0.01f;

    @Setup(Level.Trial)
    public void setup() {
        Precision prec = Precision.valueOf(precision);
        if (engine.equals("hand")) {
            if (prec == Precision.F32) {
                pf = new float[n];
                mf = new float[n];
                vf = new float[n];
            } else {
                pd = new double[n];
                md = new double[n];
                vd = new double[n];
            }
            return;
        }
        Script s = Checker.checkForTraining(SourceFile.ofString("adam.dsc",
                "param p[" + n + "] = 0\nminimize sum(0.5*(p-3)^2)\noptimize with adam(lr = 0.01) for 200 steps\n"), Map.of());
        Engine.Kind kind = engine.equals("auto") ? Engine.Kind.AUTO : Engine.Kind.SIMD;
        boolean[] switched = {false};
        Engine e = new Engine(kind, prec, 1, note -> { if (note.startsWith("warmed")) switched[0] = true; });
        run = new Driver(s, 0, e).bench(1);
        run.advance();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (kind == Engine.Kind.AUTO && !switched[0] && System.nanoTime() < deadline) run.advance();
        if (kind == Engine.Kind.AUTO && !switched[0]) throw new IllegalStateException("auto did not compile the step");
    }

    @Benchmark
    public double step() {
        if (run != null) {
            run.advance();
            return run.steps();
        }
        t++;
        return pf != null ? adamF32(pf, mf, vf, t) : adamF64(pd, md, vd, t);
    }

    static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;

    /** One Adam step (torch.optim.Adam 1.13's formulas) on the loss sum(0.5 (p - 3)²), in place; returns the loss at p before it. */
    static float adamF32(float[] p, float[] m, float[] v, int t) {
        float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        float bc1 = (float) (1 - Math.pow(0.9, t)), bc2 = (float) Math.sqrt(1 - Math.pow(0.999, t));
        float step = LR / bc1;
        FloatVector acc = FloatVector.zero(SF);
        int i = 0, bound = SF.loopBound(p.length);
        for (; i < bound; i += SF.length()) {
            FloatVector x = FloatVector.fromArray(SF, p, i);
            FloatVector g = x.sub(3f);
            acc = acc.add(g.mul(g).mul(0.5f));
            FloatVector mv = FloatVector.fromArray(SF, m, i).mul(b1).add(g.mul(1 - b1));
            FloatVector vv = FloatVector.fromArray(SF, v, i).mul(b2).add(g.mul(g).mul(1 - b2));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            x.sub(mv.mul(step).div(vv.sqrt().div(bc2).add(eps))).intoArray(p, i);
        }
        float loss = acc.reduceLanes(VectorOperators.ADD);
        for (; i < p.length; i++) {
            float g = p[i] - 3f;
            loss += 0.5f * g * g;
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            p[i] -= step * m[i] / ((float) Math.sqrt(v[i]) / bc2 + eps);
        }
        return loss;
    }

    static double adamF64(double[] p, double[] m, double[] v, int t) {
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        double bc1 = 1 - Math.pow(b1, t), bc2 = Math.sqrt(1 - Math.pow(b2, t));
        double step = 0.01 / bc1;
        DoubleVector acc = DoubleVector.zero(SD);
        int i = 0, bound = SD.loopBound(p.length);
        for (; i < bound; i += SD.length()) {
            DoubleVector x = DoubleVector.fromArray(SD, p, i);
            DoubleVector g = x.sub(3);
            acc = acc.add(g.mul(g).mul(0.5));
            DoubleVector mv = DoubleVector.fromArray(SD, m, i).mul(b1).add(g.mul(1 - b1));
            DoubleVector vv = DoubleVector.fromArray(SD, v, i).mul(b2).add(g.mul(g).mul(1 - b2));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            x.sub(mv.mul(step).div(vv.sqrt().div(bc2).add(eps))).intoArray(p, i);
        }
        double loss = acc.reduceLanes(VectorOperators.ADD);
        for (; i < p.length; i++) {
            double g = p[i] - 3;
            loss += 0.5 * g * g;
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            p[i] -= step * m[i] / (Math.sqrt(v[i]) / bc2 + eps);
        }
        return loss;
    }
}
