package dev.descent.bench;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Precision;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.ir.Node;
import dev.descent.run.Driver;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * 2-D Rosenbrock with Adam: the cost of a step on a tiny problem. Reported as time per step
 * (steps per second = 1e9 / ns). {@code driver}: the whole Driver on the scalar engine, 1e5
 * steps per call; {@code driverDefaultEngine}: the same on the engine {@code descent run} uses
 * by default (auto, float64). {@code simdLoop}: objective+gradient and the Adam step, each a
 * SimdProgram in float64, in a loop that feeds one into the other (what a driver on the SIMD
 * engine does per step, without its bookkeeping).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RosenbrockBench {
    static final int STEPS = 100_000;
    static final String SRC = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\noptimize with adam(lr = 0.05) for " + STEPS + " steps\n";

    Script script;
    SimdProgram objective, step, objectiveC, stepC;
    double[][] objLeaves, objOut, stepLeaves, stepOut;
    int sp, sg, st, sf;
    int[] states;

    @Setup
    public void setup() {
        script = Checker.checkForTraining(SourceFile.ofString("rosenbrock.dsc", SRC), Map.of());
        Step s = script.steps.get(0);
        List<Node> params = List.of(script.params.get(0).node());
        List<Node> objOuts = new ArrayList<>();
        objOuts.add(script.objective);
        objOuts.addAll(Derivatives.gradient(script.dag, script.objective, params));
        objective = new SimdProgram(objOuts, Precision.F64, 1);
        List<Node> stepOuts = new ArrayList<>();
        stepOuts.add(s.pOutput());
        stepOuts.addAll(s.stateOutputs());
        step = new SimdProgram(stepOuts, Precision.F64, 1);
        objectiveC = new SimdProgram(objOuts, Precision.F64, 1, SimdProgram.Tier.COMPILED);
        stepC = new SimdProgram(stepOuts, Precision.F64, 1, SimdProgram.Tier.COMPILED);
        objLeaves = new double[][] {{-1.5, 2}};
        objOut = new double[][] {new double[1], new double[2]};
        List<Node> leaves = step.leaves();
        stepLeaves = new double[leaves.size()][];
        for (int i = 0; i < leaves.size(); i++) stepLeaves[i] = new double[leaves.get(i).shape.size()];
        stepOut = new double[stepOuts.size()][];
        for (int i = 0; i < stepOuts.size(); i++) stepOut[i] = new double[stepOuts.get(i).shape.size()];
        sp = leaves.indexOf(s.p());
        sg = leaves.indexOf(s.g());
        st = leaves.indexOf(s.t());
        sf = leaves.indexOf(s.f());
        states = new int[s.stateInputs().size()];
        for (int i = 0; i < states.length; i++) states[i] = leaves.indexOf(s.stateInputs().get(i));
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public void driver(Blackhole bh) {
        Driver.Result r = new Driver(script, 0).run(script.initialTheta(0), null);
        bh.consume(r.loss());
    }

    /** The whole driver as {@code descent run} drives it: the default engine (auto, float64, every core). */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public void driverDefaultEngine(Blackhole bh) {
        Driver.Result r = new Driver(script, 0, dev.descent.engine.Engine.defaults()).run(null);
        bh.consume(r.loss());
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public void simdLoop(Blackhole bh) {
        loop(objective, step, bh);
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public void compiledLoop(Blackhole bh) {
        loop(objectiveC, stepC, bh);
    }

    private void loop(SimdProgram objective, SimdProgram step, Blackhole bh) {
        double[] theta = objLeaves[0];
        theta[0] = -1.5;
        theta[1] = 2;
        for (int i : states) java.util.Arrays.fill(stepLeaves[i], 0);
        for (int t = 1; t <= STEPS; t++) {
            objective.runF64(objLeaves, objOut);
            System.arraycopy(objOut[1], 0, stepLeaves[sg], 0, 2);
            System.arraycopy(theta, 0, stepLeaves[sp], 0, 2);
            stepLeaves[st][0] = t;
            if (sf >= 0) stepLeaves[sf][0] = objOut[0][0];
            step.runF64(stepLeaves, stepOut);
            System.arraycopy(stepOut[0], 0, theta, 0, 2);
            for (int i = 0; i < states.length; i++) System.arraycopy(stepOut[i + 1], 0, stepLeaves[states[i]], 0, stepOut[i + 1].length);
        }
        bh.consume(objOut[0][0]);
    }
}
