package dev.descent.run;

import java.util.random.RandomGenerator;

/**
 * The driver's random generator (batch shuffles, dropout masks): SplitMix64, the algorithm of
 * {@link java.util.SplittableRandom} built from one seed, drawing the very same numbers (nextInt,
 * nextLong, nextDouble, nextInt(bound), nextGaussian: the last three are RandomGenerator's own
 * methods over these two, as they are for SplittableRandom), but with its state readable and
 * settable: what a checkpoint saves so that a resumed run draws what the uninterrupted one did.
 */
final class Rng implements RandomGenerator {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long seed;

    /** The generator {@code new SplittableRandom(seed)} would be. */
    Rng(long seed) { this.seed = seed; }

    /** The whole state: a generator made with {@code new Rng(state())} draws what this one will. */
    long state() { return seed; }

    void restore(long state) { seed = state; }

    @Override public long nextLong() {
        long z = (seed += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override public int nextInt() {
        long z = (seed += GOLDEN_GAMMA);
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
