package dev.descent.cli;

import dev.descent.check.Script;
import dev.descent.plot.Plots;
import dev.descent.plot.Recording;
import dev.descent.run.Driver;
import dev.descent.run.Stop;
import dev.descent.syntax.CompileError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code descent compare FILE --with CALL...}: each optimizer from the script's start on its
 * objective, one run each (the script's own optimize statements are left out), in a table.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run each --with optimizer from the script's start on its objective and compare them.")
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The script.") String file;

    @Option(names = "--with", paramLabel = "CALL", description = "An optimizer call, e.g. 'adam(lr = 0.1)' (standard or declared in the script); repeat to compare several.")
    List<String> calls;

    @Option(names = "--steps", paramLabel = "N",
            description = "Steps for each run (default: the count and clauses of the script's first optimize statement, else 1000).")
    Long steps;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a top-level let.") List<String> sets;

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Option(names = "--json", description = "Print one JSON object: runs.") boolean json;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "Draw all the runs on one plot. A PNG when FILE ends in .png.")
    String plot;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for random starts and dropout (overrides the script's seed).") Long seed;

    @picocli.CommandLine.Mixin EngineOptions engineOptions = new EngineOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    /** One compared run. */
    record Row(String call, Driver.RunResult result, double ms) {}

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (calls == null || calls.isEmpty()) throw new Main.UsageError("compare: give at least one optimizer with --with CALL, e.g. --with 'adam(lr = 0.1)'");
        if (steps != null && steps < 1) throw new Main.UsageError("--steps " + steps + ": needs at least 1");
        java.util.Map<String, Double> settings = Common.settings(sets);
        engineOptions.prewarm();
        Script s = Common.load(file, sets, err, true, false, limitOptions.limits());
        if (s == null) return Main.SCRIPT_ERROR;
        if (s.objective == null) {
            err.println(file + ": error: there is nothing to compare: the script has no 'minimize' or 'maximize'");
            return Main.SCRIPT_ERROR;
        }
        // every call is checked before anything runs
        List<Script> scripts = new ArrayList<>();
        for (int k = 0; k < calls.size(); k++) {
            Comparison.Checked c = Comparison.check(s, calls.get(k), "--with " + (k + 1), steps, settings);
            if (c.errors() != null) {
                Common.print(c.errors(), err);
                return c.usage() ? Main.USAGE : Main.SCRIPT_ERROR;
            }
            scripts.add(c.script());
        }
        long sd = seed != null ? seed : s.seed != null ? s.seed : 0L;
        double[] start = s.initialTheta(sd);
        dev.descent.engine.Engine engine = engineOptions.engine(err);
        // the plot: checked and opened (a temporary file beside it) only now that the script and the calls have checked
        try (OutputFile plotFile = plot == null ? null : OutputFile.openPlot(plot, OutputFile.inputs(s));
             Interrupts interrupts = Interrupts.install()) {
            List<Row> rows = new ArrayList<>();
            List<Recording> recs = new ArrayList<>();
            boolean diverged = false;
            for (int k = 0; k < scripts.size() && !Interrupts.requested(); k++) {
                Recording rec = plot == null ? null : new Recording(Plots.keep(s));
                long t0 = System.nanoTime();
                Driver.Result r;
                try {
                    r = new Driver(scripts.get(k), sd, engine).stopWhen(Interrupts::requested).run(start, rec);
                } catch (CompileError e) {
                    Common.print(e.diagnostics(), err);
                    return Main.SCRIPT_ERROR;
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                Driver.RunResult run = r.runs().get(0);
                if (run.message() != null) err.println(file + ": " + run.call() + " diverged: " + run.message());
                diverged |= run.stopped() == Stop.DIVERGED;
                rows.add(new Row(run.call(), run, ms));
                if (rec != null) recs.add(rec);
            }
            // the plot, complete, into place before the table (a table that cannot be printed loses no file)
            OutputFile.Failure late = null;
            if (plotFile != null) {
                List<Driver.RunResult> results = rows.stream().map(Row::result).toList();
                String title = Path.of(file).getFileName() + ": " + String.join(" vs ", rows.stream().map(Row::call).toList());
                try {
                    plotFile.write(Plots.encode(Plots.comparison(s, title, results, Recording.merge(Plots.keep(s), recs), engine), plot));
                    plotFile.commit();
                } catch (OutputFile.Failure f) {
                    late = f;
                }
            }
            if (Interrupts.requested())
                err.println("descent: interrupted by " + Interrupts.signal() + (rows.size() < scripts.size() ? "; the calls after the last row were not run" : ""));
            if (json) printJson(rows, out);
            else printTable(rows, out);
            out.flush();
            if (late != null) {
                err.println("descent: " + late.getMessage());
                return Main.SCRIPT_ERROR;
            }
            if (Interrupts.requested()) return Interrupts.exitCode();
            return diverged ? Main.DIVERGED : Main.OK;
        }
    }

    static void printTable(List<Row> rows, PrintWriter out) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"optimizer", "steps", "loss", "ms", "stopped"});
        for (Row r : rows)
            cells.add(new String[] {r.call(), Long.toString(r.result().steps()), Text.number(r.result().loss()),
                    String.format(java.util.Locale.ROOT, "%.1f", r.ms()), r.result().stopped().label()});
        int[] w = new int[5];
        for (String[] c : cells) for (int i = 0; i < 5; i++) w[i] = Math.max(w[i], c[i].length());
        for (String[] c : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                boolean right = i == 1 || i == 3; // counts and times right-aligned
                String pad = " ".repeat(w[i] - c[i].length());
                if (i > 0) sb.append("  ");
                sb.append(right ? pad + c[i] : i == 4 ? c[i] : c[i] + pad);
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static void printJson(List<Row> rows, PrintWriter out) throws IOException {
        try (Json j = new Json()) {
            j.g.writeStartObject();
            j.g.writeFieldName("runs");
            j.g.writeStartArray();
            for (Row r : rows) {
                j.g.writeStartObject();
                j.g.writeStringField("optimizer", r.result().optimizer());
                j.g.writeStringField("call", r.call());
                j.g.writeNumberField("steps", r.result().steps());
                j.g.writeFieldName("loss");
                j.number(r.result().loss());
                j.g.writeStringField("stopped", r.result().stopped().label());
                j.g.writeNumberField("ms", Math.round(r.ms() * 1000) / 1000.0);
                j.g.writeEndObject();
            }
            j.g.writeEndArray();
            j.g.writeEndObject();
            j.g.flush();
            out.println(j.text());
        }
    }
}
