package dev.descent.cli;

import dev.descent.check.Checker;
import dev.descent.check.OptimizerStep;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.check.UnknownSetting;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.engine.simd.Triad;
import dev.descent.run.StepBench;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code descent bench FILE}: the step of the script's first {@code optimize} statement, timed as
 * {@code run} takes it (the driver's own loop: objective, gradient and update, fused where run
 * fuses them), or with {@code --n N} the optimizer's update alone over θ of N elements; beside
 * the scalar engine on the same step and beside a triad (this machine's streaming bandwidth,
 * measured in the same run).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time the script's step as run takes it (or with --n N the optimizer's update alone for N parameters): ns per step, ns per element, GB/s, beside the scalar engine and a triad (the memory roof).")
final class BenchCommand implements Callable<Integer> {
    /** Seconds each measurement aims for (after a warm-up as long): the chosen engine, then the scalar engine and the triad. */
    static final double ENGINE_SECONDS = 1.0, OTHER_SECONDS = 0.5;

    @Parameters(index = "0", paramLabel = "FILE", description = "The script.") String file;

    @Option(names = "--n", paramLabel = "N",
            description = "Time the optimizer's update alone, for a parameter vector of N elements, with the gradient given (what a step runs after the objective, and what the Java API's Optimizer.step runs). Without it: the script's own step, as run takes it.")
    String n;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for random starts (overrides the script's seed; the script's own step only).") Long seed;

    @Option(names = "--steps", paramLabel = "K",
            description = "Steps to time, after as many to warm up (default: as many as take about 1 s; the scalar engine at most as many as take 0.5 s).")
    Long steps;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a top-level let.") List<String> sets;

    @Option(names = "--json", description = "Print one JSON object instead of the table.") boolean json;

    @picocli.CommandLine.Mixin EngineOptions engineOptions = new EngineOptions();

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Integer size = n == null ? null : size(n);
        if (steps != null && steps < 1) throw new Main.UsageError("--steps " + steps + ": needs at least 1");
        if (!Engine.vectorModule()) {
            // it times the Vector API engines (and the memory's speed with them) beside the scalar one
            err.println("descent: bench measures the Vector API engines, and this JVM has no jdk.incubator.vector: start java with --add-modules jdk.incubator.vector (bin/descent does)");
            return Main.SCRIPT_ERROR;
        }
        Engine engine = engineOptions.engine(err);
        Script script;
        try {
            script = Checker.check(SourceFile.read(Path.of(file), file), Common.settings(sets), Checker.Options.TRAINING.withLimits(limitOptions.limits()));
        } catch (CompileError e) {
            Common.print(e.diagnostics(), err);
            return Main.SCRIPT_ERROR;
        } catch (UnknownSetting e) {
            throw new Main.UsageError(e.getMessage());
        }
        if (script.steps.isEmpty()) {
            err.println(file + ": error: there is nothing to bench: the script has no 'optimize with … for N steps'");
            return Main.SCRIPT_ERROR;
        }
        Step own = script.steps.get(0);
        String where = file + ":" + own.pos().line() + ":" + own.pos().column() + ": error: ";
        StepBench sb;
        if (size == null) {
            if (script.objective == null) {
                err.println(file + ": error: there is nothing to bench: the script has no 'minimize' or 'maximize' (bench --n N times the update alone)");
                return Main.SCRIPT_ERROR;
            }
            long seed = this.seed != null ? this.seed : script.seed != null ? script.seed : 0L;
            sb = StepBench.script(script, seed);
        } else {
            if (StepBench.needsObjective(own)) {
                err.println(where + "bench --n measures an optimizer's update alone; newton and cg need the objective's Hessian or line search ("
                        + own.call() + (!own.searches().isEmpty() ? " calls linesearch)" : !own.hvps().isEmpty() ? " calls hvp)" : !own.gradAts().isEmpty() ? " calls grad_at)" : " uses H)") + "; leave out --n to time the script's own step");
                return Main.SCRIPT_ERROR;
            }
            try {
                OptimizerStep update = OptimizerStep.of(script, 0);
                sb = StepBench.update(update.dag(), update.step(size), size, 42);
            } catch (IllegalArgumentException e) {
                err.println(where + e.getMessage());
                return Main.SCRIPT_ERROR;
            }
        }

        Precision precision = engine.precision();
        StepBench.Plan main = steps != null ? StepBench.Plan.exactly(steps) : StepBench.Plan.forSeconds(ENGINE_SECONDS);
        StepBench.Plan other = steps != null ? StepBench.Plan.exactly(steps) : StepBench.Plan.forSeconds(OTHER_SECONDS);
        StepBench.Plan slow = steps != null ? StepBench.Plan.atMost(steps, OTHER_SECONDS) : other;

        List<StepBench.Timing> rows = new ArrayList<>();
        double[] p0 = sb.initialP();
        double pChange;
        if (engine.vectorized()) {
            if (engine.kind() == Engine.Kind.SIMD) {
                rows.add(sb.time(engine, "simd", main));
                pChange = change(p0, sb.finalP());
            } else {
                rows.add(sb.time(engine.withKind(Engine.Kind.COMPILED), "compiled", main));
                pChange = change(p0, sb.finalP());
                rows.add(sb.time(engine.withKind(Engine.Kind.SIMD), "simd", other));
            }
            rows.add(sb.time(Engine.SCALAR, "scalar", slow));
        } else {
            rows.add(sb.time(Engine.SCALAR, "scalar", main));
            pChange = change(p0, sb.finalP());
        }
        StepBench.Timing triad;
        int triadBytes, triadLength;
        {
            Triad t = new Triad(precision, engine.threads());
            triadBytes = t.bytesPerElement();
            triadLength = t.length();
            triad = StepBench.triad(t, precision, other);
        }
        double roof = (double) triadBytes * triadLength / triad.nsPerStep(); // GB/s = bytes per ns

        if (json) json(out, sb, rows, triad, triadBytes, triadLength, roof, pChange, own);
        else table(out, sb, rows, triad, triadBytes, triadLength, roof, own);
        return Main.OK;
    }

    /** --n: a whole number from 1 (written as 1000000 or 1e6). */
    private static int size(String text) {
        double v = Common.number(text, "--n");
        if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE - 64)
            throw new Main.UsageError("--n " + text + ": needs a whole number from 1 to " + (Integer.MAX_VALUE - 64));
        return (int) v;
    }

    private static double change(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            if (!(d <= m)) m = d; // NaN sticks
        }
        return m;
    }

    private static int elementBytes(Precision p) { return p == Precision.F32 ? 4 : 8; }

    private static double gbPerS(StepBench sb, StepBench.Timing t) {
        return sb.bytesPerStep(elementBytes(t.precision())) / t.nsPerStep();
    }

    private void table(PrintWriter out, StepBench sb, List<StepBench.Timing> rows, StepBench.Timing triad, int triadBytes, int triadLength,
                       double roof, Step own) {
        int size = sb.n();
        Precision p = rows.get(0).precision();
        out.printf(Locale.ROOT, "%s: %s, %s: a step reads %d arrays and writes %d, %s bytes per element in %s%s%n", file, own.call(),
                sb.wholeStep() ? "the step as run takes it (θ of " + size + ")" : "the update alone, n = " + size,
                sb.arraysRead(), sb.arraysWritten(), num((double) sb.bytesPerStep(elementBytes(p)) / size), name(p),
                p == Precision.F32 ? " (" + num((double) sb.bytesPerStep(8) / size) + " in f64)" : "");
        out.printf(Locale.ROOT, "%-9s %-9s %7s %9s %12s %11s %7s %5s%n", "engine", "precision", "threads", "steps", "ns/step", "ns/element", "GB/s", "roof");
        for (StepBench.Timing t : rows) {
            double gb = gbPerS(sb, t);
            out.printf(Locale.ROOT, "%-9s %-9s %7d %9d %12s %11s %7s %5s%n", t.engine(), name(t.precision()), t.threads(),
                    t.steps(), num(t.nsPerStep()), num(t.nsPerStep() / size), num(gb), String.format(Locale.ROOT, "%.2f", gb / roof));
        }
        out.printf(Locale.ROOT, "%-9s %-9s %7d %9d %12s %11s %7s %5s%n", "triad", name(triad.precision()), triad.threads(),
                triad.steps(), num(triad.nsPerStep()), num(triad.nsPerStep() / triadLength), num(roof), "1.00");
        out.printf(Locale.ROOT, "roof: the triad a = b + s*c over %d elements (3 arrays of %d MiB, %d bytes per element), this machine's streaming bandwidth%n",
                triadLength, Triad.BYTES_PER_ARRAY >> 20, triadBytes);
    }

    private static String name(Precision p) { return p.name().toLowerCase(Locale.ROOT); }

    /** A figure with 3 significant digits or more. */
    private static String num(double v) {
        if (!Double.isFinite(v)) return Double.toString(v);
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
        if (v >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private void json(PrintWriter out, StepBench sb, List<StepBench.Timing> rows, StepBench.Timing triad, int triadBytes, int triadLength,
                      double roof, double pChange, Step own) throws IOException {
        try (Json j = new Json()) {
            j.g.writeStartObject();
            j.g.writeStringField("optimizer", own.call());
            j.g.writeNumberField("n", sb.n());
            j.g.writeStringField("measures", sb.wholeStep() ? "step" : "update");
            j.g.writeNumberField("arrays_read", sb.arraysRead());
            j.g.writeNumberField("arrays_written", sb.arraysWritten());
            j.g.writeFieldName("engines");
            j.g.writeStartArray();
            for (StepBench.Timing t : rows) {
                double gb = gbPerS(sb, t);
                j.g.writeStartObject();
                j.g.writeStringField("engine", t.engine());
                j.g.writeStringField("precision", t.precision().name().toLowerCase(Locale.ROOT));
                j.g.writeNumberField("threads", t.threads());
                j.g.writeNumberField("steps", t.steps());
                j.g.writeFieldName("bytes_per_element");
                j.number((double) sb.bytesPerStep(elementBytes(t.precision())) / sb.n());
                j.g.writeFieldName("ns_per_step");
                j.number(t.nsPerStep());
                j.g.writeFieldName("ns_per_element");
                j.number(t.nsPerStep() / sb.n());
                j.g.writeFieldName("gb_per_s");
                j.number(gb);
                j.g.writeFieldName("roof_fraction");
                j.number(gb / roof);
                j.g.writeEndObject();
            }
            j.g.writeEndArray();
            j.g.writeFieldName("triad");
            j.g.writeStartObject();
            j.g.writeStringField("precision", triad.precision().name().toLowerCase(Locale.ROOT));
            j.g.writeNumberField("threads", triad.threads());
            j.g.writeNumberField("n", triadLength);
            j.g.writeNumberField("steps", triad.steps());
            j.g.writeNumberField("bytes_per_element", triadBytes);
            j.g.writeFieldName("ns_per_step");
            j.number(triad.nsPerStep());
            j.g.writeFieldName("ns_per_element");
            j.number(triad.nsPerStep() / triadLength);
            j.g.writeFieldName("gb_per_s");
            j.number(roof);
            j.g.writeEndObject();
            j.g.writeFieldName("p_change");
            j.number(pChange);
            j.g.writeEndObject();
            j.g.flush();
            out.println(j.text());
        }
    }
}
