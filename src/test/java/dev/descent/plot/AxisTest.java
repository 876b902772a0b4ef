package dev.descent.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every axis, linear or log, wide or a hair's width, has at least three ticks in range, labelled distinctly and without float noise. */
class AxisTest {
    /** A plain decimal or e-notation of at most 17 significant digits: no 0.30000000000000004. */
    static final String NUMBER = "-?\\d+(\\.\\d+)?(e-?\\d+)?";

    static void check(Axis a) {
        List<Double> t = a.ticks();
        List<String> l = a.labels();
        String what = a.toString() + " " + l;
        assertTrue(t.size() >= 3, "at least 3 ticks: " + what);
        assertTrue(t.size() <= 21, "not crowded: " + what);
        assertEquals(t.size(), l.size());
        assertEquals(t.size(), new HashSet<>(l).size(), "distinct labels: " + what);
        for (int i = 0; i < t.size(); i++) {
            double v = t.get(i);
            assertTrue(v >= a.lo() - 1e-9 * Math.abs(a.lo()) && v <= a.hi() + 1e-9 * Math.abs(a.hi()), "in range: " + what);
            if (i > 0) assertTrue(v > t.get(i - 1), "increasing: " + what);
            assertTrue(l.get(i).matches(NUMBER), "a number: " + l.get(i) + " in " + what);
            // no float noise: the tick is a round decimal and its label is that decimal (0.3, not 0.30000000000000004);
            // as many digits as tell the ticks apart, which for a range a billionth wide is many
            assertEquals(v, Double.parseDouble(l.get(i)), "the label is the tick: " + what);
            assertTrue(l.get(i).length() <= 22, "short: " + what);
        }
    }

    @Test void shortAndFlatRanges() {
        check(Axis.around(0, 3, 0.02, false).counting());
        assertEquals(List.of("0", "1", "2", "3"), Axis.around(0, 3, 0.02, false).counting().labels(), "a 3-step run: whole steps");
        check(Axis.around(0, 1, 0.02, false).counting()); // one step: fractions, as whole numbers give only two
        check(Axis.around(17.4018, 19, 0.05, true)); // a 3-step loss within a decade, on a log scale
        assertEquals(List.of("17.5", "18.0", "18.5", "19.0"), Axis.around(17.4018, 19, 0.05, true).labels());
        check(Axis.around(1.0000000014, 1.0000000028, 0.05, true)); // a loss that barely changes
        check(Axis.around(1.0000000014, 1.0000000028, 0.05, false));
        assertEquals("1.0000000020", Axis.around(1.0000000014, 1.0000000028, 0.05, false).label(1.000000002));
        assertEquals(List.of("0.10", "0.12", "0.14", "0.16", "0.18", "0.20", "0.22", "0.24", "0.26", "0.28", "0.30"), Axis.around(0.1, 0.30000000000000004, 0.05, false).labels());
        check(Axis.around(0.1, 0.30000000000000004, 0.05, false));
        check(Axis.around(5, 5, 0.05, true));
        check(Axis.around(0, 0, 0.05, false));
        check(Axis.around(-7.44, -6, 0.05, false));
        check(Axis.around(14, 3.6e121, 0.05, true)); // a diverging run
        check(Axis.around(1e-300, 1e300, 0.05, true));
        check(Axis.around(-Double.MAX_VALUE, Double.MAX_VALUE, 0.05, false));
    }

    @Test void decadesAreThinnedToRoundMultiples() {
        List<Double> t = Axis.around(14, 3.6e121, 0.05, true).ticks();
        for (double v : t) assertEquals(0, Math.round(Math.log10(v)) % 20, "every 20th power: " + t);
    }

    @Test void randomRanges() {
        Random r = new Random(13);
        for (int k = 0; k < 20000; k++) {
            double centre = (r.nextBoolean() ? 1 : -1) * Math.pow(10, r.nextDouble() * 40 - 20);
            double width = Math.abs(centre) * Math.pow(10, r.nextDouble() * 24 - 14) + (r.nextInt(10) == 0 ? 1e-300 : 0);
            double lo = centre - width * r.nextDouble(), hi = centre + width * r.nextDouble();
            if (!(hi > lo)) continue;
            boolean log = lo > 0 && r.nextBoolean();
            check(Axis.around(lo, hi, r.nextDouble() * 0.1, log));
            if (!log && lo >= 0) check(Axis.around(lo, hi, 0.02, false).counting());
        }
    }
}
