package dev.descent.engine;

import dev.descent.ir.Node;
import java.util.List;

/**
 * A DAG's outputs, planned once by an engine and evaluated many times.
 *
 * <p>Two ways to run one:
 * <ul>
 *   <li><b>Resident</b> (what the optimization loop uses): {@link #bind} each leaf once to a
 *       {@link Buffer} range, {@link #bindOutput} each array output to where it is to be
 *       written, then {@link #run()} as often as needed. A run reads and writes those buffers
 *       in the program's precision, allocates nothing and converts nothing but the values that
 *       the host evaluates in float64 (scalars, and nodes the loop does not cover). Rebinding
 *       between runs is cheap (swapping the buffers of θ and its update is two binds). A scalar
 *       output is read with {@link #scalar}.</li>
 *   <li><b>From an {@link Env}</b>: {@link #run(Env)} and {@link #execute(Env)} take float64 leaf
 *       values from the environment at every run and hand back float64 outputs (converting in
 *       float32): for one-off evaluations and tests.</li>
 * </ul>
 * A program is used one way or the other, by one thread at a time.
 */
public interface Program {
    /** Evaluates with leaf values from env; returns the outputs' values (the caller may keep them). */
    double[][] run(Env env);

    /**
     * Evaluates without allocating: read the results with {@link #output}. They are the
     * program's own buffers (or leaf arrays), valid until the next run, not to be written.
     */
    void execute(Env env);

    double[] output(int i);

    // ------------------------------------------------------------------ resident runs

    /** The precision its loops compute in (array leaves and outputs bound to it must be of this precision). */
    Precision precision();

    /** The leaves (PARAM, DATA, INPUT, RANDOM) a run reads: each must be bound before {@link #run()}. */
    List<Node> leaves();

    /** The outputs, in the order they were given. */
    List<Node> outputs();

    /**
     * Leaf {@code leaf}'s value is {@code values[offset, offset + leaf.shape.size())}, for every
     * run from now on, until bound again. A program only reads it. A scalar or a value only the
     * host reads may be in either precision (float64 cells such as {@code t} are read in place);
     * an array the loop streams must be in the program's precision.
     */
    void bind(Node leaf, Buffer values, int offset);

    /**
     * Output {@code output} is written to {@code into[offset, offset + size)} by every run from
     * now on. An array the loop writes must be in the program's precision; others are converted.
     */
    void bindOutput(int output, Buffer into, int offset);

    /** Evaluates over the bound buffers. */
    void run();

    /** The value of a scalar output after the last {@link #run()}. */
    double scalar(int output);

    /**
     * Whether {@code output} may be bound to the very range {@code leaf} is bound to (an update in
     * place): true when every read of the leaf comes before the output is written, so the run
     * gives what it gives with separate arrays.
     */
    boolean writesInPlace(int output, Node leaf);

    /**
     * A hint: about this many runs will follow. An engine that compiles when the work makes it
     * pay may decide at once rather than after the first runs.
     */
    default void expectRuns(long runs) {}

    /** A short description of how the program runs (for --verbose and bench). */
    default String describe() { return getClass().getSimpleName(); }
}
