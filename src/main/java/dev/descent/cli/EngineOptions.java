package dev.descent.cli;

import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** --engine, --precision, --threads: which engine evaluates the script. */
final class EngineOptions {
    enum EngineName { auto, compiled, simd, scalar }

    enum PrecisionName { f64, f32 }

    @Option(names = "--engine", paramLabel = "auto|compiled|simd|scalar",
            description = "simd: the Vector API interpreter; scalar: the plain float64 reference interpreter; compiled and auto (the default) run on the interpreter until the compiling tier lands.")
    EngineName engine = EngineName.auto;

    @Option(names = "--precision", paramLabel = "f64|f32", description = "Float width of the SIMD engine (default f64).")
    PrecisionName precision = PrecisionName.f64;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for large arrays (default: all cores).")
    Integer threads;

    Engine engine(PrintWriter err) {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) throw new Main.UsageError("--threads " + n + ": needs at least 1");
        if (engine == EngineName.scalar) {
            if (precision == PrecisionName.f32) throw new Main.UsageError("--engine scalar computes in f64 only; use --engine simd for f32");
            return Engine.SCALAR;
        }
        if (engine == EngineName.compiled)
            err.println("descent: note: the compiling tier is not built yet; running on the SIMD interpreter");
        return new Engine(Engine.Kind.SIMD, precision == PrecisionName.f32 ? Precision.F32 : Precision.F64, n);
    }
}
