package dev.descent.cli;

import dev.descent.check.Script;
import dev.descent.plot.Plots;
import dev.descent.plot.Recording;
import dev.descent.run.Driver;
import dev.descent.run.Stop;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the script's optimize statements and report the result.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The script.") String file;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a top-level let.") List<String> sets;

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Option(names = "--json", description = "Print one JSON object: loss, params, runs.") boolean json;

    @Option(names = "--trace", paramLabel = "FILE.csv",
            description = "Write one row per point visited: run, step, loss, gradient norm, learning rate, and the parameters when there are at most 10.")
    String trace;

    @Option(names = "--epoch-metrics",
            description = "With --trace or --json: the loss and every report on each split (dropout off) at the end of every epoch, as the trace's"
                    + " train_loss, …, NAME_train, … columns and --json's \"epochs\" array; the run itself is unchanged, bit for bit.")
    boolean epochMetrics;

    @Option(names = "--plot", paramLabel = "FILE.svg",
            description = "Draw the run: contours and trajectory (2 parameters), the curve and the iterates (1), else the loss against the step. A PNG when FILE ends in .png.")
    String plot;

    @Option(names = "--save", paramLabel = "FILE.json",
            description = "Write the final parameters by name, as JSON (docs/cli.md: {\"params\": {\"w\": [..], \"b\": v}}); not when the run diverges.")
    String save;

    @Option(names = "--init", paramLabel = "FILE.json",
            description = "Start from the parameters in this file (written by --save, or run --json's output) instead of the script's starting values.")
    String init;

    @Option(names = "--checkpoint", paramLabel = "FILE.json",
            description = "Save the run's whole state to this file every --every K steps (epochs, in a statement that counts epochs), and when it is interrupted;"
                    + " each one written whole, replacing the last.")
    String checkpoint;

    @Option(names = "--every", paramLabel = "K", description = "With --checkpoint: how often, in the unit of the optimize statement (steps or epochs).")
    Long every;

    @Option(names = "--resume", paramLabel = "FILE.json",
            description = "Continue the run a checkpoint was made in (same script, --set values, seed and precision): the same bits as a run never stopped.")
    String resume;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Run on Apache Spark (local[2], spark://host:7077, yarn, …): the data stays there, the steps are taken here. Needs Descent's Spark module (docs/spark.md).")
    String spark;

    @Option(names = "--local-steps", paramLabel = "K",
            description = "With --spark: each partition takes K updates on its own rows per Spark job, then θ and the optimizer's states are averaged (local SGD, model averaging): fewer jobs, another trajectory (docs/spark.md).")
    Integer localSteps;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for random starts and dropout (overrides the script's seed).") Long seed;

    @Option(names = {"-q", "--quiet"},
            description = "No progress bar and no notes on stderr; errors (and a diverged run) are still reported.")
    boolean quiet;

    @picocli.CommandLine.Mixin EngineOptions engineOptions = new EngineOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        engineOptions.prewarm();
        if (localSteps != null && spark == null) throw new Main.UsageError("--local-steps goes with --spark MASTER: it is how a run on Spark takes several updates per job");
        if (localSteps != null && localSteps < 1) throw new Main.UsageError("--local-steps must be a whole number ≥ 1, not " + localSteps);
        if (spark != null) {
            cluster = Cluster.open(spark, file, sets, engineOptions, limitOptions.limits(), quiet, err);
            if (cluster == null) return Main.SCRIPT_ERROR;
        }
        try {
            return run(out, err);
        } finally {
            if (cluster != null) cluster.close();
        }
    }

    /** The Spark cluster of --spark (null: the rows are read into this JVM). */
    private dev.descent.run.DataParallel.Connection cluster;

    private Integer run(PrintWriter out, PrintWriter err) throws IOException {
        Script s = cluster != null ? cluster.script() : Common.load(file, sets, err, true, quiet, limitOptions.limits());
        if (s == null) return Main.SCRIPT_ERROR;
        if (localSteps != null)
            for (dev.descent.check.DataSet ds : s.data.values())
                if (ds.hasValidation() || ds.hasTest())
                    throw new Main.UsageError("--local-steps: the data holds rows out for validation or testing, which local steps do not keep apart yet; run without --local-steps, or without held-out rows");
        if (s.objective == null) {
            err.println(file + ": error: there is nothing to run: the script has no 'minimize' or 'maximize'");
            return Main.SCRIPT_ERROR;
        }
        if (s.steps.isEmpty()) {
            err.println(file + ": error: there is nothing to run: the script has no 'optimize with … for N steps'");
            return Main.SCRIPT_ERROR;
        }
        long sd = seed != null ? seed : s.seed != null ? s.seed : 0L;
        dev.descent.engine.Engine engine = engineOptions.engine(quiet ? new PrintWriter(java.io.Writer.nullWriter()) : err);
        // the outputs: checked and opened (temporary files beside them) only now that the script has checked
        Map<Path, String> inputs = OutputFile.inputs(s);
        OutputFile.distinct(trace, "--trace", plot);
        OutputFile.distinct(save, "--save", trace);
        OutputFile.distinct(save, "--save", plot);
        if (checkpoint != null && every == null) throw new Main.UsageError("--checkpoint needs --every K: how many steps (or epochs) between checkpoints");
        if (every != null && checkpoint == null) throw new Main.UsageError("--every goes with --checkpoint FILE");
        if (every != null && every < 1) throw new Main.UsageError("--every must be a whole number ≥ 1, not " + every);
        if (epochMetrics && trace == null && !json)
            throw new Main.UsageError("--epoch-metrics goes with --trace FILE.csv or --json: it adds the per-epoch losses and reports to them");
        if (resume != null && init != null) throw new Main.UsageError("--resume continues from the checkpoint's parameters; it cannot be combined with --init");
        OutputFile.distinct(checkpoint, "--checkpoint", trace);
        OutputFile.distinct(checkpoint, "--checkpoint", plot);
        OutputFile.distinct(checkpoint, "--checkpoint", save);
        String fingerprint = CheckpointFile.fingerprint(s, sd, engine.precision().name());
        Driver.Checkpoint from = null;
        if (resume != null) {
            try {
                from = CheckpointFile.read(resume, fingerprint);
            } catch (CompileError e) {
                Common.print(e.diagnostics(), err);
                return Main.SCRIPT_ERROR;
            }
        }
        if (checkpoint != null) OutputFile.check(checkpoint, inputs);
        checkpointFailure = null;
        double[] start = null;
        if (init != null) {
            try {
                start = ParamsFile.read(s, init);
            } catch (CompileError e) {
                Common.print(e.diagnostics(), err);
                return Main.SCRIPT_ERROR;
            }
        }
        try (OutputFile traceFile = trace == null ? null : OutputFile.open(trace, inputs);
             OutputFile plotFile = plot == null ? null : OutputFile.openPlot(plot, inputs);
             OutputFile saveFile = save == null ? null : OutputFile.open(save, inputs);
             Interrupts interrupts = Interrupts.install()) {
            Recording rec = plot == null ? null : new Recording(Plots.keep(s));
            TraceCsv csv = traceFile == null ? null : new TraceCsv(s, traceFile, epochMetrics);
            epochLog = json && epochMetrics ? new EpochLog() : null;
            Driver.Result r;
            try {
                Driver.Checkpoint resumeFrom = from;
                r = drive(s, sd, engine, start, resumeFrom, fingerprint, inputs, Recording.both(Recording.both(csv, rec), epochLog),
                        () -> Interrupts.requested() || csv != null && csv.failure != null || checkpointFailure != null, err);
            } catch (CompileError e) {
                Common.print(e.diagnostics(), err);
                return Main.SCRIPT_ERROR; // the outputs are left unwritten: existing files stay as they were
            }
            // a trace that could not be written stopped the run: that is the error, and nothing is written or printed
            if (csv != null && csv.failure != null) throw traceFile.fail(csv.failure);
            if (checkpointFailure != null) throw checkpointFailure;
            // the outputs are complete: into place before the report, so that a report that cannot be
            // printed loses no file; one that cannot be written is reported after the results
            OutputFile.Failure late = null;
            try {
                if (csv != null) {
                    csv.finish();
                    traceFile.commit();
                }
            } catch (OutputFile.Failure f) {
                late = f;
            }
            if (saveFile != null && late == null) {
                if (r.diverged()) err.println("descent: --save: " + save + " is not written: the run diverged");
                else {
                    try {
                        saveFile.write(ParamsFile.write(s, r.parameters()::get));
                        saveFile.commit();
                    } catch (OutputFile.Failure f) {
                        late = f;
                    }
                }
            }
            if (plotFile != null && late == null) {
                try {
                    plotFile.write(Plots.encode(Plots.figure(s, Path.of(file).getFileName().toString(), r.runs(), rec, engine), plot));
                    plotFile.commit();
                } catch (OutputFile.Failure f) {
                    late = f;
                }
            }
            if (Interrupts.requested()) {
                Driver.RunResult cut = r.runs().stream().filter(x -> x.stopped() == Stop.INTERRUPTED).findFirst().orElse(null);
                err.println(cut == null ? "descent: interrupted by " + Interrupts.signal()
                        : file + ": " + cut.call() + " interrupted by " + Interrupts.signal() + " after " + cut.steps() + (cut.steps() == 1 ? " step" : " steps"));
            }
            report(s, r, out, err);
            if (late != null) {
                err.println("descent: " + late.getMessage());
                return Main.SCRIPT_ERROR;
            }
            if (Interrupts.requested()) return Interrupts.exitCode();
            return r.diverged() ? Main.DIVERGED : Main.OK;
        }
    }

    /** With --json and --epoch-metrics: each epoch's losses and reports, in order, for the "epochs" array. */
    private EpochLog epochLog;

    /** Keeps each epoch's losses and reports ({@link Driver.Trace#epoch}); wants nothing else. */
    private static final class EpochLog implements Driver.Trace {
        record Entry(int run, long step, long epoch, List<Driver.Split> splits) {}

        final List<Entry> entries = new java.util.ArrayList<>();

        @Override public void row(int run, long step, double loss, double gradNorm, double lr, dev.descent.engine.Buffer theta) {}

        @Override public boolean wantsDetail() { return false; }

        @Override public boolean wantsEpochs() { return true; }

        @Override public void epoch(int run, long step, long epoch, List<Driver.Split> splits) { entries.add(new Entry(run, step, epoch, splits)); }
    }

    /** The splits' losses as {"train": …, …} and the reports as {"NAME": {"train": …, …}, …}. */
    private static void splitsJson(Json j, Script s, List<Driver.Split> splits) throws IOException {
        j.g.writeFieldName("losses");
        j.g.writeStartObject();
        for (Driver.Split sp : splits) {
            j.g.writeFieldName(sp.name());
            j.number(sp.loss());
        }
        j.g.writeEndObject();
        j.g.writeFieldName("metrics");
        j.g.writeStartObject();
        for (Script.Report rep : s.reports) {
            j.g.writeFieldName(rep.name());
            j.g.writeStartObject();
            for (Driver.Split sp : splits) {
                j.g.writeFieldName(sp.name());
                j.number(sp.metrics().get(rep.name()));
            }
            j.g.writeEndObject();
        }
        j.g.writeEndObject();
    }

    /** Warnings of losses that exploded, printed on stderr after the run (not over its progress bar). */
    private final List<String> explosions = new java.util.ArrayList<>();

    /** The warning for a loss that grew past {@link Driver#EXPLOSION} times its start (docs/language.md). */
    static String explosion(String file, String call, long step, double start, double loss) {
        return file + ": warning: " + call + ": the loss grew from " + Text.number(start) + " to " + Text.number(loss)
                + (step == 0 ? "" : " after " + step + (step == 1 ? " step" : " steps")) + ", up by more than " + Text.number(Driver.EXPLOSION)
                + " × max(|start|, 1): the run is diverging (a smaller learning rate may help)";
    }

    /** A checkpoint that could not be written: it stops the run, and is the error. */
    private OutputFile.Failure checkpointFailure;

    private Driver.Result drive(Script s, long sd, dev.descent.engine.Engine engine, double[] start, Driver.Checkpoint from, String fingerprint,
                                Map<Path, String> inputs, Driver.Trace traces, BooleanSupplier stop, PrintWriter err) {
        // the progress bar is one more consumer of the trace, beside --trace and --plot
        PrintWriter tty = ProgressBar.target(quiet, err);
        ProgressBar bar = tty == null ? null : ProgressBar.of(s, sd, engine, tty);
        try {
            Driver d = new Driver(s, sd, engine).stopWhen(stop).onExplosion((run, call, step, first, loss) -> explosions.add(explosion(file, call, step, first, loss)));
            if (cluster != null) d.dataParallel(cluster.data());
            if (localSteps != null) d.localRounds(localSteps, cluster.rounds());
            if (checkpoint != null)
                d.checkpointEvery(every, c -> {
                    if (checkpointFailure != null) return;
                    try (OutputFile f = OutputFile.open(checkpoint, inputs)) {
                        f.write(CheckpointFile.write(s, fingerprint, c));
                        f.commit();
                    } catch (OutputFile.Failure e) {
                        checkpointFailure = e;
                    } catch (IOException e) {
                        checkpointFailure = new OutputFile.Failure(checkpoint, OutputFile.reason(e));
                    }
                });
            if (from != null) {
                try {
                    return d.resume(from, Recording.both(traces, bar));
                } catch (IllegalArgumentException e) {
                    throw new CompileError(Diagnostic.noPosition(resume, "this checkpoint does not fit the script: " + e.getMessage()));
                }
            }
            // θ0 from the script (or --init), in the engine's precision
            return start == null ? d.run(Recording.both(traces, bar)) : d.run(start, Recording.both(traces, bar));
        } finally {
            if (bar != null) bar.finish();
        }
    }

    private void report(Script s, Driver.Result r, PrintWriter out, PrintWriter err) throws IOException {
        for (Driver.RunResult run : r.runs())
            if (run.message() != null) err.println(file + ": " + run.call() + " diverged: " + run.message());
        if (!r.diverged()) for (String w : explosions) err.println(w);
        if (json) {
            try (Json j = new Json()) {
                j.g.writeStartObject();
                j.g.writeFieldName("loss");
                j.number(r.loss());
                j.g.writeFieldName("params");
                j.params(s, r.parameters()::get);
                j.g.writeFieldName("runs");
                j.g.writeStartArray();
                for (Driver.RunResult run : r.runs()) {
                    j.g.writeStartObject();
                    j.g.writeStringField("optimizer", run.optimizer());
                    j.g.writeStringField("call", run.call());
                    j.g.writeNumberField("steps", run.steps());
                    j.g.writeFieldName("loss");
                    j.number(run.loss());
                    j.g.writeStringField("stopped", run.stopped().label());
                    if (!Double.isNaN(run.validationLoss())) {
                        j.g.writeNumberField("epochs", run.epochs());
                        j.g.writeFieldName("train_loss");
                        j.number(run.trainLoss());
                        j.g.writeFieldName("validation_loss");
                        j.number(run.validationLoss());
                    }
                    if (run.stopped() == Stop.EARLY_STOP) j.g.writeNumberField("restored_epoch", run.restoredEpoch());
                    j.g.writeEndObject();
                }
                j.g.writeEndArray();
                if (!r.splits().isEmpty() && (r.splits().size() > 1 || !s.reports.isEmpty())) {
                    j.g.writeFieldName("losses");
                    j.g.writeStartObject();
                    for (Driver.Split sp : r.splits()) {
                        j.g.writeFieldName(sp.name());
                        j.number(sp.loss());
                    }
                    j.g.writeEndObject();
                }
                if (!s.reports.isEmpty()) {
                    j.g.writeFieldName("metrics");
                    j.g.writeStartObject();
                    for (dev.descent.check.Script.Report rep : s.reports) {
                        j.g.writeFieldName(rep.name());
                        j.g.writeStartObject();
                        for (Driver.Split sp : r.splits()) {
                            j.g.writeFieldName(sp.name());
                            j.number(sp.metrics().get(rep.name()));
                        }
                        j.g.writeEndObject();
                    }
                    j.g.writeEndObject();
                }
                if (epochLog != null) {
                    j.g.writeFieldName("epochs");
                    j.g.writeStartArray();
                    for (EpochLog.Entry e : epochLog.entries) {
                        j.g.writeStartObject();
                        j.g.writeNumberField("run", e.run());
                        j.g.writeNumberField("epoch", e.epoch());
                        j.g.writeNumberField("step", e.step());
                        splitsJson(j, s, e.splits());
                        j.g.writeEndObject();
                    }
                    j.g.writeEndArray();
                }
                j.g.writeEndObject();
                j.g.flush();
                out.println(j.text());
            }
        } else {
            for (Driver.RunResult run : r.runs()) {
                out.println(run.call() + ": " + run.steps() + (run.steps() == 1 ? " step" : " steps") + ", loss " + Text.number(run.loss())
                        + (run.stopped() == Stop.STEPS ? "" : " (stopped: " + run.stopped() + ")"));
                if (!Double.isNaN(run.validationLoss()))
                    out.println("  after " + run.epochs() + " epoch" + (run.epochs() == 1 ? "" : "s") + ": training loss " + Text.number(run.trainLoss())
                            + ", validation loss " + Text.number(run.validationLoss()));
                if (run.stopped() == Stop.EARLY_STOP)
                    out.println("  restored the parameters of epoch " + run.restoredEpoch() + " (the best validation loss): the losses above are theirs");
            }
            out.println("loss  " + Text.number(r.loss()) + (s.maximize ? "  (the objective maximized)" : ""));
            int w = 4;
            for (Script.Param p : s.params) w = Math.max(w, p.name().length() + 2);
            for (Script.Param p : s.params)
                out.println(p.name() + " ".repeat(w - p.name().length()) + Text.value(p.shape(), r.parameters()::get, p.offset()));
            if (!r.splits().isEmpty() && (r.splits().size() > 1 || !s.reports.isEmpty())) splitTable(s, r, out);
        }
        out.flush();
    }

    /**
     * The losses and reports at the final parameters, one row per quantity and one column per
     * split, indented (so that no line of it starts like the report's own "loss" line).
     */
    private static void splitTable(Script s, Driver.Result r, PrintWriter out) {
        List<String> names = new java.util.ArrayList<>();
        names.add("loss");
        for (Script.Report rep : s.reports) names.add(rep.name());
        int w = 0;
        for (String n : names) w = Math.max(w, n.length());
        List<String[]> cells = new java.util.ArrayList<>();
        int cw = 0;
        for (String n : names) {
            String[] row = new String[r.splits().size()];
            for (int k = 0; k < row.length; k++) {
                Driver.Split sp = r.splits().get(k);
                row[k] = Text.number(n.equals("loss") ? sp.loss() : sp.metrics().get(n));
                cw = Math.max(cw, row[k].length());
            }
            cells.add(row);
        }
        for (Driver.Split sp : r.splits()) cw = Math.max(cw, sp.name().length());
        StringBuilder h = new StringBuilder("  " + " ".repeat(w));
        for (Driver.Split sp : r.splits()) h.append("  ").append(sp.name()).append(" ".repeat(cw - sp.name().length()));
        out.println();
        out.println(h.toString().stripTrailing());
        for (int i = 0; i < names.size(); i++) {
            StringBuilder line = new StringBuilder("  " + names.get(i) + " ".repeat(w - names.get(i).length()));
            for (String c : cells.get(i)) line.append("  ").append(c).append(" ".repeat(cw - c.length()));
            out.println(line.toString().stripTrailing());
        }
    }

    /**
     * The --trace file: a CSV with a header, one row per point as the run goes, into the output's
     * temporary file. A write that fails is kept in {@link #failure} (the run polls it and stops).
     */
    private static final class TraceCsv implements Driver.Trace {
        private final OutputFile file;
        private final Writer w;
        private final boolean withParams, withValidation, withEpochs;
        /** With --epoch-metrics: the splits the columns are for, and the reports. */
        private final List<String> splits = new java.util.ArrayList<>();
        private final List<String> reports = new java.util.ArrayList<>();
        IOException failure;
        private StringBuilder pending;
        /** The validation loss and the epoch's splits that join the row held back, when its epoch ended there. */
        private String pendingValidation;
        private List<Driver.Split> pendingEpoch;

        TraceCsv(Script s, OutputFile file, boolean withEpochs) {
            this.file = file;
            this.w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(file.stream(), StandardCharsets.UTF_8), 1 << 16);
            this.withParams = s.dimension() <= 10;
            this.withValidation = s.data.values().stream().anyMatch(d -> d.hasValidation());
            StringBuilder h = new StringBuilder("run,step,loss,grad_norm,lr");
            if (withValidation) h.append(",val_loss");
            this.withEpochs = withEpochs;
            if (withEpochs) {
                splits.add("train");
                if (withValidation) splits.add("validation");
                if (s.data.values().stream().anyMatch(d -> d.hasTest())) splits.add("test");
                for (Script.Report r : s.reports) reports.add(r.name());
                for (String sp : splits) h.append(',').append(sp).append("_loss");
                for (String r : reports) for (String sp : splits) h.append(',').append(quote(r + "_" + sp));
            }
            if (withParams) for (String name : Points.thetaNames(s)) h.append(',').append(quote(name));
            write(h.append('\n').toString());
        }

        private static String quote(String s) { return s.contains(",") ? "\"" + s + "\"" : s; }

        private void write(String text) {
            if (failure != null) return;
            try {
                w.write(text);
            } catch (IOException e) {
                failure = e;
            }
        }

        @Override public void row(int run, long step, double loss, double gradNorm, double lr, dev.descent.engine.Buffer theta) {
            if (failure != null) return;
            StringBuilder sb = new StringBuilder();
            sb.append(run).append(',').append(step).append(',').append(num(loss)).append(',').append(num(gradNorm)).append(',');
            if (!Double.isNaN(lr)) sb.append(num(lr));
            flush();
            pending = sb;
            if (withParams) {
                StringBuilder rest = new StringBuilder();
                for (int i = 0, n = theta.length(); i < n; i++) rest.append(',').append(num(theta.get(i)));
                params = rest.toString();
            }
        }

        private String params = "";

        @Override public void validation(int run, long step, double loss) { pendingValidation = num(loss); }

        @Override public boolean wantsEpochs() { return withEpochs; }

        @Override public void epoch(int run, long step, long epoch, List<Driver.Split> splits) { pendingEpoch = splits; }

        /** Writes the row held back (so that a validation loss and an epoch's losses and reports can join it). */
        private void flush() {
            if (pending == null || failure != null) return;
            if (withValidation) pending.append(',').append(pendingValidation == null ? "" : pendingValidation);
            if (withEpochs) {
                java.util.Map<String, Driver.Split> by = new java.util.HashMap<>();
                if (pendingEpoch != null) for (Driver.Split sp : pendingEpoch) by.put(sp.name(), sp);
                for (String sp : splits) {
                    pending.append(',');
                    if (by.containsKey(sp)) pending.append(num(by.get(sp).loss()));
                }
                for (String r : reports)
                    for (String sp : splits) {
                        pending.append(',');
                        if (by.containsKey(sp)) pending.append(num(by.get(sp).metrics().get(r)));
                    }
            }
            pendingValidation = null;
            pendingEpoch = null;
            if (withParams) pending.append(params);
            write(pending.append('\n').toString());
            pending = null;
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.toString(v);
        }

        /** Writes the last row and flushes (the file's commit then makes it whole), or throws the output's Failure. */
        void finish() {
            flush();
            if (failure == null) {
                try {
                    w.flush();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) throw file.fail(failure);
        }
    }
}
