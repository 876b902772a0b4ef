package dev.descent.engine;

/** A DAG's outputs, planned once by an engine and evaluated many times. */
public interface Program {
    /** Evaluates with leaf values from env; returns the outputs' values (the caller may keep them). */
    double[][] run(Env env);

    /**
     * Evaluates without allocating: read the results with {@link #output}. They are the
     * program's own buffers (or leaf arrays), valid until the next run, not to be written.
     */
    void execute(Env env);

    double[] output(int i);
}
