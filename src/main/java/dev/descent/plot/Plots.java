package dev.descent.plot;

import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.run.Driver;
import dev.descent.run.PointEval;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The plot of a run: for two scalar parameters (or one 2-vector), contour lines of the objective
 * with each run's trajectory; for one parameter, the objective's curve with the iterates on it;
 * otherwise the loss against the step (log scale when positive), one line per run, and the
 * validation loss where there is one. The objective is evaluated on the grid or curve by
 * {@link PointEval}, batched over the points on the given engine.
 */
public final class Plots {
    private Plots() {}

    /** Grid points per axis for the contours. */
    public static final int GRID = 100;
    /**
     * Above this many points a run's trajectory is thinned to every k-th point, k a power of 2
     * (the legend says so): {@link Recording.Path} keeps no more.
     */
    public static final int MAX_POINTS = 2001;
    static final int LEVELS = 12;
    /** A PNG is this many times the SVG's size. */
    public static final double PNG_SCALE = 1;
    static final Color[] ON_CONTOURS = {new Color(0xD62728), new Color(0xFF7F0E), Color.BLACK, new Color(0xE377C2), new Color(0x8C564B), new Color(0x17BECF)};
    static final Color[] LINES = {new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C), new Color(0xFF7F0E), new Color(0x9467BD), new Color(0x8C564B)};

    /** How many elements of θ the plot needs recorded: 2 (contours), 1 (a curve) or 0 (the loss). */
    public static int keep(Script s) {
        if (s.dimension() == 2 && s.params.stream().allMatch(p -> p.shape().isScalar() || p.shape().isVector())) return 2;
        if (s.dimension() == 1) return 1;
        return 0;
    }

    /** The names of θ's first elements: x, or v[0]. */
    static List<String> names(Script s) {
        List<String> out = new ArrayList<>();
        for (Script.Param p : s.params) {
            if (p.shape().size() == 1 && p.shape().isScalar()) out.add(p.name());
            else for (int i = 0; i < p.shape().size(); i++) out.add(p.name() + "[" + i + "]");
        }
        return out;
    }

    /** The figure for a script's runs, recorded by {@code rec} (made with {@code new Recording(keep(s))}). */
    public static Figure figure(Script s, String name, List<Driver.RunResult> results, Recording rec, Engine engine) {
        LinkedHashSet<String> calls = new LinkedHashSet<>();
        for (Driver.RunResult r : results) calls.add(r.call());
        String title = name + ": " + String.join(", then ", calls);
        return switch (keep(s)) {
            case 2 -> contours(s, title, results, rec, engine, false);
            case 1 -> curve(s, title, results, rec, engine, false);
            default -> loss(s, title, results, rec, true);
        };
    }

    /**
     * The figure of separate runs from the same start ({@code descent compare}): run k of
     * {@code rec} is {@code results.get(k - 1)}; on the loss plot each starts at step 0.
     */
    public static Figure comparison(Script s, String title, List<Driver.RunResult> results, Recording rec, Engine engine) {
        return switch (keep(s)) {
            case 2 -> contours(s, title, results, rec, engine, true);
            case 1 -> curve(s, title, results, rec, engine, true);
            default -> loss(s, title, results, rec, false);
        };
    }

    /**
     * The figure as the bytes of a file named {@code fileName}: a PNG when the name ends in .png
     * (any case), else an SVG (UTF-8). Drawn in memory (ImageIO's disk cache off), so that
     * writing them is one step whose faults the caller sees.
     */
    public static byte[] encode(Figure f, String fileName) {
        if (fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.setUseCache(false);
            try {
                if (!javax.imageio.ImageIO.write(f.image(PNG_SCALE), "png", bytes)) throw new IllegalStateException("no PNG writer in this JDK");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // in memory: cannot happen
            }
            return bytes.toByteArray();
        }
        return f.svg().getBytes(StandardCharsets.UTF_8);
    }

    private static String label(Driver.RunResult r, long points, long every) {
        return r.call() + (every > 1 ? " (every " + ordinal(every) + " of " + points + " points)" : "");
    }

    private static String ordinal(long k) {
        String suffix = (k % 100 >= 11 && k % 100 <= 13) ? "th" : switch ((int) (k % 10)) { case 1 -> "st"; case 2 -> "nd"; case 3 -> "rd"; default -> "th"; };
        return k + suffix;
    }

    private static Figure contours(Script s, String title, List<Driver.RunResult> results, Recording rec, Engine engine, boolean separate) {
        List<String> names = names(s);
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
        for (Recording.Run r : rec.runs()) {
            double[] range = r.path.range();
            x0 = Math.min(x0, range[0]); x1 = Math.max(x1, range[1]); y0 = Math.min(y0, range[2]); y1 = Math.max(y1, range[3]);
        }
        if (x0 > x1 || y0 > y1) { x0 = -1; x1 = 1; y0 = -1; y1 = 1; }
        Axis ax = Axis.around(x0, x1, 0.12, false), ay = Axis.around(y0, y1, 0.12, false);
        Figure f = new Figure(title, names.get(0), names.get(1), ax, ay);

        double[] xs = new double[GRID], ys = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            xs[i] = ax.lo() + (ax.hi() - ax.lo()) * i / (GRID - 1);
            ys[i] = ay.lo() + (ay.hi() - ay.lo()) * i / (GRID - 1);
        }
        double[] cx = new double[GRID * GRID], cy = new double[GRID * GRID];
        for (int j = 0; j < GRID; j++)
            for (int i = 0; i < GRID; i++) { cx[j * GRID + i] = xs[i]; cy[j * GRID + i] = ys[j]; }
        double[] values = evaluate(s, new double[][] {cx, cy}, GRID * GRID, engine);
        double[][] z = new double[GRID][GRID];
        double sign = s.maximize ? -1 : 1; // levels are chosen on what is minimized
        double[] minimized = new double[values.length];
        for (int j = 0; j < GRID; j++)
            for (int i = 0; i < GRID; i++) { z[j][i] = values[j * GRID + i]; minimized[j * GRID + i] = sign * z[j][i]; }
        double[] levels = Contours.levels(minimized, LEVELS);
        for (int k = 0; k < levels.length; k++) {
            double level = sign * levels[k];
            f.levels.add(new Figure.Level(level, Contours.lines(xs, ys, z, level), Figure.viridis(levels.length == 1 ? 0 : k / (levels.length - 1.0))));
        }
        f.grid = GRID;
        if (levels.length > 0)
            f.levelsLabel = "f = " + Axis.number(sign * levels[0]) + " … " + Axis.number(sign * levels[levels.length - 1])
                    + (logSpaced(levels) ? " (log-spaced)" : "");
        trajectories(f, results, rec, ON_CONTOURS, separate);
        return f;
    }

    private static boolean logSpaced(double[] levels) {
        if (levels.length < 3) return false;
        double a = levels[1] - levels[0], b = levels[levels.length - 1] - levels[levels.length - 2];
        return b > 3 * a;
    }

    /**
     * Each run as a line with a marker per point; the first point of all marked "start", and the end:
     * of each run when they are separate runs from the same start, else of the last.
     */
    private static void trajectories(Figure f, List<Driver.RunResult> results, Recording rec, Color[] colors, boolean separate) {
        for (int k = 0; k < rec.runs().size(); k++) {
            Recording.Run r = rec.runs().get(k);
            double[][] xy = r.path.points();
            Driver.RunResult res = r.index - 1 < results.size() ? results.get(r.index - 1) : null;
            String label = res == null ? "run " + r.index : label(res, r.path.count(), r.path.stride());
            f.series.add(new Figure.Series("trajectory", r.index, label, colors[k % colors.length], xy[0], xy[1], true, false));
        }
        markStartEnd(f, separate);
    }

    private static Figure curve(Script s, String title, List<Driver.RunResult> results, Recording rec, Engine engine, boolean separate) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        for (Recording.Run r : rec.runs()) {
            double[] range = r.path.range();
            x0 = Math.min(x0, range[0]);
            x1 = Math.max(x1, range[1]);
        }
        if (x0 > x1) { x0 = -1; x1 = 1; }
        Axis ax = Axis.around(x0, x1, 0.15, false);
        int n = 400;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = ax.lo() + (ax.hi() - ax.lo()) * i / (n - 1);
        double[] fs = evaluate(s, new double[][] {xs}, n, engine);
        // the iterates, on the curve: f as written at each of them (not the batch loss the optimizer saw)
        List<double[]> iterY = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : fs) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        List<double[]> iterX = new ArrayList<>();
        for (Recording.Run r : rec.runs()) {
            double[] x = r.path.points()[0];
            double[] at = evaluate(s, new double[][] {x}, x.length, engine);
            iterX.add(x);
            iterY.add(at);
            for (double v : at) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        if (lo > hi) { lo = -1; hi = 1; }
        Axis ay = Axis.around(lo, hi, 0.06, false);
        String name = names(s).get(0);
        Figure f = new Figure(title, name, "f(" + name + ")", ax, ay);
        f.series.add(new Figure.Series("curve", 0, "f", new Color(0x3B528B), xs, fs, false, false));
        for (int k = 0; k < rec.runs().size(); k++) {
            Recording.Run r = rec.runs().get(k);
            Driver.RunResult res = r.index - 1 < results.size() ? results.get(r.index - 1) : null;
            f.series.add(new Figure.Series("trajectory", r.index, res == null ? "run " + r.index : label(res, r.path.count(), r.path.stride()),
                    ON_CONTOURS[k % ON_CONTOURS.length], iterX.get(k), iterY.get(k), true, false));
        }
        markStartEnd(f, separate);
        return f;
    }

    /** The start: the first finite point of all; the ends: each trajectory's last finite point (separate runs), or the last one's. */
    private static void markStartEnd(Figure f, boolean separate) {
        List<Figure.Series> ts = f.series.stream().filter(t -> t.kind().equals("trajectory")).toList();
        outer:
        for (Figure.Series t : ts)
            for (int i = 0; i < t.x().length; i++)
                if (Double.isFinite(t.x()[i]) && Double.isFinite(t.y()[i])) { f.start = new double[] {t.x()[i], t.y()[i]}; break outer; }
        for (int k = ts.size() - 1; k >= 0; k--) {
            Figure.Series t = ts.get(k);
            for (int i = t.x().length - 1; i >= 0; i--)
                if (Double.isFinite(t.x()[i]) && Double.isFinite(t.y()[i])) {
                    f.ends.addFirst(new Figure.End(t.run(), t.x()[i], t.y()[i], separate ? t.color() : Color.BLACK));
                    break;
                }
            if (!separate && !f.ends.isEmpty()) break;
        }
    }

    private static Figure loss(Script s, String title, List<Driver.RunResult> results, Recording rec, boolean sequential) {
        // runs follow each other: each run's steps are counted on from where the one before ended
        List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>(), vx = new ArrayList<>(), vy = new ArrayList<>();
        double offset = 0, xmax = 0;
        boolean positive = true;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Recording.Run r : rec.runs()) {
            double[][] curve = r.loss.points(), val = r.validation.points();
            double[] x = curve[0], y = curve[1], a = val[0], b = val[1];
            for (int i = 0; i < x.length; i++) x[i] += offset;
            for (int i = 0; i < a.length; i++) a[i] += offset;
            for (double[] arr : new double[][] {y, b})
                for (double v : arr) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); positive &= v > 0; }
            xs.add(x); ys.add(y); vx.add(a); vy.add(b);
            if (x.length > 0) { xmax = Math.max(xmax, x[x.length - 1]); if (sequential) offset = x[x.length - 1]; }
        }
        if (lo > hi) { lo = 0; hi = 1; }
        Axis ax = Axis.around(0, Math.max(xmax, 1), 0.02, false).counting();
        Axis ay = Axis.around(lo, hi, 0.05, positive);
        Figure f = new Figure(title, "step", positive ? "loss (log scale)" : "loss", ax, ay);
        for (int k = 0; k < xs.size(); k++) {
            Recording.Run r = rec.runs().get(k);
            Driver.RunResult res = r.index - 1 < results.size() ? results.get(r.index - 1) : null;
            String call = res == null ? "run " + r.index : res.call();
            boolean validation = vx.get(k).length > 0;
            // one run: training and validation as matplotlib's first two colours; several: each run its colour,
            // its validation loss a lighter shade of it (and dashed)
            Color c = LINES[k % LINES.length], v = xs.size() == 1 ? LINES[3] : lighter(c);
            f.series.add(new Figure.Series("loss", r.index, validation ? call + ", training" : call, c, xs.get(k), ys.get(k), xs.get(k).length <= 60, false));
            if (validation)
                f.series.add(new Figure.Series("validation", r.index, call + ", validation", v, vx.get(k), vy.get(k), vx.get(k).length <= 60, true));
        }
        return f;
    }

    /** c mixed with 45% white. */
    static Color lighter(Color c) {
        return new Color((int) Math.round(c.getRed() + 0.45 * (255 - c.getRed())), (int) Math.round(c.getGreen() + 0.45 * (255 - c.getGreen())),
                (int) Math.round(c.getBlue() + 0.45 * (255 - c.getBlue())));
    }

    /** The objective as written at the points (θ element k at point p is columns[k][p]). */
    static double[] evaluate(Script s, double[][] columns, int points, Engine engine) {
        Script eval = s.options.training() && hasRandom(s.objective) ? s.instance(false, Map.of()) : s;
        return PointEval.evaluate(eval, new double[eval.dimension()], columns, points, false, engine).values();
    }

    private static boolean hasRandom(Node root) {
        return dev.descent.ir.Reach.any(List.of(root), n -> n.op == Op.RANDOM);
    }
}
