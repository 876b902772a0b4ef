package dev.descent.check;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import dev.descent.ir.ShapeError;
import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.InputFiles;
import dev.descent.syntax.Parser;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a script and elaborates it into the expression DAG: names (with "did you
 * mean"), arity, defs (expanded at each call, so they work on any shape), imports
 * (relative paths, cycles named), data files, and static shapes. Every problem
 * becomes a Diagnostic; all of them are reported together in one CompileError.
 */
public final class Checker {
    /** Where the standard optimizers and schedules live, inside the program. */
    public static final String STDLIB_RESOURCE = "/dev/descent/std/std.dsc";

    private final Dag dag = new Dag();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Set<String> reported = new HashSet<>();
    private final Map<Path, Module> loaded = new HashMap<>();
    private final Deque<Path> importing = new ArrayDeque<>();
    private final Map<String, Double> settings;
    private final Set<String> settingsUsed = new HashSet<>();
    private final boolean training;
    private int dropouts;
    private Module stdlib;

    /**
     * How a script is instantiated: for training ({@code dropout} draws masks), and with
     * data sets already loaded and seen with another number of rows (a batch, a
     * validation split), so the objective's shapes fit the rows the driver feeds it;
     * {@code progress} hears how the loading of each data file goes (a progress bar).
     */
    public record Options(boolean training, Map<String, DataSet> preloaded, Map<String, Integer> rows, LoadProgress progress, Limits limits) {
        public static final Options EVAL = new Options(false, Map.of(), Map.of());
        public static final Options TRAINING = new Options(true, Map.of(), Map.of());

        public Options {
            if (progress == null) progress = LoadProgress.NONE;
            if (limits == null) limits = Limits.DEFAULT;
        }

        public Options(boolean training, Map<String, DataSet> preloaded, Map<String, Integer> rows, LoadProgress progress) {
            this(training, preloaded, rows, progress, Limits.DEFAULT);
        }

        public Options(boolean training, Map<String, DataSet> preloaded, Map<String, Integer> rows) {
            this(training, preloaded, rows, LoadProgress.NONE);
        }

        /** These options, with data files' loading reported to {@code progress}. */
        public Options withProgress(LoadProgress progress) { return new Options(training, preloaded, rows, progress, limits); }

        /** These options, with these limits on what the script may ask for ({@link Limits}). */
        public Options withLimits(Limits limits) { return new Options(training, preloaded, rows, progress, limits); }
    }

    private final Options options;

    private Checker(Map<String, Double> settings, boolean training) { this(settings, training ? Options.TRAINING : Options.EVAL); }

    private final Limits limits;

    Limits limits() { return limits; }

    Checker(Map<String, Double> settings, Options options) {
        this.settings = settings;
        this.training = options.training();
        this.options = options;
        this.limits = options.limits();
    }

    /** Checks a script with these options: the driver's way to instantiate it for a batch size or a split. */
    public static Script check(SourceFile source, Map<String, Double> settings, Options options) {
        return new Checker(settings, options).run(source);
    }

    /** Checks a script; {@code settings} are the {@code --set} overrides of its lets. */
    public static Script check(SourceFile source, Map<String, Double> settings) {
        return new Checker(settings, false).run(source);
    }

    public static Script check(SourceFile source) { return check(source, Map.of()); }

    /**
     * Checks a script for optimization: {@code dropout} then draws a fresh mask (a RANDOM
     * leaf) every step, where for evaluation it is the identity.
     */
    public static Script checkForTraining(SourceFile source, Map<String, Double> settings) {
        return new Checker(settings, true).run(source);
    }

    /** Checks an already parsed script again with other options: how {@link Script#instance} avoids parsing it again. */
    static Script check(Ast.Program program, Map<String, Double> settings, Options options) {
        return new Checker(settings, options).run(program.source(), program);
    }

    Script run(SourceFile source) { return run(source, Parser.parse(source)); }

    private Script run(SourceFile source, Ast.Program program) {
        dag.limitArrays(limits.maxArray(), ARRAY_HINT);
        try {
            return checkScript(source, program);
        } finally {
            dag.limitArrays(Shape.MAX_SIZE, null); // what runs later (the gradient, batches of points) is sized by what was checked
        }
    }

    private static final String ARRAY_HINT = "an array this large is more than most machines hold; raise the limit with --max-array N if yours has the memory";

    /**
     * Lets arrays as large as one the script already holds (a parameter, θ, a data set) be
     * computed, whatever {@link Limits#maxArray} says: a vector over θ is what every step makes.
     */
    private void allowArrays(long elements) {
        if (elements > dag.arrayLimit()) dag.limitArrays(elements, ARRAY_HINT);
    }

    private Script checkScript(SourceFile source, Ast.Program program) {
        StandardLibrary.Loaded std = StandardLibrary.forScript(source.text());
        stdlib = std.module();
        diagnostics.addAll(std.diagnostics());
        Module module = new Module(source);
        if (stdlib != null) {
            module.defs.putAll(stdlib.defs);
            module.optimizers.putAll(stdlib.optimizers);
        }
        if (source.path() != null) importing.push(canonical(source.path()));
        Script script = topLevel(program, module);
        if (source.path() != null) importing.pop();
        if (!diagnostics.isEmpty()) throw new CompileError(sorted(diagnostics));
        for (String name : settings.keySet()) {
            if (!settingsUsed.contains(name)) {
                List<String> lets = new ArrayList<>();
                for (Script.Let l : script.lets) lets.add(l.name());
                String hint = Names.didYouMean(name, lets);
                throw new UnknownSetting("--set " + name + ": the script has no 'let " + name + "'"
                        + (hint != null ? "; " + hint : lets.isEmpty() ? " (it has no lets to set)" : " (its lets: " + String.join(", ", lets) + ")"));
            }
        }
        return script;
    }

    // ================================================================ modules

    /**
     * Declares and checks the program of a library that holds only defs and optimizers (the
     * standard library: {@link StandardLibrary}) into {@code m}; returns the problems found.
     */
    static List<Diagnostic> checkLibrary(Ast.Program program, Module m) {
        Checker c = new Checker(Map.of(), Options.EVAL);
        c.library(program, m);
        if (!m.globals.isEmpty() || !c.loaded.isEmpty())
            throw new IllegalStateException("the standard library may hold only defs and optimizers");
        return List.copyOf(c.diagnostics);
    }

    private static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** A file that is imported: it may hold imports, lets, defs and optimizers. */
    private void library(Ast.Program program, Module m) {
        declare(program, m);
        for (Ast.Stmt st : program.statements()) {
            switch (st) {
                case Ast.Import im -> importInto(im, m);
                case Ast.Let let -> let(let, m, false);
                case Ast.Def d -> {}
                case Ast.Optimizer o -> {}
                default -> error(st.pos(), "an imported file may only hold import, let, def and optimizer statements",
                        "keep what is run (param, minimize, optimize, data, seed) in the script that imports this file");
            }
        }
        checkDefinitions(m);
    }

    private void importInto(Ast.Import im, Module into) {
        Path base = into.source.path() == null ? Path.of("") : into.source.path().toAbsolutePath().getParent();
        Path target;
        try {
            target = base.resolve(im.path()).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            error(im.pathPos(), "\"" + printable(im.path()) + "\" is not a valid file path");
            return;
        }
        String kind;
        try {
            kind = InputFiles.notRegular(target);
        } catch (IOException e) {
            error(im.pathPos(), "cannot import \"" + im.path() + "\": no such file",
                    "import paths are relative to the importing file's folder (looked for " + target + ")");
            return;
        }
        if (kind != null) {
            error(im.pathPos(), "cannot import " + im.path() + ": not a regular file", InputFiles.notRegularHint(kind));
            return;
        }
        if (!im.path().toLowerCase(java.util.Locale.ROOT).endsWith(".dsc")) {
            // not read at all: the diagnostics about a file that is not a script would quote its lines
            error(im.pathPos(), "cannot import " + im.path() + ": an imported file is a script, whose name ends in .dsc",
                    "import \"lib.dsc\" makes the defs and optimizers of lib.dsc usable; data is read with csv(\"…\")");
            return;
        }
        Path key = canonical(target);
        if (importing.contains(key)) {
            List<String> cycle = new ArrayList<>();
            boolean on = false;
            List<Path> stack = new ArrayList<>(importing);
            java.util.Collections.reverse(stack);
            for (Path p : stack) {
                if (p.equals(key)) on = true;
                if (on) cycle.add(p.getFileName().toString());
            }
            cycle.add(key.getFileName().toString());
            error(im.pathPos(), "import cycle: " + String.join(" → ", cycle));
            return;
        }
        Module m = loaded.get(key);
        if (m == null) {
            SourceFile src;
            try {
                src = SourceFile.readNamed(target, displayPath(into.source, im.path()));
            } catch (CompileError e) {
                diagnostics.addAll(e.diagnostics());
                return;
            }
            m = new Module(src);
            if (stdlib != null) {
                m.defs.putAll(stdlib.defs);
                m.optimizers.putAll(stdlib.optimizers);
            }
            importing.push(key);
            try {
                library(Parser.parse(src), m);
            } catch (CompileError e) {
                diagnostics.addAll(e.diagnostics());
            } finally {
                importing.pop();
            }
            loaded.put(key, m);
        }
        for (var e : m.defs.entrySet()) {
            Module.DefRef mine = into.defs.get(e.getKey());
            if (mine != null && mine.module() != into && mine.module() != stdlib && mine.module() != e.getValue().module())
                error(im.pos(), "'" + e.getKey() + "' is defined both in " + mine.module().source.name() + " and in " + m.source.name());
            else if (mine == null || mine.module() == stdlib) into.defs.put(e.getKey(), e.getValue());
        }
        for (var e : m.optimizers.entrySet()) {
            Module.OptimizerRef mine = into.optimizers.get(e.getKey());
            if (mine != null && mine.module() != into && mine.module() != stdlib && mine.module() != e.getValue().module())
                error(im.pos(), "optimizer '" + e.getKey() + "' is defined both in " + mine.module().source.name() + " and in " + m.source.name());
            else if (mine == null || mine.module() == stdlib) into.optimizers.put(e.getKey(), e.getValue());
        }
    }

    private static String displayPath(SourceFile from, String rel) {
        if (from.path() == null) return rel;
        Path parent = Path.of(from.name()).getParent();
        return parent == null ? rel : parent.resolve(rel).normalize().toString();
    }

    /** Hoists defs and optimizers (usable before their line), and notes the names declared later. */
    private void declare(Ast.Program program, Module m) {
        Map<String, Pos> seen = new HashMap<>();
        for (Ast.Stmt st : program.statements()) {
            String name = null;
            Pos at = null;
            switch (st) {
                case Ast.Def d -> { name = d.name(); at = d.namePos(); }
                case Ast.Optimizer o -> { name = o.name(); at = o.namePos(); }
                case Ast.Let l -> { name = l.name(); at = l.namePos(); }
                case Ast.Param p -> { name = p.name(); at = p.namePos(); }
                case Ast.Data d -> { name = d.name(); at = d.namePos(); }
                default -> {}
            }
            if (name == null) continue;
            Pos before = seen.get(name);
            if (before != null) {
                error(at, "'" + name + "' is already defined, at line " + before.line());
                continue;
            }
            seen.put(name, at);
            switch (st) {
                case Ast.Def d -> m.defs.put(d.name(), new Module.DefRef(d, m));
                case Ast.Optimizer o -> m.optimizers.put(o.name(), new Module.OptimizerRef(o, m));
                default -> m.declaredLater.put(name, at);
            }
        }
    }

    // ================================================================ the script

    private Script topLevel(Ast.Program program, Module m) {
        declare(program, m);
        List<Script.Param> params = new ArrayList<>();
        List<Script.Let> lets = new ArrayList<>();
        Map<String, DataSet> data = new LinkedHashMap<>();
        List<Ast.Optimize> runs = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        List<Script.Report> reports = new ArrayList<>();
        Set<Ast.Optimize> failedRuns = new HashSet<>();
        Node objective = null;
        boolean maximize = false;
        Pos objectivePos = null;
        Long seed = null;
        Pos seedPos = null;
        int offset = 0;
        for (Ast.Stmt st : program.statements()) {
            switch (st) {
                case Ast.Import im -> importInto(im, m);
                case Ast.Seed s -> {
                    if (seedPos != null) error(s.pos(), "the seed is already set, at line " + seedPos.line());
                    seedPos = s.pos();
                    Double v = constant(s.value(), root(m), "the seed");
                    if (v != null) {
                        if (v < 0 || v != Math.rint(v) || v > 9.007199254740992E15) error(s.value().pos(), "the seed must be a whole number ≥ 0");
                        else seed = v.longValue();
                    }
                }
                case Ast.Param p -> {
                    Script.Param sp = param(p, m, params.size(), offset);
                    m.declaredLater.remove(p.name());
                    if (sp != null && offset + sp.shape().elements() > Shape.MAX_SIZE) {
                        error(p.namePos(), "with '" + p.name() + "', θ (all the parameters as one vector) would have " + Dag.count(offset + sp.shape().elements())
                                + " elements, more than an array can hold (" + Dag.count(Shape.MAX_SIZE) + ")");
                        sp = null;
                    }
                    if (sp == null) m.failed.add(p.name());
                    if (sp != null) {
                        allowArrays(sp.shape().elements());
                        params.add(sp);
                        offset += sp.shape().size();
                        m.globals.put(p.name(), new Module.Global.Value(p.namePos(), sp.node(), "parameter"));
                    }
                }
                case Ast.Let l -> {
                    Node v = let(l, m, true);
                    if (v != null) lets.add(new Script.Let(l.name(), l.namePos(), v));
                    else m.failed.add(l.name());
                }
                case Ast.Def d -> {}
                case Ast.Optimizer o -> {}
                case Ast.Data d -> {
                    m.declaredLater.remove(d.name());
                    DataSet ds = data(d, m);
                    if (ds == null) { m.failed.add(d.name()); failedData.add(m); }
                    if (ds != null) {
                        allowArrays((long) ds.rows() * ds.columns().size());
                        data.put(d.name(), ds);
                        m.globals.put(d.name(), new Module.Global.Data(d.namePos(), ds));
                    }
                }
                case Ast.Objective o -> {
                    if (objectivePos != null) {
                        error(o.pos(), "a script has one objective; there is already one at line " + objectivePos.line());
                        continue;
                    }
                    objectivePos = o.pos();
                    maximize = o.maximize();
                    Node f = expr(o.expr(), root(m));
                    if (f != null && !f.shape.isScalar()) {
                        error(start(o.expr()), "the objective must be a scalar, but this is " + Dag.describe(f.shape),
                                "reduce it to one number, e.g. with sum(…), mean(…) or norm(…)");
                        f = null;
                    }
                    objective = f;
                }
                case Ast.Report r -> {
                    Script.Report sr = report(r, m, reports);
                    if (sr != null) reports.add(sr);
                }
                case Ast.Optimize o -> {
                    runs.add(o);
                    int before = diagnostics.size();
                    optimizeNames(o, m);
                    if (diagnostics.size() > before) failedRuns.add(o);
                }
            }
        }
        checkDefinitions(m);
        allowArrays(offset); // p, g and the states of a step are vectors over θ
        if (objective != null && !argmaxAt.isEmpty()) {
            Node f = objective;
            for (Map.Entry<Node, Pos> a : argmaxAt.entrySet())
                if (dev.descent.ir.Reach.any(List.of(f), n -> n == a.getKey())) {
                    error(a.getValue(), "argmax has no derivative, so the objective cannot use it",
                            "use it in a report, e.g. report accuracy = mean(argmax(Z, axis = 1) == d.y)");
                    objective = null;
                    break;
                }
        }
        if (objective != null) {
            costs.objective = Costs.flops(List.of(objective), true);
            if (costs.objective.total() > limits.maxFlops()) {
                costs.tooMany(costs.objective, objectivePos, "evaluating the objective and its gradient takes", "");
                objective = null;
            }
        }
        if (objective != null) {
            for (Ast.Optimize o : runs) {
                if (failedRuns.contains(o)) continue;
                Step step;
                try {
                    step = new StepBuilder(this, dag, m, o, offset).build();
                } catch (ShapeError e) { // what the body's elaboration did not say where: said at the statement
                    error(o.optimizer().pos(), e.getMessage(), e.hint());
                    step = null;
                }
                if (step != null) steps.add(step);
            }
        }
        if (!runs.isEmpty() && objectivePos == null)
            error(runs.get(0).pos(), "there is nothing to optimize: the script has no 'minimize' or 'maximize'");
        return new Script(m.source, program, dag, params, lets, objective, maximize, objectivePos, seed, data, m, runs, steps, settings, options,
                List.copyOf(reports));
    }

    /** Where each argmax the script writes was made: the objective may not reach one (it has no derivative). */
    private final Map<Node, Pos> argmaxAt = new IdentityHashMap<>();

    void noteArgmax(Node n, Pos at) { argmaxAt.putIfAbsent(n, at); }

    /** {@code report NAME = EXPR}: a scalar, named once; not "loss" (the objective is reported under that name). */
    private Script.Report report(Ast.Report r, Module m, List<Script.Report> before) {
        if (r.name().equals("loss")) {
            error(r.namePos(), "'loss' is reported already: it is the objective on each split", "give this metric another name");
            return null;
        }
        for (Script.Report b : before)
            if (b.name().equals(r.name())) {
                error(r.namePos(), "'" + r.name() + "' is already reported, at line " + b.pos().line());
                return null;
            }
        Node v = expr(r.value(), root(m));
        if (v == null) return null;
        if (!v.shape.isScalar()) {
            error(start(r.value()), "a report must be one number, but this is " + Dag.describe(v.shape),
                    "reduce it, e.g. report accuracy = mean(argmax(Z, axis = 1) == d.y)");
            return null;
        }
        return new Script.Report(r.name(), r.namePos(), v);
    }

    Scope root(Module m) { return new Scope(m, Map.of(), Map.of(), null); }

    /** The cost of the script's matrix products, checked against {@link Limits#maxFlops}. */
    final Costs costs = new Costs(this);

    private Script.Param param(Ast.Param p, Module m, int index, int offset) {
        Scope s = root(m);
        Shape declared = null;
        if (!p.dims().isEmpty()) {
            int[] d = new int[p.dims().size()];
            for (int i = 0; i < d.length; i++) {
                Double v = constant(p.dims().get(i), s, "a dimension");
                if (v == null) return null;
                if (v < 0 || v != Math.rint(v) || v > 1e9) {
                    error(p.dims().get(i).pos(), "a dimension must be a whole number ≥ 0, not " + fmt(v));
                    return null;
                }
                d[i] = v.intValue();
            }
            if ((long) d[0] * (d.length == 2 ? d[1] : 1) > 500_000_000L) {
                error(p.dims().get(0).pos(), "this parameter would have more than 500 million elements");
                return null;
            }
            declared = d.length == 1 ? Shape.vector(d[0]) : Shape.matrix(d[0], d[1]);
        }
        Script.Init init;
        Shape shape;
        if (p.random()) {
            if (!(p.init() instanceof Ast.Call c) || !(c.name().equals("normal") || c.name().equals("uniform"))) {
                error(p.init().pos(), "after '~' comes a distribution: normal(mean, std) or uniform(low, high)");
                return null;
            }
            List<Node> a = bindBuiltin(c, List.of(c.name().equals("normal") ? "mean" : "low", c.name().equals("normal") ? "std" : "high"), 2, s);
            if (a == null) return null;
            double x = constValue(a.get(0), c.args().get(0).value().pos(), "the " + (c.name().equals("normal") ? "mean" : "low end"));
            double y = constValue(a.get(1), c.args().get(1).value().pos(), "the " + (c.name().equals("normal") ? "standard deviation" : "high end"));
            if (Double.isNaN(x) || Double.isNaN(y)) return null;
            if (Double.isInfinite(x) || Double.isInfinite(y)) {
                error(c.pos(), c.name() + "(…) needs finite arguments");
                return null;
            }
            if (c.name().equals("normal")) {
                if (y < 0) { error(c.args().get(1).value().pos(), "a standard deviation must be ≥ 0"); return null; }
                init = new Script.Init.Normal(x, y);
            } else {
                if (y < x) { error(c.pos(), "uniform(low, high) needs low ≤ high"); return null; }
                init = new Script.Init.Uniform(x, y);
            }
            shape = declared == null ? Shape.SCALAR : declared;
        } else {
            Node v = expr(p.init(), s);
            if (v == null) return null;
            if (!v.isConstant()) {
                error(start(p.init()), "a parameter's start must be a constant", "it may use numbers, literals and lets of constants, but not other parameters or data");
                return null;
            }
            shape = declared == null ? v.shape : declared;
            if (!v.shape.equals(shape)) {
                if (!v.shape.isScalar() && !(v.shape.isVector() && shape.isMatrix() && v.shape.rows() == shape.cols())) {
                    error(p.init().pos(), "the start value is " + Dag.describe(v.shape) + ", but the parameter is declared " + shape);
                    return null;
                }
            }
            if (v.isFill()) init = new Script.Init.Fill(v.fillValue()); // one number for every element: nothing of θ's size here
            else {
                double[] given = v.constValues(), values = new double[shape.size()];
                for (int k = 0; k < values.length; k++) values[k] = Dag.element(given, v.shape, shape, k);
                init = new Script.Init.Values(values);
            }
        }
        Node node = dag.param(new Attr.Param(p.name(), index, shape, offset));
        return new Script.Param(p.name(), p.namePos(), shape, offset, node, init);
    }

    private Node let(Ast.Let l, Module m, boolean settable) {
        m.declaredLater.remove(l.name());
        Node v;
        Double set = settable ? settings.get(l.name()) : null;
        if (set != null) {
            settingsUsed.add(l.name());
            Node written = expr(l.value(), root(m));
            if (written != null && !written.shape.isScalar()) {
                error(l.value().pos(), "--set " + l.name() + " gives a number, but this let is " + Dag.describe(written.shape));
                return null;
            }
            v = dag.constant(set);
        } else {
            v = expr(l.value(), root(m));
        }
        if (v != null) m.globals.put(l.name(), new Module.Global.Value(l.namePos(), v, "let"));
        return v;
    }

    private DataSet data(Ast.Data d, Module m) {
        DataSet pre = options.preloaded().get(d.name());
        if (pre != null) {
            Integer rows = options.rows().get(d.name());
            return rows == null ? pre : pre.withRows(rows);
        }
        if (!(d.source() instanceof Ast.Call c) || !c.name().equals("csv")) {
            error(d.source().pos(), "a data set is read with csv(\"file.csv\")");
            return null;
        }
        Ast.Str path = null;
        Ast.Expr validation = null, test = null, nonfinite = null;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null && path == null && a.value() instanceof Ast.Str s) path = s;
            else if ("validation".equals(a.name()) && validation == null) validation = a.value();
            else if ("test".equals(a.name()) && test == null) test = a.value();
            else if ("nonfinite".equals(a.name()) && nonfinite == null) nonfinite = a.value();
            else {
                error(a.name() == null ? c.pos() : a.pos(), a.name() == null ? "csv takes one argument, the file's path in double quotes" : "csv has no argument '" + a.name() + "'",
                        "write csv(\"data.csv\"), or csv(\"data.csv\", validation = 0.2, test = 0.1) to hold out rows for validation and testing"
                                + " (csv also takes nonfinite = 1, to read inf and nan cells)");
                return null;
            }
        }
        if (path == null) {
            error(c.pos(), "csv needs the file's path in double quotes: csv(\"data.csv\")");
            return null;
        }
        Path base = m.source.path() == null ? Path.of("") : m.source.path().toAbsolutePath().getParent();
        try {
            base.resolve(path.value());
            if (validation instanceof Ast.Str vf) base.resolve(vf.value());
            if (test instanceof Ast.Str tf) base.resolve(tf.value());
        } catch (java.nio.file.InvalidPathException e) {
            error(path.pos(), "\"" + printable(path.value()) + "\" is not a valid file path");
            return null;
        }
        boolean allowNonfinite = false;
        if (nonfinite != null) {
            Double v = constant(nonfinite, root(m), "nonfinite");
            if (v == null) return null;
            if (v != 0 && v != 1) {
                error(nonfinite.pos(), "nonfinite = " + fmt(v) + " must be 0 or 1",
                        "nonfinite = 1 reads inf, -inf, nan and numbers too large for a double (as ±inf); 0, the default, makes such a cell an error");
                return null;
            }
            allowNonfinite = v == 1;
        }
        try {
            DataSet ds = Csv.read(d.name(), path.pos(), base.resolve(path.value()), displayPath(m.source, path.value()), options.progress(), allowNonfinite);
            if (validation == null && test == null) return ds;
            double vf = 0, tf = 0;
            DataSet vFile = null, tFile = null;
            if (validation instanceof Ast.Str f) {
                vFile = heldFile(d, f, "validation", ds, m, allowNonfinite);
                if (vFile == null) return null;
            } else if (validation != null) {
                Double f = constant(validation, root(m), "the validation fraction");
                if (f == null) return null;
                if (!fraction(f, ds.rows(), validation, "validation")) return null;
                vf = f;
            }
            if (test instanceof Ast.Str f) {
                tFile = heldFile(d, f, "test", ds, m, allowNonfinite);
                if (tFile == null) return null;
            } else if (test != null) {
                Double f = constant(test, root(m), "the test fraction");
                if (f == null) return null;
                if (!fraction(f, ds.rows(), test, "test")) return null;
                tf = f;
            }
            int held = (int) Math.round(vf * ds.rows()) + (int) Math.round(tf * ds.rows());
            if (held >= ds.rows()) {
                error(test.pos(), "validation = " + fmt(vf) + " and test = " + fmt(tf) + " hold out " + held + " of the " + ds.rows() + " rows, leaving none to train on",
                        "hold out less, e.g. validation = 0.2, test = 0.1");
                return null;
            }
            return new DataSet(ds.name(), ds.pos(), ds.path(), ds.columns(), ds.rows(), vf, vFile, tf, tFile);
        } catch (CompileError e) {
            diagnostics.addAll(e.diagnostics());
            return null;
        }
    }

    /** validation = F or test = F: a fraction that holds out between one row and all but one. */
    private boolean fraction(double f, int rows, Ast.Expr at, String what) {
        int held = (int) Math.round(f * rows);
        if (!(f > 0 && f < 1) || held < 1 || held >= rows) {
            error(at.pos(), what + " = " + fmt(f) + " must hold out between one row and all but one of the " + rows + " rows",
                    "a fraction like 0.2, or a file: " + what + " = \"" + (what.equals("test") ? "test" : "val") + ".csv\"");
            return false;
        }
        return true;
    }

    /** validation = "FILE" or test = "FILE": a second file with the data's columns. */
    private DataSet heldFile(Ast.Data d, Ast.Str f, String what, DataSet ds, Module m, boolean allowNonfinite) {
        Path base = m.source.path() == null ? Path.of("") : m.source.path().toAbsolutePath().getParent();
        DataSet v = Csv.read(d.name(), f.pos(), base.resolve(f.value()), displayPath(m.source, f.value()), options.progress(), allowNonfinite);
        if (!v.columnNames().equals(ds.columnNames())) {
            error(f.pos(), "the " + what + " file's columns (" + Csv.describeColumns(v.columnNames()) + ") differ from the data's ("
                    + Csv.describeColumns(ds.columnNames()) + ")");
            return null;
        }
        return v;
    }

    // ================================================================ name checks (no shapes)

    /**
     * Def bodies are elaborated at each call (so a def works on any shape), but every
     * name in every def and optimizer body is checked here, called or not.
     */
    private void checkDefinitions(Module m) {
        for (Module.DefRef d : m.defs.values()) {
            if (d.module() != m) continue;
            Set<String> locals = new HashSet<>();
            for (Ast.Formal f : d.def().formals()) {
                locals.add(f.name());
                if (f.defaultValue() != null) names(f.defaultValue(), m, Set.of(), false);
            }
            locals.add("t");
            locals.addAll(Step.RUN_NAMES); // known where t is, outside optimizer bodies
            names(d.def().body(), m, locals, false);
        }
        for (Module.OptimizerRef o : m.optimizers.values()) {
            if (o.module() != m) continue;
            OptimizerCheck.check(o.decl(), m, this);
        }
    }

    /** Reports unknown names and functions in e, without elaborating it. */
    void names(Ast.Expr e, Module m, Set<String> locals, boolean inOptimizer) {
        Deque<Ast.Expr> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            Ast.Expr x = todo.pop();
            switch (x) {
                case Ast.Name n -> {
                    if (locals.contains(n.name()) || m.globals.containsKey(n.name()) || m.declaredLater.containsKey(n.name()) || m.failed.contains(n.name())
                            || CONSTANTS.containsKey(n.name())) continue;
                    unknownName(n, m, locals);
                }
                case Ast.Call c -> {
                    if (!m.defs.containsKey(c.name()) && !Builtins.isFunction(c.name()) && !(inOptimizer && StepBuilder.isBodyCall(c.name())))
                        unknownFunction(c, m);
                    for (Ast.Arg a : c.args()) todo.push(a.value());
                }
                case Ast.Binary b -> { todo.push(b.right()); todo.push(b.left()); }
                case Ast.Unary u -> todo.push(u.operand());
                case Ast.If i -> { todo.push(i.otherwise()); todo.push(i.then()); todo.push(i.cond()); }
                case Ast.Index i -> { i.indices().forEach(todo::push); todo.push(i.target()); }
                case Ast.Member mb -> todo.push(mb.target());
                case Ast.ArrayLit a -> a.elements().forEach(todo::push);
                default -> {}
            }
        }
    }

    private void optimizeNames(Ast.Optimize o, Module m) {
        String name;
        List<Ast.Arg> args;
        Pos at;
        if (o.optimizer() instanceof Ast.Call c) { name = c.name(); args = c.args(); at = c.namePos(); }
        else if (o.optimizer() instanceof Ast.Name n) { name = n.name(); args = List.of(); at = n.pos(); }
        else return;
        Module.OptimizerRef ref = m.optimizer(name);
        Set<String> stepNames = new HashSet<>(Set.of("t", "g", "f", "p"));
        stepNames.addAll(Step.RUN_NAMES);
        if (ref == null) {
            error(at, "unknown optimizer '" + name + "'", Names.didYouMean(name, m.optimizers.keySet()));
        } else {
            Set<String> hypers = new LinkedHashSet<>();
            for (Ast.Formal f : ref.decl().hypers()) hypers.add(f.name());
            int positional = 0;
            for (Ast.Arg a : args) {
                if (a.name() == null) {
                    if (positional++ >= hypers.size())
                        error(a.pos(), "optimizer '" + name + "' takes " + hypers.size() + " argument" + (hypers.size() == 1 ? "" : "s"));
                } else if (!hypers.contains(a.name())) {
                    String hint = Names.didYouMean(a.name(), hypers);
                    error(a.pos(), "optimizer '" + name + "' has no argument '" + a.name() + "'",
                            hint != null ? hint : hypers.isEmpty() ? "it takes no arguments" : "its arguments: " + String.join(", ", hypers));
                }
            }
            for (Ast.Formal f : ref.decl().hypers())
                if (f.defaultValue() == null && args.stream().noneMatch(a -> f.name().equals(a.name())) && positional <= ref.decl().hypers().indexOf(f))
                    error(o.optimizer().pos(), "optimizer '" + name + "' needs a value for '" + f.name() + "'", "write " + name + "(" + f.name() + " = …)");
        }
        for (Ast.Arg a : args) names(a.value(), m, stepNames, false);
        count(o.count(), m, o.unit() == Ast.Unit.STEPS ? "the number of steps" : "the number of epochs", true);
        if (o.batch() != null) count(o.batch(), m, "the batch size", false);
        if (o.patience() != null) count(o.patience(), m, "the patience", false);
        if (o.until() != null) names(o.until(), m, stepNames, false);
        boolean noData = m.globals.values().stream().noneMatch(g -> g instanceof Module.Global.Data) && !hasFailedData(m);
        if (o.unit() == Ast.Unit.EPOCHS && noData)
            error(o.count().pos(), "epochs count passes over data, but this script has no data", "without data, write 'for N steps'");
        if (o.batch() != null && noData)
            error(o.batch().pos(), "a batch samples rows of data, but this script has no data");
        if (o.patience() != null && !hasFailedData(m)
                && m.globals.values().stream().noneMatch(g -> g instanceof Module.Global.Data d && d.data().hasValidation()))
            error(o.patience().pos(), "patience (early stopping) watches the validation loss, but no data set holds rows out for validation",
                    "write data d = csv(\"file.csv\", validation = 0.2) to hold out a fifth of the rows");
    }

    private final Set<Module> failedData = new HashSet<>();

    private boolean hasFailedData(Module m) { return failedData.contains(m); }

    private void count(Ast.Expr e, Module m, String what, boolean zeroOk) {
        Double v = constant(e, root(m), what);
        if (v == null) return;
        if (v != Math.rint(v) || v < (zeroOk ? 0 : 1) || v > 9.007199254740992E15)
            error(e.pos(), what + " must be a whole number ≥ " + (zeroOk ? 0 : 1) + ", not " + fmt(v));
    }

    // ================================================================ expressions

    /** Where names resolve: locals (def formals), then specials (t, g, …), then the module. */
    record Scope(Module module, Map<String, Node> locals, Map<String, Node> specials, Ast.Call callSite, StepBuilder step) {
        Scope(Module module, Map<String, Node> locals, Map<String, Node> specials, Ast.Call callSite) {
            this(module, locals, specials, callSite, null);
        }
    }

    static final Map<String, Double> CONSTANTS = Map.of("pi", Math.PI, "e", Math.E, "inf", Double.POSITIVE_INFINITY);

    /** The value of an expression that must be a scalar constant, or null (reported). */
    Double constant(Ast.Expr e, Scope s, String what) {
        Node n = expr(e, s);
        if (n == null) return null;
        double v = constValue(n, start(e), what);
        return Double.isNaN(v) ? null : v;
    }

    private double constValue(Node n, Pos pos, String what) {
        if (!n.isScalarConst()) {
            error(pos, what + " must be a constant number" + (n.shape.isScalar() ? "" : ", not " + Dag.describe(n.shape)));
            return Double.NaN;
        }
        if (Double.isNaN(n.num)) { error(pos, what + " is not a number (NaN)"); return Double.NaN; }
        return n.num;
    }

    /** Elaborates an expression; null when a problem was found (and reported). */
    Node expr(Ast.Expr e, Scope s) {
        try {
            return switch (e) {
                case Ast.Num n -> dag.constant(n.value());
                case Ast.Str str -> {
                    error(str.pos(), "a string can only name a file, in csv(\"…\") or import \"…\"");
                    yield null;
                }
                case Ast.Name n -> name(n, s);
                case Ast.ArrayLit a -> literal(a, s);
                case Ast.Call c -> call(c, s);
                case Ast.Index i -> index(i, s);
                case Ast.Member mb -> member(mb, s);
                case Ast.Unary u -> {
                    Node x = expr(u.operand(), s);
                    if (x == null) yield null;
                    yield switch (u.op()) {
                        case NEG -> dag.neg(x);
                        case PLUS -> x;
                        case NOT -> dag.unary(Op.NOT, x);
                    };
                }
                case Ast.Binary b -> binary(b, s);
                case Ast.If i -> {
                    Node c = expr(i.cond(), s), a = expr(i.then(), s), b = expr(i.otherwise(), s);
                    if (c == null || a == null || b == null) yield null;
                    try {
                        yield dag.select(c, a, b);
                    } catch (ShapeError err) {
                        error(i.pos(), err.getMessage(), err.hint());
                        yield null;
                    }
                }
            };
        } catch (StackOverflowError overflow) {
            error(e.pos(), "this expression is nested too deeply to check", "split it with let");
            return null;
        } catch (ShapeError err) { // one the operation's own case did not position (an array too large, say): here
            error(start(e), err.getMessage(), err.hint());
            return null;
        }
    }

    private Node binary(Ast.Binary b, Scope s) {
        if (b.op() == Ast.BinaryOp.POW) {
            Node l = expr(b.left(), s), r = expr(b.right(), s);
            if (l == null || r == null) return null;
            try {
                return dag.pow(l, r);
            } catch (ShapeError err) {
                error(b.pos(), err.getMessage(), err.hint());
                return null;
            }
        }
        // a long left-leaning chain (a + b + c + …) is walked with a loop, not recursion
        List<Ast.Binary> spine = new ArrayList<>();
        Ast.Expr cur = b;
        while (cur instanceof Ast.Binary x && x.op() != Ast.BinaryOp.POW) {
            spine.add(x);
            cur = x.left();
        }
        Node acc = expr(cur, s);
        boolean ok = acc != null;
        for (int i = spine.size() - 1; i >= 0; i--) {
            Ast.Binary x = spine.get(i);
            Node r = expr(x.right(), s);
            if (!ok || r == null) { ok = false; continue; }
            try {
                acc = apply(x.op(), acc, r);
                if (x.op() == Ast.BinaryOp.MATMUL) costs.noteProduct(acc, x.pos());
            } catch (ShapeError err) {
                error(x.pos(), err.getMessage(), err.hint());
                ok = false;
            }
        }
        return ok ? acc : null;
    }

    private Node apply(Ast.BinaryOp op, Node a, Node b) {
        return switch (op) {
            case ADD -> dag.add(a, b);
            case SUB -> dag.sub(a, b);
            case MUL -> dag.mul(a, b);
            case DIV -> dag.div(a, b);
            case POW -> dag.pow(a, b);
            case MATMUL -> dag.matmul(a, b);
            case LT -> dag.binary(Op.LT, a, b);
            case LE -> dag.binary(Op.LE, a, b);
            case GT -> dag.binary(Op.GT, a, b);
            case GE -> dag.binary(Op.GE, a, b);
            case EQ -> dag.binary(Op.EQ, a, b);
            case NE -> dag.binary(Op.NE, a, b);
            case AND -> dag.binary(Op.AND, a, b);
            case OR -> dag.binary(Op.OR, a, b);
        };
    }

    private Node name(Ast.Name n, Scope s) {
        String name = n.name();
        Node local = s.locals().get(name);
        if (local != null) {
            if (s.step() != null) s.step().noteRead(name, n.pos(), s.locals());
            return local;
        }
        if (s.step() != null && s.step().silenced(name, s.locals())) return null; // its assignment's error said it
        Node special = s.specials().get(name);
        if (special != null) return special;
        Module.Global g = s.module().globals.get(name);
        if (g instanceof Module.Global.Value v) return v.node();
        if (g instanceof Module.Global.Data d) {
            error(n.pos(), "'" + name + "' is a data set; use one of its columns, like " + name + "." + d.data().columnNames().get(0));
            return null;
        }
        if (s.module().failed.contains(name)) return null;
        Pos later = s.module().declaredLater.get(name);
        if (later != null) {
            error(n.pos(), "'" + name + "' is used before its definition, at line " + later.line(), "move the definition above this line");
            return null;
        }
        Double c = CONSTANTS.get(name);
        if (c != null) return dag.constant(c);
        if (s.module().defs.containsKey(name) || Builtins.isFunction(name)) {
            error(n.pos(), "'" + name + "' is a function; call it with arguments: " + name + "(…)");
            return null;
        }
        if (s.module().optimizers.containsKey(name)) {
            error(n.pos(), "'" + name + "' is an optimizer; use it in 'optimize with " + name + "(…) for N steps'");
            return null;
        }
        unknownName(n, s.module(), s.locals().keySet(), s.specials().keySet());
        return null;
    }

    @SafeVarargs
    private void unknownName(Ast.Name n, Module m, Collection<String>... more) {
        Set<String> candidates = new LinkedHashSet<>(m.globals.keySet());
        candidates.addAll(CONSTANTS.keySet());
        for (Collection<String> c : more) candidates.addAll(c);
        String hint = STEP_NAMES.containsKey(n.name()) ? STEP_NAMES.get(n.name()) : Names.didYouMean(n.name(), candidates);
        error(n.pos(), "unknown name '" + n.name() + "'", hint);
    }

    static final Map<String, String> STEP_NAMES = Map.of(
            "t", "t, the step number, is known inside an optimizer's body, in the arguments of 'optimize with' and in defs called there",
            "g", "g, the gradient, is known inside an optimizer's body",
            "p", "p, the parameters as one vector, is known inside an optimizer's body",
            "f", "f, the objective's value, is known inside an optimizer's body",
            "H", "H, the Hessian, is known inside an optimizer's body");

    private void unknownFunction(Ast.Call c, Module m) {
        Set<String> candidates = new LinkedHashSet<>(m.defs.keySet());
        candidates.addAll(Builtins.FUNCTIONS);
        String hint = Names.didYouMean(c.name(), candidates);
        if (m.optimizers.containsKey(c.name()))
            error(c.namePos(), "'" + c.name() + "' is an optimizer, not a function", "use it in 'optimize with " + c.name() + "(…) for N steps'");
        else if (m.globals.containsKey(c.name()))
            error(c.namePos(), "'" + c.name() + "' is a value, not a function", hint);
        else
            error(c.namePos(), "unknown function '" + c.name() + "'", hint);
    }

    private Node literal(Ast.ArrayLit a, Scope s) {
        if (a.elements().isEmpty()) return dag.constant(Shape.vector(0), new double[0]);
        List<Node> elems = new ArrayList<>();
        boolean ok = true;
        for (Ast.Expr e : a.elements()) {
            Node n = expr(e, s);
            ok &= n != null;
            elems.add(n);
        }
        if (!ok) return null;
        Shape first = elems.get(0).shape;
        for (int i = 1; i < elems.size(); i++) {
            if (!elems.get(i).shape.equals(first)) {
                error(a.elements().get(i).pos(), "the elements of a literal must have one shape, but this is " + Dag.describe(elems.get(i).shape)
                        + " and the first is " + Dag.describe(first));
                return null;
            }
        }
        if (first.isScalar()) return dag.pack(Shape.vector(elems.size()), elems);
        if (first.isVector()) {
            int n = first.rows();
            List<Node> parts = new ArrayList<>(elems.size() * n);
            boolean scalarsKnown = true;
            for (Node row : elems) {
                if (row.op == Op.PACK) parts.addAll(row.inputs());
                else if (row.isConstant()) for (double v : row.constValues()) parts.add(dag.constant(v));
                else { scalarsKnown = false; break; }
            }
            if (scalarsKnown) return dag.pack(Shape.matrix(elems.size(), n), parts);
            return dag.transpose(dag.stack(elems));
        }
        error(a.pos(), "a literal's elements must be numbers or vectors (rows of a matrix), not matrices");
        return null;
    }

    private Node index(Ast.Index i, Scope s) {
        Node x = expr(i.target(), s);
        if (x == null) return null;
        int[] ix = new int[i.indices().size()];
        for (int k = 0; k < ix.length; k++) {
            Node n = expr(i.indices().get(k), s);
            if (n == null) return null;
            if (!n.isScalarConst() || n.num != Math.rint(n.num)) {
                error(start(i.indices().get(k)), "an index must be a constant whole number", n.isScalarConst() ? null : "indices are fixed when the script is checked");
                return null;
            }
            int len = x.shape.isVector() ? x.shape.rows() : x.shape.isMatrix() ? (k == 0 ? x.shape.rows() : x.shape.cols()) : 1;
            double v = n.num, adjusted = v < 0 ? v + len : v; // x[-1] is the last element
            if (adjusted < 0 || adjusted > Integer.MAX_VALUE) {
                error(i.indices().get(k).pos(), "index " + fmt(v) + " is out of range for " + Dag.describe(x.shape));
                return null;
            }
            if (adjusted >= len && !(x.shape.isMatrix() && ix.length == 1 && k > 0)) {
                String what = x.shape.isVector() ? "a vector of length " + len : k == 0 ? "a matrix with " + len + " rows" : "a matrix with " + len + " columns";
                error(start(i.indices().get(k)), "index " + fmt(v) + " is out of range for " + what, "indices count from 0, so the last is " + (len - 1));
                return null;
            }
            ix[k] = (int) adjusted;
        }
        if (ix.length > 2) {
            error(i.pos(), "at most two indices: x[i] or A[i, j]");
            return null;
        }
        Attr.Index at;
        if (ix.length == 2) at = Attr.Index.element(ix[0], ix[1]);
        else if (x.shape.isMatrix()) at = Attr.Index.row(ix[0]);
        else at = Attr.Index.element(ix[0]);
        try {
            return dag.index(x, at);
        } catch (ShapeError err) {
            error(i.pos(), err.getMessage(), err.hint());
            return null;
        }
    }

    private Node member(Ast.Member mb, Scope s) {
        if (mb.target() instanceof Ast.Name f && s.module().failed.contains(f.name())) return null;
        if (!(mb.target() instanceof Ast.Name n) || !(s.module().globals.get(n.name()) instanceof Module.Global.Data d)) {
            if (mb.target() instanceof Ast.Name n2 && s.module().declaredLater.containsKey(n2.name()))
                return name(n2, s);
            error(mb.pos(), "only a data set has columns (d." + mb.field() + ")");
            return null;
        }
        double[] col = d.data().columns().get(mb.field());
        if (col == null) {
            String hint = Names.didYouMean(mb.field(), d.data().columnNames());
            error(mb.fieldPos(), "data set '" + n.name() + "' has no column '" + mb.field() + "'",
                    hint != null ? hint : "its columns: " + String.join(", ", d.data().columnNames()));
            return null;
        }
        return dag.data(new Attr.Column(n.name(), mb.field()), Shape.vector(d.data().rows()));
    }

    // ================================================================ calls

    private Node call(Ast.Call c, Scope s) {
        Module.DefRef def = s.module().def(c.name());
        if (def != null) return expand(def, c, s);
        if (Builtins.isFunction(c.name())) return builtin(c, s);
        if (c.name().equals("normal") || c.name().equals("uniform")) {
            error(c.pos(), c.name() + "(…) draws a parameter's start, and belongs after '~' in 'param x[n] ~ " + c.name() + "(…)'");
            return null;
        }
        if (c.name().equals("csv")) {
            error(c.pos(), "csv(…) reads a data set, in 'data d = csv(\"file.csv\")'");
            return null;
        }
        if (c.name().equals("linesearch")) {
            if (s.step() != null) return s.step().linesearch(c, s);
            error(c.pos(), "linesearch(d) belongs inside an optimizer's body");
            return null;
        }
        if (c.name().equals("hvp")) {
            if (s.step() != null) return s.step().hvp(c, s);
            error(c.pos(), "hvp(v) belongs inside an optimizer's body");
            return null;
        }
        unknownFunction(c, s.module());
        return null;
    }

    // ================================================================ defs

    /** A def being expanded, by {@code call}: its body ({@code formal} null), or the default value of one of its formals. */
    private record Frame(Ast.Def def, Ast.Formal formal, Ast.Call call) {
        /** What identifies the frame: the def (its body) or the formal (its default), by identity. */
        Object key() { return formal != null ? formal : def; }
    }

    /** The frames being expanded, outermost first. */
    private final List<Frame> frames = new ArrayList<>();
    /** The keys of {@link #frames}, by identity (a def is a record: its equals walks the whole body). */
    private final Set<Object> active = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    /** What a def body's elaboration depends on besides the def: the module it resolves in, its arguments, the step names it sees. */
    private record Instance(Module module, List<Node> args, Map<String, Node> specials, StepBuilder step) {}

    /**
     * The nodes of the def bodies already elaborated, by def (identity) and instance. The DAG is
     * hash-consed, so elaborating the body again with the same argument nodes would only find the
     * same node again: a def is expanded once per distinct argument, and a chain of defs that
     * each call the one below twice ({@code def f1(x) = f0(x) + f0(x)}, …) checks in linear time.
     */
    private final Map<Ast.Def, Map<Instance, Node>> instances = new IdentityHashMap<>();
    /** The instances whose expansion failed (reported); forgotten at a {@link #rollback}, which forgets their diagnostics. */
    private final Map<Ast.Def, Set<Instance>> failedInstances = new IdentityHashMap<>();
    /** Def bodies expanded so far (not counting the instances found already done). */
    private long expansions;
    /** Set once the DAG or the expansions went over {@link Limits#maxNodes} (reported once). */
    private boolean overNodes;

    private Node expand(Module.DefRef ref, Ast.Call c, Scope caller) {
        Ast.Def d = ref.def();
        if (active.contains(d)) {
            recursion(d, c);
            return null;
        }
        Map<String, Ast.Expr> bound = bind(c, d.formals(), "'" + d.name() + "'", d.namePos());
        if (bound == null) return null;
        Map<String, Node> locals = new HashMap<>();
        List<Node> args = new ArrayList<>(d.formals().size());
        for (Ast.Formal f : d.formals()) {
            Ast.Expr given = bound.get(f.name());
            Node v;
            if (given != null) v = expr(given, caller);
            else {
                if (active.contains(f)) {
                    recursion(f, c);
                    return null;
                }
                enter(new Frame(d, f, c));
                try {
                    v = expr(f.defaultValue(), new Scope(ref.module(), Map.of(), caller.specials(), null, caller.step()));
                } finally {
                    leave();
                }
            }
            if (v == null) return null;
            locals.put(f.name(), v);
            args.add(v);
        }
        Instance instance = new Instance(ref.module(), args, caller.specials(), caller.step());
        Map<Instance, Node> done = instances.computeIfAbsent(d, k -> new HashMap<>());
        Node known = done.get(instance);
        if (known != null) return known;
        Set<Instance> failed = failedInstances.get(d);
        if (failed != null && failed.contains(instance)) return null;
        if (!withinNodes(c)) return null;
        int dropoutsBefore = dropouts;
        enter(new Frame(d, null, c));
        int before = diagnostics.size();
        try {
            Node body = expr(d.body(), new Scope(ref.module(), locals, caller.specials(), c, caller.step()));
            for (int k = before; k < diagnostics.size(); k++) {
                Diagnostic dg = diagnostics.get(k);
                if (dg.hint() == null && dg.source() == ref.module().source)
                    diagnostics.set(k, dg.withHint("in the call of " + d.name() + " at " + c.pos()));
            }
            // a body that drew a dropout mask is expanded again at each call: each call draws its own mask
            if (body == null) failedInstances.computeIfAbsent(d, k -> new HashSet<>()).add(instance);
            else if (dropouts == dropoutsBefore) done.put(instance, body);
            return body;
        } finally {
            leave();
        }
    }

    private void enter(Frame f) {
        frames.add(f);
        active.add(f.key());
    }

    private void leave() { active.remove(frames.removeLast().key()); }

    /**
     * Reports that expanding {@code again} (a def's body, or a formal's default value) at call
     * {@code c} needs that same expansion, which is under way: recursion, directly or through
     * other defs and default values. Positioned at the call that closes the cycle.
     */
    private void recursion(Object again, Ast.Call c) {
        int from = 0;
        while (frames.get(from).key() != again) from++;
        List<String> chain = new ArrayList<>();
        Frame viaDefault = null;
        for (int i = from; i < frames.size(); i++) {
            Frame f = frames.get(i);
            chain.add(f.def().name());
            if (f.formal() != null && viaDefault == null) viaDefault = f;
        }
        Frame first = frames.get(from);
        String name = first.def().name();
        chain.add(name);
        if (viaDefault == null) {
            error(c.namePos(), "'" + name + "' calls itself (" + String.join(" → ", chain) + "); defs cannot be recursive");
            return;
        }
        String arg = viaDefault.formal().name(), owner = viaDefault.def().name();
        error(c.namePos(), "'" + name + "' calls itself through the default value of " + (owner.equals(name) ? "its" : owner + "'s") + " argument '" + arg + "' ("
                        + String.join(" → ", chain) + "); defs cannot be recursive",
                "a default value is computed at each call that does not give the argument; give '" + arg + "' a default that does not call "
                        + owner + (chain.size() > 2 ? " (or the defs it calls)" : "") + ", or no default");
    }

    /**
     * Whether checking may expand one more def body: the DAG and the expansions so far within
     * {@link Limits#maxNodes}. Over it, reports once, at the outermost call being expanded (the
     * script's own line), and every expansion after that fails at once.
     */
    private boolean withinNodes(Ast.Call c) {
        if (overNodes) return false;
        expansions++;
        long made = dag.size() + expansions;
        if (made <= limits.maxNodes()) return true;
        overNodes = true;
        Ast.Call outer = frames.isEmpty() ? c : frames.getFirst().call();
        List<String> chain = new ArrayList<>();
        for (Frame f : frames) if (f.formal() == null && (chain.isEmpty() || !chain.getLast().equals(f.def().name()))) chain.add(f.def().name());
        if (chain.size() > 6) chain = List.of(chain.get(0), chain.get(1), chain.get(2), "…", chain.get(chain.size() - 2), chain.getLast());
        error(outer.namePos(), "the defs called here expand to more than " + Dag.count(limits.maxNodes()) + " nodes ("
                        + Dag.count(expansions) + " def expansions, " + Dag.count(dag.size()) + " distinct nodes so far)",
                "a def is expanded once for each distinct argument it is called with"
                        + (chain.isEmpty() ? "" : ", and these calls (" + String.join(" → ", chain) + ") keep making new ones")
                        + "; raise the limit with --max-nodes N");
        return false;
    }

    /** Matches a call's arguments to formals; returns name → argument expression, or null (reported). */
    Map<String, Ast.Expr> bind(Ast.Call c, List<Ast.Formal> formals, String what, Pos declared) {
        Map<String, Ast.Expr> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Ast.Formal f : formals) names.add(f.name());
        int positional = 0;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null) {
                if (positional >= formals.size()) {
                    error(a.pos(), what + " takes " + plural(formals.size(), "argument") + ", but " + c.args().size() + " are given",
                            declared == null ? null : "it is defined at line " + declared.line());
                    return null;
                }
                out.put(names.get(positional++), a.value());
            } else {
                if (!names.contains(a.name())) {
                    String hint = Names.didYouMean(a.name(), names);
                    error(a.pos(), what + " has no argument '" + a.name() + "'", hint != null ? hint : names.isEmpty() ? null : "its arguments: " + String.join(", ", names));
                    return null;
                }
                if (out.containsKey(a.name())) {
                    error(a.pos(), "argument '" + a.name() + "' is given twice");
                    return null;
                }
                out.put(a.name(), a.value());
            }
        }
        for (Ast.Formal f : formals) {
            if (!out.containsKey(f.name()) && f.defaultValue() == null) {
                error(c.pos(), what + " needs argument '" + f.name() + "'" + (formals.size() > 1 ? " (it takes " + String.join(", ", names) + ")" : ""));
                return null;
            }
        }
        return out;
    }

    private static String plural(int n, String word) { return n + " " + word + (n == 1 ? "" : "s"); }

    /** Binds a built-in's arguments (formals by name, the first {@code required} needed) to nodes; null when reported. */
    List<Node> bindBuiltin(Ast.Call c, List<String> formals, int required, Scope s) {
        List<Ast.Formal> fs = new ArrayList<>();
        for (int i = 0; i < formals.size(); i++)
            fs.add(new Ast.Formal(c.pos(), formals.get(i), i < required ? null : new Ast.Num(c.pos(), Double.NaN, "")));
        Map<String, Ast.Expr> bound = bind(c, fs, c.name(), null);
        if (bound == null) return null;
        List<Node> out = new ArrayList<>();
        boolean ok = true;
        for (String f : formals) {
            Ast.Expr e = bound.get(f);
            if (e == null) { out.add(null); continue; }
            Node n = expr(e, s);
            ok &= n != null;
            out.add(n);
        }
        return ok ? out : null;
    }

    private Node builtin(Ast.Call c, Scope s) {
        return new Builtins(this, dag, c, s).call();
    }

    // used by Builtins
    Ast.Expr argExpr(Ast.Call c, String formal, List<String> formals) {
        int pos = 0;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null) { if (formals.get(pos++).equals(formal)) return a.value(); }
            else if (a.name().equals(formal)) return a.value();
        }
        return null;
    }

    boolean training() { return training; }

    int nextDropoutId() { return dropouts++; }

    // ================================================================ diagnostics

    /** By file (in order of first appearance), then line and column. */
    private static List<Diagnostic> sorted(List<Diagnostic> ds) {
        List<String> files = new ArrayList<>();
        for (Diagnostic d : ds) if (!files.contains(d.file())) files.add(d.file());
        List<Diagnostic> out = new ArrayList<>(ds);
        out.sort(java.util.Comparator.<Diagnostic>comparingInt(d -> files.indexOf(d.file()))
                .thenComparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
        return out;
    }

    /** A mark to roll diagnostics back to (state shape inference elaborates a body more than once). */
    int mark() { return diagnostics.size(); }

    void rollback(int mark) {
        failedInstances.clear(); // their diagnostics may be among those forgotten: expand them again when called
        while (diagnostics.size() > mark) {
            Diagnostic d = diagnostics.removeLast();
            reported.remove(d.file() + ":" + d.line() + ":" + d.column() + ":" + d.message());
        }
    }

    void error(Pos pos, String message) { error(pos, message, null); }

    void error(Pos pos, String message, String hint) {
        String key = pos.source().name() + ":" + pos.line() + ":" + pos.column() + ":" + message;
        if (reported.add(key)) diagnostics.add(Diagnostic.at(pos, message, hint));
    }

    /** Where an expression begins (a binary expression's own position is its operator's). */
    static Pos start(Ast.Expr e) {
        while (true) {
            switch (e) {
                case Ast.Binary b -> e = b.left();
                case Ast.Index i -> e = i.target();
                case Ast.Member m -> e = m.target();
                default -> { return e.pos(); }
            }
        }
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) sb.append(String.format("\\u%04X", cp));
            else sb.appendCodePoint(cp);
        });
        return sb.toString();
    }

    static String fmt(double v) {
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
