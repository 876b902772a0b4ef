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
 * elaborated again with the shapes found until they settle. The call's hyperparameters are bound
 * by {@link Hyperparameters}, the body's linesearch, hvp and grad_at calls recorded by
 * {@link OptimizerCalls}, and the call as reports show it written by {@link CallText}.
 */
final class StepBuilder {
    private final Checker ck;
    private final Dag dag;
    private final Module script;
    private final Ast.Optimize stmt;
    private final int n;
    private final Hyperparameters hyperparameters;
    /** The body's linesearch, hvp and grad_at calls (the checker's elaboration records them here). */
    final OptimizerCalls calls;

    StepBuilder(Checker ck, Dag dag, Module script, Ast.Optimize stmt, int n) {
        this.ck = ck;
        this.dag = dag;
        this.script = script;
        this.stmt = stmt;
        this.n = n;
        this.hyperparameters = new Hyperparameters(ck, dag, script, n);
        this.calls = new OptimizerCalls(ck, dag, n);
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
                Map<String, Node> eh = hyperparameters.bind(ec, er, top, onlyT, shownHypers);
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
            hypers = hyperparameters.bind(call, ref, top, onlyT, shownHypers);
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
        if ((body.failed || ck.mark() > before) && !hyperparameters.perParameterAt.isEmpty()) {
            // was it a setting for one parameter? the body again with one value each
            int mark = ck.mark();
            Body plain = settle(decl, home, shownHypers, shapes, t, f, p, g, h);
            boolean clean = !plain.failed && ck.mark() == mark;
            ck.rollback(mark);
            if (clean) {
                ck.rollback(before);
                for (Map.Entry<String, Ast.Arg> e : hyperparameters.perParameterAt.entrySet())
                    ck.error(e.getValue().pos(), "optimizer '" + e.getKey() + "' needs one number for '" + e.getValue().name()
                            + "' (its body uses it where a vector over θ cannot go), so it cannot be set for one parameter", "give " + e.getValue().name() + " one value for all parameters");
                return null;
            }
        }
        if (body.failed || ck.mark() > start) return null;
        if (!affordable(name, body, until, hypers, h)) return null;
        return new Step(stmt, name, CallText.shown(ck, call, CallText.text(call), new Checker.Scope(script, Map.of(), onlyT, null)), stmt.pos(), count, stmt.unit(), batch, until, patience, p, g, f, t, h,
                body.stateNames, body.stateInputs, body.stateInits, body.stateOutputs, body.p, List.copyOf(calls.searches), List.copyOf(calls.hvps), List.copyOf(calls.gradAts), shownHypers, body.pFinal);
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
            hypers = hyperparameters.bind(c, ref, new Checker.Scope(home, new HashMap<>(env), onlyT, null, this), onlyT, null);
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
        for (Step.LineSearch ls : calls.searches) roots.addAll(ls.inputs());
        for (Step.Hvp hv : calls.hvps) roots.add(hv.v());
        for (Step.GradAt ga : calls.gradAts) roots.add(ga.q());
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
            calls.clear();
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
            int mark = ck.mark();
            int[] found = calls.mark();
            Map<String, Node> locals = new HashMap<>(env);
            locals.put(state, dag.input("state-probe:" + state, shape));
            Node v = ck.expr(a.value(), new Checker.Scope(home, locals, onlyT, null, this));
            boolean clean = v != null && ck.mark() == mark;
            ck.rollback(mark);
            calls.rollback(found);
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


}
