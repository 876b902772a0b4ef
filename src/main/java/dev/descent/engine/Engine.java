package dev.descent.engine;

import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.ir.Node;
import java.util.List;

/**
 * Which engine evaluates a script: {@code scalar}, the plain float64 reference
 * interpreter that the others are held to; {@code simd}, the Vector API block
 * interpreter; {@code compiled}, each pass compiled first to a fused loop in a hidden
 * class; or {@code auto}, the interpreter until the work makes compiling pay. The last
 * three compute in float64 or float32, on a number of threads, and give the same bits.
 */
public record Engine(Kind kind, Precision precision, int threads) {
    public enum Kind { SCALAR, SIMD, COMPILED, AUTO }

    public static final Engine SCALAR = new Engine(Kind.SCALAR, Precision.F64, 1);

    /** The default: auto-tiering SIMD in float64 on every core. */
    public static Engine defaults() { return new Engine(Kind.AUTO, Precision.F64, Runtime.getRuntime().availableProcessors()); }

    /** Whether this is one of the Vector API engines (simd, compiled, auto). */
    public boolean vectorized() { return kind != Kind.SCALAR; }

    public Program compile(List<Node> outputs) {
        if (kind == Kind.SCALAR) return new ScalarProgram(outputs);
        SimdProgram.Tier tier = switch (kind) {
            case COMPILED -> SimdProgram.Tier.COMPILED;
            case AUTO -> SimdProgram.Tier.AUTO;
            default -> SimdProgram.Tier.INTERPRET;
        };
        return new SimdProgram(outputs, precision, threads, tier);
    }
}
