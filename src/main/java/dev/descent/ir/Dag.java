package dev.descent.ir;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * Makes DAG nodes. Every node is hash-consed (a structurally equal node is returned
 * instead of a new one, which is common-subexpression elimination for free) and
 * simplified locally as it is built: constants fold (a filled constant, one number
 * broadcast, at any size; a literal array up to {@value #FOLD_LIMIT} elements; a broadcast
 * scalar in an elementwise operation is that scalar), and only identities that hold
 * for IEEE doubles apply ({@code x*1 = x}, {@code x+0 = x}, {@code --x = x},
 * {@code x*x = x^2}, like terms), never {@code x*0 = 0} or {@code x-x = 0}.
 * Shape rules are checked here; a violation throws {@link ShapeError}.
 */
public final class Dag {
    /** The local rewrites tried as an elementwise node is built ({@link Simplify}). */
    private final Simplify simplify = new Simplify(this);
    /** Largest constant array that is folded at build time. */
    private static final int FOLD_LIMIT = 4096;
    /** Largest array whose element adjoints are written as a PACK rather than a SCATTER. */
    public static final int PACK_LIMIT = 64;

    private record Key(Op op, List<Node> in, long num, Attr attr, Shape shape) {
        // written out, as the record's would be (the record's own equals and hashCode are made by a bootstrap at run time, which cold took a fifth of a short check)
        @Override public boolean equals(Object other) {
            return other instanceof Key o && java.util.Objects.equals(op, o.op) && java.util.Objects.equals(in, o.in) && num == o.num && java.util.Objects.equals(attr, o.attr) && java.util.Objects.equals(shape, o.shape);
        }

        @Override public int hashCode() { return 31 * (31 * (31 * (31 * java.util.Objects.hashCode(op) + java.util.Objects.hashCode(in)) + Long.hashCode(num)) + java.util.Objects.hashCode(attr)) + java.util.Objects.hashCode(shape); }
    }

    private final HashMap<Key, Node> table = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();

    /** Number of distinct nodes made so far. */
    public int size() { return nodes.size(); }

    /** The node with this id. */
    public Node node(int id) { return nodes.get(id); }

    /** The most elements a computed array may have: {@link Shape#MAX_SIZE} unless {@link #limitArrays} lowers it. */
    private long maxArray = Shape.MAX_SIZE;
    /** What to do about an array over {@link #maxArray} (the hint of the ShapeError), or null. */
    private String maxArrayHint;

    /**
     * Refuses, from now on, to compute an array of more than {@code max} elements (at most
     * {@link Shape#MAX_SIZE}): the operation that would make one throws a ShapeError with this
     * hint, which the checker turns into a positioned diagnostic. Leaves (parameters, data
     * columns, a step's inputs) are not computed, so not limited; the checker bounds them itself.
     */
    public void limitArrays(long max, String hint) {
        maxArray = Math.min(max, Shape.MAX_SIZE);
        maxArrayHint = hint;
    }

    /** The most elements a computed array may have now. */
    public long arrayLimit() { return maxArray; }

    /** A ShapeError when an array of this shape may not be computed (larger than the limit, or than any array can be). */
    public void checkArray(Shape shape) {
        long size = shape.elements();
        if (size <= maxArray) return;
        String what = describe(shape) + " (" + count(size) + " elements, " + bytes(size) + " in float64)";
        if (size > Shape.MAX_SIZE)
            throw new ShapeError(what + " is larger than any array can be: at most " + count(Shape.MAX_SIZE) + " elements");
        throw new ShapeError(what + " is larger than the " + count(maxArray) + " elements an array may have",
                maxArrayHint == null ? null : maxArrayHint.replace("--max-array N", "--max-array " + size));
    }

    /** 1234567 as "1,234,567". */
    public static String count(long n) { return String.format(java.util.Locale.ROOT, "%,d", n); }

    /** A number of float64 elements as bytes: "3.2 GB". */
    public static String bytes(long elements) {
        double b = elements * 8.0;
        String[] units = {"bytes", "kB", "MB", "GB", "TB", "PB"};
        int u = 0;
        while (b >= 1000 && u < units.length - 1) { b /= 1000; u++; }
        return (u == 0 ? String.valueOf((long) b) : String.format(java.util.Locale.ROOT, b < 10 ? "%.1f" : "%.0f", b)) + " " + units[u];
    }

    private Node make(Op op, Shape shape, double num, Attr attr, Node... in) {
        for (Node c : in) Objects.requireNonNull(c);
        if (!shape.isScalar() && op != Op.PARAM && op != Op.DATA && op != Op.INPUT) checkArray(shape);
        Key key = new Key(op, Arrays.asList(in), Double.doubleToLongBits(num), attr, shape);
        Node n = table.get(key);
        if (n == null) {
            n = new Node(op, in, shape, num, attr, nodes.size());
            nodes.add(n);
            table.put(key, n);
        }
        return n;
    }

    /**
     * {@code roots} with each node of {@code replace} (typically an INPUT leaf) replaced by its
     * value, everything above rebuilt as it is: the same operation, attribute and shape, and no
     * simplification, so that the result computes exactly what {@code roots} compute when the
     * replaced nodes take those values (the same operations in the same order, so the same bits).
     * A replacement has the shape of the node it replaces. The rebuilt nodes are hash-consed like
     * any other, and are newer than their inputs, so id order stays a topological order. This is
     * how an optimizer's step and the objective become one program: g is the gradient's node.
     */
    public List<Node> substitute(List<Node> roots, java.util.Map<Node, Node> replace) {
        for (java.util.Map.Entry<Node, Node> e : replace.entrySet())
            if (!e.getKey().shape.equals(e.getValue().shape))
                throw new IllegalArgumentException("cannot put a " + e.getValue().shape + " in place of a " + e.getKey().shape);
        java.util.IdentityHashMap<Node, Node> done = new java.util.IdentityHashMap<>(replace);
        java.util.ArrayDeque<Node> stack = new java.util.ArrayDeque<>();
        List<Node> out = new ArrayList<>(roots.size());
        for (Node root : roots) {
            stack.push(root);
            while (!stack.isEmpty()) {
                Node x = stack.peek();
                if (done.containsKey(x)) {
                    stack.pop();
                    continue;
                }
                boolean ready = true;
                for (int k = 0; k < x.arity(); k++)
                    if (!done.containsKey(x.in(k))) {
                        stack.push(x.in(k));
                        ready = false;
                    }
                if (!ready) continue;
                stack.pop();
                Node[] in = new Node[x.arity()];
                boolean same = true;
                for (int k = 0; k < in.length; k++) {
                    in[k] = done.get(x.in(k));
                    same &= in[k] == x.in(k);
                }
                done.put(x, same ? x : make(x.op, x.shape, x.num, x.attr, in));
            }
            out.add(done.get(root));
        }
        return out;
    }

    // ------------------------------------------------------------------ leaves

    public Node constant(double v) { return make(Op.CONST, Shape.SCALAR, v, null); }

    /** An array constant (row-major values); a scalar shape gives a scalar constant. */
    public Node constant(Shape shape, double[] values) {
        if (values.length != shape.size()) throw new IllegalArgumentException("constant of " + shape + " with " + values.length + " values");
        if (shape.isScalar()) return constant(values[0]);
        return make(Op.CONST, shape, 0, new Attr.Array(values.clone()));
    }

    /**
     * A constant array with every element v: the scalar constant v broadcast to the shape, so
     * two nodes whatever the shape (see {@link Node#isFill}); the engines fill it, and a loop
     * reads it as a scalar operand. A scalar shape gives the scalar constant.
     */
    public Node filled(Shape shape, double v) {
        return broadcast(constant(v), shape, false);
    }


    public Node eye(int n) {
        checkArray(Shape.matrix(n, n)); // before its values are allocated
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) a[i * n + i] = 1;
        return constant(Shape.matrix(n, n), a);
    }

    public Node param(Attr.Param p) { return make(Op.PARAM, p.shape(), 0, p); }

    public Node data(Attr.Column c, Shape shape) { return make(Op.DATA, shape, 0, c); }

    public Node input(String name, Shape shape) { return make(Op.INPUT, shape, 0, new Attr.Input(name)); }

    public Node random(int id, double rate, Shape shape) { return make(Op.RANDOM, shape, 0, new Attr.Random(id, rate)); }

    // ------------------------------------------------------------- broadcasting

    /** The shape of an elementwise operation on a and b, or a ShapeError naming both. */
    public static Shape broadcast(Shape a, Shape b, String what) {
        if (a.equals(b)) return a;
        if (a.isScalar()) return b;
        if (b.isScalar()) return a;
        if (a.isVector() && b.isMatrix() && a.rows() == b.cols()) return b;
        if (b.isVector() && a.isMatrix() && b.rows() == a.cols()) return a;
        String hint = null;
        if (a.isVector() && b.isMatrix() && a.rows() == b.rows() || b.isVector() && a.isMatrix() && b.rows() == a.rows())
            hint = "a vector broadcasts over the rows of a matrix, so its length must equal the number of columns; "
                    + "to repeat a vector as columns, use outer(v, ones(n))";
        throw new ShapeError("cannot " + what + " shapes " + a + " and " + b, hint);
    }

    private static String verb(Op op) {
        return switch (op) {
            case ADD -> "add";
            case SUB -> "subtract";
            case MUL -> "multiply";
            case DIV -> "divide";
            case POW -> "raise to a power with";
            case LT, LE, GT, GE, EQ, NE -> "compare";
            default -> "combine";
        };
    }

    /** x itself if it already has this shape, else x broadcast to it. */
    private Node fit(Node x, Shape shape) {
        return x.shape.equals(shape) ? x : broadcast(x, shape, false);
    }

    // ----------------------------------------------------------- elementwise

    public Node neg(Node x) { return unary(Op.NEG, x); }

    public Node add(Node a, Node b) { return binary(Op.ADD, a, b); }

    public Node sub(Node a, Node b) { return binary(Op.SUB, a, b); }

    public Node mul(Node a, Node b) { return binary(Op.MUL, a, b); }

    public Node div(Node a, Node b) { return binary(Op.DIV, a, b); }

    public Node pow(Node a, Node b) { return binary(Op.POW, a, b); }

    public Node mul(double c, Node x) { return mul(constant(c), x); }

    public Node unary(Op op, Node x) {
        if (op.kind != Op.Kind.UNARY) throw new IllegalArgumentException(op + " is not unary");
        if (x.op == Op.CONST && x.shape.size() <= FOLD_LIMIT) {
            double[] v = x.constValues();
            for (int i = 0; i < v.length; i++) v[i] = ScalarMath.unary(op, v[i]);
            return constant(x.shape, v);
        }
        if (x.op == Op.BCAST) return broadcast(unary(op, x.in(0)), x.shape, ((Attr.Broadcast) x.attr).columns());
        Node simpler = simplify.unary(op, x);
        if (simpler != null) return simpler;
        return make(op, x.shape, 0, null, x);
    }

    public Node binary(Op op, Node a, Node b) {
        if (op.kind != Op.Kind.BINARY) throw new IllegalArgumentException(op + " is not binary");
        Shape shape = broadcast(a.shape, b.shape, verb(op));
        // filled constants fold at any size: the operation on their values, filled
        if (a.isFill() && b.isFill()) return filled(shape, ScalarMath.binary(op, a.fillValue(), b.fillValue()));
        if (a.isConstant() && b.isConstant() && shape.size() <= FOLD_LIMIT) return foldBinary(op, a, b, shape);
        // a small filled constant added to a PACK goes in element by element, as a literal does (simplifyBinary)
        if (!((op == Op.ADD || op == Op.SUB) && packable(a) && packable(b) && a.shape.equals(b.shape))) {
            // A broadcast input is implicit in the elementwise operation when the other input has the full shape.
            if (a.op == Op.BCAST && b.shape.equals(shape) && !columns(a)) return binary(op, a.in(0), b);
            if (b.op == Op.BCAST && a.shape.equals(shape) && !columns(b)) return binary(op, a, b.in(0));
            // A broadcast scalar met by a scalar (or by a vector over the rows): the operation on the smaller operands, broadcast.
            if (a.op == Op.BCAST && a.in(0).shape.isScalar()) return fit(binary(op, a.in(0), b), shape);
            if (b.op == Op.BCAST && b.in(0).shape.isScalar()) return fit(binary(op, a, b.in(0)), shape);
        }
        Node s = simplify.binary(op, a, b);
        if (s != null) return fit(s, shape);
        return make(op, shape, 0, null, a, b);
    }

    private static boolean columns(Node bcast) { return ((Attr.Broadcast) bcast.attr).columns(); }

    /**
     * Adds two adjoint contributions: a structurally zero one (the zeros a SCATTER or PACK
     * puts where an index does not reach) is skipped rather than added, as autograd does.
     */
    public Node accumulate(Node a, Node b) {
        if (a.isConstFilled(0)) return fit(b, a.shape);
        if (b.isConstFilled(0)) return fit(a, b.shape);
        if (packable(a) && packable(b) && a.shape.equals(b.shape)) {
            Node[] out = new Node[a.shape.size()];
            for (int i = 0; i < out.length; i++) out[i] = accumulate(part(a, i), part(b, i));
            return pack(a.shape, Arrays.asList(out));
        }
        return add(a, b);
    }

    /** A PACK, or a small array constant (literal or filled), which adds elementwise into a PACK. */
    static boolean packable(Node x) {
        return x.op == Op.PACK || x.isConstant() && !x.shape.isScalar() && x.shape.size() <= PACK_LIMIT;
    }

    Node packwise(Op op, Node a, Node b) {
        Node[] out = new Node[a.shape.size()];
        for (int i = 0; i < out.length; i++) out[i] = binary(op, part(a, i), part(b, i));
        return pack(a.shape, Arrays.asList(out));
    }

    private Node part(Node x, int i) {
        if (x.op == Op.PACK) return x.in(i);
        return x.isFill() ? x.in(0) : constant(((Attr.Array) x.attr).values()[i]);
    }

    private Node foldBinary(Op op, Node a, Node b, Shape shape) {
        double[] va = a.constValues(), vb = b.constValues();
        double[] out = new double[shape.size()];
        for (int k = 0; k < out.length; k++) out[k] = ScalarMath.binary(op, element(va, a.shape, shape, k), element(vb, b.shape, shape, k));
        return constant(shape, out);
    }

    /** Element k (row-major in {@code shape}) of an operand of shape {@code s} broadcast to {@code shape}. */
    public static double element(double[] v, Shape s, Shape shape, int k) {
        if (s.isScalar()) return v[0];
        if (s.equals(shape)) return v[k];
        return v[k % shape.cols()]; // a vector repeated over the rows of a matrix
    }

    public Node select(Node c, Node a, Node b) {
        Shape shape = broadcast(broadcast(c.shape, a.shape, "select between"), b.shape, "select between");
        if (c.isFill()) return fit(c.fillValue() != 0 ? a : b, shape);
        if (a == b) return fit(a, shape);
        if (c.isConstant() && a.isConstant() && b.isConstant() && shape.size() <= FOLD_LIMIT)
            return foldTernary(Op.SELECT, c, a, b, shape);
        return make(Op.SELECT, shape, 0, null, c, a, b);
    }

    public Node clip(Node x, Node lo, Node hi) {
        Shape shape = broadcast(broadcast(x.shape, lo.shape, "clip"), hi.shape, "clip");
        if (x.isFill() && lo.isFill() && hi.isFill()) return filled(shape, ScalarMath.ternary(Op.CLIP, x.fillValue(), lo.fillValue(), hi.fillValue()));
        if (x.isConstant() && lo.isConstant() && hi.isConstant() && shape.size() <= FOLD_LIMIT)
            return foldTernary(Op.CLIP, x, lo, hi, shape);
        return make(Op.CLIP, shape, 0, null, x, lo, hi);
    }

    private Node foldTernary(Op op, Node a, Node b, Node c, Shape shape) {
        double[] va = a.constValues(), vb = b.constValues(), vc = c.constValues();
        double[] out = new double[shape.size()];
        for (int k = 0; k < out.length; k++)
            out[k] = ScalarMath.ternary(op, element(va, a.shape, shape, k), element(vb, b.shape, shape, k), element(vc, c.shape, shape, k));
        return constant(shape, out);
    }

    // ------------------------------------------------------------- reductions

    /** Sum of all elements. */
    public Node sum(Node x) {
        if (x.shape.isScalar()) return x;
        if (x.isConstant() && x.shape.size() <= FOLD_LIMIT) { // added left to right, as the engines add
            double s = 0;
            for (double v : x.constValues()) s += v;
            return constant(s);
        }
        return make(Op.SUM, Shape.SCALAR, 0, null, x);
    }

    /** max / min / logsumexp / sum of all elements: op is SUM, MAX_ALL, MIN_ALL or LSE. */
    public Node reduce(Op op, Node x) {
        return switch (op) {
            case SUM -> sum(x);
            case MAX_ALL, MIN_ALL -> x.shape.isScalar() ? x : make(op, Shape.SCALAR, 0, null, x);
            case LSE -> x.shape.isScalar() ? x : make(op, Shape.SCALAR, 0, null, x);
            default -> throw new IllegalArgumentException(op + " is not a full reduction");
        };
    }

    /** op is SUM_AXIS, MAX_AXIS, MIN_AXIS or LSE_AXIS; axis 1 reduces each row, 0 each column. */
    public Node reduceAxis(Op op, Node x, int axis) {
        if (axis != 0 && axis != 1) throw new ShapeError("axis must be 0 (reduce each column) or 1 (reduce each row), not " + axis);
        if (!x.shape.isMatrix()) {
            if (x.shape.isVector() && axis == 0) // a vector has one axis: reduce it all
                return reduce(op == Op.SUM_AXIS ? Op.SUM : op == Op.MAX_AXIS ? Op.MAX_ALL : op == Op.MIN_AXIS ? Op.MIN_ALL : Op.LSE, x);
            throw new ShapeError("axis = " + axis + " needs a matrix, but this is " + describe(x.shape));
        }
        Shape out = Shape.vector(axis == 1 ? x.shape.rows() : x.shape.cols());
        return make(op, out, 0, new Attr.Axis(axis), x);
    }

    public Node mean(Node x) { return div(sum(x), constant(x.shape.size())); }

    public Node meanAxis(Node x, int axis) {
        Node s = reduceAxis(Op.SUM_AXIS, x, axis);
        int n = x.shape.isMatrix() ? (axis == 1 ? x.shape.cols() : x.shape.rows()) : x.shape.size();
        return div(s, constant(n));
    }

    public Node dot(Node a, Node b) {
        if (!a.shape.isVector() || !b.shape.isVector() || a.shape.rows() != b.shape.rows())
            throw new ShapeError("dot needs two vectors of equal length, not " + a.shape + " and " + b.shape);
        return sum(mul(a, b));
    }

    public Node norm(Node x) { return unary(Op.SQRT, sum(pow(x, constant(2)))); }

    public Node norm1(Node x) { return sum(unary(Op.ABS, x)); }

    /** exp(x - max(x)) / sum(exp(x - max(x))), as PyTorch computes it: exact to a few ulps at any magnitude. */
    public Node softmax(Node x) {
        if (x.shape.isScalar()) return div(x, x); // 1, or NaN where x is not finite
        Node e = unary(Op.EXP, sub(x, reduce(Op.MAX_ALL, x)));
        return div(e, sum(e));
    }

    public Node softmaxAxis(Node x, int axis) {
        if (!x.shape.isMatrix()) return softmax(reduceAxisCheck(x, axis));
        Node e = unary(Op.EXP, sub(x, broadcast(reduceAxis(Op.MAX_AXIS, x, axis), x.shape, axis == 1)));
        return div(e, broadcast(reduceAxis(Op.SUM_AXIS, e, axis), x.shape, axis == 1));
    }

    private Node reduceAxisCheck(Node x, int axis) {
        if (axis != 0) throw new ShapeError("axis = " + axis + " needs a matrix, but this is " + describe(x.shape));
        return x;
    }

    // ---------------------------------------------------------------- structure

    public Node index(Node x, Attr.Index ix) {
        Shape s = x.shape;
        Shape out;
        switch (ix.part()) {
            case ELEMENT -> {
                if (!s.isVector()) throw new ShapeError(s.isScalar() ? "a scalar cannot be indexed" : "a matrix needs two indices, A[i, j] (or one, A[i], for a row)");
                checkRange(ix.i(), s.rows(), "a vector of length " + s.rows());
                out = Shape.SCALAR;
            }
            case ELEMENT2 -> {
                if (!s.isMatrix()) throw new ShapeError("two indices need a matrix, but this is " + describe(s));
                checkRange(ix.i(), s.rows(), "a matrix with " + s.rows() + " rows");
                checkRange(ix.j(), s.cols(), "a matrix with " + s.cols() + " columns");
                out = Shape.SCALAR;
            }
            case ROW -> {
                if (!s.isMatrix()) throw new ShapeError("a row needs a matrix");
                checkRange(ix.i(), s.rows(), "a matrix with " + s.rows() + " rows");
                out = Shape.vector(s.cols());
            }
            default -> {
                if (!s.isMatrix()) throw new ShapeError("a column needs a matrix");
                checkRange(ix.j(), s.cols(), "a matrix with " + s.cols() + " columns");
                out = Shape.vector(s.rows());
            }
        }
        int[] flat = flatPositions(ix, s);
        if (x.op == Op.PACK) return gather(x, flat, out);
        if (x.op == Op.CONST) {
            double[] v = x.constValues(), o = new double[flat.length];
            for (int k = 0; k < flat.length; k++) o[k] = v[flat[k]];
            return constant(out, o);
        }
        if (x.op == Op.BCAST && x.in(0).shape.isScalar()) return fit(x.in(0), out);
        if (x.op == Op.SCATTER && ((Attr.Scatter) x.attr).index().equals(ix)) return x.in(0);
        return make(Op.INDEX, out, 0, ix, x);
    }

    private Node gather(Node pack, int[] flat, Shape out) {
        if (out.isScalar()) return pack.in(flat[0]);
        List<Node> parts = new ArrayList<>(flat.length);
        for (int k : flat) parts.add(pack.in(k));
        return pack(out, parts);
    }

    /** Row-major positions of the elements an index selects in an array of shape s. */
    public static int[] flatPositions(Attr.Index ix, Shape s) {
        return switch (ix.part()) {
            case ELEMENT -> new int[] {ix.i()};
            case ELEMENT2 -> new int[] {ix.i() * s.cols() + ix.j()};
            case ROW -> {
                int[] p = new int[s.cols()];
                for (int k = 0; k < p.length; k++) p[k] = ix.i() * s.cols() + k;
                yield p;
            }
            case COLUMN -> {
                int[] p = new int[s.rows()];
                for (int k = 0; k < p.length; k++) p[k] = k * s.cols() + ix.j();
                yield p;
            }
        };
    }

    private static void checkRange(int i, int n, String what) {
        if (i < 0 || i >= n)
            throw new ShapeError("index " + i + " is out of range for " + what, "indices count from 0, so the last is " + (n - 1));
    }

    /** Scalars packed into a vector or matrix, row-major. */
    public Node pack(Shape shape, List<Node> parts) {
        if (parts.size() != shape.size()) throw new IllegalArgumentException("pack of " + shape + " from " + parts.size() + " parts");
        boolean allConst = true;
        for (Node p : parts) {
            if (!p.shape.isScalar()) throw new ShapeError("an element of a literal must be a scalar here, not " + describe(p.shape));
            allConst &= p.op == Op.CONST;
        }
        if (shape.isScalar()) return parts.get(0);
        if (allConst) {
            double[] v = new double[parts.size()];
            for (int i = 0; i < v.length; i++) v[i] = parts.get(i).num;
            return constant(shape, v);
        }
        return make(Op.PACK, shape, 0, new Attr.Packed(shape), parts.toArray(Node[]::new));
    }

    /** x placed at {@code ix} in an array of {@code shape}, zeros elsewhere (the adjoint of INDEX). */
    public Node scatter(Node x, Attr.Index ix, Shape shape) {
        if (shape.size() <= PACK_LIMIT) {
            Node zero = constant(0);
            Node[] parts = new Node[shape.size()];
            Arrays.fill(parts, zero);
            int[] flat = flatPositions(ix, shape);
            for (int k = 0; k < flat.length; k++) parts[flat[k]] = x.shape.isScalar() ? x : index(x, Attr.Index.element(k));
            return pack(shape, Arrays.asList(parts));
        }
        return make(Op.SCATTER, shape, 0, new Attr.Scatter(ix, shape), x);
    }

    /**
     * x broadcast to {@code shape}: a scalar fills it, a vector [n] repeats as the rows
     * of [m, n], or, with {@code columns}, a vector [m] repeats as the columns of [m, n].
     */
    public Node broadcast(Node x, Shape shape, boolean columns) {
        if (x.shape.equals(shape) && !columns) return x;
        if (x.shape.isScalar()) return make(Op.BCAST, shape, 0, new Attr.Broadcast(shape, false), x); // a constant too: a filled constant
        if (!x.shape.isVector() || !shape.isMatrix() || (columns ? shape.rows() : shape.cols()) != x.shape.rows())
            throw new ShapeError("cannot broadcast " + x.shape + " to " + shape);
        return make(Op.BCAST, shape, 0, new Attr.Broadcast(shape, columns), x);
    }

    /** The adjoint of a BCAST of a value of shape {@code target}: summed over the repeated dimension. */
    public Node unbroadcastFrom(Node adj, Shape target, boolean columns) {
        if (target.isScalar()) return sum(adj);
        return reduceAxis(Op.SUM_AXIS, adj, columns ? 1 : 0);
    }

    /** Sums an adjoint over the dimensions along which a value of shape {@code target} was broadcast. */
    public Node unbroadcast(Node adj, Shape target) {
        if (adj.shape.equals(target)) return adj;
        if (target.isScalar()) return sum(adj);
        if (target.isVector() && adj.shape.isMatrix() && adj.shape.cols() == target.rows())
            return reduceAxis(Op.SUM_AXIS, adj, 0);
        throw new IllegalStateException("cannot unbroadcast " + adj.shape + " to " + target);
    }

    // ----------------------------------------------------------- linear algebra

    public Node matmul(Node a, Node b) {
        Shape sa = a.shape, sb = b.shape;
        if (sa.isScalar() || sb.isScalar())
            throw new ShapeError("@ needs vectors or matrices, not a scalar", "to scale, use *");
        int ka = sa.isMatrix() ? sa.cols() : sa.rows();
        int kb = sb.rows();
        if (ka != kb)
            throw new ShapeError("cannot multiply shapes " + sa + " and " + sb + " with @: inner dimensions " + ka + " and " + kb + " differ");
        Shape out;
        if (sa.isMatrix() && sb.isMatrix()) out = Shape.matrix(sa.rows(), sb.cols());
        else if (sa.isMatrix()) out = Shape.vector(sa.rows());
        else if (sb.isMatrix()) out = Shape.vector(sb.cols());
        else return sum(mul(a, b));
        return make(Op.MATMUL, out, 0, null, a, b);
    }

    public Node transpose(Node a) {
        if (!a.shape.isMatrix()) return a; // a scalar or vector has no orientation
        if (a.op == Op.TRANSPOSE) return a.in(0);
        if (a.op == Op.BCAST && a.in(0).shape.isScalar()) return broadcast(a.in(0), Shape.matrix(a.shape.cols(), a.shape.rows()), false);
        if (a.op == Op.CONST) {
            int m = a.shape.rows(), n = a.shape.cols();
            double[] v = a.constValues(), t = new double[v.length];
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) t[j * m + i] = v[i * n + j];
            return constant(Shape.matrix(n, m), t);
        }
        return make(Op.TRANSPOSE, Shape.matrix(a.shape.cols(), a.shape.rows()), 0, null, a);
    }

    /** diag(v) of a vector is a diagonal matrix; diag(A) of a square matrix its diagonal. */
    public Node diag(Node x) {
        if (x.shape.isVector()) return make(Op.DIAG, Shape.matrix(x.shape.rows(), x.shape.rows()), 0, null, x);
        if (x.shape.isMatrix()) {
            if (x.shape.rows() != x.shape.cols()) throw new ShapeError("diag of a matrix needs a square one, not " + x.shape);
            if (x.op == Op.DIAG) return x.in(0);
            return make(Op.DIAG_EXTRACT, Shape.vector(x.shape.rows()), 0, null, x);
        }
        throw new ShapeError("diag needs a vector or a square matrix, not a scalar");
    }

    public Node outer(Node a, Node b) {
        if (!a.shape.isVector() || !b.shape.isVector()) throw new ShapeError("outer needs two vectors, not " + a.shape + " and " + b.shape);
        return make(Op.OUTER, Shape.matrix(a.shape.rows(), b.shape.rows()), 0, null, a, b);
    }

    public Node solve(Node a, Node b) {
        if (!a.shape.isMatrix() || a.shape.rows() != a.shape.cols())
            throw new ShapeError("solve(A, b) needs a square matrix A, not " + a.shape);
        if (b.shape.isScalar() || b.shape.rows() != a.shape.rows())
            throw new ShapeError("solve(A, b) needs b with " + a.shape.rows() + " rows to match A " + a.shape + ", not " + b.shape);
        return make(Op.SOLVE, b.shape, 0, null, a, b);
    }

    /** Vectors of equal length as the columns of a matrix. */
    public Node stack(List<Node> columns) {
        if (columns.isEmpty()) throw new ShapeError("stack needs at least one vector");
        int m = -1;
        for (Node c : columns) {
            if (!c.shape.isVector()) throw new ShapeError("stack takes vectors (the columns), not " + describe(c.shape));
            if (m >= 0 && c.shape.rows() != m) throw new ShapeError("stack needs vectors of equal length, not " + m + " and " + c.shape.rows());
            m = c.shape.rows();
        }
        return make(Op.STACK, Shape.matrix(m, columns.size()), 0, null, columns.toArray(Node[]::new));
    }

    /** onehot(y, k): each label of y (0…k-1) as a row of the identity; a scalar label gives a vector [k]. */
    public Node onehot(Node y, int k) {
        if (k < 1) throw new ShapeError("onehot needs at least one class, not " + k);
        if (y.shape.isMatrix()) throw new ShapeError("onehot needs a vector of labels, not a matrix");
        Shape out = y.shape.isScalar() ? Shape.vector(k) : Shape.matrix(y.shape.rows(), k);
        checkArray(out); // before a constant's values are allocated
        if (y.isConstant()) {
            double[] labels = y.constValues(), v = new double[out.size()];
            for (int i = 0; i < labels.length; i++) {
                double l = labels[i];
                if (l >= 0 && l < k && l == Math.rint(l)) v[i * k + (int) l] = 1;
                else throw new ShapeError("onehot label " + fmt(l) + " is not one of 0…" + (k - 1));
            }
            return constant(out, v);
        }
        return make(Op.ONEHOT, out, 0, new Attr.Classes(k), y);
    }

    // ------------------------------------------------------------------ helpers

    public static String describe(Shape s) {
        return s.isScalar() ? "a scalar" : s.isVector() ? "a vector " + s : "a matrix " + s;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
