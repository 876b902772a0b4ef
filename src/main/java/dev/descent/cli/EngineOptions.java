package dev.descent.cli;

import dev.descent.engine.Engine;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** --engine, --precision, --threads, --verbose: which engine evaluates the script. */
final class EngineOptions {
    enum EngineName { auto, compiled, simd, scalar }

    enum PrecisionName { f64, f32 }

    @Option(names = "--engine", paramLabel = "auto|compiled|simd|scalar",
            description = "auto (the default): the Vector API interpreter, switching to compiled loops when the work makes compiling pay; compiled: each step compiled to one fused loop before it runs; simd: the interpreter only; scalar: the plain float64 reference interpreter. auto, compiled and simd give the same bits.")
    EngineName engine = EngineName.auto;

    @Option(names = "--precision", paramLabel = "f64|f32", description = "Float width of the SIMD engine (default f64).")
    PrecisionName precision = PrecisionName.f64;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for large arrays (default: all cores).")
    Integer threads;

    @Option(names = "--verbose", description = "Say on stderr what the engine does: which steps were compiled and in how long, which stay on the interpreter and why; with eval --points, when the points are evaluated one by one.")
    boolean verbose;

    /** Starts loading the compiling tier in the background when the engine chosen may compile (before the script is read). */
    void prewarm() {
        if ((engine == EngineName.auto || engine == EngineName.compiled) && Engine.vectorModule()) {
            try {
                Engine.named(engine.name(), precision.name(), 1, null).prewarm();
            } catch (IllegalArgumentException e) {
                // said by engine(err), as a usage error
            }
        }
    }

    Engine engine(PrintWriter err) {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        java.util.function.Consumer<String> notes = !verbose ? null : note -> {
            synchronized (err) {
                err.println("descent: " + note);
                err.flush();
            }
        };
        try {
            return Engine.named(engine.name(), precision.name(), n, notes);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageError(n < 1 ? "--threads " + n + ": needs at least 1" : "--engine " + engine + " --precision " + precision + ": " + e.getMessage());
        }
    }
}
