package dev.descent.engine;

/** A DAG's outputs, planned once by an engine and evaluated many times. */
public interface Program {
    /** Evaluates with leaf values from env; returns the outputs' values (the caller may keep them). */
    double[][] run(Env env);
}
