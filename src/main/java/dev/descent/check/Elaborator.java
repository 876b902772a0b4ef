package dev.descent.check;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import dev.descent.ir.ShapeError;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checking stage that elaborates expressions into DAG nodes: numbers, names (locals, the
 * step's names, the module's lets, parameters and data columns), literals, indexing, members,
 * operators with their shape rules, and calls (built-ins by {@link Builtins}, defs by
 * {@link Defs}); each problem reported at its place, with the DAG node null.
 */
final class Elaborator {
    private final Checker ck;

    Elaborator(Checker ck) { this.ck = ck; }

    /** The value of an expression that must be a scalar constant, or null (ck.reported). */
    Double constant(Ast.Expr e, Checker.Scope s, String what) {
        Node n = expr(e, s);
        if (n == null) return null;
        double v = constValue(n, Checker.start(e), what);
        return Double.isNaN(v) ? null : v;
    }

    double constValue(Node n, Pos pos, String what) {
        if (!n.isScalarConst()) {
            ck.error(pos, what + " must be a constant number" + (n.shape.isScalar() ? "" : ", not " + Dag.describe(n.shape)));
            return Double.NaN;
        }
        if (Double.isNaN(n.num)) { ck.error(pos, what + " is not a number (NaN)"); return Double.NaN; }
        return n.num;
    }

    /** Elaborates an expression; null when a problem was found (and ck.reported). */
    Node expr(Ast.Expr e, Checker.Scope s) {
        try {
            return switch (e) {
                case Ast.Num n -> ck.dag.constant(n.value());
                case Ast.Str str -> {
                    ck.error(str.pos(), "a string can only name a file, in csv(\"…\") or import \"…\"");
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
                        case NEG -> ck.dag.neg(x);
                        case PLUS -> x;
                        case NOT -> ck.dag.unary(Op.NOT, x);
                    };
                }
                case Ast.Binary b -> binary(b, s);
                case Ast.If i -> {
                    Node c = expr(i.cond(), s), a = expr(i.then(), s), b = expr(i.otherwise(), s);
                    if (c == null || a == null || b == null) yield null;
                    try {
                        yield ck.dag.select(c, a, b);
                    } catch (ShapeError err) {
                        ck.error(i.pos(), err.getMessage(), err.hint());
                        yield null;
                    }
                }
            };
        } catch (StackOverflowError overflow) {
            ck.error(e.pos(), "this expression is nested too deeply to check", "split it with let");
            return null;
        } catch (ShapeError err) { // one the operation's own case did not position (an array too large, say): here
            ck.error(Checker.start(e), err.getMessage(), err.hint());
            return null;
        }
    }

    private Node binary(Ast.Binary b, Checker.Scope s) {
        if (b.op() == Ast.BinaryOp.POW) {
            Node l = expr(b.left(), s), r = expr(b.right(), s);
            if (l == null || r == null) return null;
            try {
                return ck.dag.pow(l, r);
            } catch (ShapeError err) {
                ck.error(b.pos(), err.getMessage(), err.hint());
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
                if (x.op() == Ast.BinaryOp.MATMUL) ck.costs.noteProduct(acc, x.pos());
            } catch (ShapeError err) {
                ck.error(x.pos(), err.getMessage(), err.hint());
                ok = false;
            }
        }
        return ok ? acc : null;
    }

    private Node apply(Ast.BinaryOp op, Node a, Node b) {
        return switch (op) {
            case ADD -> ck.dag.add(a, b);
            case SUB -> ck.dag.sub(a, b);
            case MUL -> ck.dag.mul(a, b);
            case DIV -> ck.dag.div(a, b);
            case POW -> ck.dag.pow(a, b);
            case MATMUL -> ck.dag.matmul(a, b);
            case LT -> ck.dag.binary(Op.LT, a, b);
            case LE -> ck.dag.binary(Op.LE, a, b);
            case GT -> ck.dag.binary(Op.GT, a, b);
            case GE -> ck.dag.binary(Op.GE, a, b);
            case EQ -> ck.dag.binary(Op.EQ, a, b);
            case NE -> ck.dag.binary(Op.NE, a, b);
            case AND -> ck.dag.binary(Op.AND, a, b);
            case OR -> ck.dag.binary(Op.OR, a, b);
        };
    }

    private Node name(Ast.Name n, Checker.Scope s) {
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
            ck.error(n.pos(), "'" + name + "' is a data set; use one of its columns, like " + name + "." + d.data().columnNames().get(0));
            return null;
        }
        if (s.module().failed.contains(name)) return null;
        Pos later = s.module().declaredLater.get(name);
        if (later != null) {
            ck.error(n.pos(), "'" + name + "' is used before its definition, at line " + later.line(), "move the definition above this line");
            return null;
        }
        Double c = Checker.CONSTANTS.get(name);
        if (c != null) return ck.dag.constant(c);
        if (s.module().defs.containsKey(name) || Builtins.isFunction(name)) {
            ck.error(n.pos(), "'" + name + "' is a function; call it with arguments: " + name + "(…)");
            return null;
        }
        if (s.module().optimizers.containsKey(name)) {
            ck.error(n.pos(), "'" + name + "' is an optimizer; use it in 'optimize with " + name + "(…) for N steps'");
            return null;
        }
        unknownName(n, s.module(), s.locals().keySet(), s.specials().keySet());
        return null;
    }

    @SafeVarargs
    final void unknownName(Ast.Name n, Module m, Collection<String>... more) {
        Set<String> candidates = new LinkedHashSet<>(m.globals.keySet());
        candidates.addAll(Checker.CONSTANTS.keySet());
        for (Collection<String> c : more) candidates.addAll(c);
        String hint = STEP_NAMES.containsKey(n.name()) ? STEP_NAMES.get(n.name()) : Names.didYouMean(n.name(), candidates);
        ck.error(n.pos(), "unknown name '" + n.name() + "'", hint);
    }

    static final Map<String, String> STEP_NAMES = Map.of(
            "t", "t, the step number, is known inside an optimizer's body, in the arguments of 'optimize with' and in ck.defs called there",
            "g", "g, the gradient, is known inside an optimizer's body",
            "p", "p, the parameters as one vector, is known inside an optimizer's body",
            "f", "f, the objective's value, is known inside an optimizer's body",
            "H", "H, the Hessian, is known inside an optimizer's body");

    void unknownFunction(Ast.Call c, Module m) {
        Set<String> candidates = new LinkedHashSet<>(m.defs.keySet());
        candidates.addAll(Builtins.FUNCTIONS);
        String hint = Names.didYouMean(c.name(), candidates);
        if (m.optimizers.containsKey(c.name()))
            ck.error(c.namePos(), "'" + c.name() + "' is an optimizer, not a function", "use it in 'optimize with " + c.name() + "(…) for N steps', or as a statement of its own in an optimizer's body");
        else if (m.globals.containsKey(c.name()))
            ck.error(c.namePos(), "'" + c.name() + "' is a value, not a function", hint);
        else
            ck.error(c.namePos(), "unknown function '" + c.name() + "'", hint);
    }

    private Node literal(Ast.ArrayLit a, Checker.Scope s) {
        if (a.elements().isEmpty()) return ck.dag.constant(Shape.vector(0), new double[0]);
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
                ck.error(a.elements().get(i).pos(), "the elements of a literal must have one shape, but this is " + Dag.describe(elems.get(i).shape)
                        + " and the first is " + Dag.describe(first));
                return null;
            }
        }
        if (first.isScalar()) return ck.dag.pack(Shape.vector(elems.size()), elems);
        if (first.isVector()) {
            int n = first.rows();
            List<Node> parts = new ArrayList<>(elems.size() * n);
            boolean scalarsKnown = true;
            for (Node row : elems) {
                if (row.op == Op.PACK) parts.addAll(row.inputs());
                else if (row.isConstant()) for (double v : row.constValues()) parts.add(ck.dag.constant(v));
                else { scalarsKnown = false; break; }
            }
            if (scalarsKnown) return ck.dag.pack(Shape.matrix(elems.size(), n), parts);
            return ck.dag.transpose(ck.dag.stack(elems));
        }
        ck.error(a.pos(), "a literal's elements must be numbers or vectors (rows of a matrix), not matrices");
        return null;
    }

    private Node index(Ast.Index i, Checker.Scope s) {
        Node x = expr(i.target(), s);
        if (x == null) return null;
        int[] ix = new int[i.indices().size()];
        for (int k = 0; k < ix.length; k++) {
            Node n = expr(i.indices().get(k), s);
            if (n == null) return null;
            if (!n.isScalarConst() || n.num != Math.rint(n.num)) {
                ck.error(Checker.start(i.indices().get(k)), "an index must be a constant whole number", n.isScalarConst() ? null : "indices are fixed when the script is checked");
                return null;
            }
            int len = x.shape.isVector() ? x.shape.rows() : x.shape.isMatrix() ? (k == 0 ? x.shape.rows() : x.shape.cols()) : 1;
            double v = n.num, adjusted = v < 0 ? v + len : v; // x[-1] is the last element
            if (adjusted < 0 || adjusted > Integer.MAX_VALUE) {
                ck.error(i.indices().get(k).pos(), "index " + Checker.fmt(v) + " is out of range for " + Dag.describe(x.shape));
                return null;
            }
            if (adjusted >= len && !(x.shape.isMatrix() && ix.length == 1 && k > 0)) {
                String what = x.shape.isVector() ? "a vector of length " + len : k == 0 ? "a matrix with " + len + " rows" : "a matrix with " + len + " columns";
                ck.error(Checker.start(i.indices().get(k)), "index " + Checker.fmt(v) + " is out of range for " + what, "indices count from 0, so the last is " + (len - 1));
                return null;
            }
            ix[k] = (int) adjusted;
        }
        if (ix.length > 2) {
            ck.error(i.pos(), "at most two indices: x[i] or A[i, j]");
            return null;
        }
        Attr.Index at;
        if (ix.length == 2) at = Attr.Index.element(ix[0], ix[1]);
        else if (x.shape.isMatrix()) at = Attr.Index.row(ix[0]);
        else at = Attr.Index.element(ix[0]);
        try {
            return ck.dag.index(x, at);
        } catch (ShapeError err) {
            ck.error(i.pos(), err.getMessage(), err.hint());
            return null;
        }
    }

    private Node member(Ast.Member mb, Checker.Scope s) {
        if (mb.target() instanceof Ast.Name f && s.module().failed.contains(f.name())) return null;
        if (!(mb.target() instanceof Ast.Name n) || !(s.module().globals.get(n.name()) instanceof Module.Global.Data d)) {
            if (mb.target() instanceof Ast.Name n2 && s.module().declaredLater.containsKey(n2.name()))
                return name(n2, s);
            ck.error(mb.pos(), "only a data set has columns (d." + mb.field() + ")");
            return null;
        }
        double[] col = d.data().columns().get(mb.field());
        if (col == null) {
            String hint = Names.didYouMean(mb.field(), d.data().columnNames());
            ck.error(mb.fieldPos(), "data set '" + n.name() + "' has no column '" + mb.field() + "'",
                    hint != null ? hint : "its columns: " + String.join(", ", d.data().columnNames()));
            return null;
        }
        return ck.dag.data(new Attr.Column(n.name(), mb.field()), Shape.vector(d.data().rows()));
    }

    // ================================================================ calls

    private Node call(Ast.Call c, Checker.Scope s) {
        if (!perParameterOnlyAtTop(c)) return null;
        Module.DefRef def = s.module().def(c.name());
        if (def != null) return ck.defs.expand(def, c, s);
        if (Builtins.isFunction(c.name())) return builtin(c, s);
        if (c.name().equals("normal") || c.name().equals("uniform")) {
            ck.error(c.pos(), c.name() + "(…) draws a parameter's start, and belongs after '~' in 'param x[n] ~ " + c.name() + "(…)'");
            return null;
        }
        if (c.name().equals("csv")) {
            ck.error(c.pos(), "csv(…) reads a data set, in 'data d = csv(\"file.csv\")'");
            return null;
        }
        if (c.name().equals("linesearch")) {
            if (s.step() != null) return s.step().calls.linesearch(c, s);
            ck.error(c.pos(), "linesearch(d) belongs inside an optimizer's body");
            return null;
        }
        if (c.name().equals("hvp")) {
            if (s.step() != null) return s.step().calls.hvp(c, s);
            ck.error(c.pos(), "hvp(v) belongs inside an optimizer's body");
            return null;
        }
        if (c.name().equals("grad_at")) {
            if (s.step() != null) return s.step().calls.gradAt(c, s);
            ck.error(c.pos(), "grad_at(q) belongs inside an optimizer's body");
            return null;
        }
        unknownFunction(c, s.module());
        return null;
    }

    /** Matches a call's arguments to formals; returns name → argument expression, or null (ck.reported). */
    Map<String, Ast.Expr> bind(Ast.Call c, List<Ast.Formal> formals, String what, Pos declared) {
        Map<String, Ast.Expr> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Ast.Formal f : formals) names.add(f.name());
        int positional = 0;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null) {
                if (positional >= formals.size()) {
                    ck.error(a.pos(), what + " takes " + plural(formals.size(), "argument") + ", but " + c.args().size() + " are given",
                            declared == null ? null : "it is defined at line " + declared.line());
                    return null;
                }
                out.put(names.get(positional++), a.value());
            } else {
                if (!names.contains(a.name())) {
                    String hint = Names.didYouMean(a.name(), names);
                    ck.error(a.pos(), what + " has no argument '" + a.name() + "'", hint != null ? hint : names.isEmpty() ? null : "its arguments: " + String.join(", ", names));
                    return null;
                }
                if (out.containsKey(a.name())) {
                    ck.error(a.pos(), "argument '" + a.name() + "' is given twice");
                    return null;
                }
                out.put(a.name(), a.value());
            }
        }
        for (Ast.Formal f : formals) {
            if (!out.containsKey(f.name()) && f.defaultValue() == null) {
                ck.error(c.pos(), what + " needs argument '" + f.name() + "'" + (formals.size() > 1 ? " (it takes " + String.join(", ", names) + ")" : ""));
                return null;
            }
        }
        return out;
    }

    /** A per-parameter setting (W2.lr = 0.02) belongs only to the optimizer an optimize statement names; false (reported) elsewhere. */
    boolean perParameterOnlyAtTop(Ast.Call c) {
        for (Ast.Arg a : c.args())
            if (a.param() != null) {
                ck.error(a.pos(), "'" + a.param() + "." + a.name() + " = …' sets '" + a.name() + "' for the parameter " + a.param()
                        + ", which only the optimizer of an 'optimize with' statement takes", "give " + c.name() + " one value: " + a.name() + " = …");
                return false;
            }
        return true;
    }

    private static String plural(int n, String word) { return n + " " + word + (n == 1 ? "" : "s"); }

    /** Binds a built-in's arguments (formals by name, the first {@code required} needed) to nodes; null when ck.reported. */
    List<Node> bindBuiltin(Ast.Call c, List<String> formals, int required, Checker.Scope s) {
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

    private Node builtin(Ast.Call c, Checker.Scope s) {
        return new Builtins(ck, ck.dag, c, s).call();
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
}
