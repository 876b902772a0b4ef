package dev.descent.api;

import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link Model#run(Options)} runs a script: the command line's {@code --engine},
 * {@code --precision}, {@code --threads}, {@code --seed} and {@code --set}. Immutable; each
 * {@code with…}-style method returns a changed copy:
 * <pre>{@code Options.defaults().engine("scalar").seed(7).set("lr", 0.1)}</pre>
 */
public final class Options {
    private final String engine, precision;
    private final int threads;
    private final Long seed;
    private final Map<String, Double> settings;

    private Options(String engine, String precision, int threads, Long seed, Map<String, Double> settings) {
        this.engine = engine;
        this.precision = precision;
        this.threads = threads;
        this.seed = seed;
        this.settings = settings;
    }

    /** The command line's defaults: the auto-tiering SIMD engine in f64 on every core, the script's own seed (or 0), no settings. */
    public static Options defaults() {
        return new Options("auto", "f64", Runtime.getRuntime().availableProcessors(), null, Map.of());
    }

    /**
     * {@code "auto"} (the Vector API interpreter, compiling hot steps), {@code "compiled"} (compiled
     * before the first step), {@code "simd"} (the interpreter only) or {@code "scalar"} (the float64
     * reference).
     */
    public Options engine(String name) {
        return new Options(Engine.Kind.named(name).label(), precision, threads, seed, settings);
    }

    /** {@code "f64"} or {@code "f32"} (the SIMD engine only). */
    public Options precision(String name) {
        return new Options(engine, Precision.named(name).label(), threads, seed, settings);
    }

    /** Threads for large arrays (at least 1); results do not depend on it. */
    public Options threads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads " + n + ": needs at least 1");
        return new Options(engine, precision, n, seed, settings);
    }

    /** The seed for random starts and dropout, overriding the script's. */
    public Options seed(long s) { return new Options(engine, precision, threads, s, settings); }

    /** Overrides the script's top-level {@code let name = …} with a number, as {@code --set name=value} does. */
    public Options set(String name, double value) {
        Map<String, Double> m = new LinkedHashMap<>(settings);
        m.put(name, value);
        return new Options(engine, precision, threads, seed, Collections.unmodifiableMap(m));
    }

    /** The settings given with {@link #set}, in order. */
    public Map<String, Double> settings() { return settings; }

    /** The seed given with {@link #seed}, or null for the script's own. */
    public Long seed() { return seed; }

    /** The engine these options name. */
    Engine toEngine() {
        return Engine.named(engine, precision, threads, null);
    }

    @Override public String toString() {
        return "Options[engine=" + engine + ", precision=" + precision + ", threads=" + threads + ", seed=" + seed + ", settings=" + settings + "]";
    }
}
