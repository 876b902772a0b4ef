package dev.descent.run;

import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Env;
import dev.descent.engine.Engine;
import dev.descent.engine.Program;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * A script's objective, ready to evaluate on a flat parameter vector θ: its value,
 * its symbolic gradient and, on request, its Hessian, all computed by one engine
 * program that shares their common subexpressions.
 */
public final class Objective {
    private final Script script;
    private final List<Node> gradient;
    private final List<List<Node>> hessian;
    private final Program program;
    private final int n;
    /** One buffer per parameter, θ's slice for it, reused from call to call. */
    private final double[][] slices;
    private java.util.SplittableRandom rng;

    public Objective(Script script, boolean withHessian) { this(script, withHessian, Engine.SCALAR); }

    public Objective(Script script, boolean withHessian, Engine engine) { this(script, true, withHessian, engine); }

    /**
     * The objective's value alone, without its gradient: for losses that are only reported
     * (validation, the final report), which then cost a forward pass and no backward one.
     * {@link #evaluate} returns a null gradient.
     */
    public static Objective valueOnly(Script script, Engine engine) { return new Objective(script, false, false, engine); }

    private Objective(Script script, boolean withGradient, boolean withHessian, Engine engine) {
        if (script.objective == null) throw new IllegalArgumentException("the script has no objective");
        this.script = script;
        this.n = script.dimension();
        this.slices = new double[script.params.size()][];
        List<Node> params = new ArrayList<>();
        for (Script.Param p : script.params) params.add(p.node());
        this.gradient = withGradient ? Derivatives.gradient(script.dag, script.objective, params) : null;
        this.hessian = withHessian ? Derivatives.hessian(script.dag, script.objective, params) : null;
        List<Node> outputs = new ArrayList<>();
        outputs.add(script.objective);
        if (gradient != null) outputs.addAll(gradient);
        if (hessian != null) for (List<Node> row : hessian) outputs.addAll(row);
        this.program = engine.compile(outputs);
    }

    /** Where dropout masks come from, when the objective was checked for training. */
    public void random(java.util.SplittableRandom rng) { this.rng = rng; }

    /** A dropout mask: each element kept with probability 1 - rate, and then scaled by 1/(1 - rate). */
    public static double[] mask(Attr.Random r, int size, java.util.SplittableRandom rng) {
        double[] m = new double[size];
        double keep = 1 / (1 - r.rate());
        for (int i = 0; i < size; i++) m[i] = rng.nextDouble() < r.rate() ? 0 : keep;
        return m;
    }

    /** The gradient's nodes, one per parameter, shaped like it (null for {@link #valueOnly}). */
    public List<Node> gradientNodes() { return gradient; }

    /** The Hessian's nodes ({@code [k][j]}: row k of θ, block of param j), or null. */
    public List<List<Node>> hessianNodes() { return hessian; }

    /** Value, flat gradient (null for {@link #valueOnly}), and (if requested) the Hessian as rows. */
    public record Result(double value, double[] gradient, double[][] hessian) {}

    /** Where the values of data columns come from: the script's tables, or the rows of a batch. */
    public interface Rows { double[] column(String data, String column); }

    public Result evaluate(double[] theta) { return evaluate(theta, null); }

    /** Evaluates at θ with data columns from {@code rows} (null: the script's own tables). */
    public Result evaluate(double[] theta, Rows rows) {
        if (theta.length != n) throw new IllegalArgumentException("θ has " + theta.length + " elements, not " + n);
        program.execute(env(theta, rows));
        double[] g = null;
        int k = 1;
        if (gradient != null) {
            g = new double[n];
            for (Script.Param p : script.params) System.arraycopy(program.output(k++), 0, g, p.offset(), p.shape().size());
        }
        double[][] h = null;
        if (hessian != null) {
            h = new double[n][n];
            for (int row = 0; row < n; row++) {
                for (Script.Param p : script.params) System.arraycopy(program.output(k++), 0, h[row], p.offset(), p.shape().size());
            }
        }
        return new Result(program.output(0)[0], g, h);
    }

    private Env env(double[] theta, Rows rows) {
        return leaf -> {
            if (leaf.op == Op.PARAM) {
                Attr.Param p = (Attr.Param) leaf.attr;
                if (p.offset() == 0 && p.shape().size() == n) return theta; // the only parameter: θ itself
                double[] v = slices[p.index()];
                if (v == null) v = slices[p.index()] = new double[p.shape().size()];
                System.arraycopy(theta, p.offset(), v, 0, v.length);
                return v;
            }
            if (leaf.op == Op.DATA) {
                Attr.Column c = (Attr.Column) leaf.attr;
                if (rows != null) return rows.column(c.data(), c.column());
                DataSet d = script.data.get(c.data());
                return d.columns().get(c.column());
            }
            if (leaf.op == Op.RANDOM && rng != null) return mask((Attr.Random) leaf.attr, leaf.shape.size(), rng);
            throw new IllegalStateException("no value for " + leaf.op + " " + leaf.attr + " when evaluating an objective");
        };
    }
}
