package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import dev.descent.ir.ShapeError;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Elaborates one {@code optimize with} statement: the optimizer's body, run once
 * symbolically, becomes DAG nodes over the step's inputs. Each assignment rebinds a
 * name (single assignment), so the new p and the new states are expressions of
 * the old ones. A state's shape is what the body assigns to it: the body is
 * elaborated again with the shapes found until they settle.
 */
final class StepBuilder {
    private final Checker ck;
    private final Dag dag;
    private final Module script;
    private final Ast.Optimize stmt;
    private final int n;
    private final List<Step.LineSearch> searches = new ArrayList<>();
    private final List<Step.Hvp> hvps = new ArrayList<>();
    private final List<Step.GradAt> gradAts = new ArrayList<>();

    /** The calls that only an optimizer's body knows: they evaluate the objective again, away from the step's DAG. */
    static boolean isBodyCall(String name) { return name.equals("linesearch") || name.equals("hvp") || name.equals("grad_at"); }

    StepBuilder(Checker ck, Dag dag, Module script, Ast.Optimize stmt, int n) {
        this.ck = ck;
        this.dag = dag;
        this.script = script;
        this.stmt = stmt;
        this.n = n;
    }

    Step build() {
        String name = stmt.optimizer() instanceof Ast.Call c ? c.name() : ((Ast.Name) stmt.optimizer()).name();
        Ast.Call call = stmt.optimizer() instanceof Ast.Call c ? c
                : new Ast.Call(stmt.optimizer().pos(), name, stmt.optimizer().pos(), List.of());
        boolean chain = name.equals("chain") && script.optimizer("chain") == null;
        Module.OptimizerRef ref = chain ? null : script.optimizer(name);

        Node t = dag.input("t", Shape.SCALAR), f = dag.input("f", Shape.SCALAR);
        Node p = dag.input("p", Shape.vector(n)), g = dag.input("g", Shape.vector(n));
        Node h = dag.input("H", Shape.matrix(n, n));
        Map<String, Node> onlyT = new HashMap<>(Map.of("t", t));
        // what the run knows between steps, for until and schedules (a top-level name of the same spelling wins)
        for (String rn : Step.RUN_NAMES) if (!script.globals.containsKey(rn)) onlyT.put(rn, dag.input(rn, Shape.SCALAR));

        int start = ck.mark();
        // hyperparameters: the arguments as written (evaluated every step, so they may be schedules of t), or the defaults
        Checker.Scope top = new Checker.Scope(script, Map.of(), onlyT, null);
        Ast.Optimizer decl;
        Module home;
        Map<String, Node> hypers;
        Map<String, Node> shownHypers = new LinkedHashMap<>(); // per-parameter settings aside: for the trace's lr
        if (chain) {
            // chain(a(…), b(…), …): a body that uses a, then b, …; each one's arguments bound here
            List<Ast.BodyStmt> uses = new ArrayList<>();
            hypers = new LinkedHashMap<>();
            for (Ast.Arg a : call.args()) {
                Ast.Call ec = a.value() instanceof Ast.Call x ? x : new Ast.Call(a.value().pos(), ((Ast.Name) a.value()).name(), a.value().pos(), List.of());
                Module.OptimizerRef er = script.optimizer(ec.name());
                Map<String, Node> eh = bindHypers(ec, er, top, onlyT, shownHypers);
                if (eh == null) return null;
                Ast.Use u = new Ast.Use(ec.pos(), ec);
                preBound.put(u, eh);
                uses.add(u);
            }
            decl = new Ast.Optimizer(call.pos(), name, call.namePos(), List.of(), uses);
            home = script;
        } else {
            decl = ref.decl();
            home = ref.module();
            hypers = bindHypers(call, ref, top, onlyT, shownHypers);
            if (hypers == null) return null;
        }
        Node until = null;
        if (stmt.until() != null) {
            Map<String, Node> untilNames = new HashMap<>(onlyT);
            untilNames.putAll(Map.of("t", t, "f", f, "g", g, "p", p));
            until = ck.expr(stmt.until(), new Checker.Scope(script, Map.of(), untilNames, null));
            if (until != null && !until.shape.isScalar()) {
                ck.error(Checker.start(stmt.until()), "the condition after 'until' must be one number (true when non-zero), but this is " + Dag.describe(until.shape),
                        "reduce it, e.g. norm(g) < 1e-6 or max(abs(g)) < 1e-6");
                until = null;
            }
            if (until == null) return null;
        }
        long count = whole(stmt.count(), 0);
        long batch = stmt.batch() == null ? 0 : whole(stmt.batch(), 1);
        long patience = stmt.patience() == null ? 0 : whole(stmt.patience(), 1);
        if (count < 0 || batch < 0 || patience < 0) return null;

        // the body, elaborated until the states' shapes settle
        Map<String, Shape> shapes = new HashMap<>();
        int before = ck.mark();
        Body body = settle(decl, home, hypers, shapes, t, f, p, g, h);
        if (body.failed && !body.unsettled.isEmpty()) {
            // a state read before the body assigns it, whose assignment could not be elaborated with the
            // state still a number: the shapes the body most often gives (p's, H's), tried in turn
            search:
            for (String st : body.unsettled)
                for (Shape shape : List.of(Shape.vector(n), Shape.matrix(n, n))) {
                    Map<String, Shape> trial = new HashMap<>(shapes);
                    trial.put(st, shape);
                    int mark = ck.mark();
                    Body b = settle(decl, home, hypers, trial, t, f, p, g, h);
                    boolean clean = !b.failed && ck.mark() == mark;
                    ck.rollback(mark);
                    if (clean) {
                        ck.rollback(before); // the first elaboration's errors were the state's provisional shape
                        body = settle(decl, home, hypers, trial, t, f, p, g, h);
                        break search;
                    }
                }
        }
        if ((body.failed || ck.mark() > before) && !perParameterAt.isEmpty()) {
            // was it a setting for one parameter? the body again with one value each
            int mark = ck.mark();
            Body plain = settle(decl, home, shownHypers, shapes, t, f, p, g, h);
            boolean clean = !plain.failed && ck.mark() == mark;
            ck.rollback(mark);
            if (clean) {
                ck.rollback(before);
                for (Map.Entry<String, Ast.Arg> e : perParameterAt.entrySet())
                    ck.error(e.getValue().pos(), "optimizer '" + e.getKey() + "' needs one number for '" + e.getValue().name()
                            + "' (its body uses it where a vector over θ cannot go), so it cannot be set for one parameter", "give " + e.getValue().name() + " one value for all parameters");
                return null;
            }
        }
        if (body.failed || ck.mark() > start) return null;
        if (!affordable(name, body, until, hypers, h)) return null;
        return new Step(stmt, name, shown(call, text(call), new Checker.Scope(script, Map.of(), onlyT, null)), stmt.pos(), count, stmt.unit(), batch, until, patience, p, g, f, t, h,
                body.stateNames, body.stateInputs, body.stateInits, body.stateOutputs, body.p, List.copyOf(searches), List.copyOf(hvps), List.copyOf(gradAts), shownHypers, body.pFinal);
    }

    /** Per optimizer (of a chain's, or the one named), its first per-parameter setting that uses a hyperparameter as a vector. */
    private final Map<String, Ast.Arg> perParameterAt = new LinkedHashMap<>();

    /**
     * An optimizer's hyperparameters for a call: the arguments as written, evaluated in {@code scope}, or
     * the defaults (in the optimizer's own module). At an optimize statement ({@code shown} not null),
     * settings for one parameter, {@code W2.lr = 0.02}, make that hyperparameter a vector over θ: that
     * value on W2's elements, the optimizer's own elsewhere; {@code shown} gets the values without them.
     * Null when an error was reported.
     */
    private Map<String, Node> bindHypers(Ast.Call call, Module.OptimizerRef ref, Checker.Scope scope, Map<String, Node> onlyT, Map<String, Node> shown) {
        Ast.Optimizer decl = ref.decl();
        List<Ast.Arg> plain = new ArrayList<>(), per = new ArrayList<>();
        for (Ast.Arg a : call.args()) (a.param() == null ? plain : per).add(a);
        if (!per.isEmpty() && shown == null) {
            ck.elab.perParameterOnlyAtTop(call);
            return null;
        }
        Ast.Call c = per.isEmpty() ? call : new Ast.Call(call.pos(), call.name(), call.namePos(), plain);
        Map<String, Ast.Expr> bound = ck.bind(c, decl.hypers(), "optimizer '" + call.name() + "'", decl.namePos());
        if (bound == null) return null;
        Map<String, Node> hypers = new LinkedHashMap<>();
        for (Ast.Formal hf : decl.hypers()) {
            Ast.Expr given = bound.get(hf.name());
            Node v = given != null ? ck.expr(given, scope) : ck.expr(hf.defaultValue(), new Checker.Scope(ref.module(), Map.of(), onlyT, null));
            if (v == null) return null;
            hypers.put(hf.name(), v);
        }
        if (shown != null) for (Map.Entry<String, Node> e : hypers.entrySet()) shown.putIfAbsent(e.getKey(), e.getValue());
        if (per.isEmpty()) return hypers;
        // settings for one parameter: by hyperparameter, the parameters' values in the order written
        Map<String, Map<dev.descent.ir.Attr.Param, Node>> byHyper = new LinkedHashMap<>();
        boolean ok = true;
        for (Ast.Arg a : per) {
            dev.descent.ir.Attr.Param prm = parameter(a.param());
            if (prm == null) {
                List<String> names = parameterNames();
                String hint = Names.didYouMean(a.param(), names);
                ck.error(a.pos(), "'" + a.param() + "' is not a parameter of this script",
                        hint != null ? hint : names.isEmpty() ? null : "its parameters: " + String.join(", ", names));
                ok = false;
                continue;
            }
            if (!hypers.containsKey(a.name())) {
                String hint = Names.didYouMean(a.name(), hypers.keySet());
                ck.error(a.namePos(), "optimizer '" + call.name() + "' has no argument '" + a.name() + "'",
                        hint != null ? hint : hypers.isEmpty() ? "it takes no arguments" : "its arguments: " + String.join(", ", hypers.keySet()));
                ok = false;
                continue;
            }
            Node v = ck.expr(a.value(), scope);
            if (v == null) { ok = false; continue; }
            if (!v.shape.isScalar()) {
                ck.error(Checker.start(a.value()), "a setting for one parameter is one number, but this is " + Dag.describe(v.shape));
                ok = false;
                continue;
            }
            if (byHyper.computeIfAbsent(a.name(), k -> new LinkedHashMap<>()).put(prm, v) != null) {
                ck.error(a.pos(), "'" + a.param() + "." + a.name() + "' is given twice");
                ok = false;
            }
        }
        if (!ok) return null;
        for (Map.Entry<String, Map<dev.descent.ir.Attr.Param, Node>> e : byHyper.entrySet()) {
            Node v = hypers.get(e.getKey());
            if (!v.shape.isScalar()) {
                Ast.Arg first = per.stream().filter(a -> a.name().equals(e.getKey())).findFirst().orElseThrow();
                ck.error(first.pos(), "'" + e.getKey() + "' is " + Dag.describe(v.shape) + " already, so it cannot also be set for one parameter");
                return null;
            }
            for (Map.Entry<dev.descent.ir.Attr.Param, Node> pv : e.getValue().entrySet()) {
                double[] mask = new double[n];
                java.util.Arrays.fill(mask, pv.getKey().offset(), pv.getKey().offset() + pv.getKey().shape().size(), 1);
                v = dag.select(dag.constant(Shape.vector(n), mask), pv.getValue(), v);
            }
            hypers.put(e.getKey(), v);
        }
        perParameterAt.putIfAbsent(call.name(), per.getFirst());
        return hypers;
    }

    /** The script's parameter of this name, or null. */
    private dev.descent.ir.Attr.Param parameter(String name) {
        return script.globals.get(name) instanceof Module.Global.Value v && v.node().op == dev.descent.ir.Op.PARAM
                ? (dev.descent.ir.Attr.Param) v.node().attr : null;
    }

    private List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        for (String k : script.globals.keySet()) if (parameter(k) != null) out.add(k);
        return out;
    }

    /**
     * {@code NAME(args)} as a statement of a body: the optimizer NAME's body runs here, on env's p and
     * g (and f, t, H), with its own hyperparameters (the arguments evaluated in the body using it) and
     * its own states (named with {@code inner}); what it leaves in p and g is env's p and g after.
     */
    private boolean use(Ast.Use u, Module home, Map<String, Node> env, String inner, Body out, Map<String, Shape> assumed, Node t) {
        Ast.Call c = u.call();
        Module.OptimizerRef ref = home.optimizer(c.name());
        if (ref == null) return false; // reported by the name checks
        if (using.contains(c.name())) {
            List<String> cycle = new ArrayList<>(using.subList(using.indexOf(c.name()), using.size()));
            cycle.add(c.name());
            ck.error(c.namePos(), "optimizer '" + c.name() + "' uses itself" + (cycle.size() > 2 ? " (" + String.join(" → ", cycle) + ")" : ""),
                    "a body may use other optimizers, not itself");
            return false;
        }
        Map<String, Node> hypers = preBound.get(u);
        if (hypers == null) {
            Map<String, Node> onlyT = Map.of("t", t);
            hypers = bindHypers(c, ref, new Checker.Scope(home, new HashMap<>(env), onlyT, null, this), onlyT, null);
            if (hypers == null) return false;
        }
        Map<String, Node> innerEnv = new LinkedHashMap<>(hypers);
        for (String k : List.of("p", "g", "f", "t", "H")) innerEnv.put(k, env.get(k));
        java.util.Set<String> outerPoisoned = new java.util.HashSet<>(poisoned);
        poisoned.clear();
        boolean ok;
        try {
            ok = run(ref.decl(), ref.module(), innerEnv, inner, out, assumed, t);
        } finally {
            poisoned.clear();
            poisoned.addAll(outerPoisoned);
        }
        env.put("p", innerEnv.get("p"));
        env.put("g", innerEnv.get("g"));
        if (innerEnv.containsKey(P_FINAL)) env.put(P_FINAL, innerEnv.get(P_FINAL));
        return ok;
    }

    /**
     * Whether a step of this body is within the limits ({@link Limits}): a body that reads H
     * forms the n×n Hessian (n reverse passes over the objective) at every step, so θ may have
     * at most {@link Limits#maxHessian} elements; and the step's matrix products, with the
     * objective's (n + 1 times when it reads H), at most {@link Limits#maxFlops} multiply-adds.
     * Reported at the optimizer's name in the optimize statement.
     */
    private boolean affordable(String name, Body body, Node until, Map<String, Node> hypers, Node h) {
        List<Node> roots = new ArrayList<>();
        roots.add(body.p);
        roots.addAll(body.stateOutputs);
        roots.addAll(body.stateInits);
        roots.addAll(hypers.values());
        if (until != null) roots.add(until);
        for (Step.LineSearch ls : searches) roots.addAll(ls.inputs());
        for (Step.Hvp hv : hvps) roots.add(hv.v());
        for (Step.GradAt ga : gradAts) roots.add(ga.q());
        boolean usesH = reaches(roots, h);
        Pos at = stmt.optimizer().pos();
        Limits limits = ck.limits();
        if (usesH) {
            long bound = Math.min(limits.maxHessian(), Limits.HESSIAN_BOUND);
            if (n > bound) {
                List<String> instead = new ArrayList<>();
                for (String o : List.of("lbfgs", "cg")) if (script.optimizer(o) != null && !o.equals(name)) instead.add(o + "()");
                String use = instead.isEmpty() ? "use a first-order optimizer (adam, sgd)" : "use " + String.join(" or ", instead) + " (no Hessian)";
                String what = name + "() forms a " + n + "×" + n + " Hessian (" + Dag.count((long) n * n) + " entries) at every step";
                if (n > Limits.HESSIAN_BOUND)
                    ck.error(at, what + ": more than any array can hold (θ of at most " + Dag.count(Limits.HESSIAN_BOUND) + " parameters)", use);
                else
                    ck.error(at, what + ", by " + Dag.count(n) + " reverse passes over the objective; the limit is θ of " + Dag.count(limits.maxHessian()) + " parameters",
                            use + ", or raise the limit with --max-hessian " + n);
                return false;
            }
        }
        Costs.Flops own = Costs.flops(roots, false);
        double objective = ck.costs.objective.total();
        double total = own.total() + objective * (usesH ? n + 1.0 : 1.0);
        if (total > limits.maxFlops()) {
            Costs.Flops all = new Costs.Flops(total, own.largest(), own.largestCost());
            ck.costs.tooMany(all, at, "a step of " + name + "() takes",
                    usesH && objective > 0 ? " (its Hessian alone is " + n + " passes over the objective's)" : objective > 0 ? " (the objective's included)" : "");
            return false;
        }
        return true;
    }

    /** Whether {@code target} is among the nodes {@code roots} read. */
    private static boolean reaches(List<Node> roots, Node target) {
        java.util.BitSet seen = new java.util.BitSet();
        java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Node x = todo.pop();
            if (x == target) return true;
            if (x.id < target.id || seen.get(x.id)) continue; // inputs are older than the nodes that read them
            seen.set(x.id);
            for (int i = 0; i < x.arity(); i++) todo.push(x.in(i));
        }
        return false;
    }

    private long whole(Ast.Expr e, long min) {
        Double v = ck.constant(e, ck.root(script), "a count");
        if (v == null) return -1;
        if (v != Math.rint(v) || v < min) return -1; // reported by the name checks
        return v.longValue();
    }

    /** The body elaborated until the states' shapes settle (each round with the shapes the last one found). */
    private Body settle(Ast.Optimizer decl, Module home, Map<String, Node> hypers, Map<String, Shape> shapes,
                        Node t, Node f, Node p, Node g, Node h) {
        Map<String, Shape> assumed = new HashMap<>(shapes);
        Body body = null;
        for (int round = 0; round < decl.body().size() + 2; round++) {
            int mark = ck.mark();
            searches.clear();
            hvps.clear();
            gradAts.clear();
            body = body(decl, home, hypers, assumed, t, f, p, g, h);
            if (body.failed || !body.changed) break;
            ck.rollback(mark); // errors seen with provisional shapes may not be real
            assumed.putAll(body.shapes);
        }
        return body;
    }

    // What the statement being elaborated reads, for the checker's name lookups (noteRead, silenced).
    /** The locals of the body statement being elaborated (a def's scope has its own). */
    private Map<String, Node> statementLocals;
    /** Temporaries whose assignment failed (reported): their uses say nothing more. */
    private final java.util.Set<String> poisoned = new java.util.HashSet<>();
    /** States that start as a number, have no shape from an earlier round, and are not yet assigned in this pass. */
    private final Map<String, Pos> pending = new HashMap<>();
    /** The first pending state the current statement reads, and where. */
    private String pendingRead;
    private Pos pendingReadPos;

    /** Called by the checker for each local name a body statement reads. */
    void noteRead(String name, Pos pos, Map<String, Node> locals) {
        if (locals == statementLocals && pendingRead == null && pending.containsKey(prefix + name)) {
            pendingRead = name;
            pendingReadPos = pos;
        }
    }

    /** Whether a name unknown to the checker is a temporary whose assignment already failed (and said so). */
    boolean silenced(String name, Map<String, Node> locals) { return locals == statementLocals && poisoned.contains(name); }

    private static final class Body {
        /** Whether an error was reported (then only the unsettled states below matter). */
        boolean failed;
        /** States read before their first assignment, as numbers, where the assignment failed: their shape is not known. */
        final java.util.Set<String> unsettled = new java.util.LinkedHashSet<>();
        final List<String> stateNames = new ArrayList<>();
        final List<Node> stateInputs = new ArrayList<>(), stateInits = new ArrayList<>(), stateOutputs = new ArrayList<>();
        /** State shapes discovered in this pass (a state that starts as a scalar and is assigned an array). */
        final Map<String, Shape> shapes = new HashMap<>();
        Node p;
        /** What the body assigns p_final, or null. */
        Node pFinal;
        boolean changed;
    }

    private Body body(Ast.Optimizer decl, Module home, Map<String, Node> hypers, Map<String, Shape> assumed,
                      Node t, Node f, Node p, Node g, Node h) {
        Body out = new Body();
        Map<String, Node> env = new LinkedHashMap<>(hypers);
        env.put("p", p);
        env.put("g", g);
        env.put("f", f);
        env.put("t", t);
        env.put("H", h);
        poisoned.clear();
        pending.clear();
        using.clear();
        boolean ok = run(decl, home, env, "", out, assumed, t);
        out.unsettled.retainAll(pending.keySet()); // assigned after all: its shape is known
        if (out.changed) return out; // elaborate again with the shapes found; errors so far may not be real
        if (!ok) {
            out.failed = true;
            return out;
        }
        out.p = env.get("p");
        Node pFinal = env.get(P_FINAL);
        if (pFinal != null) {
            // read when the statement ends: a state's value as the body leaves it, so the state as it stands then
            int i = out.stateOutputs.indexOf(pFinal);
            if (i < 0 || !out.stateInputs.get(i).shape.equals(Shape.vector(n))) {
                ck.error(pFinalAt, P_FINAL + ", the parameters the run ends with, is read after the last step, so it must be a state's value as the body leaves it",
                        "keep it in a state, and assign it after the state's last assignment: p_final = avg");
                out.failed = true;
            } else out.pFinal = out.stateInputs.get(i);
        }
        return out;
    }

    /** The name a body assigns the parameters the statement ends with (an average of them, ema()): by default p. */
    static final String P_FINAL = "p_final";
    private Pos pFinalAt;

    /** The optimizers whose bodies are being elaborated, outermost first (a body that uses itself is an error). */
    private final List<String> using = new ArrayList<>();
    /** The state-name prefix of the body being elaborated: "" for the optimizer's own, "ema." for a body it uses. */
    private String prefix = "";
    /** For a chain: each element's hyperparameters, bound at the optimize statement. */
    private final Map<Ast.Use, Map<String, Node>> preBound = new java.util.IdentityHashMap<>();

    /**
     * Elaborates one body's statements over {@code env} (its hyperparameters and p, g, f, t, H), adding
     * its states (named with {@code prefix}) to {@code out}; env ends with the new p and g. False when an
     * error was reported.
     */
    private boolean run(Ast.Optimizer decl, Module home, Map<String, Node> env, String prefix, Body out, Map<String, Shape> assumed, Node t) {
        String outerPrefix = this.prefix;
        this.prefix = prefix;
        using.add(decl.name());
        try {
            return runBody(decl, home, env, out, assumed, t);
        } finally {
            using.removeLast();
            this.prefix = outerPrefix;
        }
    }

    private boolean runBody(Ast.Optimizer decl, Module home, Map<String, Node> env, Body out, Map<String, Shape> assumed, Node t) {
        Map<String, Shape> stateShape = new HashMap<>();
        List<String> own = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        Map<String, Node> onlyT = Map.of("t", t);
        boolean ok = true;
        Map<String, Integer> uses = new HashMap<>();
        for (Ast.BodyStmt st : decl.body()) {
            switch (st) {
                case Ast.Use u -> {
                    int k = uses.merge(u.call().name(), 1, Integer::sum);
                    String inner = prefix + u.call().name() + (k > 1 ? "#" + k : "") + ".";
                    ok &= use(u, home, env, inner, out, assumed, t);
                }
                case Ast.State s -> {
                    Node init = ck.expr(s.init(), new Checker.Scope(home, new HashMap<>(env), onlyT, null, this));
                    if (init == null) {
                        ok = false;
                        poisoned.add(s.name());
                        continue;
                    }
                    String key = prefix + s.name();
                    Shape shape = assumed.getOrDefault(key, init.shape);
                    if (shape.isScalar()) pending.put(key, s.pos());
                    stateShape.put(s.name(), shape);
                    Node in = dag.input("state:" + using.getFirst() + ":" + key, shape);
                    try {
                        out.stateInits.add(fit(init, shape, s.init().pos(), "the start of state '" + s.name() + "'"));
                    } catch (ShapeError e) { // reported by fit; the state's uses still resolve, so they add no errors of their own
                        ok = false;
                        env.put(s.name(), in);
                        continue;
                    }
                    out.stateNames.add(key);
                    own.add(s.name());
                    slots.add(out.stateOutputs.size());
                    out.stateOutputs.add(null); // its new value, at the body's end
                    out.stateInputs.add(in);
                    env.put(s.name(), in);
                }
                case Ast.Assign a -> {
                    int mark = ck.mark();
                    pendingRead = null;
                    statementLocals = new HashMap<>(env);
                    Node v = ck.expr(a.value(), new Checker.Scope(home, statementLocals, onlyT, null, this));
                    statementLocals = null;
                    if (v == null) {
                        ok = false;
                        if (pendingRead != null && ck.mark() > mark) { // a state still its start, a number, here
                            String state = pendingRead;
                            Pos at = pendingReadPos;
                            if (shapeIsWhy(a, home, env, onlyT, state)) {
                                ck.rollback(mark);
                                ck.error(at, "state '" + state + "' is read here before the body assigns it, so it is still its start, a number",
                                        "where the body gives it its shape only later, start it with that shape, e.g. state " + state + " = zeros(" + n + ") or zeros(" + n + ", " + n + ")");
                            }
                            out.unsettled.add(prefix + state);
                        }
                        if (!env.containsKey(a.name())) poisoned.add(a.name());
                        continue;
                    }
                    poisoned.remove(a.name());
                    if (stateShape.containsKey(a.name())) pending.remove(prefix + a.name());
                    if (a.op() != Ast.AssignOp.SET) {
                        Node cur = env.get(a.name());
                        if (cur == null) { ok = false; continue; } // reported by the name checks
                        try {
                            v = switch (a.op()) {
                                case ADD -> dag.add(cur, v);
                                case SUB -> dag.sub(cur, v);
                                case MUL -> dag.mul(cur, v);
                                case DIV -> dag.div(cur, v);
                                default -> throw new IllegalStateException();
                            };
                        } catch (ShapeError e) {
                            ck.error(a.pos(), e.getMessage(), e.hint());
                            ok = false;
                            continue;
                        }
                    }
                    Shape want = stateShape.get(a.name());
                    if (a.name().equals("p") || a.name().equals("g") || a.name().equals(P_FINAL)) want = Shape.vector(n);
                    if (a.name().equals(P_FINAL)) pFinalAt = a.namePos();
                    if (want != null && !v.shape.equals(want)) {
                        if (v.shape.isScalar()) v = dag.broadcast(v, want, false);
                        else if (want.isScalar() && stateShape.containsKey(a.name()) && !assumed.containsKey(prefix + a.name())) {
                            // first sight of this state's real shape: elaborate again with it
                            out.shapes.put(prefix + a.name(), v.shape);
                            stateShape.put(a.name(), v.shape);
                            out.changed = true;
                        } else {
                            String what = stateShape.containsKey(a.name()) ? "state '" + a.name() + "'" : "'" + a.name() + "'";
                            ck.error(a.namePos(), what + " is " + Dag.describe(want) + ", but this assigns " + Dag.describe(v.shape),
                                    a.name().equals("p") || a.name().equals("g") || a.name().equals(P_FINAL) ? a.name() + " is a flat vector like θ, of all " + n + " parameters"
                                            : "a state keeps one shape: the shape of what the body assigns to it");
                            ok = false;
                            continue;
                        }
                    }
                    env.put(a.name(), v);
                }
            }
        }
        if (out.changed || !ok) return ok;
        for (int i = 0; i < own.size(); i++) {
            Node v = env.get(own.get(i));
            Shape shape = stateShape.get(own.get(i));
            out.stateOutputs.set(slots.get(i), v.shape.equals(shape) ? v : v.shape.isScalar() ? dag.broadcast(v, shape, false) : v);
        }
        return true;
    }

    /**
     * Whether statement {@code a}, which failed with {@code state} still a number, elaborates with
     * the state shaped like p or like H instead: then its shape, not the statement, is what is wrong.
     * Probes leave no errors, searches or poisoned names behind.
     */
    private boolean shapeIsWhy(Ast.Assign a, Module home, Map<String, Node> env, Map<String, Node> onlyT, String state) {
        for (Shape shape : List.of(Shape.vector(n), Shape.matrix(n, n))) {
            int mark = ck.mark(), found = searches.size(), foundHvps = hvps.size(), foundGradAts = gradAts.size();
            Map<String, Node> locals = new HashMap<>(env);
            locals.put(state, dag.input("state-probe:" + state, shape));
            Node v = ck.expr(a.value(), new Checker.Scope(home, locals, onlyT, null, this));
            boolean clean = v != null && ck.mark() == mark;
            ck.rollback(mark);
            while (searches.size() > found) searches.removeLast();
            while (hvps.size() > foundHvps) hvps.removeLast();
            while (gradAts.size() > foundGradAts) gradAts.removeLast();
            if (clean) return true;
        }
        return false;
    }

    /** v as a value of this shape (a scalar broadcast to it); a ShapeError, reported at {@code pos}, when it cannot be. */
    private Node fit(Node v, Shape shape, Pos pos, String what) {
        if (v.shape.equals(shape)) return v;
        if (v.shape.isScalar()) {
            try {
                return dag.broadcast(v, shape, false);
            } catch (ShapeError e) { // too large an array: said here, or the state's uses would be unknown names
                ck.error(pos, what + ": " + e.getMessage(), e.hint());
                throw e;
            }
        }
        ck.error(pos, what + " is " + Dag.describe(v.shape) + ", but the body makes it " + Dag.describe(shape));
        throw new ShapeError(what);
    }

    /**
     * {@code linesearch(d, a0 = 1, c = 1e-4, shrink = 0.5)} (Armijo backtracking), or
     * {@code linesearch(d, wolfe = 1, a0 = 1, c1 = 1e-4, c2 = 0.9, max_evals = 25)} (strong Wolfe),
     * inside the body being elaborated.
     */
    Node linesearch(Ast.Call c, Checker.Scope s) {
        List<String> names = List.of("d", "a0", "c", "shrink", "wolfe", "c1", "c2", "max_evals");
        List<Node> a = ck.bindBuiltin(c, names, 1, s);
        if (a == null) return null;
        Node d = a.get(0);
        if (!d.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "linesearch(d) needs a direction shaped like p, a vector [" + n + "], not " + Dag.describe(d.shape));
            return null;
        }
        for (int i = 1; i < a.size(); i++)
            if (a.get(i) != null && !a.get(i).shape.isScalar()) {
                ck.error(c.pos(), "linesearch's " + names.get(i) + " is a number, not " + Dag.describe(a.get(i).shape));
                return null;
            }
        Node wolfe = a.get(4) == null ? dag.constant(0) : a.get(4);
        boolean backtracking = wolfe.isScalarConst() && wolfe.num == 0, strong = wolfe.isScalarConst() && wolfe.num != 0;
        if (backtracking && (a.get(5) != null || a.get(6) != null || a.get(7) != null)) {
            ck.error(c.pos(), "c1, c2 and max_evals belong to the strong-Wolfe search", "add wolfe = 1, or give backtracking its own c and shrink");
            return null;
        }
        if (strong && a.get(3) != null) {
            ck.error(c.pos(), "shrink belongs to backtracking, not to the strong-Wolfe search (wolfe = 1)", "leave out shrink, or wolfe");
            return null;
        }
        if (a.get(2) != null && a.get(5) != null) {
            ck.error(c.pos(), "linesearch takes c or c1 (the same constant of sufficient decrease), not both");
            return null;
        }
        Node a0 = a.get(1) == null ? dag.constant(1) : a.get(1);
        Node c1 = a.get(5) != null ? a.get(5) : a.get(2) != null ? a.get(2) : dag.constant(1e-4);
        Node shrink = a.get(3) == null ? dag.constant(0.5) : a.get(3);
        Node c2 = a.get(6) == null ? dag.constant(0.9) : a.get(6);
        Node maxEvals = a.get(7) == null ? dag.constant(25) : a.get(7);
        if (shrink.isScalarConst() && !(shrink.num > 0 && shrink.num < 1)) {
            ck.error(c.pos(), "linesearch's shrink must be between 0 and 1");
            return null;
        }
        if (c1.isScalarConst() && !(c1.num > 0 && c1.num < 1)) {
            ck.error(c.pos(), "linesearch's " + (a.get(5) != null ? "c1" : "c") + " must be between 0 and 1");
            return null;
        }
        if (c2.isScalarConst() && !(c2.num < 1 && (!c1.isScalarConst() || c2.num > c1.num))) {
            ck.error(c.pos(), "linesearch's c2 must be between c1 and 1 (0 < c1 < c2 < 1)");
            return null;
        }
        if (maxEvals.isScalarConst() && !(maxEvals.num >= 1 && maxEvals.num == Math.rint(maxEvals.num))) {
            ck.error(c.pos(), "linesearch's max_evals must be a whole number ≥ 1");
            return null;
        }
        Node from = s.locals().getOrDefault("p", dag.input("p", Shape.vector(n)));
        Node g = s.locals().getOrDefault("g", dag.input("g", Shape.vector(n)));
        Node result = dag.input("search:" + searches.size(), Shape.SCALAR);
        searches.add(new Step.LineSearch(result, d, from, a0, c1, shrink, dag.dot(g, d), wolfe, c2, maxEvals, c.pos()));
        return result;
    }

    /**
     * {@code hvp(v)}: the Hessian of the objective at p times v, H·v, a vector like p, computed
     * symbolically as the gradient of g·v (a reverse pass over the gradient's expression) without
     * forming H. Each call is one such evaluation per step, run after the line searches the body
     * calls before it; its result is an INPUT leaf of the later code.
     */
    Node hvp(Ast.Call c, Checker.Scope s) {
        List<Node> a = ck.bindBuiltin(c, List.of("v"), 1, s);
        if (a == null) return null;
        Node v = a.get(0);
        if (!v.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "hvp(v) needs a vector shaped like p, a vector [" + n + "], not " + Dag.describe(v.shape),
                    "H·v multiplies the Hessian over θ by a direction in θ");
            return null;
        }
        Node result = dag.input("hvp:" + hvps.size(), Shape.vector(n));
        hvps.add(new Step.Hvp(result, v, searches.size(), c.pos()));
        return result;
    }

    /**
     * {@code grad_at(q)}: the gradient of the objective at the point q, a vector shaped like p, on
     * the step's own rows (the same mini-batch as g; dropout masks drawn afresh). Each call is one
     * more evaluation of the objective's gradient per step, run after the line searches and hvp
     * calls the body makes before it; its result is an INPUT leaf of the later code.
     */
    Node gradAt(Ast.Call c, Checker.Scope s) {
        List<Node> a = ck.bindBuiltin(c, List.of("q"), 1, s);
        if (a == null) return null;
        Node q = a.get(0);
        if (!q.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "grad_at(q) needs a point shaped like p, a vector [" + n + "], not " + Dag.describe(q.shape),
                    "the gradient is taken at q in place of θ");
            return null;
        }
        Node result = dag.input("grad_at:" + gradAts.size(), Shape.vector(n));
        gradAts.add(new Step.GradAt(result, q, searches.size(), hvps.size(), c.pos()));
        return result;
    }

    /**
     * The call as it runs: each argument that is one number shown as that number, so that
     * {@code gd(lr = lr)} after {@code --set lr=1.1} reads "gd(lr = 1.1)"; a number as written keeps
     * its spelling; an argument that changes with t (a schedule) keeps its form, each of its own
     * arguments shown the same way ("sgd(lr = step_decay(0.2, 0.5, 10))"); anything else as written.
     * A call written over several lines is shown as {@link #text} gives it.
     */
    private String shown(Ast.Call call, String written, Checker.Scope scope) {
        int open = written.indexOf('(');
        if (call.args().isEmpty() || open < 0 || !written.endsWith(")")) return written;
        List<String> parts = topLevelArgs(written.substring(open + 1, written.length() - 1));
        if (parts.size() != call.args().size()) return written;
        StringBuilder sb = new StringBuilder(written.substring(0, open).strip()).append('(');
        for (int i = 0; i < parts.size(); i++) {
            Ast.Arg a = call.args().get(i);
            String part = parts.get(i).strip();
            if (i > 0) sb.append(", ");
            if (a.name() != null) {
                int eq = part.indexOf('=');
                if (!part.startsWith(a.name()) || eq < 0) return written;
                part = part.substring(eq + 1).strip();
                sb.append(a.name()).append(" = ");
            }
            sb.append(shownValue(a.value(), part, scope));
        }
        return sb.append(')').toString();
    }

    private String shownValue(Ast.Expr e, String written, Checker.Scope scope) {
        if (e instanceof Ast.Num) return written;
        int mark = ck.mark();
        Node v = ck.expr(e, scope);
        ck.rollback(mark); // checked already: nothing new to say
        if (v != null && v.isScalarConst()) return number(v.num);
        if (e instanceof Ast.Call c) return shown(c, written, scope);
        return written;
    }

    /** The arguments' texts between a call's brackets, split at the commas outside brackets. */
    private static List<String> topLevelArgs(String inside) {
        List<String> out = new ArrayList<>();
        int depth = 0, from = 0;
        for (int i = 0; i < inside.length(); i++) {
            char ch = inside.charAt(i);
            if (ch == '(' || ch == '[') depth++;
            else if (ch == ')' || ch == ']') depth--;
            else if (ch == ',' && depth == 0) {
                out.add(inside.substring(from, i));
                from = i + 1;
            }
        }
        out.add(inside.substring(from));
        return out;
    }

    /** A value as the report prints numbers: whole numbers without ".0", else the shortest repr (e for the exponent). */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15 && !(v == 0 && 1 / v < 0)) return Long.toString((long) v);
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v).replace('E', 'e');
    }

    /** The call as written in the source, e.g. "adam(lr = 0.05)". */
    private static String text(Ast.Call call) {
        String line = call.pos().source().line(call.pos().line());
        int from = line.offsetByCodePoints(0, Math.min(call.pos().column() - 1, line.codePointCount(0, line.length())));
        int after = from + call.name().length();
        while (after < line.length() && Character.isWhitespace(line.charAt(after))) after++;
        if (call.args().isEmpty() && (after >= line.length() || line.charAt(after) != '(')) return call.name(); // written without ( )
        int depth = 0;
        for (int i = from; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '(') depth++;
            else if (ch == ')' && --depth == 0) return line.substring(from, i + 1);
        }
        return call.args().isEmpty() ? call.name() : call.name() + "(…)";
    }
}
