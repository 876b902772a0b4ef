import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The hand-written baseline of issue 11's whole-process targets: Adam on
 * {@code minimize sum(0.5*(p-3)^2)} with {@code param p[N] = START}, the way a Java programmer
 * writes it with the Vector API: arrays p, m, v in the chosen precision, one fused loop per step
 * (load p, m, v; the gradient g = p - 3; the loss 0.5*g*g folded in at θ before the update;
 * Adam's update in place), then one more pass for the loss at the final θ (what
 * {@code descent run} reports as {@code loss}).
 *
 * <p>Adam exactly as torch.optim.Adam 1.13 and the standard library's {@code adam} (std.dsc)
 * compute it, in std.dsc's order of operations: {@code m = b1*m + (1-b1)*g},
 * {@code v = b2*v + (1-b2)*g*g}, {@code denom = sqrt(v)/sqrt(1-b2^t) + eps},
 * {@code p -= lr/(1-b1^t) * m / denom}; b1 = 0.9, b2 = 0.999, eps = 1e-8. The per-step scalars
 * are computed in double (and rounded to float once, in f32), as Descent does.
 *
 * <p>The loss is summed in the loop's precision within a block of {@value #BLOCK} elements and
 * the blocks' partial sums in double (plain float accumulation over 1e7 elements would lose
 * several digits).
 *
 * <p>Usage (compile ahead; see tools/bench/README.md):
 * <pre>
 * java --add-modules jdk.incubator.vector -cp DIR HandAdam N STEPS [f32|f64] [LR] [THREADS] [START]
 * </pre>
 * defaults: f32, lr 0.01, 1 thread, start 0. With THREADS &gt; 1 each step's loop is split into
 * that many contiguous slices, one per thread of a fixed pool (the loss: the slices' sums added
 * in slice order). Prints one JSON line: {@code {"n":…,"steps":…,"precision":…,"threads":…,
 * "last_step_loss":…,"loss":…,"p0":…}}, where {@code loss} is at the final θ and
 * {@code last_step_loss} at θ before the last update (the float values widened to double).
 */
public final class HandAdam {
    static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
    static final double B1 = 0.9, B2 = 0.999, EPS = 1e-8, TARGET = 3;
    /** Elements per partial sum of the loss (64 KB of floats). */
    static final int BLOCK = 16384;

    private HandAdam() {}

    /*
     * The lanes of a block's accumulator added in lane order. (reduceLanes leaves the order open,
     * and HotSpot's interpreter and its compiled code take different ones, so the loss's last
     * bits would depend on when the JIT compiled the loop.)
     */
    static float sumLanes(FloatVector acc) {
        float s = 0;
        for (int k = 0; k < SF.length(); k++) s += acc.lane(k);
        return s;
    }

    static double sumLanes(DoubleVector acc) {
        double s = 0;
        for (int k = 0; k < SD.length(); k++) s += acc.lane(k);
        return s;
    }

    // ---- float32 ----

    /** One Adam step over [from, to) of p, m, v in place; returns the loss at p before the update. */
    static double stepF(float[] p, float[] m, float[] v, int from, int to, float lrc, float sqc, boolean update) {
        final float b1 = (float) B1, c1 = (float) (1 - B1), b2 = (float) B2, c2 = (float) (1 - B2), eps = (float) EPS,
                target = (float) TARGET, half = 0.5f;
        double loss = 0;
        for (int lo = from; lo < to; lo += BLOCK) {
            int hi = Math.min(to, lo + BLOCK), i = lo, ub = lo + SF.loopBound(hi - lo);
            FloatVector acc = FloatVector.zero(SF);
            if (update) {
                for (; i < ub; i += SF.length()) {
                    FloatVector P = FloatVector.fromArray(SF, p, i);
                    FloatVector G = P.sub(target);
                    acc = acc.add(G.mul(G).mul(half));
                    FloatVector M = FloatVector.fromArray(SF, m, i).mul(b1).add(G.mul(c1));
                    FloatVector V = FloatVector.fromArray(SF, v, i).mul(b2).add(G.mul(G).mul(c2));
                    FloatVector D = V.sqrt().div(sqc).add(eps);
                    P.sub(M.mul(lrc).div(D)).intoArray(p, i);
                    M.intoArray(m, i);
                    V.intoArray(v, i);
                }
            } else {
                for (; i < ub; i += SF.length()) {
                    FloatVector G = FloatVector.fromArray(SF, p, i).sub(target);
                    acc = acc.add(G.mul(G).mul(half));
                }
            }
            float s = sumLanes(acc);
            for (; i < hi; i++) {
                float g = p[i] - target;
                s += g * g * half;
                if (update) {
                    float mm = b1 * m[i] + c1 * g;
                    float vv = b2 * v[i] + c2 * (g * g);
                    float d = (float) Math.sqrt(vv) / sqc + eps;
                    p[i] = p[i] - lrc * mm / d;
                    m[i] = mm;
                    v[i] = vv;
                }
            }
            loss += s;
        }
        return loss;
    }

    // ---- float64 ----

    static double stepD(double[] p, double[] m, double[] v, int from, int to, double lrc, double sqc, boolean update) {
        final double c1 = 1 - B1, c2 = 1 - B2;
        double loss = 0;
        for (int lo = from; lo < to; lo += BLOCK) {
            int hi = Math.min(to, lo + BLOCK), i = lo, ub = lo + SD.loopBound(hi - lo);
            DoubleVector acc = DoubleVector.zero(SD);
            if (update) {
                for (; i < ub; i += SD.length()) {
                    DoubleVector P = DoubleVector.fromArray(SD, p, i);
                    DoubleVector G = P.sub(TARGET);
                    acc = acc.add(G.mul(G).mul(0.5));
                    DoubleVector M = DoubleVector.fromArray(SD, m, i).mul(B1).add(G.mul(c1));
                    DoubleVector V = DoubleVector.fromArray(SD, v, i).mul(B2).add(G.mul(G).mul(c2));
                    DoubleVector D = V.sqrt().div(sqc).add(EPS);
                    P.sub(M.mul(lrc).div(D)).intoArray(p, i);
                    M.intoArray(m, i);
                    V.intoArray(v, i);
                }
            } else {
                for (; i < ub; i += SD.length()) {
                    DoubleVector G = DoubleVector.fromArray(SD, p, i).sub(TARGET);
                    acc = acc.add(G.mul(G).mul(0.5));
                }
            }
            double s = sumLanes(acc);
            for (; i < hi; i++) {
                double g = p[i] - TARGET;
                s += g * g * 0.5;
                if (update) {
                    double mm = B1 * m[i] + c1 * g;
                    double vv = B2 * v[i] + c2 * (g * g);
                    double d = Math.sqrt(vv) / sqc + EPS;
                    p[i] = p[i] - lrc * mm / d;
                    m[i] = mm;
                    v[i] = vv;
                }
            }
            loss += s;
        }
        return loss;
    }

    /** Runs one pass over every slice, on the pool when there is one; the slices' losses added in order. */
    interface Slice { double run(int from, int to) throws Exception; }

    static double pass(ExecutorService pool, int n, int threads, Slice body) throws Exception {
        if (pool == null) return body.run(0, n);
        List<Future<Double>> parts = new ArrayList<>(threads);
        for (int k = 0; k < threads; k++) {
            // slice bounds on multiples of BLOCK, so each slice's loss blocks are the single-thread ones
            int blocks = (n + BLOCK - 1) / BLOCK;
            int from = (int) Math.min(n, (long) blocks * k / threads * BLOCK);
            int to = (int) Math.min(n, (long) blocks * (k + 1) / threads * BLOCK);
            parts.add(pool.submit(() -> body.run(from, to)));
        }
        double s = 0;
        for (Future<Double> f : parts) s += f.get();
        return s;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: HandAdam N STEPS [f32|f64] [LR] [THREADS] [START]");
            System.exit(2);
        }
        int n = (int) Double.parseDouble(args[0]);
        int steps = (int) Double.parseDouble(args[1]);
        String precision = args.length > 2 ? args[2] : "f32";
        double lr = args.length > 3 ? Double.parseDouble(args[3]) : 0.01;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        double start = args.length > 5 ? Double.parseDouble(args[5]) : 0;
        boolean f32 = switch (precision) {
            case "f32" -> true;
            case "f64" -> false;
            default -> throw new IllegalArgumentException("precision f32 or f64, not " + precision);
        };
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }) : null;

        double last = Double.NaN, loss, p0;
        if (f32) {
            float[] p = new float[n], m = new float[n], v = new float[n];
            java.util.Arrays.fill(p, (float) start);
            for (int t = 1; t <= steps; t++) {
                float lrc = (float) (lr / (1 - Math.pow(B1, t)));
                float sqc = (float) Math.sqrt(1 - Math.pow(B2, t));
                last = pass(pool, n, threads, (a, b) -> stepF(p, m, v, a, b, lrc, sqc, true));
            }
            loss = pass(pool, n, threads, (a, b) -> stepF(p, m, v, a, b, 0, 1, false));
            p0 = p[0];
        } else {
            double[] p = new double[n], m = new double[n], v = new double[n];
            java.util.Arrays.fill(p, start);
            for (int t = 1; t <= steps; t++) {
                double lrc = lr / (1 - Math.pow(B1, t));
                double sqc = Math.sqrt(1 - Math.pow(B2, t));
                last = pass(pool, n, threads, (a, b) -> stepD(p, m, v, a, b, lrc, sqc, true));
            }
            loss = pass(pool, n, threads, (a, b) -> stepD(p, m, v, a, b, 0, 1, false));
            p0 = p[0];
        }
        if (pool != null) pool.shutdown();
        System.out.println(String.format(Locale.ROOT,
                "{\"n\":%d,\"steps\":%d,\"precision\":\"%s\",\"threads\":%d,\"lanes\":%d,\"last_step_loss\":%s,\"loss\":%s,\"p0\":%s}",
                n, steps, precision, threads, f32 ? SF.length() : SD.length(), Double.toString(last), Double.toString(loss),
                Double.toString(p0)));
    }
}
