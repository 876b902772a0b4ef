package dev.descent.diff;

import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import dev.descent.ir.Op;
import dev.descent.ir.Shape;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Symbolic derivatives as a DAG-to-DAG transformation, in reverse mode: one adjoint
 * per node, the sum of its uses' contributions, so the gradient's size is O(size of f)
 * and it shares the value's nodes. Matrix operations have matrix-level rules
 * (the adjoint of {@code X @ w} is {@code transpose(X) @ r}), never unrolled.
 * The Hessian differentiates each element of the gradient DAG again (never a
 * printed gradient). Piecewise functions use the subgradients PyTorch uses:
 * 0 where flat, {@code sign(x)} for abs, {@code x > 0} for relu, ties of min/max split evenly.
 */
public final class Derivatives {
    private final Dag dag;

    private Derivatives(Dag dag) { this.dag = dag; }

    /**
     * The gradient of the scalar {@code f} with respect to each node of {@code wrt}
     * (usually PARAM leaves), each with that node's shape; an array of zeros where f
     * does not depend on it.
     */
    public static List<Node> gradient(Dag dag, Node f, List<Node> wrt) {
        return new Derivatives(dag).reverse(f, wrt);
    }

    /**
     * The Hessian of {@code f} over the flat parameter vector θ (the params in order,
     * matrices row by row): {@code rows.get(k).get(j)} is row k's block for param j,
     * shaped like param j.
     */
    public static List<List<Node>> hessian(Dag dag, Node f, List<Node> params) {
        Derivatives d = new Derivatives(dag);
        List<Node> grad = d.reverse(f, params);
        List<List<Node>> rows = new ArrayList<>();
        for (int j = 0; j < params.size(); j++) {
            Node g = grad.get(j);
            Shape s = params.get(j).shape;
            for (int k = 0; k < s.size(); k++) {
                Node gk = s.isScalar() ? g : dag.index(g, s.isVector() ? Attr.Index.element(k) : Attr.Index.element(k / s.cols(), k % s.cols()));
                rows.add(d.reverse(gk, params));
            }
        }
        return rows;
    }

    /**
     * The Hessian of {@code f} times a direction, H·v, without forming H: the gradient of the
     * scalar ⟨∇f, v⟩ = Σⱼ sum(∇ⱼf ∘ vⱼ) (one reverse pass over the gradient's own expression, with
     * v constant), each block shaped like its param. {@code vs.get(j)} is v's block for param j,
     * shaped like it (INPUT leaves, usually). Its cost is a small multiple of the gradient's,
     * whatever the size of θ.
     */
    public static List<Node> hessianVector(Dag dag, Node f, List<Node> params, List<Node> vs) {
        if (vs.size() != params.size()) throw new IllegalArgumentException("one block of v per param");
        Derivatives d = new Derivatives(dag);
        List<Node> grad = d.reverse(f, params);
        Node gv = null;
        for (int j = 0; j < params.size(); j++) {
            if (!vs.get(j).shape.equals(params.get(j).shape)) throw new IllegalArgumentException("v's block " + j + " is not shaped like its param");
            Node term = dag.sum(dag.mul(grad.get(j), vs.get(j)));
            gv = gv == null ? term : dag.add(gv, term);
        }
        if (gv == null) return new ArrayList<>();
        return new ArrayList<>(d.reverse(gv, params));
    }

    private List<Node> reverse(Node f, List<Node> wrt) {
        if (!f.shape.isScalar()) throw new IllegalArgumentException("gradient of a non-scalar");
        // nodes reachable from f, and which of them depend on a node of wrt
        int n = f.id + 1;
        BitSet reach = new BitSet(n), needs = new BitSet(n);
        BitSet targets = new BitSet();
        for (Node w : wrt) targets.set(w.id);
        Node[] byId = new Node[n];
        for (Node x : Reach.inIdOrder(List.of(f))) {
            reach.set(x.id);
            byId[x.id] = x;
        }
        for (int id = reach.nextSetBit(0); id >= 0; id = reach.nextSetBit(id + 1)) {
            Node x = byId[id];
            boolean need = targets.get(id);
            for (int i = 0; i < x.arity() && !need; i++) need = needs.get(x.in(i).id);
            if (need) needs.set(id);
        }
        // contributions to each node's adjoint, summed once all its uses are seen (reverse id order guarantees it)
        @SuppressWarnings("unchecked") List<Node>[] parts = new List[n];
        Node[] adj = new Node[n];
        if (needs.get(f.id)) adj[f.id] = dag.constant(1);
        for (int id = f.id; id >= 0; id = reach.previousSetBit(id - 1)) {
            Node x = byId[id];
            if (parts[id] != null) {
                adj[id] = combine(parts[id], x.shape);
                parts[id] = null;
            }
            Node r = adj[id];
            if (r == null || !needs.get(id) || x.arity() == 0) continue;
            for (int i = 0; i < x.arity(); i++) {
                Node c = x.in(i);
                if (!needs.get(c.id)) continue;
                Node contribution = rule(x, i, r);
                if (contribution == null) continue;
                if (!contribution.shape.equals(c.shape)) contribution = dag.unbroadcast(contribution, c.shape);
                if (parts[c.id] == null) parts[c.id] = new ArrayList<>(2);
                parts[c.id].add(contribution);
            }
        }
        for (Node w : wrt) if (w.id < n && parts[w.id] != null) adj[w.id] = combine(parts[w.id], w.shape);
        List<Node> out = new ArrayList<>(wrt.size());
        for (Node w : wrt) {
            Node a = w.id < n ? adj[w.id] : null;
            out.add(a != null ? a : dag.filled(w.shape, 0));
        }
        return out;
    }

    /**
     * The sum of a node's adjoint contributions. Several single-element scatters into one
     * array (the uses x[0], x[1], … of a large vector) become one PACK, so k uses cost
     * O(k + size), not k arrays of the full size.
     */
    private Node combine(List<Node> contributions, Shape shape) {
        if (contributions.size() == 1) return contributions.get(0);
        List<Node> scatters = new ArrayList<>(), rest = new ArrayList<>();
        for (Node c : contributions) {
            boolean element = c.op == Op.SCATTER && c.in(0).shape.isScalar()
                    && (((Attr.Scatter) c.attr).index().part() == Attr.Index.Part.ELEMENT || ((Attr.Scatter) c.attr).index().part() == Attr.Index.Part.ELEMENT2);
            (element ? scatters : rest).add(c);
        }
        Node acc = null;
        if (scatters.size() >= 2) {
            Node[] cells = new Node[shape.size()];
            for (Node sc : scatters) {
                int at = Dag.flatPositions(((Attr.Scatter) sc.attr).index(), shape)[0];
                cells[at] = cells[at] == null ? sc.in(0) : dag.accumulate(cells[at], sc.in(0));
            }
            Node zero = dag.constant(0);
            for (int i = 0; i < cells.length; i++) if (cells[i] == null) cells[i] = zero;
            acc = dag.pack(shape, java.util.Arrays.asList(cells));
        } else rest.addAll(0, scatters);
        for (Node c : rest) acc = acc == null ? c : dag.accumulate(acc, c);
        return acc;
    }

    private Node c(double v) { return dag.constant(v); }

    private Node u(Op op, Node x) { return dag.unary(op, x); }

    private Node b(Op op, Node x, Node y) { return dag.binary(op, x, y); }

    /** The contribution of node x's adjoint r to its input i; null when it is zero. */
    private Node rule(Node x, int i, Node r) {
        Node a = x.in(0);
        return switch (x.op) {
            case NEG -> dag.neg(r);
            case ABS -> dag.mul(r, u(Op.SIGN, a));
            case SQRT -> {
                Node d = dag.div(r, dag.mul(c(2), x));
                // norm(x) = sqrt(sum(x^2)): at 0 its subgradient is 0 (as PyTorch's norm), not inf * 0 = NaN
                boolean norm = a.op == Op.SUM && a.in(0).op == Op.POW && a.in(0).in(1).isConst(2);
                yield norm ? dag.select(b(Op.EQ, x, c(0)), c(0), d) : d;
            }
            case EXP -> dag.mul(r, x);
            case LOG -> dag.div(r, a);
            case LOG1P -> dag.div(r, dag.add(c(1), a));
            case EXPM1 -> dag.mul(r, dag.add(x, c(1)));
            case SIN -> dag.mul(r, u(Op.COS, a));
            case COS -> dag.neg(dag.mul(r, u(Op.SIN, a)));
            case TAN -> dag.mul(r, dag.add(c(1), dag.pow(x, c(2))));
            case ASIN -> dag.div(r, u(Op.SQRT, dag.sub(c(1), dag.pow(a, c(2)))));
            case ACOS -> dag.neg(dag.div(r, u(Op.SQRT, dag.sub(c(1), dag.pow(a, c(2))))));
            case ATAN -> dag.div(r, dag.add(c(1), dag.pow(a, c(2))));
            case SINH -> dag.mul(r, u(Op.COSH, a));
            case COSH -> dag.mul(r, u(Op.SINH, a));
            case TANH -> dag.mul(r, dag.sub(c(1), dag.pow(x, c(2))));
            case SIGMOID -> dag.mul(r, dag.mul(x, dag.sub(c(1), x)));
            case RELU -> dag.mul(r, b(Op.GT, a, c(0)));
            case SOFTPLUS -> dag.mul(r, u(Op.SIGMOID, a));
            case SIGN, FLOOR, CEIL, ROUND, NOT, LT, LE, GT, GE, EQ, NE, AND, OR, ONEHOT -> null;

            case ADD -> r;
            case SUB -> i == 0 ? r : dag.neg(r);
            case MUL -> dag.mul(r, x.in(1 - i));
            case DIV -> i == 0 ? dag.div(r, x.in(1)) : dag.neg(dag.div(dag.mul(r, x), x.in(1)));
            case POW -> {
                Node e = x.in(1);
                if (i == 0) yield dag.mul(r, dag.mul(e, dag.pow(a, dag.sub(e, c(1)))));
                yield dag.mul(r, dag.mul(x, u(Op.LOG, a)));
            }
            case MIN, MAX -> {
                Node self = x.in(i), other = x.in(1 - i);
                Op wins = x.op == Op.MAX ? Op.GT : Op.LT;
                Node mask = dag.add(b(wins, self, other), dag.mul(c(0.5), b(Op.EQ, self, other)));
                yield dag.mul(r, mask);
            }
            case ATAN2 -> {
                Node y = x.in(0), xx = x.in(1);
                Node den = dag.add(dag.pow(xx, c(2)), dag.pow(y, c(2)));
                yield i == 0 ? dag.div(dag.mul(r, xx), den) : dag.neg(dag.div(dag.mul(r, y), den));
            }
            case SELECT -> i == 0 ? null : i == 1 ? dag.select(a, r, c(0)) : dag.select(a, c(0), r);
            case CLIP -> { // min(max(x, lo), hi): when lo > hi the value is hi, whatever x and lo are
                Node lo = x.in(1), hi = x.in(2);
                yield switch (i) {
                    case 0 -> dag.mul(r, dag.mul(b(Op.GE, a, lo), b(Op.LE, a, hi)));
                    case 1 -> dag.mul(r, dag.mul(b(Op.LT, a, lo), b(Op.LE, lo, hi)));
                    default -> dag.mul(r, b(Op.GT, b(Op.MAX, a, lo), hi));
                };
            }

            case SUM -> dag.broadcast(r, a.shape, false);
            case SUM_AXIS -> dag.broadcast(r, a.shape, axis(x) == 1);
            case MAX_ALL, MIN_ALL -> {
                Node mask = b(Op.EQ, a, x);
                yield dag.div(dag.mul(r, mask), dag.sum(mask));
            }
            case MAX_AXIS, MIN_AXIS -> {
                boolean rows = axis(x) == 1;
                Node mask = b(Op.EQ, a, dag.broadcast(x, a.shape, rows));
                Node count = dag.reduceAxis(Op.SUM_AXIS, mask, axis(x));
                yield dag.div(dag.mul(dag.broadcast(r, a.shape, rows), mask), dag.broadcast(count, a.shape, rows));
            }
            case LSE -> dag.mul(r, u(Op.EXP, dag.sub(a, x)));
            case LSE_AXIS -> {
                boolean rows = axis(x) == 1;
                yield dag.mul(dag.broadcast(r, a.shape, rows), u(Op.EXP, dag.sub(a, dag.broadcast(x, a.shape, rows))));
            }

            case INDEX -> dag.scatter(r, (Attr.Index) x.attr, a.shape);
            case PACK -> {
                Shape s = x.shape;
                yield dag.index(r, s.isVector() ? Attr.Index.element(i) : Attr.Index.element(i / s.cols(), i % s.cols()));
            }
            case SCATTER -> dag.index(r, ((Attr.Scatter) x.attr).index());
            case BCAST -> dag.unbroadcastFrom(r, a.shape, ((Attr.Broadcast) x.attr).columns());

            case MATMUL -> matmul(x, i, r);
            case TRANSPOSE -> dag.transpose(r);
            case DIAG, DIAG_EXTRACT -> dag.diag(r);
            case OUTER -> i == 0 ? dag.matmul(r, x.in(1)) : dag.matmul(dag.transpose(r), a);
            case SOLVE -> {
                Node rhs = dag.solve(dag.transpose(a), r);
                if (i == 1) yield rhs;
                yield dag.neg(x.shape.isVector() ? dag.outer(rhs, x) : dag.matmul(rhs, dag.transpose(x)));
            }
            case STACK -> dag.index(r, Attr.Index.column(i));

            case CONST, PARAM, DATA, INPUT, RANDOM -> null;
        };
    }

    private Node matmul(Node x, int i, Node r) {
        Node a = x.in(0), bb = x.in(1);
        if (a.shape.isMatrix() && bb.shape.isMatrix())
            return i == 0 ? dag.matmul(r, dag.transpose(bb)) : dag.matmul(dag.transpose(a), r);
        if (a.shape.isMatrix()) // [m,k] @ [k] -> [m]
            return i == 0 ? dag.outer(r, bb) : dag.matmul(dag.transpose(a), r);
        // [k] @ [k,n] -> [n]
        return i == 0 ? dag.matmul(bb, r) : dag.outer(a, r);
    }

    private static int axis(Node x) { return ((Attr.Axis) x.attr).axis(); }
}
