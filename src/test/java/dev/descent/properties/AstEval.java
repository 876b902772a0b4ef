package dev.descent.properties;

import dev.descent.syntax.Ast;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * An independent reference evaluator for the expression language: it walks the parser's
 * {@link Ast} directly, in plain doubles, with scalars, vectors and matrices as arrays.
 * No DAG, no hash-consing, no simplification, no constant folding: every operation is
 * done exactly as written, in the textbook way (left-to-right sums, {@code Math.pow},
 * {@code e_i / Σ e_j} for softmax), so that comparing it with the DAG's value checks that
 * elaboration and simplification never change a value.
 *
 * <p>It covers what {@link ScriptGen} writes (params, lets, defs with defaults and named
 * arguments, every elementwise function, reductions with and without axis, indexing,
 * literals, linear algebra, if, comparisons and logic) and throws on anything else.
 */
final class AstEval {
    /** A value: rank 0 (scalar), 1 (vector [rows]) or 2 (matrix [rows, cols]), row-major. */
    record Val(int rank, int rows, int cols, double[] d) {
        static Val scalar(double v) { return new Val(0, 1, 1, new double[] {v}); }

        static Val vector(double[] d) { return new Val(1, d.length, 1, d); }

        static Val matrix(int m, int n, double[] d) { return new Val(2, m, n, d); }

        int size() { return d.length; }

        double s() {
            if (rank != 0) throw new IllegalStateException("not a scalar");
            return d[0];
        }

        Val like(double[] nd) { return new Val(rank, rows, cols, nd); }

        String shape() { return rank == 0 ? "scalar" : rank == 1 ? "[" + rows + "]" : "[" + rows + ", " + cols + "]"; }
    }

    /** The results of evaluating a script: the objective and each top-level let. */
    record Result(double objective, Map<String, Val> lets) {}

    private final Map<String, Ast.Def> defs = new HashMap<>();
    private final Map<String, Val> globals = new HashMap<>();
    /** When not null, every rounded operation's result is perturbed by up to an ulp (see {@link #evaluateNoisy}). */
    private final SplittableRandom noise;

    private AstEval(SplittableRandom noise) { this.noise = noise; }

    /** Evaluates a script's lets and objective with its parameters taken from θ (in declaration order). */
    static Result evaluate(String source, double[] theta) {
        Ast.Program p = Parser.parse(SourceFile.ofString("reference.dsc", source));
        return new AstEval(null).run(p, theta);
    }

    /**
     * The same, with the result of every operation that rounds (arithmetic, matrix
     * products, transcendental functions, reductions) multiplied by {@code 1 + δ}, δ uniform
     * in ±2⁻⁵² (about an ulp), drawn from a generator seeded with {@code seed}: a stochastic
     * estimate of how much the value moves when its operations round differently (the
     * CESTAC idea), which is what a re-association by the simplifier does. Where the value
     * cancels catastrophically, its spread over a few such runs is large.
     */
    static Result evaluateNoisy(String source, double[] theta, long seed) {
        Ast.Program p = Parser.parse(SourceFile.ofString("reference.dsc", source));
        return new AstEval(new SplittableRandom(seed)).run(p, theta);
    }

    /** Operations whose results round (and so are perturbed in a noisy evaluation). */
    private static final Set<String> ROUNDING = Set.of("sqrt", "exp", "log", "log1p", "expm1", "sin", "cos", "tan", "asin",
            "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "softplus", "atan2", "pow", "sum", "mean", "dot", "norm",
            "norm1", "logsumexp", "softmax", "solve", "outer");

    private Val perturb(Val v) {
        if (noise == null) return v;
        double[] d = v.d.clone();
        for (int i = 0; i < d.length; i++) d[i] += d[i] * noise.nextDouble(-0x1p-52, 0x1p-52);
        return v.like(d);
    }

    private Val eval(Ast.Expr e, Map<String, Val> locals) {
        Val v = evalExact(e, locals);
        if (noise == null) return v;
        boolean rounds = e instanceof Ast.Binary b && switch (b.op()) {
            case ADD, SUB, MUL, DIV, POW, MATMUL -> true;
            default -> false;
        } || e instanceof Ast.Call c && ROUNDING.contains(c.name()) && !defs.containsKey(c.name());
        return rounds ? perturb(v) : v;
    }

    private Result run(Ast.Program p, double[] theta) {
        for (Ast.Stmt st : p.statements()) if (st instanceof Ast.Def d) defs.put(d.name(), d);
        Map<String, Val> lets = new LinkedHashMap<>();
        int offset = 0;
        Double objective = null;
        Map<String, Val> none = Map.of();
        for (Ast.Stmt st : p.statements()) {
            switch (st) {
                case Ast.Param pa -> {
                    int rank, rows, cols;
                    if (!pa.dims().isEmpty()) {
                        rank = pa.dims().size();
                        rows = (int) eval(pa.dims().get(0), none).s();
                        cols = rank == 2 ? (int) eval(pa.dims().get(1), none).s() : 1;
                    } else if (pa.random()) {
                        rank = 0; rows = 1; cols = 1;
                    } else {
                        Val init = eval(pa.init(), none);
                        rank = init.rank; rows = init.rows; cols = init.cols;
                    }
                    int n = rank == 0 ? 1 : rank == 1 ? rows : rows * cols;
                    double[] d = new double[n];
                    System.arraycopy(theta, offset, d, 0, n);
                    offset += n;
                    globals.put(pa.name(), new Val(rank, rows, cols, d));
                }
                case Ast.Let l -> {
                    Val v = eval(l.value(), none);
                    globals.put(l.name(), v);
                    lets.put(l.name(), v);
                }
                case Ast.Objective o -> objective = eval(o.expr(), none).s();
                case Ast.Def d -> {}
                default -> throw new IllegalArgumentException("the reference evaluator does not do " + st.getClass().getSimpleName());
            }
        }
        if (offset != theta.length) throw new IllegalArgumentException("θ has " + theta.length + " elements, the params " + offset);
        return new Result(objective == null ? Double.NaN : objective, lets);
    }

    // ================================================================ expressions

    private Val evalExact(Ast.Expr e, Map<String, Val> locals) {
        return switch (e) {
            case Ast.Num n -> Val.scalar(n.value());
            case Ast.Name n -> name(n.name(), locals);
            case Ast.ArrayLit a -> literal(a, locals);
            case Ast.Call c -> call(c, locals);
            case Ast.Index i -> index(i, locals);
            case Ast.Unary u -> {
                Val x = eval(u.operand(), locals);
                yield switch (u.op()) {
                    case NEG -> map(x, v -> -v);
                    case PLUS -> x;
                    case NOT -> map(x, v -> v == 0 ? 1 : 0);
                };
            }
            case Ast.Binary b -> binary(b.op(), eval(b.left(), locals), eval(b.right(), locals));
            case Ast.If i -> zip3(eval(i.cond(), locals), eval(i.then(), locals), eval(i.otherwise(), locals), (c, a, b) -> c != 0 ? a : b);
            default -> throw new IllegalArgumentException("the reference evaluator does not do " + e);
        };
    }

    private Val name(String name, Map<String, Val> locals) {
        Val v = locals.get(name);
        if (v == null) v = globals.get(name);
        if (v != null) return v;
        return switch (name) {
            case "pi" -> Val.scalar(Math.PI);
            case "e" -> Val.scalar(Math.E);
            case "inf" -> Val.scalar(Double.POSITIVE_INFINITY);
            default -> throw new IllegalArgumentException("unknown name " + name);
        };
    }

    private Val literal(Ast.ArrayLit a, Map<String, Val> locals) {
        List<Val> el = new ArrayList<>();
        for (Ast.Expr x : a.elements()) el.add(eval(x, locals));
        if (el.isEmpty()) return Val.vector(new double[0]);
        Val first = el.get(0);
        for (Val v : el) if (v.rank != first.rank || v.rows != first.rows) throw new IllegalArgumentException("ragged literal");
        if (first.rank == 0) {
            double[] d = new double[el.size()];
            for (int i = 0; i < d.length; i++) d[i] = el.get(i).s();
            return Val.vector(d);
        }
        if (first.rank == 1) {
            int n = first.rows;
            double[] d = new double[el.size() * n];
            for (int i = 0; i < el.size(); i++) System.arraycopy(el.get(i).d, 0, d, i * n, n);
            return Val.matrix(el.size(), n, d);
        }
        throw new IllegalArgumentException("a literal of matrices");
    }

    private Val index(Ast.Index i, Map<String, Val> locals) {
        Val x = eval(i.target(), locals);
        int[] ix = new int[i.indices().size()];
        for (int k = 0; k < ix.length; k++) {
            int len = x.rank == 1 ? x.rows : k == 0 ? x.rows : x.cols;
            int v = (int) eval(i.indices().get(k), locals).s();
            ix[k] = v < 0 ? v + len : v;
            if (ix[k] < 0 || ix[k] >= len) throw new IllegalArgumentException("index out of range");
        }
        if (x.rank == 1 && ix.length == 1) return Val.scalar(x.d[ix[0]]);
        if (x.rank == 2 && ix.length == 2) return Val.scalar(x.d[ix[0] * x.cols + ix[1]]);
        if (x.rank == 2 && ix.length == 1) {
            double[] row = new double[x.cols];
            System.arraycopy(x.d, ix[0] * x.cols, row, 0, x.cols);
            return Val.vector(row);
        }
        throw new IllegalArgumentException("bad index of " + x.shape());
    }

    // ---------------------------------------------------------------- operators

    private static Val binary(Ast.BinaryOp op, Val a, Val b) {
        return switch (op) {
            case ADD -> zip(a, b, (p, q) -> p + q);
            case SUB -> zip(a, b, (p, q) -> p - q);
            case MUL -> zip(a, b, (p, q) -> p * q);
            case DIV -> zip(a, b, (p, q) -> p / q);
            case POW -> zip(a, b, Math::pow);
            case MATMUL -> matmul(a, b);
            case LT -> zip(a, b, (p, q) -> p < q ? 1 : 0);
            case LE -> zip(a, b, (p, q) -> p <= q ? 1 : 0);
            case GT -> zip(a, b, (p, q) -> p > q ? 1 : 0);
            case GE -> zip(a, b, (p, q) -> p >= q ? 1 : 0);
            case EQ -> zip(a, b, (p, q) -> p == q ? 1 : 0);
            case NE -> zip(a, b, (p, q) -> p != q ? 1 : 0);
            case AND -> zip(a, b, (p, q) -> p != 0 && q != 0 ? 1 : 0);
            case OR -> zip(a, b, (p, q) -> p != 0 || q != 0 ? 1 : 0);
        };
    }

    static Val map(Val a, DoubleUnaryOperator f) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(a.d[i]);
        return a.like(d);
    }

    /** The shape both broadcast to: equal shapes, a scalar with anything, a vector [n] over the rows of [m, n]. */
    private static Val outShape(Val a, Val b) {
        if (a.rank == b.rank && a.rows == b.rows && a.cols == b.cols) return a;
        if (a.rank == 0) return b;
        if (b.rank == 0) return a;
        if (a.rank == 1 && b.rank == 2 && a.rows == b.cols) return b;
        if (b.rank == 1 && a.rank == 2 && b.rows == a.cols) return a;
        throw new IllegalArgumentException("shapes " + a.shape() + " and " + b.shape() + " do not broadcast");
    }

    /** Element k of x broadcast to the shape of out. */
    private static double at(Val x, Val out, int k) {
        if (x.rank == 0) return x.d[0];
        if (x.rank == out.rank) return x.d[k];
        return x.d[k % out.cols]; // a vector over the rows of a matrix
    }

    static Val zip(Val a, Val b, DoubleBinaryOperator f) {
        Val shape = outShape(a, b);
        double[] d = new double[shape.size()];
        for (int k = 0; k < d.length; k++) d[k] = f.applyAsDouble(at(a, shape, k), at(b, shape, k));
        return shape.like(d);
    }

    interface Ternary { double apply(double a, double b, double c); }

    static Val zip3(Val a, Val b, Val c, Ternary f) {
        Val shape = outShape(outShape(a, b), c);
        double[] d = new double[shape.size()];
        for (int k = 0; k < d.length; k++) d[k] = f.apply(at(a, shape, k), at(b, shape, k), at(c, shape, k));
        return shape.like(d);
    }

    private static Val matmul(Val a, Val b) {
        if (a.rank == 2 && b.rank == 2) {
            int m = a.rows, k = a.cols, n = b.cols;
            if (b.rows != k) throw new IllegalArgumentException("@ shapes");
            double[] d = new double[m * n];
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += a.d[i * k + p] * b.d[p * n + j];
                    d[i * n + j] = s;
                }
            return Val.matrix(m, n, d);
        }
        if (a.rank == 2 && b.rank == 1) {
            int m = a.rows, k = a.cols;
            double[] d = new double[m];
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a.d[i * k + p] * b.d[p];
                d[i] = s;
            }
            return Val.vector(d);
        }
        if (a.rank == 1 && b.rank == 2) {
            int k = b.rows, n = b.cols;
            double[] d = new double[n];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a.d[p] * b.d[p * n + j];
                d[j] = s;
            }
            return Val.vector(d);
        }
        if (a.rank == 1 && b.rank == 1) return Val.scalar(dot(a.d, b.d));
        throw new IllegalArgumentException("@ of a scalar");
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    // ---------------------------------------------------------------- calls

    private static final Map<String, List<String>> FORMALS = Map.ofEntries(
            Map.entry("min", List.of("a", "b", "axis")), Map.entry("max", List.of("a", "b", "axis")),
            Map.entry("atan2", List.of("y", "x")), Map.entry("pow", List.of("x", "y")),
            Map.entry("clip", List.of("x", "lo", "hi")), Map.entry("sum", List.of("x", "axis")),
            Map.entry("mean", List.of("x", "axis")), Map.entry("logsumexp", List.of("x", "axis")),
            Map.entry("softmax", List.of("x", "axis")), Map.entry("dot", List.of("a", "b")),
            Map.entry("norm", List.of("x")), Map.entry("norm1", List.of("x")), Map.entry("transpose", List.of("A")),
            Map.entry("diag", List.of("x")), Map.entry("outer", List.of("a", "b")), Map.entry("eye", List.of("n")),
            Map.entry("len", List.of("x")), Map.entry("ones", List.of("m", "n")), Map.entry("zeros", List.of("m", "n")),
            Map.entry("solve", List.of("A", "b")), Map.entry("onehot", List.of("y", "k")), Map.entry("dropout", List.of("x", "rate")));

    private Val call(Ast.Call c, Map<String, Val> locals) {
        Ast.Def def = defs.get(c.name());
        if (def != null) return expand(def, c, locals);
        DoubleUnaryOperator f = unary(c.name());
        if (f != null) {
            if (c.args().size() != 1) throw new IllegalArgumentException(c.name() + " takes one argument");
            return map(eval(c.args().get(0).value(), locals), f);
        }
        if (c.name().equals("stack")) {
            List<Val> cols = new ArrayList<>();
            for (Ast.Arg arg : c.args()) cols.add(eval(arg.value(), locals));
            int m = cols.get(0).rows, n = cols.size();
            double[] d = new double[m * n];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++) d[i * n + j] = cols.get(j).d[i];
            return Val.matrix(m, n, d);
        }
        List<String> formals = FORMALS.get(c.name());
        if (formals == null) throw new IllegalArgumentException("the reference evaluator does not know " + c.name());
        Map<String, Val> a = new HashMap<>();
        int positional = 0;
        for (Ast.Arg arg : c.args()) a.put(arg.name() != null ? arg.name() : formals.get(positional++), eval(arg.value(), locals));
        Val x = a.get(formals.get(0));
        Integer axis = a.containsKey("axis") ? (int) a.get("axis").s() : null;
        return switch (c.name()) {
            case "min", "max" -> {
                boolean max = c.name().equals("max");
                if (a.containsKey("b")) yield zip(x, a.get("b"), max ? Math::max : Math::min);
                yield reduce(x, axis, max ? AstEval::maxOf : AstEval::minOf);
            }
            case "atan2" -> zip(x, a.get("x"), Math::atan2);
            case "pow" -> zip(x, a.get("y"), Math::pow);
            case "clip" -> zip3(x, a.get("lo"), a.get("hi"), (v, lo, hi) -> Math.min(Math.max(v, lo), hi));
            case "sum" -> reduce(x, axis, AstEval::sumOf);
            case "mean" -> reduce(x, axis, d -> sumOf(d) / d.length);
            case "logsumexp" -> reduce(x, axis, AstEval::logSumExp);
            case "softmax" -> softmax(x, axis);
            case "dot" -> Val.scalar(dot(x.d, a.get("b").d));
            case "norm" -> {
                double s = 0;
                for (double v : x.d) s += v * v;
                yield Val.scalar(Math.sqrt(s));
            }
            case "norm1" -> {
                double s = 0;
                for (double v : x.d) s += Math.abs(v);
                yield Val.scalar(s);
            }
            case "transpose" -> {
                if (x.rank != 2) yield x;
                double[] d = new double[x.size()];
                for (int i = 0; i < x.rows; i++)
                    for (int j = 0; j < x.cols; j++) d[j * x.rows + i] = x.d[i * x.cols + j];
                yield Val.matrix(x.cols, x.rows, d);
            }
            case "diag" -> {
                if (x.rank == 1) {
                    int n = x.rows;
                    double[] d = new double[n * n];
                    for (int i = 0; i < n; i++) d[i * n + i] = x.d[i];
                    yield Val.matrix(n, n, d);
                }
                double[] d = new double[x.rows];
                for (int i = 0; i < x.rows; i++) d[i] = x.d[i * x.cols + i];
                yield Val.vector(d);
            }
            case "outer" -> {
                Val b = a.get("b");
                double[] d = new double[x.size() * b.size()];
                for (int i = 0; i < x.size(); i++)
                    for (int j = 0; j < b.size(); j++) d[i * b.size() + j] = x.d[i] * b.d[j];
                yield Val.matrix(x.size(), b.size(), d);
            }
            case "eye" -> {
                int n = (int) x.s();
                double[] d = new double[n * n];
                for (int i = 0; i < n; i++) d[i * n + i] = 1;
                yield Val.matrix(n, n, d);
            }
            case "len" -> Val.scalar(x.rows);
            case "ones", "zeros" -> {
                double fill = c.name().equals("ones") ? 1 : 0;
                int m = (int) x.s();
                Val nn = a.get("n");
                double[] d = new double[nn == null ? m : m * (int) nn.s()];
                java.util.Arrays.fill(d, fill);
                yield nn == null ? Val.vector(d) : Val.matrix(m, (int) nn.s(), d);
            }
            case "solve" -> solve(x, a.get("b"));
            case "onehot" -> {
                int k = (int) a.get("k").s();
                double[] d = new double[x.size() * k];
                for (int i = 0; i < x.size(); i++) {
                    double l = x.d[i];
                    boolean ok = l >= 0 && l < k && l == Math.floor(l);
                    for (int j = 0; j < k; j++) d[i * k + j] = ok ? (j == (int) l ? 1 : 0) : Double.NaN;
                }
                yield x.rank == 0 ? Val.vector(d) : Val.matrix(x.size(), k, d);
            }
            case "dropout" -> x; // the identity when the objective is only evaluated
            default -> throw new IllegalArgumentException(c.name());
        };
    }

    /** A⁻¹B by Gauss–Jordan elimination with partial pivoting, B a vector or a matrix. */
    private static Val solve(Val A, Val B) {
        int n = A.rows, r = B.rank == 1 ? 1 : B.cols;
        double[][] m = new double[n][n + r];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) m[i][j] = A.d[i * n + j];
            for (int q = 0; q < r; q++) m[i][n + q] = B.d[i * r + q];
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int i = c + 1; i < n; i++) if (Math.abs(m[i][c]) > Math.abs(m[p][c])) p = i;
            double[] t = m[p]; m[p] = m[c]; m[c] = t;
            for (int i = 0; i < n; i++) {
                if (i == c) continue;
                double f = m[i][c] / m[c][c];
                for (int j = c; j < n + r; j++) m[i][j] -= f * m[c][j];
            }
        }
        double[] x = new double[n * r];
        for (int i = 0; i < n; i++)
            for (int q = 0; q < r; q++) x[i * r + q] = m[i][n + q] / m[i][i];
        return B.like(x);
    }

    /** A def's body with its formals bound: arguments in the caller's scope, defaults in the global one. */
    private Val expand(Ast.Def def, Ast.Call c, Map<String, Val> callerLocals) {
        Map<String, Ast.Expr> given = new HashMap<>();
        int positional = 0;
        for (Ast.Arg arg : c.args()) given.put(arg.name() != null ? arg.name() : def.formals().get(positional++).name(), arg.value());
        Map<String, Val> locals = new HashMap<>();
        for (Ast.Formal f : def.formals()) {
            Ast.Expr g = given.get(f.name());
            locals.put(f.name(), g != null ? eval(g, callerLocals) : eval(f.defaultValue(), Map.of()));
        }
        return eval(def.body(), locals);
    }

    private static DoubleUnaryOperator unary(String name) {
        return switch (name) {
            case "abs" -> Math::abs;
            case "sign" -> Math::signum;
            case "sqrt" -> Math::sqrt;
            case "exp" -> Math::exp;
            case "log" -> Math::log;
            case "log1p" -> Math::log1p;
            case "expm1" -> Math::expm1;
            case "sin" -> Math::sin;
            case "cos" -> Math::cos;
            case "tan" -> Math::tan;
            case "asin" -> Math::asin;
            case "acos" -> Math::acos;
            case "atan" -> Math::atan;
            case "sinh" -> Math::sinh;
            case "cosh" -> Math::cosh;
            case "tanh" -> Math::tanh;
            case "sigmoid" -> v -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
            case "relu" -> v -> v > 0 ? v : Double.isNaN(v) ? v : 0.0;
            case "softplus" -> v -> v > 30 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
            case "floor" -> Math::floor;
            case "ceil" -> Math::ceil;
            case "round" -> Math::rint; // half to even, as NumPy and PyTorch
            default -> null;
        };
    }

    private interface Reducer { double apply(double[] d); }

    /** A whole reduction (axis null), or along an axis of a matrix: 1 reduces each row, 0 each column. */
    private static Val reduce(Val x, Integer axis, Reducer f) {
        if (axis == null || x.rank < 2) return Val.scalar(f.apply(x.d));
        int m = x.rows, n = x.cols;
        if (axis == 1) {
            double[] out = new double[m];
            for (int i = 0; i < m; i++) out[i] = f.apply(java.util.Arrays.copyOfRange(x.d, i * n, i * n + n));
            return Val.vector(out);
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            double[] col = new double[m];
            for (int i = 0; i < m; i++) col[i] = x.d[i * n + j];
            out[j] = f.apply(col);
        }
        return Val.vector(out);
    }

    private static double sumOf(double[] d) {
        double s = 0;
        for (double v : d) s += v;
        return s;
    }

    private static double maxOf(double[] d) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : d) m = Math.max(m, v);
        return m;
    }

    private static double minOf(double[] d) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : d) m = Math.min(m, v);
        return m;
    }

    private static double logSumExp(double[] d) {
        double m = maxOf(d);
        if (Double.isInfinite(m)) return m; // log Σ exp of a +inf is +inf; of nothing but -inf, -inf
        double s = 0;
        for (double v : d) s += Math.exp(v - m);
        return m + Math.log(s);
    }

    /** e_i / Σ e_j with e = exp(x - max), over everything or along an axis. */
    private static Val softmax(Val x, Integer axis) {
        if (x.rank == 0) return Val.scalar(1);
        double[] out = new double[x.size()];
        int m = x.rank == 2 ? x.rows : 1, n = x.rank == 2 ? x.cols : x.rows;
        List<int[]> groups = new ArrayList<>();
        if (axis == null || x.rank < 2) {
            int[] all = new int[x.size()];
            for (int k = 0; k < all.length; k++) all[k] = k;
            groups.add(all);
        } else if (axis == 1) {
            for (int i = 0; i < m; i++) {
                int[] g = new int[n];
                for (int j = 0; j < n; j++) g[j] = i * n + j;
                groups.add(g);
            }
        } else {
            for (int j = 0; j < n; j++) {
                int[] g = new int[m];
                for (int i = 0; i < m; i++) g[i] = i * n + j;
                groups.add(g);
            }
        }
        for (int[] g : groups) {
            double mx = Double.NEGATIVE_INFINITY;
            for (int k : g) mx = Math.max(mx, x.d[k]);
            double s = 0;
            for (int k : g) s += Math.exp(x.d[k] - mx);
            for (int k : g) out[k] = Math.exp(x.d[k] - mx) / s;
        }
        return x.like(out);
    }
}
