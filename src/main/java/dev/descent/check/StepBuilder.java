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
        Module.OptimizerRef ref = script.optimizer(name);
        Ast.Optimizer decl = ref.decl();

        Node t = dag.input("t", Shape.SCALAR), f = dag.input("f", Shape.SCALAR);
        Node p = dag.input("p", Shape.vector(n)), g = dag.input("g", Shape.vector(n));
        Node h = dag.input("H", Shape.matrix(n, n));
        Map<String, Node> onlyT = new HashMap<>(Map.of("t", t));
        // what the run knows between steps, for until and schedules (a top-level name of the same spelling wins)
        for (String rn : Step.RUN_NAMES) if (!script.globals.containsKey(rn)) onlyT.put(rn, dag.input(rn, Shape.SCALAR));

        int start = ck.mark();
        // hyperparameters: the arguments as written (evaluated every step, so they may be schedules of t), or the defaults
        Map<String, Ast.Expr> bound = ck.bind(call, decl.hypers(), "optimizer '" + name + "'", decl.namePos());
        if (bound == null) return null;
        Map<String, Node> hypers = new LinkedHashMap<>();
        for (Ast.Formal hf : decl.hypers()) {
            Ast.Expr given = bound.get(hf.name());
            Node v = given != null ? ck.expr(given, new Checker.Scope(script, Map.of(), onlyT, null))
                    : ck.expr(hf.defaultValue(), new Checker.Scope(ref.module(), Map.of(), onlyT, null));
            if (v == null) return null;
            hypers.put(hf.name(), v);
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
        Body body = null;
        for (int round = 0; round < decl.body().size() + 2; round++) {
            int mark = ck.mark();
            searches.clear();
            body = body(decl, ref.module(), hypers, shapes, t, f, p, g, h);
            if (body == null || !body.changed) break;
            ck.rollback(mark); // errors seen with provisional shapes may not be real
            shapes.putAll(body.shapes);
        }
        if (body == null || ck.mark() > start) return null;
        if (!affordable(name, body, until, hypers, h)) return null;
        return new Step(stmt, name, shown(call, text(call), new Checker.Scope(script, Map.of(), onlyT, null)), stmt.pos(), count, stmt.unit(), batch, until, patience, p, g, f, t, h,
                body.stateNames, body.stateInputs, body.stateInits, body.stateOutputs, body.p, List.copyOf(searches), hypers);
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
        for (Step.LineSearch ls : searches) roots.addAll(List.of(ls.direction(), ls.from(), ls.a0(), ls.c(), ls.shrink(), ls.slope()));
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

    private static final class Body {
        final List<String> stateNames = new ArrayList<>();
        final List<Node> stateInputs = new ArrayList<>(), stateInits = new ArrayList<>(), stateOutputs = new ArrayList<>();
        /** State shapes discovered in this pass (a state that starts as a scalar and is assigned an array). */
        final Map<String, Shape> shapes = new HashMap<>();
        Node p;
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
        Map<String, Shape> stateShape = new HashMap<>();
        Map<String, Node> onlyT = Map.of("t", t);
        boolean ok = true;
        for (Ast.BodyStmt st : decl.body()) {
            switch (st) {
                case Ast.State s -> {
                    Node init = ck.expr(s.init(), new Checker.Scope(home, new HashMap<>(env), onlyT, null, this));
                    if (init == null) { ok = false; continue; }
                    Shape shape = assumed.getOrDefault(s.name(), init.shape);
                    stateShape.put(s.name(), shape);
                    Node in = dag.input("state:" + decl.name() + ":" + s.name(), shape);
                    try {
                        out.stateInits.add(fit(init, shape, s.init().pos(), "the start of state '" + s.name() + "'"));
                    } catch (ShapeError e) { // reported by fit; the state's uses still resolve, so they add no errors of their own
                        ok = false;
                        env.put(s.name(), in);
                        continue;
                    }
                    out.stateNames.add(s.name());
                    out.stateInputs.add(in);
                    env.put(s.name(), in);
                }
                case Ast.Assign a -> {
                    Node v = ck.expr(a.value(), new Checker.Scope(home, new HashMap<>(env), onlyT, null, this));
                    if (v == null) { ok = false; continue; }
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
                    if (a.name().equals("p") || a.name().equals("g")) want = Shape.vector(n);
                    if (want != null && !v.shape.equals(want)) {
                        if (v.shape.isScalar()) v = dag.broadcast(v, want, false);
                        else if (want.isScalar() && stateShape.containsKey(a.name()) && !assumed.containsKey(a.name())) {
                            // first sight of this state's real shape: elaborate again with it
                            out.shapes.put(a.name(), v.shape);
                            stateShape.put(a.name(), v.shape);
                            out.changed = true;
                        } else {
                            String what = stateShape.containsKey(a.name()) ? "state '" + a.name() + "'" : "'" + a.name() + "'";
                            ck.error(a.namePos(), what + " is " + Dag.describe(want) + ", but this assigns " + Dag.describe(v.shape),
                                    a.name().equals("p") || a.name().equals("g") ? a.name() + " is the flat vector of all " + n + " parameters"
                                            : "a state keeps one shape: the shape of what the body assigns to it");
                            ok = false;
                            continue;
                        }
                    }
                    env.put(a.name(), v);
                }
            }
        }
        if (out.changed) return out; // elaborate again with the shapes found; errors so far may not be real
        if (!ok) return null;
        for (String s : out.stateNames) {
            Node v = env.get(s);
            Shape shape = stateShape.get(s);
            out.stateOutputs.add(v.shape.equals(shape) ? v : v.shape.isScalar() ? dag.broadcast(v, shape, false) : v);
        }
        out.p = env.get("p");
        return out;
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

    /** {@code linesearch(d, a0 = 1, c = 1e-4, shrink = 0.5)} inside the body being elaborated. */
    Node linesearch(Ast.Call c, Checker.Scope s) {
        List<Node> a = ck.bindBuiltin(c, List.of("d", "a0", "c", "shrink"), 1, s);
        if (a == null) return null;
        Node d = a.get(0);
        if (!d.shape.equals(Shape.vector(n))) {
            ck.error(c.pos(), "linesearch(d) needs a direction shaped like p, a vector [" + n + "], not " + Dag.describe(d.shape));
            return null;
        }
        Node a0 = a.get(1) == null ? dag.constant(1) : a.get(1);
        Node cc = a.get(2) == null ? dag.constant(1e-4) : a.get(2);
        Node shrink = a.get(3) == null ? dag.constant(0.5) : a.get(3);
        for (Node x : new Node[] {a0, cc, shrink})
            if (!x.shape.isScalar()) {
                ck.error(c.pos(), "linesearch's a0, c and shrink are numbers");
                return null;
            }
        if (shrink.isScalarConst() && !(shrink.num > 0 && shrink.num < 1)) {
            ck.error(c.pos(), "linesearch's shrink must be between 0 and 1");
            return null;
        }
        Node from = s.locals().getOrDefault("p", dag.input("p", Shape.vector(n)));
        Node g = s.locals().getOrDefault("g", dag.input("g", Shape.vector(n)));
        Node result = dag.input("search:" + searches.size(), Shape.SCALAR);
        searches.add(new Step.LineSearch(result, d, from, a0, cc, shrink, dag.dot(g, d), c.pos()));
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
