package dev.descent.engine;

import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.ir.Node;
import java.util.List;

/**
 * Which engine evaluates a script: {@code scalar}, the plain float64 reference
 * interpreter that the others are held to, or {@code simd}, the Vector API block
 * interpreter, in float64 or float32, on a number of threads.
 */
public record Engine(Kind kind, Precision precision, int threads) {
    public enum Kind { SCALAR, SIMD }

    public static final Engine SCALAR = new Engine(Kind.SCALAR, Precision.F64, 1);

    /** The default: the SIMD interpreter in float64 on every core. */
    public static Engine defaults() { return new Engine(Kind.SIMD, Precision.F64, Runtime.getRuntime().availableProcessors()); }

    public Program compile(List<Node> outputs) {
        if (kind == Kind.SCALAR) return new ScalarProgram(outputs);
        return new SimdProgram(outputs, precision, threads);
    }
}
