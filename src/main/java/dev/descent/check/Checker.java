package dev.descent.check;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import dev.descent.ir.ShapeError;
import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Parser;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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

    final Dag dag = new Dag();
    final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Set<String> reported = new HashSet<>();
    private final Map<String, Double> settings;
    private final Set<String> settingsUsed = new HashSet<>();
    private final boolean training;
    int dropouts;
    Module stdlib;
    /** The stages that are classes of their own: imports, name checks. */
    final Imports imports = new Imports(this);
    final NameCheck nameCheck = new NameCheck(this);

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

    final Options options;

    private Checker(Map<String, Double> settings, boolean training) { this(settings, training ? Options.TRAINING : Options.EVAL); }

    final Limits limits;

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

    /**
     * Checks an already parsed script again with other options: how {@link Script#instance} avoids
     * parsing it again. Its names were checked, without a problem, when it was first checked, and
     * they do not depend on the options (only shapes do): that stage is not run again.
     */
    static Script check(Ast.Program program, Map<String, Double> settings, Options options) {
        Checker c = new Checker(settings, options);
        c.namesChecked = true;
        return c.run(program.source(), program);
    }

    /** True when the script's names were checked already (an instance): {@link NameCheck} is skipped. */
    private boolean namesChecked;

    Script run(SourceFile source) {
        StandardLibrary.prefetch(source.text()); // the library's part for this script, made on another core while this one parses
        return run(source, Parser.parse(source));
    }

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
        if (source.path() != null) imports.enter(source.path());
        Script script = topLevel(program, module);
        if (source.path() != null) imports.exit();
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
        if (!m.globals.isEmpty() || !c.imports.loadedNone())
            throw new IllegalStateException("the standard library may hold only defs and optimizers");
        return List.copyOf(c.diagnostics);
    }

    /** A file that is imported: it may hold imports, lets, defs and optimizers. */
    void library(Ast.Program program, Module m) {
        imports.declare(program, m);
        for (Ast.Stmt st : program.statements()) {
            switch (st) {
                case Ast.Import im -> imports.importInto(im, m);
                case Ast.Let let -> let(let, m, false);
                case Ast.Def d -> {}
                case Ast.Optimizer o -> {}
                default -> error(st.pos(), "an imported file may only hold import, let, def and optimizer statements",
                        "keep what is run (param, minimize, optimize, data, seed) in the script that imports this file");
            }
        }
        if (!namesChecked) nameCheck.definitions(m);
    }

    // ================================================================ the script

    private Script topLevel(Ast.Program program, Module m) {
        imports.declare(program, m);
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
                case Ast.Import im -> imports.importInto(im, m);
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
                    DataSet ds = dataSets.data(d, m);
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
                    if (!namesChecked) nameCheck.optimize(o, m);
                    if (diagnostics.size() > before) failedRuns.add(o);
                }
            }
        }
        if (!namesChecked) nameCheck.definitions(m);
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
                Step step = elaborateStep(m, o, offset);
                if (step != null) steps.add(step);
            }
        }
        if (!runs.isEmpty() && objectivePos == null)
            error(runs.get(0).pos(), "there is nothing to optimize: the script has no 'minimize' or 'maximize'");
        return new Script(this, m.source, program, dag, params, lets, objective, maximize, objectivePos, seed, data, m, runs, steps, settings, options,
                List.copyOf(reports));
    }

    /**
     * The step of {@code o}, its optimizer resolved in {@code m}, elaborated for θ of {@code n}
     * elements; null when a problem was found (and reported).
     */
    Step elaborateStep(Module m, Ast.Optimize o, int n) {
        try {
            return new StepBuilder(this, dag, m, o, n).build();
        } catch (ShapeError e) { // what the body's elaboration did not say where: said at the statement
            error(o.optimizer().pos(), e.getMessage(), e.hint());
            return null;
        }
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
            double x = elab.constValue(a.get(0), c.args().get(0).value().pos(), "the " + (c.name().equals("normal") ? "mean" : "low end"));
            double y = elab.constValue(a.get(1), c.args().get(1).value().pos(), "the " + (c.name().equals("normal") ? "standard deviation" : "high end"));
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

    Node let(Ast.Let l, Module m, boolean settable) {
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

    /** Data sets: csv(…) read, split and checked (check/DataSets). */
    final DataSets dataSets = new DataSets(this);

    private final Set<Module> failedData = new HashSet<>();

    boolean hasFailedData(Module m) { return failedData.contains(m); }

    void count(Ast.Expr e, Module m, String what, boolean zeroOk) {
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

    /** Expressions elaborated into DAG nodes (check/Elaborator). */
    final Elaborator elab = new Elaborator(this);

    /** The value of an expression that must be a scalar constant, or null (reported). */
    Double constant(Ast.Expr e, Scope s, String what) { return elab.constant(e, s, what); }

    /** Elaborates an expression; null when a problem was found (and reported). */
    Node expr(Ast.Expr e, Scope s) { return elab.expr(e, s); }

    Map<String, Ast.Expr> bind(Ast.Call c, List<Ast.Formal> formals, String what, Pos declared) { return elab.bind(c, formals, what, declared); }

    List<Node> bindBuiltin(Ast.Call c, List<String> formals, int required, Scope s) { return elab.bindBuiltin(c, formals, required, s); }

    Ast.Expr argExpr(Ast.Call c, String formal, List<String> formals) { return elab.argExpr(c, formal, formals); }

    @SafeVarargs
    final void unknownName(Ast.Name n, Module m, Collection<String>... more) { elab.unknownName(n, m, more); }

    void unknownFunction(Ast.Call c, Module m) { elab.unknownFunction(c, m); }

    // ================================================================ defs

    /** Def expansion: once per distinct argument, recursion and size limits (check/Defs). */
    final Defs defs = new Defs(this);

    boolean training() { return training; }

    int nextDropoutId() { return dropouts++; }

    // ================================================================ diagnostics

    /** By file (in order of first appearance), then line and column. */
    static List<Diagnostic> sorted(List<Diagnostic> ds) {
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
        defs.forgetFailures(); // their diagnostics may be among those forgotten: expand them again when called
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

    static String printable(String s) {
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
