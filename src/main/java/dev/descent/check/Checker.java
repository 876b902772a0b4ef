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
import dev.descent.syntax.Parser;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.Collection;
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
        nameCheck.definitions(m);
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
                    nameCheck.optimize(o, m);
                    if (diagnostics.size() > before) failedRuns.add(o);
                }
            }
        }
        nameCheck.definitions(m);
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
    final void unknownName(Ast.Name n, Module m, Collection<String>... more) {
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

    void unknownFunction(Ast.Call c, Module m) {
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
        if (def != null) return defs.expand(def, c, s);
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
        unknownFunction(c, s.module());
        return null;
    }

    // ================================================================ defs

    /** Def expansion: once per distinct argument, recursion and size limits (check/Defs). */
    final Defs defs = new Defs(this);

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
