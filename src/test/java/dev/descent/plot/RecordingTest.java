package dev.descent.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.engine.Buffer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Recording}: what {@code --plot} keeps of a run is bounded however long the run (the
 * number of points kept, not memory, is what is asserted), exact for short runs, and faithful
 * for long ones: the loss curve keeps each bucket's first, last, least and greatest point, so
 * its extremes and its noise band survive; the trajectory keeps every k-th point, the last one,
 * and its exact range.
 */
class RecordingTest {
    @TempDir Path dir;

    /** A noisy, decreasing loss with rare spikes, and a trajectory spiralling in, over n steps. */
    static Recording record(long n, int keep) {
        Recording rec = new Recording(keep);
        double[] theta = new double[2];
        Buffer b = Buffer.of(theta);
        SplittableRandom rng = new SplittableRandom(1);
        for (long t = 0; t < n; t++) {
            double loss = 10.0 / (1 + t) * (1 + 0.5 * rng.nextDouble()) + (t % 99_991 == 77 ? 50 : 0);
            theta[0] = Math.cos(t * 0.01) / (1 + t * 1e-4);
            theta[1] = Math.sin(t * 0.01) / (1 + t * 1e-4);
            rec.row(1, t, loss, Double.NaN, Double.NaN, b);
        }
        return rec;
    }

    @Test void shortRunsAreKeptExactly() {
        Recording rec = record(1000, 2);
        Recording.Run r = rec.runs().get(0);
        double[][] loss = r.loss.points(), path = r.path.points();
        assertEquals(1000, loss[0].length);
        assertEquals(1000, path[0].length);
        for (int i = 0; i < 1000; i++) assertEquals(i, loss[0][i]);
        assertEquals(1, r.path.stride());
        assertEquals(1, r.loss.width());
    }

    @Test void longRunsKeepABoundedNumberOfPoints() {
        for (long n : new long[] {2_001, 2_002, 4_097, 1_000_003, 10_000_000}) {
            Recording rec = record(n, 2);
            Recording.Run r = rec.runs().get(0);
            double[][] loss = r.loss.points(), path = r.path.points();
            assertTrue(loss[0].length <= 4 * 2 * Recording.Curve.BUCKETS, n + ": loss points " + loss[0].length);
            assertTrue(path[0].length <= Plots.MAX_POINTS + 2, n + ": path points " + path[0].length);
            assertEquals(n, r.size());
            assertEquals(n, r.path.count());
            // the first and the last point are kept, in order
            assertEquals(0, loss[0][0]);
            assertEquals(n - 1, loss[0][loss[0].length - 1]);
            for (int i = 1; i < loss[0].length; i++) assertTrue(loss[0][i] > loss[0][i - 1], "steps increase");
            long end = n - 1;
            assertEquals(Math.cos(end * 0.01) / (1 + end * 1e-4), path[0][path[0].length - 1], 0);
            assertEquals(Math.sin(end * 0.01) / (1 + end * 1e-4), path[1][path[1].length - 1], 0);
            // the trajectory: every stride-th point
            for (int i = 0; i < path[0].length - 1; i++) {
                long t = i * r.path.stride();
                assertEquals(Math.cos(t * 0.01) / (1 + t * 1e-4), path[0][i], 0, n + ": point " + i);
            }
        }
    }

    /** The loss's extremes survive summarizing: the spikes and the least value are among the points kept. */
    @Test void theLossCurveKeepsItsExtremes() {
        long n = 3_000_000;
        Recording rec = record(n, 0);
        double[][] kept = rec.runs().get(0).loss.points();
        // the whole curve, again, for its extremes
        SplittableRandom rng = new SplittableRandom(1);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        int spikes = 0;
        for (long t = 0; t < n; t++) {
            double loss = 10.0 / (1 + t) * (1 + 0.5 * rng.nextDouble()) + (t % 99_991 == 77 ? 50 : 0);
            min = Math.min(min, loss);
            max = Math.max(max, loss);
            if (t % 99_991 == 77) spikes++;
        }
        double keptMin = Double.POSITIVE_INFINITY, keptMax = Double.NEGATIVE_INFINITY;
        int keptSpikes = 0;
        for (double v : kept[1]) {
            keptMin = Math.min(keptMin, v);
            keptMax = Math.max(keptMax, v);
            if (v >= 50) keptSpikes++;
        }
        assertEquals(min, keptMin, 0);
        assertEquals(max, keptMax, 0);
        assertEquals(spikes, keptSpikes, "every spike is drawn");
    }

    /** The exact range of the trajectory, even where the points kept miss its extremes. */
    @Test void theTrajectorysRangeIsExact() {
        Recording rec = new Recording(2);
        double[] theta = new double[2];
        Buffer b = Buffer.of(theta);
        for (long t = 0; t < 100_000; t++) {
            theta[0] = t == 12_345 ? 1e6 : 0; // one far point, at a step no stride keeps
            theta[1] = t == 54_321 ? -7 : 1;
            rec.row(1, t, 1, Double.NaN, Double.NaN, b);
        }
        double[] range = rec.runs().get(0).path.range();
        assertEquals(0, range[0]);
        assertEquals(1e6, range[1]);
        assertEquals(-7, range[2]);
        assertEquals(1, range[3]);
    }

    /** A run that diverges: the last finite point (where the end marker goes) and the last one are kept. */
    @Test void theLastFinitePointIsKept() {
        Recording rec = new Recording(2);
        double[] theta = new double[2];
        Buffer b = Buffer.of(theta);
        for (long t = 0; t < 5_000; t++) {
            theta[0] = t;
            theta[1] = t;
            rec.row(1, t, t, Double.NaN, Double.NaN, b);
        }
        theta[0] = Double.POSITIVE_INFINITY;
        theta[1] = Double.NaN;
        rec.row(1, 5_000, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, b);
        double[][] p = rec.runs().get(0).path.points();
        int n = p[0].length;
        assertEquals(4_999, p[0][n - 2], "the last finite point");
        assertEquals(Double.POSITIVE_INFINITY, p[0][n - 1], "the last point");
        for (int i = 1; i < n - 1; i++) assertTrue(p[0][i] > p[0][i - 1], "in order");
    }

    /** End to end: a run of 300,000 steps draws a bounded loss line and trajectory. */
    @Test void aLongRunsPlotIsBounded() throws Exception {
        Path loss = dir.resolve("loss.dsc"), bowl = dir.resolve("bowl.dsc");
        Files.writeString(loss, "param v = [1, 2, 3]\nminimize sum(v^2) + 1\noptimize with gd(lr = 0.00001) for 300000 steps\n");
        Files.writeString(bowl, "param x1 = -5\nparam x2 = -2\nminimize x1^2 + 2*x2^2\noptimize with gd(lr = 0.00001) for 300000 steps\n");
        for (Path s : new Path[] {loss, bowl}) {
            Path svg = dir.resolve(s.getFileName() + ".svg");
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = dev.descent.cli.Main.execute(new String[] {"run", s.toString(), "--plot", svg.toString(), "--quiet"},
                    new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(0, code, err::toString);
            var d = PlotTest.parse(svg);
            String kind = s == loss ? "loss" : "trajectory";
            var line = PlotTest.groups(d, kind).get(0);
            int points = Integer.parseInt(line.getAttribute("data-points"));
            assertEquals(points, PlotTest.points(PlotTest.first(line, "path")).size());
            if (s == loss) assertTrue(points >= Recording.Curve.BUCKETS && points <= 8 * Recording.Curve.BUCKETS, "loss points " + points);
            else {
                assertTrue(points > 1000 && points <= Plots.MAX_POINTS + 2, "trajectory points " + points);
                assertTrue(Files.readString(svg).contains("th of 300001 points)"), "the legend says every k-th of how many");
            }
        }
    }
}
