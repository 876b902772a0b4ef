package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.engine.Buffer;
import java.util.SplittableRandom;

/** A script's starting point θ0, written straight into a run's buffer (no float64 copy of θ on the way). */
final class Start {
    private Start() {}

    /** Values written per chunk (a parameter's start is drawn or copied a chunk at a time). */
    private static final int CHUNK = 4096;

    /**
     * Fills {@code theta} as {@link Script#initialTheta} computes θ0 ({@link Script.Init#write}:
     * each parameter's values, or draws in declaration order from one {@link SplittableRandom}
     * seeded with {@code seed}), a chunk at a time; a constant start is a fill.
     */
    static void fill(Script script, long seed, Buffer theta) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] chunk = null;
        for (Script.Param p : script.params) {
            int n = p.shape().size(), o = p.offset();
            if (p.init() instanceof Script.Init.Fill f) {
                theta.fill(o, o + n, f.value());
                continue;
            }
            if (p.init() instanceof Script.Init.Values v) {
                theta.write(o, v.values(), 0, n);
                continue;
            }
            if (chunk == null) chunk = new double[Math.min(CHUNK, Math.max(1, theta.length()))];
            for (int at = 0; at < n; at += chunk.length) {
                int len = Math.min(chunk.length, n - at);
                p.init().write(chunk, 0, len, rng);
                theta.write(o + at, chunk, 0, len);
            }
        }
    }
}
