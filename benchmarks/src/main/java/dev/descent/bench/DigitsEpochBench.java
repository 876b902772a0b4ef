package dev.descent.bench;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.Driver;
import dev.descent.run.StatementRun;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One training epoch of the digits network, examples/mlp_digits.dsc (64 → 32 tanh → 10, softmax
 * cross-entropy, Adam, batches of 32, a fifth of the 1797 rows held out), on one thread, as
 * {@code descent run} runs it: 45 passes of the driver's loop (the batch's rows gathered, the
 * objective and its gradient on them, the Adam step) and the validation loss that follows the
 * epoch. tools/bench/torch_digits_epoch.py times the same epoch in PyTorch.
 *
 * <p>{@code epoch}: the steady state. Each trial starts one run from the script's θ0
 * ({@link Driver#start}) and trains two epochs before JMH's warm-up, so that the programs the
 * run builds on first use (the 32-row and 30-row batches, the validation rows) are built
 * outside the timed epochs; the warm-up iterations then cover the JIT and, for {@code auto},
 * the switch to compiled loops. Each invocation is the next epoch of that run. The script is
 * read from the repository as it is, with its {@code for 20 epochs} raised so that the run
 * does not end inside the trial. {@code -p batch=1438}
 * trains on the whole training set in one step per epoch: the same arithmetic without the
 * per-batch costs.
 *
 * <p>{@code wholeRun}: the whole script as it is (its own batches), {@code descent run examples/mlp_digits.dsc} without the
 * JVM's start: reading and checking it (the CSV included), compiling, 20 epochs, the final report.
 *
 * <p>Run from the repository root (the script and its data are read from examples/).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DigitsEpochBench {
    static final Path SCRIPT = Path.of("examples/mlp_digits.dsc");
    static final String EPOCHS = "for 20 epochs", BATCH = "batch 32";
    static final int TRAINING_ROWS = 1438;

    /**
     * {@code ENGINE_PRECISION}, on one thread: {@code simd} (the Vector API interpreter),
     * {@code compiled} (each pass compiled to a fused loop first), {@code auto} (the command
     * line's default: the interpreter, then compiled loops); {@code scalar}: the float64 reference.
     */
    @Param({"simd_f64", "simd_f32", "auto_f64", "compiled_f64", "scalar"})
    public String engine;

    /** The mini-batch size: the script's 32, or another (1438: the whole training set, one step per epoch). */
    @Param({"32"})
    public int batch;

    Engine eng;
    Script script;
    long seed;
    double[] theta0;
    StatementRun run;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        eng = engine(engine);
        if (!Files.exists(SCRIPT)) throw new IllegalStateException(SCRIPT + " not found: run the benchmarks from the repository root");
        String text = Files.readString(SCRIPT);
        for (String s : new String[] {EPOCHS, BATCH})
            if (!text.contains(s)) throw new IllegalStateException(SCRIPT + " no longer says '" + s + "'; update DigitsEpochBench");
        // the same script, trained for as long as the trial lasts
        text = text.replace(EPOCHS, "for 1000000 epochs").replace(BATCH, "batch " + batch);
        script = Checker.checkForTraining(new SourceFile(SCRIPT.toString(), SCRIPT, text), Map.of());
        seed = script.seed != null ? script.seed : 0L;
        theta0 = script.initialTheta(seed);
        startRun();
    }

    static Engine engine(String name) {
        if (name.equals("scalar")) return Engine.SCALAR;
        String[] kp = name.split("_");
        if (kp.length != 2) throw new IllegalArgumentException("engine " + name + ": expected scalar or KIND_f64|f32");
        Engine.Kind kind = Engine.Kind.valueOf(kp[0].toUpperCase(java.util.Locale.ROOT));
        return new Engine(kind, Precision.valueOf(kp[1].toUpperCase(java.util.Locale.ROOT)), 1);
    }

    private void startRun() {
        run = new Driver(script, seed, eng).start(1, theta0.clone(), null);
        long batches = (TRAINING_ROWS + batch - 1) / batch;
        if (run.stepsPerEpoch() != batches) throw new IllegalStateException("expected " + batches + " batches per epoch, not " + run.stepsPerEpoch());
        for (int k = 0; k < 2; k++) epochOrFail();
    }

    private void epochOrFail() {
        if (!run.epoch()) throw new IllegalStateException("the run ended after " + run.steps() + " steps: " + run.finish());
    }

    @Benchmark
    public long epoch() {
        epochOrFail();
        return run.steps();
    }

    @Benchmark
    public void wholeRun(Blackhole bh) {
        Script s = Checker.checkForTraining(SourceFile.read(SCRIPT, SCRIPT.toString()), Map.of());
        long sd = s.seed != null ? s.seed : 0L;
        Driver.Result r = new Driver(s, sd, eng).run(s.initialTheta(sd), null);
        bh.consume(r.loss());
    }
}
