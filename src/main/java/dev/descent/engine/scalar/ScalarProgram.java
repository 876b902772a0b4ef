package dev.descent.engine.scalar;

import dev.descent.engine.Buffer;
import dev.descent.engine.Env;
import dev.descent.engine.Precision;
import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The reference engine: evaluates a DAG in float64, one node at a time, exactly as the
 * language defines it, node by node through {@link NodeEval}. It is the specification the other engines are held to, so it is
 * written to be obviously right: every elementwise operation goes through
 * {@link dev.descent.ir.ScalarMath} (which is also what the Dag folds constants with, so a folded
 * constant and an evaluated one agree bit for bit), and every reduction adds its terms
 * in one documented order.
 *
 * <p>The constructor plans once: the nodes reachable from the outputs, in id order (a
 * node's inputs have smaller ids, so that is a topological order), each with its own
 * preallocated buffer (and the scratch space SOLVE and LSE_AXIS need). {@link #run}
 * then evaluates each of them once, into those buffers, reading the leaves' values from
 * the {@link Env} (never writing them). Nothing numeric throws: NaN and ±∞ flow through
 * as IEEE 754 says.
 *
 * <p>Orders of summation, which the other engines must reproduce or approximate:
 * <ul>
 *   <li>SUM, and each row (axis 1) or column (axis 0) of SUM_AXIS: from 0.0, adding the
 *       elements left to right (row-major order; top to bottom within a column).</li>
 *   <li>MATMUL: each output element from 0.0, adding {@code a[i,p] * b[p,j]} for p
 *       ascending (no fused multiply-add).</li>
 *   <li>LSE: {@code m = max}; if m is not finite the result is m; else
 *       {@code m + log(sum of exp(x - m))}, summed as SUM.</li>
 *   <li>MAX/MIN: {@link Math#max}/{@link Math#min} from −∞/+∞, so NaN propagates and
 *       an empty reduction gives −∞/+∞.</li>
 *   <li>SOLVE: LU with partial pivoting (the first row of largest |pivot|), forward and
 *       back substitution; a singular matrix gives non-finite values.</li>
 * </ul>
 *
 * <p>Not thread-safe: one program, one run at a time.
 */
public final class ScalarProgram implements dev.descent.engine.Program {
    /** The reachable nodes in id order, each with what evaluating it needs. */
    private final Step[] steps;
    /** The current value of each step: its own buffer, a constant's values, or a leaf's array from the Env. */
    private final double[][] values;
    /** The step of each output, in the order the outputs were given. */
    private final int[] outputSlots;
    private final List<Node> outputs, leaves;
    /** Resident runs: each leaf's slot, bound buffer and offset (a copy when it is a view), each output's buffer. */
    private final IdentityHashMap<Node, Integer> leafSlot = new IdentityHashMap<>();
    private final Buffer[] leafBuf;
    private final int[] leafOff;
    private final double[][] leafCopy;
    private final Buffer[] outBuf;
    private final int[] outOff;

    /** Plans the evaluation of {@code outputs} (nodes of one Dag). */
    public ScalarProgram(List<Node> outputs) {
        List<Node> order = Reach.inIdOrder(outputs);
        IdentityHashMap<Node, Integer> slot = new IdentityHashMap<>();
        for (int s = 0; s < order.size(); s++) slot.put(order.get(s), s);
        steps = new Step[order.size()];
        values = new double[order.size()][];
        for (int s = 0; s < steps.length; s++) {
            Node n = order.get(s);
            int[] in = new int[n.arity()];
            for (int k = 0; k < in.length; k++) in[k] = slot.get(n.in(k));
            steps[s] = new Step(n, in);
            values[s] = steps[s].out;
        }
        outputSlots = new int[outputs.size()];
        for (int i = 0; i < outputSlots.length; i++) outputSlots[i] = slot.get(outputs.get(i));
        this.outputs = List.copyOf(outputs);
        List<Node> ls = new ArrayList<>();
        for (int s = 0; s < steps.length; s++)
            if (steps[s].isLeaf()) {
                leafSlot.put(steps[s].node, ls.size());
                ls.add(steps[s].node);
            }
        this.leaves = List.copyOf(ls);
        leafBuf = new Buffer[ls.size()];
        leafOff = new int[ls.size()];
        leafCopy = new double[ls.size()][];
        outBuf = new Buffer[outputs.size()];
        outOff = new int[outputs.size()];
    }

    // ------------------------------------------------------------------ resident runs

    @Override public Precision precision() { return Precision.F64; }

    @Override public List<Node> leaves() { return leaves; }

    @Override public List<Node> outputs() { return outputs; }

    @Override public void bind(Node leaf, Buffer values, int offset) {
        Integer i = leafSlot.get(leaf);
        if (i == null) throw new IllegalArgumentException("the program does not read " + leaf.op + " " + leaf.attr);
        int size = leaf.shape.size();
        values.checkRange(leaf.op + " " + leaf.attr, size, offset);
        leafBuf[i] = values;
        leafOff[i] = offset;
        if (!(values instanceof Buffer.F64 d && offset == 0 && d.a.length == size) && leafCopy[i] == null) leafCopy[i] = new double[size];
    }

    @Override public void bindOutput(int output, Buffer into, int offset) {
        int size = outputs.get(output).shape.size();
        into.checkRange("output " + output, size, offset);
        outBuf[output] = into;
        outOff[output] = offset;
    }

    /** Evaluates every node over the bound leaves (views are copied in), then copies the outputs into their buffers. */
    @Override public void run() {
        int leaf = 0;
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (!st.isLeaf()) {
                evaluate(st);
                continue;
            }
            Buffer b = leafBuf[leaf];
            if (b == null) throw new IllegalStateException("no buffer bound to " + st.node.op + " " + st.node.attr);
            double[] copy = leafCopy[leaf];
            if (copy == null) values[s] = ((Buffer.F64) b).a;
            else {
                b.read(leafOff[leaf], copy, 0, copy.length);
                values[s] = copy;
            }
            leaf++;
        }
        for (int i = 0; i < outBuf.length; i++) {
            double[] v = values[outputSlots[i]];
            if (outBuf[i] != null) outBuf[i].write(outOff[i], v, 0, v.length);
        }
    }

    @Override public double scalar(int output) {
        if (!outputs.get(output).shape.isScalar()) throw new IllegalArgumentException("output " + output + " is not a scalar");
        return values[outputSlots[output]][0];
    }

    /** Outputs are copied out after every node is evaluated, so only an output that is the leaf itself would read it overwritten. */
    @Override public boolean writesInPlace(int output, Node leaf) {
        for (int o = 0; o < outputs.size(); o++) if (o != output && outputs.get(o) == leaf) return false;
        return true;
    }

    /** Number of nodes evaluated per run (the distinct nodes reachable from the outputs). */
    public int nodeCount() { return steps.length; }

    /** Evaluates the program; returns each output's value as a fresh array the caller may keep. */
    public double[][] run(Env env) {
        execute(env);
        double[][] result = new double[outputSlots.length][];
        for (int i = 0; i < result.length; i++) result[i] = values[outputSlots[i]].clone();
        return result;
    }

    /**
     * Evaluates the program without copying the outputs: read them with {@link #output}.
     * For drivers that run thousands of steps and want no allocation per step.
     */
    public void execute(Env env) {
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (st.isLeaf()) values[s] = leafValue(st.node, env);
            else evaluate(st);
        }
    }

    /**
     * Output i's value from the last {@link #execute} or {@link #run}: the program's own
     * buffer (or a leaf's array), valid until the next run, not to be written.
     */
    public double[] output(int i) { return values[outputSlots[i]]; }

    // ------------------------------------------------------------------ planning


    /** One node of the plan: its {@link NodeEval.Prep}, its input slots and the array of its inputs' values. */
    private static final class Step {
        final Node node;
        final NodeEval.Prep prep;
        /** Slots of the inputs. */
        final int[] in;
        /** The inputs' values at the current run, filled before each evaluation. */
        final double[][] inputs;
        /** The node's buffer; a CONST's own values (never written); null for a leaf, whose value comes from the Env or a binding. */
        final double[] out;

        Step(Node node, int[] in) {
            this.node = node;
            this.prep = new NodeEval.Prep(node);
            this.in = in;
            this.inputs = new double[in.length][];
            this.out = prep.out;
        }

        boolean isLeaf() { return out == null; }
    }

    private static double[] leafValue(Node leaf, Env env) {
        double[] v = env.value(leaf);
        if (v == null || v.length != leaf.shape.size())
            throw new IllegalArgumentException("the value of " + leaf.op + " " + leaf.attr + " (" + leaf.shape + ") has "
                    + (v == null ? "no array" : v.length + " elements"));
        return v;
    }

    // ---------------------------------------------------------------- evaluation

    private void evaluate(Step st) {
        for (int k = 0; k < st.in.length; k++) st.inputs[k] = values[st.in[k]];
        NodeEval.eval(st.prep, st.inputs);
    }
}
