package dev.descent.engine.simd;

import dev.descent.engine.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The streaming-bandwidth roof that {@code descent bench} compares a step with: the STREAM
 * triad {@code a = b + s·c}, one Vector API loop, over three arrays of {@link #BYTES_PER_ARRAY}
 * bytes each (far larger than the caches), split over threads in contiguous chunks. Each pass
 * reads b and c and writes a: 3 × the element size in bytes per element (the write-allocate
 * read of a is not counted, as STREAM does not count it).
 */
public final class Triad {
    /** Bytes per array: 64 MiB, so the three arrays (192 MiB) stream from memory. */
    public static final long BYTES_PER_ARRAY = 64L << 20;

    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;

    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "descent-triad");
        t.setDaemon(true);
        return t;
    });

    private final boolean f32;
    private final int n, threads;
    private final float[] af, bf, cf;
    private final double[] ad, bd, cd;

    public Triad(Precision precision, int threads) {
        this.f32 = precision == Precision.F32;
        this.threads = Math.max(1, threads);
        this.n = (int) (BYTES_PER_ARRAY / (f32 ? 4 : 8));
        if (f32) {
            af = new float[n];
            bf = new float[n];
            cf = new float[n];
            Arrays.fill(bf, 1.5f);
            Arrays.fill(cf, 0.25f);
            ad = bd = cd = null;
        } else {
            ad = new double[n];
            bd = new double[n];
            cd = new double[n];
            Arrays.fill(bd, 1.5);
            Arrays.fill(cd, 0.25);
            af = bf = cf = null;
        }
    }

    /** Elements per array. */
    public int length() { return n; }

    public int threads() { return threads; }

    /** Bytes moved per element: b and c read, a written. */
    public int bytesPerElement() { return 3 * (f32 ? 4 : 8); }

    /** One pass: a = b + s·c over all elements. */
    public void pass() {
        if (threads == 1) {
            chunk(0, n);
            return;
        }
        int lanes = f32 ? SF.length() : SD.length();
        int per = ((n + threads - 1) / threads + lanes - 1) / lanes * lanes;
        List<Future<?>> futures = new ArrayList<>(threads - 1);
        for (int k = 1; k < threads; k++) {
            int from = Math.min(n, k * per), to = Math.min(n, (k + 1) * per);
            if (from < to) futures.add(POOL.submit(() -> chunk(from, to)));
        }
        chunk(0, Math.min(n, per));
        try {
            for (Future<?> f : futures) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void chunk(int from, int to) {
        if (f32) triadF32(af, bf, cf, 1.0001f, from, to);
        else triadF64(ad, bd, cd, 1.0001, from, to);
    }

    private static void triadF32(float[] a, float[] b, float[] c, float s, int from, int to) {
        int i = from, ub = from + SF.loopBound(to - from);
        for (; i < ub; i += SF.length()) FloatVector.fromArray(SF, b, i).add(FloatVector.fromArray(SF, c, i).mul(s)).intoArray(a, i);
        for (; i < to; i++) a[i] = b[i] + s * c[i];
    }

    private static void triadF64(double[] a, double[] b, double[] c, double s, int from, int to) {
        int i = from, ub = from + SD.loopBound(to - from);
        for (; i < ub; i += SD.length()) DoubleVector.fromArray(SD, b, i).add(DoubleVector.fromArray(SD, c, i).mul(s)).intoArray(a, i);
        for (; i < to; i++) a[i] = b[i] + s * c[i];
    }

    /** An element of a (so the passes cannot be optimized away). */
    public double sample() { return f32 ? af[n - 1] : ad[n - 1]; }
}
