package dev.descent.ir;

import java.util.List;

/**
 * A node of the expression DAG. Nodes are immutable and made only by a {@link Dag},
 * which hash-conses them: two structurally equal nodes of one Dag are the same object,
 * so identity comparison is structural equality. A node's inputs always have smaller
 * {@link #id}s, so sorting by id is a topological order.
 */
public final class Node {
    public final Op op;
    private final Node[] in;
    public final Shape shape;
    /** The value of a scalar CONST; 0 otherwise. */
    public final double num;
    /** Operation-specific attribute, or null. */
    public final Attr attr;
    /** Creation order within its Dag. */
    public final int id;
    /** True when the value depends on a PARAM, DATA, INPUT or RANDOM leaf (anything not constant). */
    public final boolean variable;
    /** True when the value depends on a PARAM (so it may have a non-zero derivative). */
    public final boolean dependsOnParams;

    Node(Op op, Node[] in, Shape shape, double num, Attr attr, int id) {
        this.op = op;
        this.in = in;
        this.shape = shape;
        this.num = num;
        this.attr = attr;
        this.id = id;
        boolean v = op == Op.PARAM || op == Op.DATA || op == Op.INPUT || op == Op.RANDOM;
        boolean p = op == Op.PARAM;
        for (Node c : in) {
            v |= c.variable;
            p |= c.dependsOnParams;
        }
        this.variable = v;
        this.dependsOnParams = p;
    }

    public int arity() { return in.length; }

    public Node in(int i) { return in[i]; }

    public List<Node> inputs() { return List.of(in); }

    /** A scalar constant? */
    public boolean isScalarConst() { return op == Op.CONST && shape.isScalar(); }

    /** A scalar constant equal to v (bitwise, so -0.0 is not 0.0)? */
    public boolean isConst(double v) {
        return isScalarConst() && Double.doubleToLongBits(num) == Double.doubleToLongBits(v);
    }

    /**
     * A filled constant: a scalar constant, or a scalar constant broadcast to an array (how
     * {@link Dag#filled}, {@code ones}, {@code zeros} and every broadcast scalar constant are
     * made: one node of two, whatever the shape). Its value is {@link #fillValue}.
     */
    public boolean isFill() {
        return op == Op.CONST ? shape.isScalar() : op == Op.BCAST && in[0].op == Op.CONST && in[0].shape.isScalar();
    }

    /** The value of every element of a {@link #isFill filled constant}. */
    public double fillValue() {
        if (!isFill()) throw new IllegalStateException("not a filled constant");
        return op == Op.CONST ? num : in[0].num;
    }

    /** A constant: a CONST (scalar or array literal) or a {@link #isFill filled constant}. */
    public boolean isConstant() { return op == Op.CONST || isFill(); }

    /** A constant (scalar or array, literal or filled) whose every element equals v? */
    public boolean isConstFilled(double v) {
        if (isFill()) {
            double f = fillValue();
            return f == v && !Double.isNaN(f);
        }
        if (op != Op.CONST) return false;
        for (double x : ((Attr.Array) attr).values()) if (x != v) return false;
        return true;
    }

    /**
     * The elements of a {@link #isConstant constant}, row-major (a scalar gives one element),
     * as a fresh array: a filled constant is materialized, so callers that may meet large
     * ones test {@link #isFill} first.
     */
    public double[] constValues() {
        if (isFill()) {
            double[] v = new double[shape.size()];
            java.util.Arrays.fill(v, fillValue());
            return v;
        }
        if (op != Op.CONST) throw new IllegalStateException("not a constant");
        return ((Attr.Array) attr).values().clone();
    }

    /** Number of distinct nodes reachable from this one (itself included). */
    public int dagSize() {
        return Reach.count(java.util.List.of(this));
    }

    @Override public String toString() { return Printer.print(this); }
}
