package dev.descent.engine.compiled;

/** The float32 twin of {@link KernelF64}: float streams and scalars, float64 partials. */
public interface KernelF32 {
    void run(float[][] streams, int[] offs, float[] scal, double[] part, int blocks, int n, int block, int from, int to);
}
