package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import dev.descent.ir.ShapeError;
import dev.descent.syntax.Ast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The built-in functions: their arguments, and the DAG each call builds. */
final class Builtins {
    /** Elementwise functions of one argument. */
    static final Map<String, Op> UNARY = new LinkedHashMap<>();

    static {
        // every elementwise operation of one argument is a function of its name, but for the two that are
        // operators of the language (-x and not x)
        for (Op op : Op.values()) if (op.kind == Op.Kind.UNARY && op != Op.NEG && op != Op.NOT) UNARY.put(op.spelling, op);
    }

    /** Every other built-in, with its arguments' names (in order) and how many are required. */
    private record Sig(List<String> formals, int required) {}

    private static final Map<String, Sig> SIGS = new LinkedHashMap<>();

    static {
        SIGS.put("min", new Sig(List.of("a", "b", "axis"), 1));
        SIGS.put("max", new Sig(List.of("a", "b", "axis"), 1));
        SIGS.put("atan2", new Sig(List.of("y", "x"), 2));
        SIGS.put("pow", new Sig(List.of("x", "y"), 2));
        SIGS.put("clip", new Sig(List.of("x", "lo", "hi"), 3));
        SIGS.put("sum", new Sig(List.of("x", "axis"), 1));
        SIGS.put("mean", new Sig(List.of("x", "axis"), 1));
        SIGS.put("logsumexp", new Sig(List.of("x", "axis"), 1));
        SIGS.put("softmax", new Sig(List.of("x", "axis"), 1));
        SIGS.put("dot", new Sig(List.of("a", "b"), 2));
        SIGS.put("norm", new Sig(List.of("x"), 1));
        SIGS.put("norm1", new Sig(List.of("x"), 1));
        SIGS.put("onehot", new Sig(List.of("y", "k"), 2));
        SIGS.put("transpose", new Sig(List.of("A"), 1));
        SIGS.put("diag", new Sig(List.of("x"), 1));
        SIGS.put("outer", new Sig(List.of("a", "b"), 2));
        SIGS.put("solve", new Sig(List.of("A", "b"), 2));
        SIGS.put("eye", new Sig(List.of("n"), 1));
        SIGS.put("len", new Sig(List.of("x"), 1));
        SIGS.put("ones", new Sig(List.of("m", "n"), 1));
        SIGS.put("zeros", new Sig(List.of("m", "n"), 1));
        SIGS.put("dropout", new Sig(List.of("x", "rate"), 2));
        SIGS.put("argmax", new Sig(List.of("x", "axis"), 1));
        SIGS.put("triu", new Sig(List.of("A", "k"), 1));
        SIGS.put("tril", new Sig(List.of("A", "k"), 1));
        SIGS.put("push", new Sig(List.of("history", "x"), 2));
    }

    /** Every built-in function's name. */
    static final Set<String> FUNCTIONS;

    static {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(UNARY.keySet());
        all.addAll(SIGS.keySet());
        all.add("stack");
        FUNCTIONS = java.util.Collections.unmodifiableSet(all);
    }

    static boolean isFunction(String name) { return FUNCTIONS.contains(name); }

    private final Checker checker;
    private final Dag dag;
    private final Ast.Call c;
    private final Checker.Scope scope;

    Builtins(Checker checker, Dag dag, Ast.Call c, Checker.Scope scope) {
        this.checker = checker;
        this.dag = dag;
        this.c = c;
        this.scope = scope;
    }

    Node call() {
        try {
            return build();
        } catch (ShapeError e) {
            String m = e.getMessage();
            checker.error(c.pos(), m.startsWith(c.name() + " ") || m.startsWith(c.name() + "(") ? m : c.name() + ": " + m, e.hint());
            return null;
        }
    }

    private Node build() {
        String name = c.name();
        Op unary = UNARY.get(name);
        if (unary != null) {
            List<Node> a = checker.bindBuiltin(c, List.of("x"), 1, scope);
            return a == null ? null : dag.unary(unary, a.get(0));
        }
        if (name.equals("stack")) {
            if (c.args().isEmpty()) {
                checker.error(c.pos(), "stack needs at least one vector (the columns of the matrix)");
                return null;
            }
            List<Node> cols = new ArrayList<>();
            for (Ast.Arg arg : c.args()) {
                if (arg.name() != null) {
                    checker.error(arg.pos(), "stack takes vectors only, without names");
                    return null;
                }
                Node n = checker.expr(arg.value(), scope);
                if (n == null) return null;
                cols.add(n);
            }
            return dag.stack(cols);
        }
        Sig sig = SIGS.get(name);
        List<Node> a = checker.bindBuiltin(c, sig.formals(), sig.required(), scope);
        if (a == null) return null;
        Node x = a.get(0);
        return switch (name) {
            case "min", "max" -> {
                Node b = a.get(1);
                Integer axis = axis(a.get(2), sig);
                if (axis != null && axis == -2) yield null;
                if (b != null) {
                    if (axis != null) {
                        checker.error(c.pos(), name + "(a, b) is elementwise and takes no axis", "use " + name + "(A, axis = …) to reduce one matrix");
                        yield null;
                    }
                    yield dag.binary(name.equals("min") ? Op.MIN : Op.MAX, x, b);
                }
                Op all = name.equals("min") ? Op.MIN_ALL : Op.MAX_ALL;
                yield axis == null ? dag.reduce(all, x) : dag.reduceAxis(name.equals("min") ? Op.MIN_AXIS : Op.MAX_AXIS, x, axis);
            }
            case "atan2" -> dag.binary(Op.ATAN2, x, a.get(1));
            case "pow" -> dag.pow(x, a.get(1));
            case "clip" -> dag.clip(x, a.get(1), a.get(2));
            case "sum", "mean", "logsumexp", "softmax" -> {
                Integer axis = axis(a.get(1), sig);
                if (axis != null && axis == -2) yield null;
                yield switch (name) {
                    case "sum" -> axis == null ? dag.sum(x) : dag.reduceAxis(Op.SUM_AXIS, x, axis);
                    case "mean" -> axis == null ? dag.mean(x) : dag.meanAxis(x, axis);
                    case "logsumexp" -> axis == null ? dag.reduce(Op.LSE, x) : dag.reduceAxis(Op.LSE_AXIS, x, axis);
                    default -> axis == null ? dag.softmax(x) : dag.softmaxAxis(x, axis);
                };
            }
            case "dot" -> dag.dot(x, a.get(1));
            case "norm" -> dag.norm(x);
            case "norm1" -> dag.norm1(x);
            case "onehot" -> {
                Integer k = whole(a.get(1), "k", 1);
                yield k == null ? null : dag.onehot(x, k);
            }
            case "argmax" -> {
                Integer axis = axis(a.get(1), sig);
                if (axis != null && axis == -2) yield null;
                Node r = argmax(x, axis);
                if (r != null) checker.noteArgmax(r, c.pos());
                yield r;
            }
            case "transpose" -> dag.transpose(x);
            case "diag" -> dag.diag(x);
            case "outer" -> dag.outer(x, a.get(1));
            case "solve" -> {
                Node solved = dag.solve(x, a.get(1));
                checker.costs.noteProduct(solved, c.pos());
                yield solved;
            }
            case "eye" -> {
                Integer n = whole(x, "n", 0);
                yield n == null ? null : dag.eye(n);
            }
            case "len" -> dag.constant(x.shape.length());
            case "ones", "zeros" -> {
                Integer m = whole(x, a.get(1) == null ? "n" : "m", 0);
                Integer n = a.get(1) == null ? null : whole(a.get(1), "n", 0);
                if (m == null || a.get(1) != null && n == null) yield null;
                Shape shape = n == null ? Shape.vector(m) : Shape.matrix(m, n);
                yield dag.filled(shape, name.equals("ones") ? 1 : 0);
            }
            case "dropout" -> {
                Node rate = a.get(1);
                if (!rate.isScalarConst() || !(rate.num >= 0 && rate.num < 1)) {
                    checker.error(c.pos(), "dropout's rate must be a constant in [0, 1)");
                    yield null;
                }
                if (!checker.training() || rate.num == 0) yield x;
                yield dag.mul(x, dag.random(checker.nextDropoutId(), rate.num, x.shape));
            }
            case "triu", "tril" -> {
                Integer k = a.get(1) == null ? Integer.valueOf(0) : offset(a.get(1));
                if (k == null) yield null;
                if (!x.shape.isMatrix()) {
                    checker.error(c.pos(), name + " takes a matrix, not " + Dag.describe(x.shape));
                    yield null;
                }
                int rows = x.shape.rows(), cols = x.shape.cols();
                double[] mask = new double[rows * cols];
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++) mask[i * cols + j] = (name.equals("triu") ? j - i >= k : j - i <= k) ? 1 : 0;
                yield dag.mul(x, dag.constant(x.shape, mask));
            }
            case "push" -> push(x, a.get(1));
            default -> throw new IllegalStateException(name);
        };
    }

    /**
     * argmax(x): the index (from 0) of the largest element of a vector; argmax(Z, axis = 1) that of
     * each row of a matrix (a vector over the rows), axis = 0 that of each column. The first index
     * when several are largest, as NumPy's. Built from max, a comparison and min (the smallest
     * index where the element equals its row's largest), so every engine runs it; it has no
     * derivative (the checker refuses it in the objective).
     */
    private Node argmax(Node x, Integer axis) {
        if (x.shape.isScalar()) return dag.constant(0);
        if (x.shape.isVector()) {
            if (axis != null && axis == 1) {
                checker.error(c.pos(), "axis = 1 needs a matrix, but this is " + Dag.describe(x.shape), "argmax(v) gives the index of a vector's largest element");
                return null;
            }
            int n = x.shape.rows();
            Node hit = dag.binary(Op.GE, x, dag.reduce(Op.MAX_ALL, x));
            return dag.reduce(Op.MIN_ALL, dag.select(hit, dag.constant(x.shape, range(n)), dag.constant(n)));
        }
        if (axis == null) {
            checker.error(c.pos(), "argmax of " + Dag.describe(x.shape) + " needs an axis", "argmax(Z, axis = 1) gives the index of each row's largest element (a class label per row)");
            return null;
        }
        int m = x.shape.rows(), k = x.shape.cols();
        Node best = dag.reduceAxis(Op.MAX_AXIS, x, axis);
        if (axis == 1) {
            Node hit = dag.binary(Op.GE, x, dag.broadcast(best, x.shape, true));
            return dag.reduceAxis(Op.MIN_AXIS, dag.select(hit, dag.constant(Shape.vector(k), range(k)), dag.constant(k)), 1);
        }
        Node hit = dag.binary(Op.GE, x, best);
        Node rowIndex = dag.broadcast(dag.constant(Shape.vector(m), range(m)), x.shape, true);
        return dag.reduceAxis(Op.MIN_AXIS, dag.select(hit, rowIndex, dag.constant(m)), 0);
    }

    private static double[] range(int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /**
     * {@code push(history, x)}: a rolling history, oldest first. For a matrix [m, n] and a vector
     * [n], the rows 1…m−1 and then x as the last row; for a vector [m] and a number, its elements
     * 1…m−1 and then x. (Data movement only: rows and elements, stacked again.)
     */
    private Node push(Node h, Node x) {
        if (h.shape.isMatrix()) {
            int m = h.shape.rows(), n = h.shape.cols();
            if (!x.shape.equals(Shape.vector(n))) {
                checker.error(c.pos(), "push onto a matrix with rows of " + n + " needs a vector [" + n + "] as its new row, not " + Dag.describe(x.shape));
                return null;
            }
            List<Node> rows = new ArrayList<>();
            for (int i = 1; i < m; i++) rows.add(dag.index(h, dev.descent.ir.Attr.Index.row(i)));
            rows.add(x);
            return dag.transpose(dag.stack(rows));
        }
        if (h.shape.isVector()) {
            if (!x.shape.isScalar()) {
                checker.error(c.pos(), "push onto a vector needs a number as its new element, not " + Dag.describe(x.shape));
                return null;
            }
            int m = h.shape.rows();
            List<Node> parts = new ArrayList<>();
            for (int i = 1; i < m; i++) parts.add(dag.index(h, dev.descent.ir.Attr.Index.element(i)));
            parts.add(x);
            return dag.pack(h.shape, parts);
        }
        checker.error(c.pos(), "push needs a history: a matrix (one row per entry) or a vector (one element per entry), not a number",
                "start it at its size, e.g. state S = zeros(history, len(p))");
        return null;
    }

    /** A diagonal offset k of triu/tril: a constant whole number (negative below the diagonal). */
    private Integer offset(Node n) {
        if (!n.isScalarConst() || n.num != Math.rint(n.num) || Math.abs(n.num) > 1e9) {
            checker.error(c.pos(), c.name() + ": k must be a constant whole number (0 the diagonal, 1 above it, -1 below it)");
            return null;
        }
        return (int) n.num;
    }

    /** The axis argument: null when absent, -2 when wrong (reported), else 0 or 1. */
    private Integer axis(Node n, Sig sig) {
        if (n == null) return null;
        if (!n.isScalarConst() || !(n.num == 0 || n.num == 1)) {
            checker.error(c.pos(), "axis must be 0 (each column) or 1 (each row)");
            return -2;
        }
        return (int) n.num;
    }

    private Integer whole(Node n, String what, int min) {
        if (!n.isScalarConst() || n.num != Math.rint(n.num) || n.num < min || n.num > 1e9) {
            checker.error(c.pos(), c.name() + ": " + what + " must be a constant whole number ≥ " + min);
            return null;
        }
        return (int) n.num;
    }

    @SuppressWarnings("unused")
    private static String describe(Shape s) { return Dag.describe(s); }
}
