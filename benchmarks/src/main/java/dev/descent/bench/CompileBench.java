package dev.descent.bench;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.compiled.PassCompiler;
import dev.descent.ir.Node;
import dev.descent.lower.KernelPlan;
import dev.descent.lower.Lowering;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The compiling tier's cost: lowering a standard optimizer's step and compiling its passes
 * to hidden classes (bytecode generation, definition, linking), float32 and float64. The JIT
 * compiles the generated loop afterwards, as it compiles any hot method; that is not counted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CompileBench {
    @Param({"adam(lr = 0.01)", "sgd(lr = 0.1, momentum = 0.9, nesterov = 1)", "rmsprop(lr = 0.01, centered = 1)", "radam(lr = 0.01)", "nadam(lr = 0.01)"})
    String optimizer;

    @Param({"F32", "F64"})
    String precision;

    List<Node> outs;

    @Setup
    public void setup() {
        String src = "param x[100000] = 0.5\nminimize sum(x^2)\noptimize with " + optimizer + " for 10 steps\n";
        Script s = Checker.checkForTraining(SourceFile.ofString("step.dsc", src), Map.of());
        Step st = s.steps.get(0);
        outs = new ArrayList<>();
        outs.add(st.pOutput());
        outs.addAll(st.stateOutputs());
    }

    @Benchmark
    public int lowerAndCompile() {
        KernelPlan plan = Lowering.lower(outs);
        int compiled = 0;
        for (KernelPlan.Phase ph : plan.phases)
            if (ph.pass != null && PassCompiler.compile(ph.pass, precision.equals("F32")).ok()) compiled++;
        return compiled;
    }
}
