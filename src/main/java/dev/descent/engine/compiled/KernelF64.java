package dev.descent.engine.compiled;

/**
 * A pass compiled to one fused float64 loop (a hidden class made by {@link PassCompiler}).
 * Runs blocks {@code from} (inclusive) to {@code to} (exclusive) of a loop of {@code n}
 * elements in blocks of {@code block}, over the pass's streams (stream s from element {@code offs[s]} of its array) and scalar table, leaving
 * reduction partial p of block k in {@code part[p * blocks + k]}: the contract of the
 * interpreter's {@code KernelsF64.run}, without its registers.
 */
public interface KernelF64 {
    void run(double[][] streams, int[] offs, double[] scal, double[] part, int blocks, int n, int block, int from, int to);
}
