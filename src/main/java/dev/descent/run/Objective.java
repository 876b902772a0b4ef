package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A script's objective, ready to evaluate: its value, its symbolic gradient and, on request, its
 * Hessian, computed by one engine program that shares their common subexpressions.
 *
 * <p>Resident use (the optimization loop): {@link #theta} binds each parameter to its range of a
 * θ buffer, {@link #gradient(Buffer)} writes each parameter's gradient into its range of a g
 * buffer (no slices, no concatenation), {@link #rows} binds the data, and {@link #run} evaluates.
 * One-off use ({@code eval}, the Java API): {@link #evaluate(double[])}.
 */
public final class Objective implements Evaluation {
    private final Script script;
    private final List<Node> gradient;
    private final List<List<Node>> hessian;
    private final ScriptProgram prog;
    private final Engine engine;
    private final int n, gradNormOutput;
    private java.util.random.RandomGenerator rng;
    // one-off evaluations: their own buffers
    private Buffer theta, g, h;
    private Map<String, Buffer> converted;

    public Objective(Script script, boolean withHessian) { this(script, withHessian, Engine.SCALAR); }

    public Objective(Script script, boolean withHessian, Engine engine) { this(script, true, withHessian, engine, 1, false); }

    /**
     * The objective's value alone, without its gradient: for losses that are only reported
     * (validation, the final report), which then cost a forward pass and no backward one.
     * {@link #evaluate} returns a null gradient.
     */
    public static Objective valueOnly(Script script, Engine engine) { return new Objective(script, false, false, engine, 1, false); }

    /**
     * @param sign the gradient and Hessian are of sign × the objective (−1 for an optimizer that
     *     maximizes by minimizing −F); the value is the objective as written
     * @param gradNorm also compute the squared norm of the (signed) gradient ({@link #gradNormSquared})
     */
    Objective(Script script, boolean withGradient, boolean withHessian, Engine engine, double sign, boolean gradNorm) {
        if (script.objective == null) throw new IllegalArgumentException("the script has no objective");
        this.script = script;
        this.engine = engine;
        this.n = script.dimension();
        Dag dag = script.dag;
        List<Node> params = new ArrayList<>();
        for (Script.Param p : script.params) params.add(p.node());
        this.gradient = withGradient ? signed(dag, Derivatives.gradient(dag, script.objective, params), sign) : null;
        if (withHessian) {
            List<List<Node>> rows = new ArrayList<>();
            for (List<Node> row : Derivatives.hessian(dag, script.objective, params)) rows.add(signed(dag, row, sign));
            this.hessian = rows;
        } else this.hessian = null;
        List<Node> outputs = new ArrayList<>();
        outputs.add(script.objective);
        if (gradient != null) outputs.addAll(gradient);
        if (hessian != null) for (List<Node> row : hessian) outputs.addAll(row);
        gradNormOutput = gradNorm && gradient != null ? outputs.size() : -1;
        if (gradNormOutput >= 0) {
            Node s = null;
            for (Node gk : gradient) {
                Node sq = dag.sum(dag.mul(gk, gk));
                s = s == null ? sq : dag.add(s, sq);
            }
            outputs.add(s);
        }
        this.prog = new ScriptProgram(engine, outputs);
    }

    private static List<Node> signed(Dag dag, List<Node> nodes, double sign) {
        if (sign > 0) return nodes;
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node x : nodes) out.add(dag.neg(x));
        return out;
    }

    /** Where dropout masks come from, when the objective was checked for training. */
    @Override public void random(java.util.random.RandomGenerator rng) { this.rng = rng; }

    /** The gradient's nodes, one per parameter, shaped like it (null for {@link #valueOnly}). */
    public List<Node> gradientNodes() { return gradient; }

    /** The Hessian's nodes ({@code [k][j]}: row k of θ, block of param j), or null. */
    public List<List<Node>> hessianNodes() { return hessian; }

    // ------------------------------------------------------------------ resident

    /** Reads the parameters from their ranges of {@code theta} (of the engine's precision). */
    @Override public void theta(Buffer theta) { prog.theta(theta); }

    /** Writes each parameter's gradient into its range of {@code g}. */
    @Override public void gradient(Buffer g) {
        for (int k = 0; k < script.params.size(); k++) prog.program.bindOutput(1 + k, g, script.params.get(k).offset());
    }

    /** Writes the Hessian, row-major n × n, into {@code h}. */
    @Override public void hessian(Buffer h) {
        int k = 1 + script.params.size();
        for (int row = 0; row < n; row++)
            for (Script.Param p : script.params) prog.program.bindOutput(k++, h, row * n + p.offset());
    }

    /** Reads the data from these rows. */
    @Override public void rows(Rows rows) { prog.rows(rows); }

    /** Evaluates; returns the objective's value (the gradient and Hessian are in their buffers). */
    @Override public double run() {
        prog.run(rng);
        return prog.program.scalar(0);
    }

    /** The squared norm of the gradient of the last run (when asked for at construction). */
    @Override public double gradNormSquared() { return gradNormOutput < 0 ? Double.NaN : prog.program.scalar(gradNormOutput); }

    /** A hint for the engine: about this many evaluations will follow. */
    @Override public void expectRuns(long runs) { prog.program.expectRuns(runs); }

    /** The engine program. */
    dev.descent.engine.Program program() { return prog.program; }

    /** How the program runs (for --verbose). */
    String describe() { return prog.program.describe(); }

    // ------------------------------------------------------------------ one-off

    /** Value, flat gradient (null for {@link #valueOnly}), and (if requested) the Hessian as rows. */
    public record Result(double value, double[] gradient, double[][] hessian) {}

    /** Evaluates at θ (float64, the layout of {@link Script#params}) on the script's own data. */
    public Result evaluate(double[] theta) {
        if (theta.length != n) throw new IllegalArgumentException("θ has " + theta.length + " elements, not " + n);
        Precision p = engine.precision();
        if (converted == null) {
            this.theta = p == Precision.F64 ? null : Buffer.allocate(p, n);
            if (gradient != null && p != Precision.F64) gradient(g = Buffer.allocate(p, n));
            if (hessian != null) hessian(h = Buffer.allocate(Precision.F64, n * n));
            converted = Rows.cache();
            rows(Rows.all(script, p, converted));
        }
        if (gradient != null && p == Precision.F64) gradient(g = Buffer.allocate(p, n)); // written in place, handed back as it is
        Buffer t = this.theta;
        if (p == Precision.F64) t = Buffer.of(theta); // read in place
        else t.write(0, theta, 0, n);
        theta(t);
        double value = run();
        double[][] hr = null;
        if (hessian != null) {
            hr = new double[n][n];
            for (int row = 0; row < n; row++) h.read(row * n, hr[row], 0, n);
        }
        double[] gr = g == null ? null : g instanceof Buffer.F64 d ? d.a : g.toDoubles();
        return new Result(value, gr, hr);
    }
}
