package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.engine.Buffer;
import java.util.SplittableRandom;

/** A script's starting point θ0, written straight into a run's buffer (no float64 copy of θ on the way). */
final class Start {
    private Start() {}

    /**
     * Fills {@code theta} as {@link Script#initialTheta} computes θ0: each parameter's values, or
     * draws in declaration order from one {@link SplittableRandom} seeded with {@code seed}.
     */
    static void fill(Script script, long seed, Buffer theta) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Script.Param p : script.params) {
            int n = p.shape().size(), o = p.offset();
            switch (p.init()) {
                case Script.Init.Values v -> theta.write(o, v.values(), 0, n);
                case Script.Init.Normal d -> {
                    for (int i = 0; i < n; i++) theta.set(o + i, d.mean() + d.std() * rng.nextGaussian());
                }
                case Script.Init.Uniform u -> {
                    for (int i = 0; i < n; i++) theta.set(o + i, u.low() + (u.high() - u.low()) * rng.nextDouble());
                }
            }
        }
    }
}
