package dev.descent.run;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A vmap over points, as a DAG-to-DAG pass: every quantity that depends on a batched leaf
 * gains a leading dimension of P points. A scalar becomes a vector {@code [P]}, a vector
 * {@code [n]} a matrix {@code [P, n]} (one row per point); what does not depend on a batched
 * leaf is left as it is, and broadcasts. The pass has one rule per {@link Op}, built from the
 * {@link Dag}'s own operations:
 *
 * <ul>
 *   <li>elementwise: the same op, with a batched scalar that meets a vector broadcast as the
 *       columns of {@code [P, n]} (an unbatched vector broadcasts over the rows implicitly);
 *   <li>SUM, MAX_ALL, MIN_ALL, LSE of a vector: the axis-1 reduction of {@code [P, n]};
 *   <li>INDEX of a vector: a column; PACK of scalars: a STACK of columns (an unbatched part
 *       broadcast to {@code [P]}); SCATTER into a vector: a SELECT against a one-hot row;
 *       BCAST of a scalar to a vector: a column broadcast;
 *   <li>{@code A @ x} with A unbatched: {@code X @ transpose(A)}; {@code x @ B}: {@code X @ B};
 *       {@code solve(A, b)} with A unbatched: {@code transpose(solve(A, transpose(B)))};
 *       {@code onehot(y, k)} of a scalar: {@code onehot(Y, k)}.
 * </ul>
 *
 * Anything whose batched form would be a rank-3 array (a matrix that varies with the point:
 * a matrix parameter given per point, {@code outer}, {@code stack}, {@code diag} or a literal
 * matrix of varying scalars, a matrix product of two varying operands, …) is
 * {@link Unsupported}; the caller then evaluates point by point.
 *
 * <p>On the scalar engine every rule computes each point's numbers with the same operations in
 * the same order as the unbatched DAG (a row's sum, max and logsumexp run left to right from the
 * same start as the whole-vector ones; {@code X @ transpose(A)} adds {@code x[q]·A[i,q]} for q
 * ascending, as {@code A @ x} does; the LU of an unbatched A is the same for every column of a
 * right-hand side), so results are bit-identical to evaluating each point alone.
 */
public final class PointBatch {

    /** The DAG needs an array of rank 3 (or an op this pass does not batch): evaluate point by point. */
    public static final class Unsupported extends RuntimeException {
        Unsupported(String message) { super(message, null, false, false); }
    }

    /** The batched outputs: each is batched (leading dimension P) or, where it does not vary, the original node. */
    public record Result(List<Node> outputs, boolean[] batched) {}

    private final Dag dag;
    private final int points;
    private final IdentityHashMap<Node, Node> memo = new IdentityHashMap<>();
    private final IdentityHashMap<Node, Boolean> isBatched = new IdentityHashMap<>();

    private PointBatch(Dag dag, int points) {
        this.dag = dag;
        this.points = points;
    }

    /** The shape a value of {@code s} has when batched over P points, or Unsupported for a matrix. */
    public static Shape batchedShape(Shape s, int points) {
        if (s.isScalar()) return Shape.vector(points);
        if (s.isVector()) return Shape.matrix(points, s.rows());
        throw new Unsupported("a matrix " + s + " would vary with the point");
    }

    /**
     * Batches {@code outputs} over {@code points} points. {@code leaves} maps each leaf that
     * varies with the point (a PARAM) to its batched replacement, of {@link #batchedShape}.
     * New nodes are made in {@code dag}.
     *
     * @throws Unsupported when some output needs an array of rank 3
     */
    public static Result batch(Dag dag, List<Node> outputs, Map<Node, Node> leaves, int points) {
        if (points < 1) throw new IllegalArgumentException("at least one point");
        PointBatch b = new PointBatch(dag, points);
        for (Map.Entry<Node, Node> e : leaves.entrySet()) {
            if (!e.getValue().shape.equals(batchedShape(e.getKey().shape, points)))
                throw new IllegalArgumentException("batched leaf of " + e.getValue().shape + " for " + e.getKey().shape);
            b.memo.put(e.getKey(), e.getValue());
            b.isBatched.put(e.getKey(), true);
        }
        // every node reachable from the outputs, in id (topological) order
        for (Node x : Reach.inIdOrder(outputs)) if (!b.memo.containsKey(x)) b.visit(x);
        List<Node> out = new ArrayList<>(outputs.size());
        boolean[] batched = new boolean[outputs.size()];
        for (int k = 0; k < outputs.size(); k++) {
            out.add(b.memo.get(outputs.get(k)));
            batched[k] = b.batched(outputs.get(k));
        }
        return new Result(out, batched);
    }

    private boolean batched(Node x) { return isBatched.getOrDefault(x, false); }

    private void visit(Node x) {
        boolean any = false;
        for (int i = 0; i < x.arity(); i++) any |= batched(x.in(i));
        if (!any) {
            memo.put(x, x);
            return;
        }
        if (x.shape.isMatrix())
            throw new Unsupported("a matrix " + x.shape + " " + excerpt(x) + " varies with the point");
        Node r = rule(x);
        if (!r.shape.equals(batchedShape(x.shape, points)))
            throw new IllegalStateException("batched " + x.op + " has shape " + r.shape + ", not " + batchedShape(x.shape, points));
        memo.put(x, r);
        isBatched.put(x, true);
    }

    /** What made a node, in the language's words, without printing a DAG that may be large. */
    private static String excerpt(Node x) {
        if (x.op == Op.PARAM) return "parameter " + ((Attr.Param) x.attr).name();
        String what = x.op.spelling != null ? x.op.spelling : switch (x.op) {
            case INDEX -> "indexing";
            case PACK -> "a literal of varying elements";
            case SCATTER -> "an element's adjoint";
            case BCAST -> "broadcasting";
            default -> x.op.name().toLowerCase(java.util.Locale.ROOT);
        };
        return "from '" + what + "'";
    }

    /** The batched form of input i of x, for an elementwise op whose result has shape {@code shape}. */
    private Node lift(Node x, int i, Shape shape) {
        Node c = x.in(i);
        if (!batched(c)) return c; // a scalar broadcasts; a vector [n] broadcasts over the rows of [P, n]
        Node b = memo.get(c);
        if (c.shape.isScalar() && shape.isVector()) return dag.broadcast(b, Shape.matrix(points, shape.rows()), true);
        return b;
    }

    /** The batched input i of x (whatever its shape), or its original when it does not vary. */
    private Node arg(Node x, int i) { return memo.get(x.in(i)); }

    private Node column(Node scalar) {
        return batched(scalar) ? memo.get(scalar) : dag.broadcast(scalar, Shape.vector(points), false);
    }

    private Node rule(Node x) {
        Shape s = x.shape;
        return switch (x.op.kind) {
            case UNARY -> dag.unary(x.op, lift(x, 0, s));
            case BINARY -> dag.binary(x.op, lift(x, 0, s), lift(x, 1, s));
            case TERNARY -> x.op == Op.SELECT
                    ? dag.select(lift(x, 0, s), lift(x, 1, s), lift(x, 2, s))
                    : dag.clip(lift(x, 0, s), lift(x, 1, s), lift(x, 2, s));
            case REDUCE -> switch (x.op) {
                // the input is a batched vector [P, n] (a varying matrix was refused before)
                case SUM -> dag.reduceAxis(Op.SUM_AXIS, arg(x, 0), 1);
                case MAX_ALL -> dag.reduceAxis(Op.MAX_AXIS, arg(x, 0), 1);
                case MIN_ALL -> dag.reduceAxis(Op.MIN_AXIS, arg(x, 0), 1);
                case LSE -> dag.reduceAxis(Op.LSE_AXIS, arg(x, 0), 1);
                default -> throw unsupported(x);
            };
            case STRUCT -> structure(x);
            case LINALG -> linalg(x);
            case LEAF -> throw new IllegalStateException("a leaf with inputs");
        };
    }

    private Node structure(Node x) {
        Shape s = x.shape;
        switch (x.op) {
            case INDEX -> {
                Attr.Index ix = (Attr.Index) x.attr;
                if (ix.part() == Attr.Index.Part.ELEMENT) return dag.index(arg(x, 0), Attr.Index.column(ix.i()));
            }
            case PACK -> { // s is a vector: its elements become the columns of [P, n]
                List<Node> cols = new ArrayList<>(x.arity());
                for (int i = 0; i < x.arity(); i++) cols.add(column(x.in(i)));
                return dag.stack(cols);
            }
            case SCATTER -> {
                Attr.Scatter sc = (Attr.Scatter) x.attr;
                if (sc.index().part() == Attr.Index.Part.ELEMENT && s.isVector()) {
                    double[] hot = new double[s.rows()];
                    hot[sc.index().i()] = 1;
                    Node wide = dag.broadcast(arg(x, 0), Shape.matrix(points, s.rows()), true);
                    return dag.select(dag.constant(s, hot), wide, dag.constant(0)); // exactly x there, +0 elsewhere
                }
            }
            case BCAST -> {
                if (x.in(0).shape.isScalar() && s.isVector()) return dag.broadcast(arg(x, 0), Shape.matrix(points, s.rows()), true);
            }
            default -> {}
        }
        throw unsupported(x);
    }

    private Node linalg(Node x) {
        switch (x.op) {
            case MATMUL -> {
                Node a = x.in(0), b = x.in(1);
                if (a.shape.isMatrix() && b.shape.isVector() && !batched(a)) // A @ x: each point's row times transpose(A)
                    return dag.matmul(arg(x, 1), dag.transpose(a));
                if (a.shape.isVector() && b.shape.isMatrix() && !batched(b)) // x @ B: each point's row times B
                    return dag.matmul(arg(x, 0), b);
            }
            case SOLVE -> {
                Node a = x.in(0), b = x.in(1);
                if (!batched(a) && b.shape.isVector()) return dag.transpose(dag.solve(a, dag.transpose(arg(x, 1))));
            }
            case ONEHOT -> {
                if (x.in(0).shape.isScalar()) return dag.onehot(arg(x, 0), ((Attr.Classes) x.attr).k());
            }
            default -> {}
        }
        throw unsupported(x);
    }

    private static Unsupported unsupported(Node x) {
        return new Unsupported("a value " + excerpt(x) + " is not batched over points");
    }
}
