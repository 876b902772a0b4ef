package dev.descent.bench;

import dev.descent.engine.simd.MatMul;
import dev.descent.ir.Shape;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Float64 matrix products, µs per product: the engine's kernel ({@link MatMul}) on one thread
 * and on every core, against a hand-written i-k-j triple loop (plain Java, the scalar engine's
 * loop) and the naive i-j-k loop. Shapes: the digits network's forward products (1437 rows,
 * 64 → 32 → 10), its backward products with a transposed operand (' marks the operand the
 * kernel reads as the array of its transpose; the loops get it already transposed, so they
 * are not charged for the copy), and a square 512. GFLOP/s = 2·m·n·k / time; see
 * {@link PeakBench} for the machine's peak.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatMulBench {
    /** m x k @ k x n, a ' after an operand: given to the kernel as its transpose. */
    @Param({"1437x64@64x32", "1437x32@32x10", "32x1437'@1437x10", "1437x10@10x32'", "64x1437'@1437x32", "256x256@256x256", "512x512@512x512"})
    String shape;

    int m, k, n;
    /** The operands row-major as the loops read them; aT and bT what the kernel reads. */
    double[] a, b, aT, bT, c;
    MatMul one, all;

    @Setup
    public void setup() {
        String[] sides = shape.split("@");
        boolean ta = sides[0].endsWith("'"), tb = sides[1].endsWith("'");
        String[] l = sides[0].replace("'", "").split("x"), r = sides[1].replace("'", "").split("x");
        m = Integer.parseInt(l[0]);
        k = Integer.parseInt(l[1]);
        n = Integer.parseInt(r[1]);
        SplittableRandom rnd = new SplittableRandom(42);
        a = new double[m * k];
        b = new double[k * n];
        for (int i = 0; i < a.length; i++) a[i] = 2 * rnd.nextDouble() - 1;
        for (int i = 0; i < b.length; i++) b[i] = 2 * rnd.nextDouble() - 1;
        aT = ta ? transpose(a, m, k) : a;
        bT = tb ? transpose(b, k, n) : b;
        c = new double[m * n];
        one = new MatMul(Shape.matrix(m, k), ta, Shape.matrix(k, n), tb, 1);
        all = new MatMul(Shape.matrix(m, k), ta, Shape.matrix(k, n), tb, Runtime.getRuntime().availableProcessors());
    }

    static double[] transpose(double[] x, int rows, int cols) {
        double[] t = new double[x.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    @Benchmark
    public void kernel(Blackhole bh) {
        one.apply(aT, bT, c);
        bh.consume(c[c.length - 1]);
    }

    /** As {@link #kernel} with every core (a product below MatMul.THREAD_MIN_FMAS stays on one). */
    @Benchmark
    public void kernelThreads(Blackhole bh) {
        all.apply(aT, bT, c);
        bh.consume(c[c.length - 1]);
    }

    /** The scalar engine's loop: i, p, j, so that b and c are read along rows. */
    @Benchmark
    public void ikjLoop(Blackhole bh) {
        double[] a = this.a, b = this.b, c = this.c;
        int m = this.m, k = this.k, n = this.n;
        java.util.Arrays.fill(c, 0.0);
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                for (int j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
            }
        bh.consume(c[c.length - 1]);
    }

    /** The textbook loop: a dot product per element, b read down its columns. */
    @Benchmark
    public void ijkLoop(Blackhole bh) {
        double[] a = this.a, b = this.b, c = this.c;
        int m = this.m, k = this.k, n = this.n;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        bh.consume(c[c.length - 1]);
    }
}
