package dev.descent.plot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Contour lines by marching squares over a rectangular grid: {@code z[j][i]} is the value at
 * {@code (xs[i], ys[j])}. Each cell whose corners straddle the level gets one segment (two at a
 * saddle, split by the cell's mean), its ends placed on the cell's edges by linear
 * interpolation; segments that share an edge are joined into polylines. A cell with a
 * non-finite corner is skipped.
 */
public final class Contours {
    private Contours() {}

    /** One contour line, in data coordinates; closed when its first and last points coincide. */
    public record Line(double[] x, double[] y) {
        public int size() { return x.length; }
    }

    public static List<Line> lines(double[] xs, double[] ys, double[][] z, double level) {
        int nx = xs.length, ny = ys.length;
        int nH = (nx - 1) * ny; // horizontal edges: (i, j)-(i+1, j), id j*(nx-1)+i; then vertical: (i, j)-(i, j+1), id nH + j*nx + i
        Map<Integer, double[]> point = new HashMap<>();
        List<int[]> segments = new ArrayList<>();
        for (int j = 0; j + 1 < ny; j++) {
            for (int i = 0; i + 1 < nx; i++) {
                double a = z[j][i], b = z[j][i + 1], c = z[j + 1][i + 1], d = z[j + 1][i];
                if (!(Double.isFinite(a) && Double.isFinite(b) && Double.isFinite(c) && Double.isFinite(d))) continue;
                boolean A = a >= level, B = b >= level, C = c >= level, D = d >= level;
                int bottom = j * (nx - 1) + i, top = (j + 1) * (nx - 1) + i, left = nH + j * nx + i, right = nH + j * nx + i + 1;
                List<Integer> crossed = new ArrayList<>(4);
                if (A != B) { crossed.add(bottom); point.putIfAbsent(bottom, new double[] {lerp(xs[i], xs[i + 1], a, b, level), ys[j]}); }
                if (B != C) { crossed.add(right); point.putIfAbsent(right, new double[] {xs[i + 1], lerp(ys[j], ys[j + 1], b, c, level)}); }
                if (D != C) { crossed.add(top); point.putIfAbsent(top, new double[] {lerp(xs[i], xs[i + 1], d, c, level), ys[j + 1]}); }
                if (A != D) { crossed.add(left); point.putIfAbsent(left, new double[] {xs[i], lerp(ys[j], ys[j + 1], a, d, level)}); }
                if (crossed.size() == 2) {
                    segments.add(new int[] {crossed.get(0), crossed.get(1)});
                } else if (crossed.size() == 4) { // a saddle: A == C, B == D, A != B
                    boolean centre = (a + b + c + d) / 4 >= level;
                    if (centre == A) { // A's region joins through the middle: cut off the corners B and D
                        segments.add(new int[] {bottom, right});
                        segments.add(new int[] {top, left});
                    } else { // cut off A and C
                        segments.add(new int[] {left, bottom});
                        segments.add(new int[] {right, top});
                    }
                }
            }
        }
        // join: every edge is the end of at most two segments (one per cell beside it)
        Map<Integer, int[]> at = new HashMap<>();
        for (int s = 0; s < segments.size(); s++) {
            for (int e : segments.get(s)) {
                int[] two = at.computeIfAbsent(e, k -> new int[] {-1, -1});
                two[two[0] < 0 ? 0 : 1] = s;
            }
        }
        boolean[] used = new boolean[segments.size()];
        List<Line> out = new ArrayList<>();
        for (int s = 0; s < segments.size(); s++) {
            if (used[s]) continue;
            used[s] = true;
            java.util.ArrayDeque<Integer> chain = new java.util.ArrayDeque<>();
            chain.add(segments.get(s)[0]);
            chain.add(segments.get(s)[1]);
            extend(chain, false, segments, at, used);
            extend(chain, true, segments, at, used);
            double[] x = new double[chain.size()], y = new double[chain.size()];
            int k = 0;
            for (int e : chain) {
                double[] p = point.get(e);
                x[k] = p[0];
                y[k++] = p[1];
            }
            out.add(new Line(x, y));
        }
        return out;
    }

    private static void extend(java.util.ArrayDeque<Integer> chain, boolean front, List<int[]> segments, Map<Integer, int[]> at, boolean[] used) {
        while (true) {
            int end = front ? chain.peekFirst() : chain.peekLast();
            int next = -1;
            for (int s : at.get(end)) if (s >= 0 && !used[s]) { next = s; break; }
            if (next < 0) return;
            used[next] = true;
            int[] seg = segments.get(next);
            int other = seg[0] == end ? seg[1] : seg[0];
            if (front) chain.addFirst(other); else chain.addLast(other);
        }
    }

    private static double lerp(double p0, double p1, double z0, double z1, double level) {
        double t = (level - z0) / (z1 - z0);
        return p0 + t * (p1 - p0);
    }

    /**
     * About {@code count} levels for the values {@code z} (non-finite ones ignored), rounded (their distance
     * above the minimum to two significant digits). Where the values above the minimum span more than three decades
     * (a valley like Rosenbrock's), the levels are log-spaced above the minimum between the
     * 1% and 95% quantiles of the values; else evenly spaced between the 2% and 95% quantiles.
     */
    public static double[] levels(double[] z, int count) {
        double[] v = java.util.Arrays.stream(z).filter(Double::isFinite).sorted().toArray();
        if (v.length < 2 || v[0] == v[v.length - 1]) return new double[0];
        double min = v[0];
        double lo = quantile(v, 0.01) - min, hi = quantile(v, 0.95) - min;
        if (lo <= 0) { // the minimum is attained on a good part of the grid: the smallest positive gap
            for (double x : v) if (x > min) { lo = x - min; break; }
        }
        java.util.TreeSet<Double> out = new java.util.TreeSet<>();
        if (hi > 0 && lo > 0 && hi / lo > 1000) {
            double l0 = Math.log(lo), l1 = Math.log(hi);
            for (int k = 0; k < count; k++) {
                double off = Math.exp(l0 + (l1 - l0) * k / (count - 1));
                out.add(Math.abs(min) < off ? round2(min + off) : min + round2(off));
            }
        } else {
            double a = quantile(v, 0.02), b = quantile(v, 0.95);
            if (b <= a) { a = v[0]; b = v[v.length - 1]; }
            double unit = Math.pow(10, Math.floor(Math.log10((b - a) / count)) - 1);
            for (int k = 0; k < count; k++) out.add(Math.rint((a + (b - a) * (k + 0.5) / count) / unit) * unit);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        if (i + 1 >= sorted.length) return sorted[sorted.length - 1];
        return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
    }

    /** x to two significant digits. */
    static double round2(double x) {
        if (x == 0 || !Double.isFinite(x)) return x;
        return new java.math.BigDecimal(x).round(new java.math.MathContext(2)).doubleValue();
    }
}
