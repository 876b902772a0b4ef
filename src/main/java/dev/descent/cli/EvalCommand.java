package dev.descent.cli;

import dev.descent.check.Script;
import dev.descent.run.Curvature;
import dev.descent.run.Objective;
import dev.descent.run.PointEval;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate the objective, its gradient and optionally its Hessian at a point, or the objective at many points (--points).")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The script.") String file;

    @Option(names = "--at", paramLabel = "NAME=V[,V...]",
            description = "Evaluate with this parameter at these values (row-major for a matrix; one value fills it). Default: the script's starting values.")
    List<String> at;

    @Option(names = "--params", paramLabel = "FILE.json",
            description = "Evaluate at the parameters in this file (written by run --save); --at then changes some of them.")
    String params;

    @Option(names = "--hessian", description = "Also compute the Hessian over the flat parameter vector.") boolean hessian;

    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Option(names = "--points", paramLabel = "FILE.csv",
            description = "Evaluate at every point of this CSV (one column per element of θ: x, w[0], \"W[0, 1]\"; absent elements keep their"
                    + " starting or --at values) and print it back with a value column added, all points at once.")
    String points;

    @Option(names = "--grad", description = "With --points, also add one gradient column per element of θ (d/dx, d/dw[0], …).") boolean grad;


    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a top-level let.") List<String> sets;

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Option(names = "--seed", paramLabel = "N", description = "Seed for random starting values (overrides the script's seed).") Long seed;

    @picocli.CommandLine.Mixin EngineOptions engineOptions = new EngineOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (points != null) {
            if (hessian) throw new Main.UsageError("--hessian cannot be combined with --points; for one point's Hessian, use --at NAME=V… --hessian");
            if (json) throw new Main.UsageError("--points prints CSV, not JSON; drop --json (or use --at NAME=V… --json for one point)");
        }
        Script s = Common.load(file, sets, err, false, false, limitOptions.limits());
        if (s == null) return Main.SCRIPT_ERROR;
        if (s.objective == null) {
            err.println(file + ": error: there is nothing to evaluate: the script has no 'minimize' or 'maximize'");
            return Main.SCRIPT_ERROR;
        }
        if (hessian) Common.checkHessian(s, Common.EVAL_HESSIAN_LIMIT, "eval");
        double[] theta = Points.start(s, seed);
        if (params != null) {
            try {
                theta = ParamsFile.read(s, params);
            } catch (dev.descent.syntax.CompileError e) {
                Common.print(e.diagnostics(), err);
                return Main.SCRIPT_ERROR;
            }
        }
        Points.applyAt(s, theta, at);
        if (points != null) return evalPoints(s, theta, out, err);
        Objective.Result r = new Objective(s, hessian, engineOptions.engine(err)).evaluate(theta);
        if (json) {
            try (Json j = new Json()) {
                j.g.writeStartObject();
                j.g.writeFieldName("value");
                j.number(r.value());
                j.g.writeFieldName("grad");
                j.params(s, r.gradient());
                if (hessian) {
                    j.g.writeFieldName("hessian");
                    j.matrix(r.hessian());
                    Curvature.Result c = Curvature.analyze(r.hessian(), r.value(), r.gradient());
                    j.g.writeFieldName("eigenvalues");
                    if (c.eigenvalues() == null) j.g.writeNull();
                    else j.value(dev.descent.ir.Shape.vector(c.eigenvalues().length), c.eigenvalues(), 0);
                    j.g.writeFieldName("condition");
                    j.number(c.condition());
                    j.g.writeStringField("definiteness", c.kind().definiteness);
                    j.g.writeBooleanField("stationary", c.stationary());
                    j.g.writeFieldName("point");
                    if (c.point() == null) j.g.writeNull();
                    else j.g.writeString(c.point());
                }
                j.g.writeEndObject();
                j.g.flush();
                out.println(j.text());
            }
        } else {
            out.println("at     " + Points.describe(s, theta));
            out.println("value  " + Text.number(r.value()));
            double[] g = r.gradient();
            for (Script.Param p : s.params)
                out.println("d/d" + p.name() + pad(p.name()) + Text.value(p.shape(), i -> Text.derivative(g[i]), p.offset()));
            if (hessian) {
                int n = s.dimension();
                boolean cut = Text.summarized(n);
                out.println("hessian over θ = (" + Text.names(Points.thetaNames(s), cut) + ")" + (cut ? " (" + Text.count(n, n) + ")" : ""));
                for (String row : Text.rows(r.hessian())) out.println("  " + row);
                Curvature.Result c = Curvature.analyze(r.hessian(), r.value(), r.gradient());
                if (c.eigenvalues() == null) {
                    out.println("eigenvalues  not computed: the Hessian has an entry that is not finite");
                } else {
                    double[] ev = c.eigenvalues();
                    out.println("eigenvalues  " + Text.value(dev.descent.ir.Shape.vector(ev.length), ev, 0)
                            + (c.negative() + c.zero() > 0 && c.positive() + c.zero() > 0 ? " (" + counts(c) + ")" : ""));
                    out.println("condition    " + Text.number(c.condition()));
                    out.println("point        " + (c.stationary()
                            ? c.point() + " (the gradient is ~0 and H is " + c.kind().definiteness + ")"
                            : "not stationary (H is " + c.kind().definiteness + ")"));
                }
            }
        }
        out.flush();
        return Main.OK;
    }

    /** --points: the CSV back, with value (and gradient) columns, every point evaluated at once. */
    private int evalPoints(Script s, double[] base, PrintWriter out, PrintWriter err) {
        PointsCsv.Table t;
        try {
            t = PointsCsv.read(s, points);
        } catch (dev.descent.syntax.CompileError e) {
            Common.print(e.diagnostics(), err);
            return Main.SCRIPT_ERROR;
        }
        dev.descent.engine.Engine engine = engineOptions.engine(err);
        PointEval.Result r = PointEval.evaluate(s, base, t.columns(), t.points(), grad, engine);
        if (engineOptions.verbose && !r.batched()) {
            err.println("descent: note: evaluating the " + t.points() + " point" + (t.points() == 1 ? "" : "s") + " one by one: " + r.fallback());
            err.flush();
        }
        List<String> theta = Points.thetaNames(s);
        StringBuilder sb = new StringBuilder(t.header()).append(",value");
        if (grad) for (String name : theta) sb.append(',').append(PointsCsv.quote("d/d" + name));
        out.println(sb);
        for (int p = 0; p < t.points(); p++) {
            sb.setLength(0);
            sb.append(t.rows().get(p)).append(',').append(Text.number(r.values()[p]));
            if (grad) for (double g : r.gradients()[p]) sb.append(',').append(Text.number(Text.derivative(g)));
            out.println(sb);
        }
        out.flush();
        return Main.OK;
    }

    /** "1 negative, 1 positive" (and the zero ones), for eigenvalues of mixed signs. */
    private static String counts(Curvature.Result c) {
        List<String> parts = new java.util.ArrayList<>();
        if (c.negative() > 0) parts.add(c.negative() + " negative");
        if (c.zero() > 0) parts.add(c.zero() + " zero");
        if (c.positive() > 0) parts.add(c.positive() + " positive");
        return String.join(", ", parts);
    }

    private static String pad(String name) { return " ".repeat(Math.max(1, 4 - name.length())); }
}
