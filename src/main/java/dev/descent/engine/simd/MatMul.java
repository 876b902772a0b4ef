package dev.descent.engine.simd;

import dev.descent.ir.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Future;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float64 matrix products on the Vector API: what the SIMD engine evaluates MATMUL with, for
 * the objective and for its gradient (whose adjoints are products with transposes, {@code X' @ r},
 * {@code r @ W'}). The four shapes of {@code ArrayKernels.matmul}: [m,k]@[k,n], [m,k]@[k],
 * [k]@[k,n] and [k]@[k]; either matrix may be given as the array of its transpose, so a
 * TRANSPOSE feeding a product is never copied.
 *
 * <h2>Algorithm</h2>
 * Matrix by matrix (GEMM), as BLIS does it: B is packed, KC rows by NC columns at a time
 * (cache blocking over k), into panels of NR = 2 vectors of columns, zero-padded; a
 * micro-kernel keeps an MR × NR tile of C (6 rows × 2 vectors: 12 accumulators) in registers
 * while it runs down k, each step one B row of the panel (2 loads), MR broadcasts of A and
 * 2·MR fused multiply-adds (fma). A is read in place through two strides, so A and the
 * array of A' cost the same and need no packing. Tiles on the right edge (n not a multiple of NR) are
 * masked; the last rows (m not a multiple of MR) go through a tile buffer. A product with
 * one row or one column, and the matrix-vector shapes, are one of two streaming loops:
 * {@link #vecmat} (y = x @ B: columns of B in registers, rows of B streamed) or {@link #gemv}
 * (y = A @ x: a dot product per row); a transposed matrix turns one into the other.
 *
 * <h2>Order of summation, and fma</h2>
 * In GEMM and {@code vecmat}, each output starts at 0 and receives a[i,p]·b[p,j] for p = 0,
 * 1, … in order, the order of the scalar engine's {@code ArrayKernels.matmul}, whatever the
 * tiling, the blocking over k (a tile continues the sums C holds) and the threads.
 * {@code gemv} and the vector dot product sum each row as the engine's other reductions do:
 * lane l of one vector accumulator takes p ≡ l (mod lanes), the lanes are added in lane
 * order, then the tail (so for k below the lane count, the reference's order).
 *
 * <p>GEMM fuses each product with its addition ({@code fma}: one rounding per term instead
 * of two); its results differ from the scalar engine's by rounding, within about
 * k·2⁻⁵³·Σ|a||b| (the tests hold them to 1e-12 of Σ|a||b|, and to the fma order bit for
 * bit). Measured on this machine (benchmarks/README.md), the peak is the same with or
 * without fma (58 GFLOP/s on one core: a multiply and an add issue to separate pipes), but
 * in the micro-kernel, where loads, broadcasts and the loop share the issue slots, fma was
 * 1.2–1.25× faster (512 × 512: 44 against 35 GFLOP/s; 1437 × 64 @ 64 × 32: 45 against 36).
 * {@code vecmat}, {@code gemv} and the dot product stream their matrix once, and fma
 * measured no faster there (within 5%), so they multiply and add separately: {@code vecmat}
 * equals the reference bit for bit, {@code gemv} up to its order of summation.
 *
 * <h2>Threads</h2>
 * A product of at least 2 × {@link #THREAD_MIN_FMAS} multiply-adds is split into contiguous
 * ranges of output rows (GEMM, in multiples of MR; {@code gemv}) or columns ({@code vecmat}),
 * one per thread, each with its own packing buffers. No output's terms are split, so results
 * do not depend on the number of threads, bit for bit.
 *
 * <h2>Compilation</h2>
 * Vectors never leave a method. The kernels stay small enough for C1: a method that C1
 * cannot compile ("out of virtual registers", which a 6-row masked kernel was) can stay
 * in C1's unprofiled tier without vector intrinsics, 100× slower, so the masked kernel
 * takes two rows at a time.
 *
 * <p>An instance holds the plan and buffers of one product shape: not thread-safe, one
 * {@link #apply} at a time.
 */
public final class MatMul {
    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of C held in registers by the micro-kernel. */
    static final int MR = 6;
    /** Columns of C held in registers by the micro-kernel: two vectors. */
    static final int NR = 2 * L;
    /** Depth of a packed block of B: one panel, KC × NR doubles (32 KB with 8 lanes), is reused by every row tile. */
    static final int KC = 256;
    /** Rows of A per block, whose MC × KC values are reused from L2 for every panel of B. */
    static final int MC = 72;
    /** Columns of B per packed block. */
    static final int NC = 512;
    /**
     * The fewest multiply-adds a thread takes: a product of f multiply-adds runs on at most
     * f / THREAD_MIN_FMAS threads. Measured on 2 cores, in quiet moments: 2 threads ran
     * 512³ multiply-adds (134M) 1.9–2.0× faster, 256³ (17M) 1.45–1.5×, 5.9M up to 1.4×, but
     * 2.1–2.9M (the digits network's largest products) 1.0–1.5×, and 0.46M (its
     * 1437 × 32 @ 32 × 10) 0.65×: a hand-off to the pool costs tens of µs, and the second core
     * is often busy. The system property {@code descent.matmul.threadMin} overrides it, for
     * measurements.
     */
    public static final long THREAD_MIN_FMAS = Long.getLong("descent.matmul.threadMin", 1L << 21);

    private enum Kind { GEMM, GEMV, VECMAT, DOT, EMPTY, ZERO }

    private final Kind kind;
    private final boolean ta, tb;
    /** GEMM: C [m,n] = A [m,k] @ B [k,n]; GEMV: y [m] = A [m,k] @ x [k]; VECMAT: y [n] = x [k] @ B [k,n]. */
    private final int m, n, k;
    /** GEMV and VECMAT: the matrix is the right-hand array (GEMV) or the left-hand one (VECMAT). */
    private final boolean swap;
    private final int parts;
    private final double[][] packB, tiles, lanes;

    /**
     * The product of operands of shapes {@code as} and {@code bs} (as {@code ArrayKernels.matmul}
     * takes them). {@code transA}: the left array holds the transpose of the left operand (an
     * array [k,m] for an operand [m,k]); {@code transB} the same for the right. Ignored for
     * vectors. Up to {@code threads} threads work on one product when it is large enough.
     */
    public MatMul(Shape as, boolean transA, Shape bs, boolean transB, int threads) {
        this(as, transA, bs, transB, threads, THREAD_MIN_FMAS);
    }

    /** As above, with the fewest multiply-adds per thread given (tests split small products). */
    MatMul(Shape as, boolean transA, Shape bs, boolean transB, int threads, long minFmasPerThread) {
        boolean am = as.isMatrix(), bm = bs.isMatrix();
        boolean tA = am && transA, tB = bm && transB, sw = false;
        int mm, nn, kk;
        Kind kd;
        if (am && bm) {
            mm = as.rows(); kk = as.cols(); nn = bs.cols();
            check(kk == bs.rows(), as, bs);
            if (nn == 1) { // y[i] = Σ A[i,p] b[p]: B's one column is contiguous either way
                if (tA) { kd = Kind.VECMAT; sw = true; nn = mm; mm = 1; } else kd = Kind.GEMV;
            } else if (mm == 1) { // A's one row is contiguous either way
                if (tB) { kd = Kind.GEMV; sw = true; mm = nn; nn = 1; } else kd = Kind.VECMAT;
            } else kd = Kind.GEMM;
        } else if (am) {
            mm = as.rows(); kk = as.cols(); nn = 1;
            check(kk == bs.size(), as, bs);
            if (tA) { kd = Kind.VECMAT; sw = true; nn = mm; mm = 1; } else kd = Kind.GEMV;
        } else if (bm) {
            kk = bs.rows(); nn = bs.cols(); mm = 1;
            check(kk == as.size(), as, bs);
            if (tB) { kd = Kind.GEMV; sw = true; mm = nn; nn = 1; } else kd = Kind.VECMAT;
        } else {
            kk = as.size(); mm = nn = 1;
            check(kk == bs.size(), as, bs);
            kd = Kind.DOT;
        }
        if ((long) mm * nn == 0) kd = Kind.EMPTY;
        else if (kk == 0) kd = Kind.ZERO;
        this.kind = kd;
        this.m = mm; this.n = nn; this.k = kk;
        this.ta = tA; this.tb = tB; this.swap = sw;
        long units = switch (kd) { // the most parts the work divides into
            case GEMM -> (mm + MR - 1) / MR;
            case GEMV -> (mm + 3) / 4;
            case VECMAT -> (nn + 4 * L - 1) / (4 * L);
            default -> 1;
        };
        long fmas = (long) mm * nn * kk;
        this.parts = (int) Math.max(1, Math.min(Math.min(Math.max(1, threads), units), fmas / Math.max(1, minFmasPerThread)));
        packB = new double[parts][];
        tiles = new double[parts][];
        lanes = new double[parts][L];
        if (kd == Kind.GEMM)
            for (int t = 0; t < parts; t++) {
                packB[t] = new double[Math.min(k, KC) * roundUp(Math.min(n, NC), NR)];
                tiles[t] = new double[MR * NR];
            }
    }

    private static void check(boolean ok, Shape as, Shape bs) {
        if (!ok) throw new IllegalArgumentException("cannot multiply " + as + " by " + bs);
    }

    /** How many threads one {@link #apply} runs on. */
    public int parts() { return parts; }

    /** out = A @ B, the operands as the constructor describes them; out is written whole. */
    public void apply(double[] a, double[] b, double[] out) {
        switch (kind) {
            case EMPTY -> {}
            case ZERO -> Arrays.fill(out, 0.0);
            case DOT -> out[0] = dot(a, 0, b, k, lanes[0]);
            case GEMV -> {
                double[] mat = swap ? b : a, vec = swap ? a : b;
                if (parts == 1) gemv(mat, vec, out, k, 0, m, lanes[0]);
                else {
                    int chunk = roundUp((m + parts - 1) / parts, 4);
                    fork(t -> gemv(mat, vec, out, k, Math.min(m, t * chunk), Math.min(m, (t + 1) * chunk), lanes[t]));
                }
            }
            case VECMAT -> {
                double[] mat = swap ? a : b, vec = swap ? b : a;
                if (parts == 1) vecmat(vec, mat, out, k, n, 0, n);
                else {
                    int chunk = roundUp((n + parts - 1) / parts, 4 * L);
                    fork(t -> vecmat(vec, mat, out, k, n, Math.min(n, t * chunk), Math.min(n, (t + 1) * chunk)));
                }
            }
            case GEMM -> {
                if (parts == 1) gemm(a, b, out, 0, m, 0);
                else {
                    int chunk = roundUp((m + parts - 1) / parts, MR);
                    fork(t -> gemm(a, b, out, Math.min(m, t * chunk), Math.min(m, (t + 1) * chunk), t));
                }
            }
        }
    }

    private interface Part { void run(int t); }

    /** Runs parts 1, 2, … on the pool and part 0 on this thread; returns when all are done. */
    private void fork(Part work) {
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int t = 1; t < parts; t++) {
            int part = t;
            futures.add(Threads.POOL.submit(() -> work.run(part)));
        }
        work.run(0);
        Threads.awaitAll(futures);
    }

    private static int roundUp(int x, int unit) { return (x + unit - 1) / unit * unit; }

    // -------------------------------------------------------------------- GEMM

    /**
     * Rows r0 (inclusive) to r1 of C, with part t's buffers. C starts at 0 and every tile
     * adds its block of k to what C holds, so each C[i,j] receives its terms for p = 0, 1, …
     * in order whatever the blocking.
     */
    private void gemm(double[] a, double[] b, double[] c, int r0, int r1, int t) {
        double[] bp = packB[t], tile = tiles[t];
        int rs = ta ? 1 : k, cs = ta ? m : 1; // A[i,p] = a[i*rs + p*cs]
        Arrays.fill(c, r0 * n, r1 * n, 0.0);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(b, pc, kc, jc, nc, bp);
                for (int ic = r0; ic < r1; ic += MC) {
                    int mc = Math.min(MC, r1 - ic);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr), bo = jr * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int rows = Math.min(MR, mc - ir), co = (ic + ir) * n + jc + jr, ao = (ic + ir) * rs + pc * cs;
                            if (rows == MR && cols == NR) micro(a, ao, rs, cs, MR, bp, bo, kc, c, co, n);
                            else if (rows == MR) { // the last columns, masked, two rows at a time
                                for (int h = 0; h < MR; h += 2) microMasked(a, ao + h * rs, rs, cs, bp, bo, kc, c, co + h * n, n, cols);
                            } else { // the last rows: through a whole tile in a buffer
                                for (int r = 0; r < rows; r++) System.arraycopy(c, co + r * n, tile, r * NR, cols);
                                micro(a, ao, rs, cs, rows, bp, bo, kc, tile, 0, NR);
                                for (int r = 0; r < rows; r++) System.arraycopy(tile, r * NR, c, co + r * n, cols);
                            }
                        }
                    }
                }
            }
        }
    }

    /** B[pc.., jc..] (kc × nc) into panels of NR columns, each kc rows of NR, zero-padded on the right. */
    private void packB(double[] b, int pc, int kc, int jc, int nc, double[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            int w = Math.min(NR, nc - jr), base = jr * kc;
            if (tb) { // b holds B' [n,k]: B[p,j] = b[j*k + p]
                for (int jj = 0; jj < w; jj++) {
                    int from = (jc + jr + jj) * k + pc;
                    for (int p = 0; p < kc; p++) bp[base + p * NR + jj] = b[from + p];
                }
            } else {
                for (int p = 0; p < kc; p++) System.arraycopy(b, (pc + p) * n + jc + jr, bp, base + p * NR, w);
            }
            if (w < NR) for (int p = 0; p < kc; p++) Arrays.fill(bp, base + p * NR + w, base + (p + 1) * NR, 0.0);
        }
    }

    /**
     * C[0..MR, 0..NR] += A[0..MR, 0..kc] @ (a panel of B), C at c[co] with row stride ldc,
     * A[r,p] at a[ao + r*rs + p*cs], the panel kc rows of NR at bp[bo]. Rows of A from
     * {@code rows} on repeat the last one (what they compute is not used).
     */
    private static void micro(double[] a, int ao, int rs, int cs, int rows, double[] bp, int bo, int kc, double[] c, int co, int ldc) {
        int a0 = ao;
        int a1 = ao + Math.min(1, rows - 1) * rs;
        int a2 = ao + Math.min(2, rows - 1) * rs;
        int a3 = ao + Math.min(3, rows - 1) * rs;
        int a4 = ao + Math.min(4, rows - 1) * rs;
        int a5 = ao + Math.min(5, rows - 1) * rs;
        DoubleVector c00 = DoubleVector.fromArray(S, c, co); DoubleVector c01 = DoubleVector.fromArray(S, c, co + L);
        DoubleVector c10 = DoubleVector.fromArray(S, c, co + ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, co + ldc + L);
        DoubleVector c20 = DoubleVector.fromArray(S, c, co + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, co + 2 * ldc + L);
        DoubleVector c30 = DoubleVector.fromArray(S, c, co + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, co + 3 * ldc + L);
        DoubleVector c40 = DoubleVector.fromArray(S, c, co + 4 * ldc); DoubleVector c41 = DoubleVector.fromArray(S, c, co + 4 * ldc + L);
        DoubleVector c50 = DoubleVector.fromArray(S, c, co + 5 * ldc); DoubleVector c51 = DoubleVector.fromArray(S, c, co + 5 * ldc + L);
        for (int p = 0, q = 0; p < kc; p++, q += cs) {
            int bq = bo + p * NR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bq), b1 = DoubleVector.fromArray(S, bp, bq + L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[a0 + q]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, a[a1 + q]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, a[a2 + q]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, a[a3 + q]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = DoubleVector.broadcast(S, a[a4 + q]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = DoubleVector.broadcast(S, a[a5 + q]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L);
    }

    /** As {@link #micro} for two whole rows and the first {@code cols} columns, masked. */
    private static void microMasked(double[] a, int ao, int rs, int cs, double[] bp, int bo, int kc, double[] c, int co, int ldc, int cols) {
        int a0 = ao;
        int a1 = ao + rs;
        VectorMask<Double> k0 = S.indexInRange(0, cols), k1 = S.indexInRange(L, cols);
        DoubleVector c00 = DoubleVector.fromArray(S, c, co, k0); DoubleVector c01 = DoubleVector.fromArray(S, c, co + L, k1);
        DoubleVector c10 = DoubleVector.fromArray(S, c, co + ldc, k0); DoubleVector c11 = DoubleVector.fromArray(S, c, co + ldc + L, k1);
        for (int p = 0, q = 0; p < kc; p++, q += cs) {
            int bq = bo + p * NR;
            DoubleVector b0 = DoubleVector.fromArray(S, bp, bq), b1 = DoubleVector.fromArray(S, bp, bq + L);
            DoubleVector x;
            x = DoubleVector.broadcast(S, a[a0 + q]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, a[a1 + q]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
        }
        c00.intoArray(c, co, k0); c01.intoArray(c, co + L, k1);
        c10.intoArray(c, co + ldc, k0); c11.intoArray(c, co + ldc + L, k1);
    }

    // -------------------------------------------------------- GEMV, VECMAT, DOT

    /**
     * y[i] = Σ_p A[i,p] x[p] for rows r0 (inclusive) to r1 of A [*,k], four rows at a time,
     * each row summed as {@link #dot} sums it.
     */
    static void gemv(double[] a, double[] x, double[] y, int k, int r0, int r1, double[] lanes) {
        int ub = S.loopBound(k);
        int i = r0;
        for (; i + 4 <= r1; i += 4) {
            int o0 = i * k, o1 = o0 + k, o2 = o1 + k, o3 = o2 + k;
            DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0; p < ub; p += L) {
                DoubleVector xv = DoubleVector.fromArray(S, x, p);
                s0 = s0.add(DoubleVector.fromArray(S, a, o0 + p).mul(xv));
                s1 = s1.add(DoubleVector.fromArray(S, a, o1 + p).mul(xv));
                s2 = s2.add(DoubleVector.fromArray(S, a, o2 + p).mul(xv));
                s3 = s3.add(DoubleVector.fromArray(S, a, o3 + p).mul(xv));
            }
            s0.intoArray(lanes, 0);
            y[i] = lanesThenTail(lanes, a, o0, x, ub, k);
            s1.intoArray(lanes, 0);
            y[i + 1] = lanesThenTail(lanes, a, o1, x, ub, k);
            s2.intoArray(lanes, 0);
            y[i + 2] = lanesThenTail(lanes, a, o2, x, ub, k);
            s3.intoArray(lanes, 0);
            y[i + 3] = lanesThenTail(lanes, a, o3, x, ub, k);
        }
        for (; i < r1; i++) y[i] = dot(a, i * k, x, k, lanes);
    }

    /**
     * Σ_p a[ao+p]·b[p] for p below k: lane l of one accumulator takes p ≡ l (mod lanes) up
     * to the last whole vector, the lanes are added in lane order, then the tail.
     */
    static double dot(double[] a, int ao, double[] b, int k, double[] lanes) {
        int ub = S.loopBound(k);
        DoubleVector s = DoubleVector.zero(S);
        for (int p = 0; p < ub; p += L) s = s.add(DoubleVector.fromArray(S, a, ao + p).mul(DoubleVector.fromArray(S, b, p)));
        s.intoArray(lanes, 0);
        return lanesThenTail(lanes, a, ao, b, ub, k);
    }

    private static double lanesThenTail(double[] lanes, double[] a, int ao, double[] x, int from, int k) {
        double s = 0;
        for (int l = 0; l < L; l++) s += lanes[l];
        for (int p = from; p < k; p++) s += a[ao + p] * x[p];
        return s;
    }

    /**
     * y[j] = Σ_p x[p]·B[p,j] for columns j0 (inclusive) to j1 of B [k,n], p ascending from 0:
     * four vectors of columns at a time in registers while the rows of B stream past, then
     * one vector at a time, the last one masked.
     */
    static void vecmat(double[] x, double[] b, double[] y, int k, int n, int j0, int j1) {
        int j = j0;
        for (; j + 4 * L <= j1; j += 4 * L) {
            DoubleVector s0 = DoubleVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int p = 0, o = j; p < k; p++, o += n) {
                DoubleVector xb = DoubleVector.broadcast(S, x[p]);
                s0 = s0.add(xb.mul(DoubleVector.fromArray(S, b, o)));
                s1 = s1.add(xb.mul(DoubleVector.fromArray(S, b, o + L)));
                s2 = s2.add(xb.mul(DoubleVector.fromArray(S, b, o + 2 * L)));
                s3 = s3.add(xb.mul(DoubleVector.fromArray(S, b, o + 3 * L)));
            }
            s0.intoArray(y, j);
            s1.intoArray(y, j + L);
            s2.intoArray(y, j + 2 * L);
            s3.intoArray(y, j + 3 * L);
        }
        for (; j < j1; j += L) {
            VectorMask<Double> mask = S.indexInRange(j, j1);
            DoubleVector s = DoubleVector.zero(S);
            for (int p = 0, o = j; p < k; p++, o += n)
                s = s.add(DoubleVector.broadcast(S, x[p]).mul(DoubleVector.fromArray(S, b, o, mask)));
            s.intoArray(y, j, mask);
        }
    }

    // ------------------------------------------------------------------- OUTER

    /** out[i,j] = a[i]·b[j]: one product per element, as the scalar engine computes it. */
    public static void outer(double[] a, double[] b, double[] out) {
        int n = b.length, ub = S.loopBound(n);
        for (int i = 0; i < a.length; i++) {
            double ai = a[i];
            DoubleVector av = DoubleVector.broadcast(S, ai);
            int o = i * n, j = 0;
            for (; j < ub; j += L) av.mul(DoubleVector.fromArray(S, b, j)).intoArray(out, o + j);
            for (; j < n; j++) out[o + j] = ai * b[j];
        }
    }
}
