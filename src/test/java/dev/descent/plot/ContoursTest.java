package dev.descent.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ContoursTest {
    static double[] range(double a, double b, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = a + (b - a) * i / (n - 1);
        return v;
    }

    @Test void aCircleIsOneClosedLineOnTheCircle() {
        double[] xs = range(-2, 2, 41), ys = range(-2, 2, 41);
        double[][] z = new double[41][41];
        for (int j = 0; j < 41; j++) for (int i = 0; i < 41; i++) z[j][i] = xs[i] * xs[i] + ys[j] * ys[j];
        List<Contours.Line> lines = Contours.lines(xs, ys, z, 1);
        assertEquals(1, lines.size());
        Contours.Line l = lines.get(0);
        assertEquals(l.x()[0], l.x()[l.size() - 1], 1e-12, "closed");
        assertEquals(l.y()[0], l.y()[l.size() - 1], 1e-12, "closed");
        // on an edge of length h = 0.1, x² differs from its linear interpolant by at most h²/4·… ≤ 0.0025
        for (int i = 0; i < l.size(); i++) assertEquals(1, l.x()[i] * l.x()[i] + l.y()[i] * l.y()[i], 0.0025 + 1e-12);
    }

    @Test void aLinearFunctionIsExact() {
        double[] xs = range(0, 1, 11), ys = range(0, 1, 7);
        double[][] z = new double[7][11];
        for (int j = 0; j < 7; j++) for (int i = 0; i < 11; i++) z[j][i] = xs[i] + 2 * ys[j];
        List<Contours.Line> lines = Contours.lines(xs, ys, z, 1.3);
        assertEquals(1, lines.size(), "an open line across the grid");
        for (int i = 0; i < lines.get(0).size(); i++) assertEquals(1.3, lines.get(0).x()[i] + 2 * lines.get(0).y()[i], 1e-12);
    }

    @Test void aSaddleAndNonFiniteCellsDoNotBreakIt() {
        double[] xs = range(-1, 1, 21), ys = range(-1, 1, 21);
        double[][] z = new double[21][21];
        for (int j = 0; j < 21; j++) for (int i = 0; i < 21; i++) z[j][i] = xs[i] * ys[j];
        z[3][3] = Double.NaN;
        for (Contours.Line l : Contours.lines(xs, ys, z, 0.1))
            for (int i = 0; i < l.size(); i++) assertEquals(0.1, l.x()[i] * l.y()[i], 1e-12);
        assertEquals(2, Contours.lines(xs, ys, z, 0.1).size(), "two branches of the hyperbola");
    }

    @Test void levelsAreLogSpacedForAValleyAndEvenForABowl() {
        double[] xs = range(-2, 2, 100), ys = range(-1, 3, 100);
        double[] rosen = new double[100 * 100], bowl = new double[100 * 100];
        for (int j = 0; j < 100; j++)
            for (int i = 0; i < 100; i++) {
                double x = xs[i], y = ys[j];
                rosen[j * 100 + i] = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
                bowl[j * 100 + i] = x * x + y * y;
            }
        double[] r = Contours.levels(rosen, 12);
        assertTrue(r.length >= 10);
        assertTrue(r[r.length - 1] / r[0] > 100, "spans decades");
        assertTrue((r[r.length - 1] - r[r.length - 2]) > 3 * (r[1] - r[0]), "log-spaced");
        double[] b = Contours.levels(bowl, 12);
        double d0 = b[1] - b[0], d1 = b[b.length - 1] - b[b.length - 2];
        assertEquals(d0, d1, 0.2 * d0, "evenly spaced");
    }

    @Test void ticksAreRoundNumbers() {
        Axis a = new Axis(-1.8, 1.3, false);
        assertEquals(List.of(-1.5, -1.0, -0.5, 0.0, 0.5, 1.0), a.ticks());
        assertEquals("-1.5", a.label(-1.5));
        assertEquals("0.0", a.label(0));
        Axis l = new Axis(1e-12, 10, true);
        assertTrue(l.ticks().contains(1.0) && l.ticks().size() <= 8);
        assertEquals("1e-10", Axis.number(1e-10));
    }
}
