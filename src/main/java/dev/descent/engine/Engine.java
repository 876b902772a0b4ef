package dev.descent.engine;

import dev.descent.engine.scalar.ScalarProgram;
import dev.descent.engine.simd.SimdProgram;
import dev.descent.ir.Node;
import java.util.List;
import java.util.function.Consumer;

/**
 * Which engine evaluates a script, chosen once (from the command line's {@code --engine},
 * {@code --precision} and {@code --threads}, or the Java API's options): {@code scalar}, the
 * plain float64 reference interpreter that the others are held to; {@code simd}, the Vector
 * API block interpreter; {@code compiled}, each pass compiled first to a fused loop in a
 * hidden class; or {@code auto}, the interpreter until the work makes compiling pay. The last
 * three compute in float64 or float32, on a number of threads, and give the same bits.
 *
 * <p>This is the engine interface: everything outside {@code engine/} plans a DAG with
 * {@link #compile}, holds its arrays in {@link #allocate}d {@link Buffer}s of the engine's
 * precision, and runs the {@link Program} over them. Only {@code engine/simd} and
 * {@code engine/compiled} touch the Vector API.
 *
 * @param notes where tiering notes go as they happen (what was compiled, what stays on the
 *     interpreter and why: the command line's {@code --verbose}), or null
 */
public record Engine(Kind kind, Precision precision, int threads, Consumer<String> notes) {
    public enum Kind {
        SCALAR, SIMD, COMPILED, AUTO;

        /** {@code "auto"}, {@code "compiled"}, {@code "simd"} or {@code "scalar"}, in any case. */
        public static Kind named(String name) {
            for (Kind k : values()) if (k.name().equalsIgnoreCase(name)) return k;
            throw new IllegalArgumentException("engine '" + name + "': expected auto, compiled, simd or scalar");
        }

        /** The name the command line and the API use: "auto", "compiled", "simd", "scalar". */
        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public Engine {
        if (kind != Kind.SCALAR && !vectorModule()) {
            // as Lucene does: without the incubating Vector API, the plain-Java twin
            if (precision != Precision.F64)
                throw new IllegalArgumentException("float32 runs on the Vector API engines, and this JVM has no jdk.incubator.vector (start java with --add-modules jdk.incubator.vector)");
            sayScalarOnce();
            kind = Kind.SCALAR;
            threads = 1;
        }
        if (kind == Kind.SCALAR && precision != Precision.F64) throw new IllegalArgumentException("the scalar engine computes in float64 only");
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }

    public Engine(Kind kind, Precision precision, int threads) { this(kind, precision, threads, null); }

    /** The one line said, once per JVM, when an engine of the Vector API is asked for and the module is absent. */
    public static final String SCALAR_FALLBACK = "descent: this JVM has no jdk.incubator.vector, so Descent runs on its scalar engine"
            + " (slower; the same results to about an ulp); start java with --add-modules jdk.incubator.vector for the Vector API engines";

    private static final java.util.concurrent.atomic.AtomicBoolean SAID = new java.util.concurrent.atomic.AtomicBoolean();

    private static void sayScalarOnce() {
        if (SAID.compareAndSet(false, true)) System.err.println(SCALAR_FALLBACK);
    }

    /**
     * Whether the Vector API (the incubating module jdk.incubator.vector) is in this JVM: on the
     * class path only with {@code --add-modules jdk.incubator.vector}. Without it, every engine
     * asked for is the scalar one (float64 only), said once on stderr ({@link #SCALAR_FALLBACK}),
     * and no class of {@code engine/simd} or {@code engine/compiled} is loaded.
     */
    public static boolean vectorModule() { return VectorModule.PRESENT; }

    private static final class VectorModule {
        static final boolean PRESENT = present();

        private static boolean present() {
            ModuleLayer layer = Engine.class.getModule().getLayer();
            if (layer == null) layer = ModuleLayer.boot();
            return layer.findModule("jdk.incubator.vector").isPresent();
        }
    }

    public static final Engine SCALAR = new Engine(Kind.SCALAR, Precision.F64, 1);

    /**
     * The engine the command line's {@code --engine}, {@code --precision} and {@code --threads}
     * (and the API's {@code Options}) name: the one place those names are read.
     *
     * @throws IllegalArgumentException for an unknown name, fewer than one thread, or the scalar
     *     engine in f32 (it computes in f64 only)
     */
    public static Engine named(String kind, String precision, int threads, Consumer<String> notes) {
        Kind k = Kind.named(kind);
        Precision p = Precision.named(precision);
        if (threads < 1) throw new IllegalArgumentException("threads " + threads + ": needs at least 1");
        if (k == Kind.SCALAR) {
            if (p != Precision.F64) throw new IllegalArgumentException("the scalar engine computes in f64 only; use the simd engine for f32");
            return SCALAR;
        }
        return new Engine(k, p, threads, notes);
    }

    /** The default: auto-tiering SIMD in float64 on every core (the scalar engine without the Vector API, {@link #vectorModule}). */
    public static Engine defaults() { return new Engine(Kind.AUTO, Precision.F64, Runtime.getRuntime().availableProcessors()); }

    /** Whether this is one of the Vector API engines (simd, compiled, auto). */
    public boolean vectorized() { return kind != Kind.SCALAR; }

    /** This engine, with its tiering notes sent to {@code notes}. */
    public Engine withNotes(Consumer<String> notes) { return new Engine(kind, precision, threads, notes); }

    /** This engine on another tier (the same precision, threads and notes). */
    public Engine withKind(Kind k) { return new Engine(k, k == Kind.SCALAR ? Precision.F64 : precision, k == Kind.SCALAR ? 1 : threads, notes); }

    /** Plans the evaluation of {@code outputs} (nodes of one Dag). */
    public Program compile(List<Node> outputs) {
        if (kind == Kind.SCALAR) return new ScalarProgram(outputs);
        SimdProgram.Tier tier = switch (kind) {
            case COMPILED -> SimdProgram.Tier.COMPILED;
            case AUTO -> SimdProgram.Tier.AUTO;
            default -> SimdProgram.Tier.INTERPRET;
        };
        return new SimdProgram(outputs, precision, threads, tier, notes);
    }

    /** The threads a loop of n elements runs on (the SIMD engine splits a loop only in chunks of {@link SimdProgram#MIN_CHUNK} or more). */
    public int threadsFor(long n) { return kind == Kind.SCALAR ? 1 : (int) Math.max(1, Math.min(threads, n / SimdProgram.MIN_CHUNK)); }

    /**
     * A head start for a run that may compile its steps (auto, compiled): loads the compiling tier
     * in the background while the caller reads and checks its script. Does nothing otherwise.
     */
    public void prewarm() {
        if (kind == Kind.AUTO || kind == Kind.COMPILED) SimdProgram.prewarm(precision);
    }

    /** A buffer of this engine's precision. */
    public Buffer allocate(int length) { return Buffer.allocate(precision, length); }

    /** A short name: "auto f64", "simd f32", "scalar". */
    public String label() { return kind == Kind.SCALAR ? "scalar" : kind.name().toLowerCase() + " " + precision.name().toLowerCase(); }
}
