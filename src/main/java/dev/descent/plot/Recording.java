package dev.descent.plot;

import dev.descent.run.Driver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a plot needs of a run, as a {@link Driver.Trace}, in memory that does not grow with the
 * number of steps: per optimize statement, a summary of its loss curve and of its validation
 * losses ({@link Curve}), and of its trajectory through the first {@code keep} elements of θ
 * (0, 1 or 2: what the plot draws; {@link Path}). A run of 10⁸ steps keeps a few thousand points,
 * as one of a thousand does.
 */
public final class Recording implements Driver.Trace {
    /**
     * A curve (step, value) summarized in buckets of consecutive points: the bucket's first and
     * last points and those of its least and greatest finite values, in step order (M4
     * aggregation). While there are at most {@link #BUCKETS} × 2 points, each is a bucket of its
     * own and the curve is exact; past that, neighbouring buckets merge in pairs (each bucket twice
     * as wide), so there are always between {@link #BUCKETS} and twice as many. A line through the
     * kept points has the same extremes in every bucket as the line through all of them, so drawn
     * at a few hundred pixels' width it looks the same: spikes and noise bands stay.
     */
    public static final class Curve {
        /** The fewest buckets a summarized curve keeps; it keeps at most twice as many. */
        public static final int BUCKETS = 512;
        private static final int MAX = 2 * BUCKETS;

        // per bucket: the first, least, greatest and last point (step and value); min/max NaN when none is finite
        private final double[] firstStep = new double[MAX], first = new double[MAX], minStep = new double[MAX], min = new double[MAX],
                maxStep = new double[MAX], max = new double[MAX], lastStep = new double[MAX], last = new double[MAX];
        private int buckets;
        private long width = 1, count;

        /** Adds the next point (steps in increasing order). */
        public void add(double step, double value) {
            long slot = count / width;
            if (slot == MAX) {
                merge();
                slot = count / width;
            }
            int b = (int) slot;
            if (b == buckets) {
                buckets++;
                firstStep[b] = lastStep[b] = step;
                first[b] = last[b] = value;
                minStep[b] = maxStep[b] = step;
                min[b] = max[b] = Double.isFinite(value) ? value : Double.NaN;
            } else {
                lastStep[b] = step;
                last[b] = value;
                if (Double.isFinite(value)) {
                    if (Double.isNaN(min[b]) || value < min[b]) { min[b] = value; minStep[b] = step; }
                    if (Double.isNaN(max[b]) || value > max[b]) { max[b] = value; maxStep[b] = step; }
                }
            }
            count++;
        }

        /** Pairs of neighbouring buckets into one, each twice as wide. */
        private void merge() {
            int n = buckets / 2;
            for (int i = 0; i < n; i++) {
                int a = 2 * i, b = a + 1;
                firstStep[i] = firstStep[a];
                first[i] = first[a];
                lastStep[i] = lastStep[b];
                last[i] = last[b];
                boolean aMin = !Double.isNaN(min[a]) && (Double.isNaN(min[b]) || min[a] <= min[b]);
                minStep[i] = aMin ? minStep[a] : minStep[b];
                min[i] = aMin ? min[a] : min[b];
                boolean aMax = !Double.isNaN(max[a]) && (Double.isNaN(max[b]) || max[a] >= max[b]);
                maxStep[i] = aMax ? maxStep[a] : maxStep[b];
                max[i] = aMax ? max[a] : max[b];
            }
            buckets = n;
            width *= 2;
        }

        /** Points added. */
        public long count() { return count; }

        /** Points per bucket (1 while the curve is exact). */
        public long width() { return width; }

        /** The kept points' steps and values, in step order: [0] the steps, [1] the values. */
        public double[][] points() {
            double[] xs = new double[4 * buckets], ys = new double[4 * buckets];
            int n = 0;
            double[] s = new double[4], v = new double[4];
            for (int b = 0; b < buckets; b++) {
                int k = 0;
                s[k] = firstStep[b]; v[k++] = first[b];
                if (!Double.isNaN(min[b])) { s[k] = minStep[b]; v[k++] = min[b]; }
                if (!Double.isNaN(max[b])) { s[k] = maxStep[b]; v[k++] = max[b]; }
                s[k] = lastStep[b]; v[k++] = last[b];
                // in step order, each step once
                for (int i = 1; i < k; i++)
                    for (int j = i; j > 0 && s[j] < s[j - 1]; j--) {
                        double t = s[j]; s[j] = s[j - 1]; s[j - 1] = t;
                        t = v[j]; v[j] = v[j - 1]; v[j - 1] = t;
                    }
                for (int i = 0; i < k; i++) {
                    if (i > 0 && s[i] == s[i - 1]) continue;
                    xs[n] = s[i];
                    ys[n++] = v[i];
                }
            }
            return new double[][] {Arrays.copyOf(xs, n), Arrays.copyOf(ys, n)};
        }
    }

    /**
     * A trajectory (x, or x and y) summarized by keeping every {@link #stride}-th point: all of
     * them while there are at most {@link #POINTS}; when a point more would be kept, every other
     * kept one is dropped and the stride doubles. Besides those, the last point and the last one
     * with finite coordinates (where the end marker goes when a run diverges), and the exact
     * range of the finite coordinates (what the plot's axes and the contours' grid cover).
     */
    public static final class Path {
        /** The most points kept at the stride (besides the last ones). */
        public static final int POINTS = Plots.MAX_POINTS;

        private final double[] xs = new double[POINTS], ys = new double[POINTS];
        private int kept;
        private long stride = 1, count;
        private double lastX = Double.NaN, lastY = Double.NaN, finiteX = Double.NaN, finiteY = Double.NaN;
        private long lastIndex = -1, finiteIndex = -1;
        private double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;

        /** Adds the next point (a one-parameter trajectory: y = 0). */
        public void add(double x, double y) {
            long i = count++;
            if (i % stride == 0) {
                if (kept == POINTS) {
                    for (int k = 0; k < POINTS / 2 + POINTS % 2; k++) { xs[k] = xs[2 * k]; ys[k] = ys[2 * k]; }
                    kept = POINTS / 2 + POINTS % 2;
                    stride *= 2;
                }
                if (i % stride == 0) {
                    xs[kept] = x;
                    ys[kept++] = y;
                }
            }
            lastX = x;
            lastY = y;
            lastIndex = i;
            if (Double.isFinite(x)) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
            if (Double.isFinite(y)) { y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
            if (Double.isFinite(x) && Double.isFinite(y)) { finiteX = x; finiteY = y; finiteIndex = i; }
        }

        /** Points added. */
        public long count() { return count; }

        /** Every how many points one is kept (1: all of them). */
        public long stride() { return stride; }

        /** The finite coordinates' range: {x0, x1, y0, y1}, infinite when none was finite. */
        public double[] range() { return new double[] {x0, x1, y0, y1}; }

        /** The kept points in order: those at the stride, and the last finite one and the last one where they are not among them. */
        public double[][] points() {
            double[] x = new double[kept + 2], y = new double[kept + 2];
            long[] extra = {finiteIndex, lastIndex};
            double[][] extraXy = {{finiteX, finiteY}, {lastX, lastY}};
            int n = 0, e = 0;
            for (int k = 0; k <= kept; k++) {
                long index = k < kept ? k * stride : Long.MAX_VALUE;
                for (; e < 2 && extra[e] <= index; e++) {
                    if (extra[e] < 0 || extra[e] == index || e == 1 && extra[1] == extra[0]) continue;
                    x[n] = extraXy[e][0];
                    y[n++] = extraXy[e][1];
                }
                if (k < kept) {
                    x[n] = xs[k];
                    y[n++] = ys[k];
                }
            }
            return new double[][] {Arrays.copyOf(x, n), Arrays.copyOf(y, n)};
        }
    }

    /** One optimize statement's summaries. */
    public static final class Run {
        public final int index;
        public final Curve loss, validation;
        public final Path path;

        Run(int index) { this(index, new Curve(), new Curve(), new Path()); }

        private Run(int index, Curve loss, Curve validation, Path path) {
            this.index = index;
            this.loss = loss;
            this.validation = validation;
            this.path = path;
        }

        /** Points visited (rows of the trace). */
        public long size() { return loss.count(); }
    }

    private final int keep;
    private final List<Run> runs = new ArrayList<>();

    public Recording(int keep) {
        if (keep < 0 || keep > 2) throw new IllegalArgumentException("keep " + keep);
        this.keep = keep;
    }

    public List<Run> runs() { return runs; }

    private Run run(int index) {
        if (runs.isEmpty() || runs.get(runs.size() - 1).index != index) runs.add(new Run(index));
        return runs.get(runs.size() - 1);
    }

    @Override public void row(int run, long step, double loss, double gradNorm, double lr, dev.descent.engine.Buffer theta) {
        Run r = run(run);
        r.loss.add(step, loss);
        if (keep >= 1) r.path.add(theta.get(0), keep >= 2 ? theta.get(1) : 0);
    }

    /** A plot needs the loss and at most two coordinates, not the gradient's norm or the rate. */
    @Override public boolean wantsDetail() { return false; }

    @Override public void validation(int run, long step, double loss) { run(run).validation.add(step, loss); }

    /**
     * One recording per separate run (each of one optimize statement), as one recording whose
     * runs are numbered 1, 2, … in that order: several scripts' runs drawn on one plot.
     */
    public static Recording merge(int keep, List<Recording> parts) {
        Recording out = new Recording(keep);
        int index = 0;
        for (Recording part : parts)
            for (Run r : part.runs) out.runs.add(new Run(++index, r.loss, r.validation, r.path));
        return out;
    }

    /** Sends each row to both traces (a --trace file and a plot). */
    public static Driver.Trace both(Driver.Trace a, Driver.Trace b) {
        if (a == null) return b;
        if (b == null) return a;
        return new Driver.Trace() {
            @Override public void row(int run, long step, double loss, double gradNorm, double lr, dev.descent.engine.Buffer theta) {
                a.row(run, step, loss, gradNorm, lr, theta);
                b.row(run, step, loss, gradNorm, lr, theta);
            }

            @Override public void validation(int run, long step, double loss) {
                a.validation(run, step, loss);
                b.validation(run, step, loss);
            }

            @Override public boolean wantsDetail() { return a.wantsDetail() || b.wantsDetail(); }

            @Override public boolean wantsEpochs() { return a.wantsEpochs() || b.wantsEpochs(); }

            @Override public void epoch(int run, long step, long epoch, java.util.List<Driver.Split> splits) {
                if (a.wantsEpochs()) a.epoch(run, step, epoch, splits);
                if (b.wantsEpochs()) b.epoch(run, step, epoch, splits);
            }
        };
    }
}
