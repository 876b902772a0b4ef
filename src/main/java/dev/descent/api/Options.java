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

    /**
     * The command line's defaults.
     *
     * @return the auto-tiering SIMD engine in f64 on every core, the script's own seed (or 0), no settings
     */
    public static Options defaults() {
        return new Options("auto", "f64", Runtime.getRuntime().availableProcessors(), null, Map.of());
    }

    /**
     * {@code "auto"} (the Vector API interpreter, compiling hot steps), {@code "compiled"} (compiled
     * before the first step), {@code "simd"} (the interpreter only) or {@code "scalar"} (the float64
     * reference).
     *
     * @param name the engine, as {@code --engine} names it
     * @return a copy with that engine
     * @throws IllegalArgumentException for another name
     */
    public Options engine(String name) {
        return new Options(Engine.Kind.named(name).label(), precision, threads, seed, settings);
    }

    /**
     * The precision: {@code "f64"} or {@code "f32"} (the SIMD engine only).
     *
     * @param name the precision, as {@code --precision} names it
     * @return a copy with that precision
     * @throws IllegalArgumentException for another name
     */
    public Options precision(String name) {
        return new Options(engine, Precision.named(name).label(), threads, seed, settings);
    }

    /**
     * Threads for large arrays; results do not depend on it.
     *
     * @param n at least 1
     * @return a copy with that many threads
     * @throws IllegalArgumentException when {@code n} is below 1
     */
    public Options threads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads " + n + ": needs at least 1");
        return new Options(engine, precision, n, seed, settings);
    }

    /**
     * The seed for random starts, shuffling and dropout, overriding the script's.
     *
     * @param s the seed
     * @return a copy with that seed
     */
    public Options seed(long s) { return new Options(engine, precision, threads, s, settings); }

    /**
     * Overrides the script's top-level {@code let name = …} with a number, as {@code --set name=value} does.
     *
     * @param name  a top-level {@code let} of the script (checked when the model runs)
     * @param value its new value
     * @return a copy with this setting added to the others (or replacing one of the same name)
     */
    public Options set(String name, double value) {
        Map<String, Double> m = new LinkedHashMap<>(settings);
        m.put(name, value);
        return new Options(engine, precision, threads, seed, Collections.unmodifiableMap(m));
    }

    /**
     * The settings given with {@link #set}.
     *
     * @return name to value, in the order given, unmodifiable
     */
    public Map<String, Double> settings() { return settings; }

    /**
     * The seed given with {@link #seed(long)}.
     *
     * @return that seed, or null for the script's own
     */
    public Long seed() { return seed; }

    /** The engine these options name. */
    Engine toEngine() {
        return Engine.named(engine, precision, threads, null);
    }

    @Override public String toString() {
        return "Options[engine=" + engine + ", precision=" + precision + ", threads=" + threads + ", seed=" + seed + ", settings=" + settings + "]";
    }
}
