package dev.descent.run;

import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Engine;
import dev.descent.engine.Env;
import dev.descent.engine.Program;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a script's objective (and optionally its gradient) at many points at once:
 * the objective's and gradient's DAG batched over the points by {@link PointBatch}, then
 * compiled by one engine, so the engine's loops run over the points (over chunks of them,
 * when all at once would hold more than {@link #BUDGET} array elements). Where the batched DAG
 * would need an array of rank 3 (a varying matrix), the points are evaluated one by one
 * with an {@link Objective} on the same engine instead.
 */
public final class PointEval {
    private PointEval() {}

    /**
     * Values ({@code [P]}), gradients ({@code [P][n]}, null when not asked for), and, when the
     * points were evaluated one by one, why (null when they were batched).
     */
    public record Result(double[] values, double[][] gradients, String fallback) {
        public boolean batched() { return fallback == null; }
    }

    /**
     * Evaluates at {@code points} points: θ element k at point p is {@code columns[k][p]}, or
     * {@code base[k]} for every point where {@code columns[k]} is null.
     */
    public static Result evaluate(Script s, double[] base, double[][] columns, int points, boolean gradient, Engine engine) {
        return evaluate(s, base, columns, points, gradient, engine, false);
    }

    /** As above; with {@code pointByPoint}, skips batching (the reference the batched result is tested against). */
    public static Result evaluate(Script s, double[] base, double[][] columns, int points, boolean gradient, Engine engine,
                                  boolean pointByPoint) {
        if (s.objective == null) throw new IllegalArgumentException("the script has no objective");
        int n = s.dimension();
        if (base.length != n || columns.length != n) throw new IllegalArgumentException("θ has " + n + " elements");
        for (double[] c : columns) if (c != null && c.length < points) throw new IllegalArgumentException("a column is shorter than the points");
        if (points == 0) return new Result(new double[0], gradient ? new double[0][] : null, null);
        if (!pointByPoint) {
            try {
                return batched(s, base, columns, points, gradient, engine);
            } catch (PointBatch.Unsupported e) {
                return oneByOne(s, base, columns, points, gradient, engine, e.getMessage());
            }
        }
        return oneByOne(s, base, columns, points, gradient, engine, "asked for");
    }

    private static boolean varies(Script.Param p, double[][] columns) {
        for (int i = 0; i < p.shape().size(); i++) if (columns[p.offset() + i] != null) return true;
        return false;
    }

    /**
     * The most array elements the batched DAG's nodes may hold together. Where every point needs
     * more than a few (a model evaluated on the rows of a data set: a vector over the rows per
     * point), the points are evaluated in chunks of as many points as fit, each chunk batched.
     */
    static final long BUDGET = Long.getLong("descent.points.budget", 1L << 25);
    /** The smallest chunk, and the trial batch that measures elements per point. */
    static final int MIN_CHUNK = 256;

    private static Result batched(Script s, double[] base, double[][] columns, int points, boolean gradient, Engine engine) {
        List<Node> params = new ArrayList<>();
        for (Script.Param p : s.params) {
            params.add(p.node());
            if (varies(p, columns) && p.shape().isMatrix())
                throw new PointBatch.Unsupported("parameter " + p.name() + " is a matrix " + p.shape() + " that varies with the point");
        }
        List<Node> outputs = new ArrayList<>();
        outputs.add(s.objective);
        if (gradient) outputs.addAll(Derivatives.gradient(s.dag, s.objective, params));

        // elements per point, measured on a trial batch
        int trial = Math.min(points, MIN_CHUNK);
        PointBatch.Result t = PointBatch.batch(s.dag, outputs, leaves(s, columns, trial), trial);
        long elements = 0;
        for (Node x : dev.descent.ir.Reach.inIdOrder(t.outputs())) if (x.op != Op.CONST && x.arity() > 0) elements += x.shape.size();
        long perPoint = Math.max(1, (elements + trial - 1) / trial);
        int chunk = (int) Math.max(Math.min(points, MIN_CHUNK), Math.min(points, BUDGET / perPoint));

        double[] value = new double[points];
        double[][] grads = gradient ? new double[points][s.dimension()] : null;
        Program program = null;
        PointBatch.Result b = null;
        int programSize = -1;
        for (int from = 0; from < points; from += chunk) {
            int m = Math.min(chunk, points - from);
            Map<Node, Node> leaves = leaves(s, columns, m);
            if (m != programSize) {
                b = m == trial ? t : PointBatch.batch(s.dag, outputs, leaves, m);
                program = engine.compile(b.outputs());
                programSize = m;
            }
            Map<Node, double[]> values = new IdentityHashMap<>();
            for (Script.Param p : s.params) {
                if (!varies(p, columns)) continue;
                int k = p.shape().size();
                double[] v = new double[m * k];
                for (int i = 0; i < k; i++) {
                    double[] col = columns[p.offset() + i];
                    double c = base[p.offset() + i];
                    for (int q = 0; q < m; q++) v[q * k + i] = col != null ? col[from + q] : c;
                }
                values.put(leaves.get(p.node()), v);
            }
            double[][] out = program.run(env(s, base, values));
            for (int q = 0; q < m; q++) value[from + q] = out[0][b.batched()[0] ? q : 0];
            if (gradient) {
                for (int j = 0; j < s.params.size(); j++) {
                    Script.Param p = s.params.get(j);
                    int k = p.shape().size();
                    boolean per = b.batched()[1 + j];
                    for (int q = 0; q < m; q++) System.arraycopy(out[1 + j], per ? q * k : 0, grads[from + q], p.offset(), k);
                }
            }
        }
        return new Result(value, grads, null);
    }

    /** Each parameter that varies with the point, mapped to its batched leaf for m points. */
    private static Map<Node, Node> leaves(Script s, double[][] columns, int m) {
        Map<Node, Node> leaves = new IdentityHashMap<>();
        for (Script.Param p : s.params)
            if (varies(p, columns)) leaves.put(p.node(), s.dag.input("points:" + p.name(), PointBatch.batchedShape(p.shape(), m)));
        return leaves;
    }

    private static Env env(Script s, double[] base, Map<Node, double[]> values) {
        return leaf -> {
            double[] v = values.get(leaf);
            if (v != null) return v;
            if (leaf.op == Op.PARAM) {
                Attr.Param p = (Attr.Param) leaf.attr;
                return p.slice(base);
            }
            if (leaf.op == Op.DATA) {
                Attr.Column c = (Attr.Column) leaf.attr;
                DataSet d = s.data.get(c.data());
                return d.columns().get(c.column());
            }
            throw new IllegalStateException("no value for " + leaf.op + " " + leaf.attr + " when evaluating at points");
        };
    }

    private static Result oneByOne(Script s, double[] base, double[][] columns, int points, boolean gradient, Engine engine, String why) {
        Objective obj = new Objective(s, false, engine);
        int n = s.dimension();
        double[] values = new double[points];
        double[][] grads = gradient ? new double[points][] : null;
        double[] theta = new double[n];
        for (int q = 0; q < points; q++) {
            for (int k = 0; k < n; k++) theta[k] = columns[k] != null ? columns[k][q] : base[k];
            Objective.Result r = obj.evaluate(theta);
            values[q] = r.value();
            if (gradient) grads[q] = r.gradient();
        }
        return new Result(values, grads, why);
    }
}
