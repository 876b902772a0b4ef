package dev.descent.plot;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * An axis' range, its scale (linear or log10), whether it counts something (steps: whole-number
 * ticks where there are enough of them), and its ticks with their labels. Every axis has at least
 * three ticks inside its range, and their labels are distinct strings without float noise.
 */
record Axis(double lo, double hi, boolean log, boolean integer) {
    Axis {
        if (!(hi > lo)) throw new IllegalArgumentException("an empty axis range " + lo + " .. " + hi);
        if (log && !(lo > 0)) throw new IllegalArgumentException("a log axis from " + lo);
    }

    Axis(double lo, double hi, boolean log) { this(lo, hi, log, false); }

    /** A range around [lo, hi] widened by {@code margin} of its width on each side (a point gets a unit-sized one). */
    static Axis around(double lo, double hi, double margin, boolean log) {
        if (log) {
            double a = Math.log10(lo), b = Math.log10(hi);
            if (b - a < 1e-9) { a -= 0.5; b += 0.5; }
            double m = (b - a) * margin;
            // a loss near the smallest or largest double: the margin stays inside the doubles
            return new Axis(Math.max(Math.pow(10, a - m), Math.min(lo, Double.MIN_NORMAL)), Math.min(Math.pow(10, b + m), Double.MAX_VALUE), true);
        }
        double w = hi - lo;
        if (!(w > 1e-12 * Math.max(Math.abs(lo), Math.abs(hi)))) {
            double half = Math.max(Math.abs(lo) * 0.1, lo == 0 ? 1 : 0);
            return new Axis(finite(lo - half), finite(hi + half), false);
        }
        // a run that diverges reaches values near the largest double: the range stays finite
        return new Axis(finite(lo - w * margin), finite(hi + w * margin), false);
    }

    /** This axis counting whole things (steps): its ticks are whole numbers when at least three fall in the range. */
    Axis counting() { return new Axis(lo, hi, log, true); }

    private static double finite(double v) { return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v)); }

    /** Where v falls, from 0 at lo to 1 at hi. */
    double fraction(double v) {
        return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v / 2 - lo / 2) / (hi / 2 - lo / 2);
    }

    /** The value at a fraction of the axis (inverse of {@link #fraction}). */
    double value(double f) {
        return log ? Math.pow(10, Math.log10(lo) + f * (Math.log10(hi) - Math.log10(lo))) : lo * (1 - f) + hi * f;
    }

    /** The ticks and their labels (same length). */
    record Ticks(List<Double> values, List<String> labels) {}

    /** The major ticks: see {@link #layout}. */
    List<Double> ticks() { return layout().values(); }

    /** The labels of {@link #ticks}, in order. */
    List<String> labels() { return layout().labels(); }

    /** A tick's label, as {@link #labels} writes it (a value that is no tick: in the same format). */
    String label(double v) {
        Ticks t = layout();
        int i = t.values().indexOf(v);
        if (i >= 0) return t.labels().get(i);
        return linearLabels(List.of(v), step(lo, hi, 7)).get(0);
    }

    /**
     * Linear: 1, 2 or 5 times a power of ten apart, about 5 to 10 of them (whole numbers on a counting
     * axis when that leaves at least three). Log: the powers of ten when three or more fall in the range,
     * every 1, 2, 5, 10, … of them (about 8 at most); else 1, 2 and 5 times the powers; else 1 to 9 times
     * them; else (a range within one decade, such as a loss that barely changes) linear round numbers,
     * placed on the log scale.
     */
    Ticks layout() {
        if (log) {
            double la = Math.log10(lo), lb = Math.log10(hi);
            int a = (int) Math.ceil(la - 1e-9), b = (int) Math.floor(lb + 1e-9);
            if (b - a + 1 >= 3) {
                long every = 1;
                search:
                for (long m = 1; ; m *= 10)
                    for (long f : new long[] {1, 2, 5}) if ((b - a) / (every = f * m) + 1 <= 8) break search;
                List<Double> v = new ArrayList<>();
                for (int e = a; e <= b; e++) if (Math.floorMod(e, every) == 0) v.add(Double.parseDouble("1e" + e));
                if (v.size() >= 3) return new Ticks(v, v.stream().map(Axis::number).toList());
                v.clear();
                for (int e = a; e <= b; e++) if ((e - a) % every == 0) v.add(Double.parseDouble("1e" + e));
                if (v.size() >= 3) return new Ticks(v, v.stream().map(Axis::number).toList());
            }
            for (double[] ms : new double[][] {{1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
                List<Double> v = new ArrayList<>();
                for (int e = a - 1; e <= b; e++)
                    for (double m : ms) {
                        double t = Double.parseDouble((int) m + "e" + e);
                        if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) v.add(t);
                    }
                if (v.size() >= 3 && v.size() <= 12) {
                    List<String> l = v.stream().map(Axis::number).toList();
                    if (new LinkedHashSet<>(l).size() == l.size()) return new Ticks(v, l);
                }
            }
            double step = step(lo, hi, 5);
            List<Double> v = linear(step);
            return new Ticks(v, linearLabels(v, step));
        }
        double step = step(lo, hi, 7);
        if (integer && step < 1) {
            List<Double> whole = linear(1);
            if (whole.size() >= 3) return new Ticks(whole, linearLabels(whole, 1));
        }
        List<Double> v = linear(step);
        return new Ticks(v, linearLabels(v, step));
    }

    /** The multiples of step in the range (at most 21: bounded whatever rounding does at the ends of the doubles). */
    private List<Double> linear(double step) {
        List<Double> out = new ArrayList<>();
        if (!(step > 0) || !Double.isFinite(step)) return out;
        double first = Math.ceil(lo / step - 1e-9);
        for (int k = 0; k <= 20; k++) {
            double v = round((first + k) * step, step);
            if (!Double.isFinite(v) || v > hi + step * 1e-9) break;
            out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return out;
    }

    /** A multiple of step as the nearest double to its decimal value (0.30000000000000004 is 0.3). */
    private static double round(double v, double step) {
        if (!Double.isFinite(v) || v == 0) return v;
        int digits = (int) Math.floor(Math.log10(Math.abs(v))) - (int) Math.floor(Math.log10(step) + 1e-9) + 1;
        if (digits < 1) return v;
        return new BigDecimal(v).round(new MathContext(Math.min(digits, 17))).doubleValue();
    }

    /** 1, 2 or 5 times a power of ten, near a count-th of the range. */
    private static double step(double lo, double hi, int count) {
        double raw = hi / count - lo / count; // hi - lo may overflow
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    }

    /**
     * Labels for multiples of step: as many decimals as the step needs (0.25 apart: 0.25, 0.50), or, for
     * values past 10⁵ or below 10⁻³ or steps finer than 10⁻¹², e-notation with as many digits as tell
     * the ticks apart.
     */
    static List<String> linearLabels(List<Double> values, double step) {
        double big = 0;
        for (double v : values) big = Math.max(big, Math.abs(v));
        int stepExp = (int) Math.floor(Math.log10(step) + 1e-9);
        int decimals = Math.max(0, -stepExp);
        boolean plain = big == 0 || (big < 1e5 && big >= 1e-3 && decimals <= 12);
        List<String> out = new ArrayList<>();
        for (double v : values) {
            if (plain) {
                out.add(String.format(Locale.ROOT, "%." + decimals + "f", v));
            } else if (v == 0) {
                out.add("0");
            } else {
                int sig = Math.max(1, Math.min(17, (int) Math.floor(Math.log10(big)) - stepExp + 1));
                out.add(eNotation(v, sig));
            }
        }
        return out;
    }

    /** v in e-notation with sig significant digits, trailing zeros of the mantissa dropped: 1.5e-7, 2e12. */
    private static String eNotation(double v, int sig) {
        String s = String.format(Locale.ROOT, "%." + (sig - 1) + "e", v);
        String mant = s.substring(0, s.indexOf('e')), exp = s.substring(s.indexOf('e') + 1);
        if (mant.contains(".")) mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
        return mant + "e" + Integer.parseInt(exp);
    }

    /** A number in at most 3 significant digits, in e-notation when it is very large or small. */
    static String number(double v) {
        if (v == 0) return "0";
        if (!Double.isFinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return eNotation(v, 3);
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
