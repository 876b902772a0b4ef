package dev.descent.plot;

import java.util.ArrayList;
import java.util.List;

/** An axis' range, its scale (linear or log10), and its ticks with their labels. */
record Axis(double lo, double hi, boolean log) {
    Axis {
        if (!(hi > lo)) throw new IllegalArgumentException("an empty axis range " + lo + " .. " + hi);
        if (log && !(lo > 0)) throw new IllegalArgumentException("a log axis from " + lo);
    }

    /** A range around [lo, hi] widened by {@code margin} of its width on each side (a point gets a unit-sized one). */
    static Axis around(double lo, double hi, double margin, boolean log) {
        if (log) {
            double a = Math.log10(lo), b = Math.log10(hi);
            if (b - a < 1e-9) { a -= 0.5; b += 0.5; }
            double m = (b - a) * margin;
            return new Axis(Math.pow(10, a - m), Math.pow(10, b + m), true);
        }
        double w = hi - lo;
        if (!(w > 1e-12 * Math.max(Math.abs(lo), Math.abs(hi)))) {
            double half = Math.max(Math.abs(lo) * 0.1, lo == 0 ? 1 : 0);
            return new Axis(finite(lo - half), finite(hi + half), false);
        }
        // a run that diverges reaches values near the largest double: the range stays finite
        return new Axis(finite(lo - w * margin), finite(hi + w * margin), false);
    }

    private static double finite(double v) { return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, v)); }

    /** Where v falls, from 0 at lo to 1 at hi. */
    double fraction(double v) {
        return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v / 2 - lo / 2) / (hi / 2 - lo / 2);
    }

    /** The value at a fraction of the axis (inverse of {@link #fraction}). */
    double value(double f) {
        return log ? Math.pow(10, Math.log10(lo) + f * (Math.log10(hi) - Math.log10(lo))) : lo * (1 - f) + hi * f;
    }

    /** The major ticks: 1, 2 or 5 times a power of ten apart, about 5 to 10 of them (log: the powers of ten, thinned). */
    List<Double> ticks() {
        List<Double> out = new ArrayList<>();
        if (log) {
            int a = (int) Math.ceil(Math.log10(lo) - 1e-9), b = (int) Math.floor(Math.log10(hi) + 1e-9);
            if (b - a < 2) { // a decade or two: 1, 2, 5 times the powers
                for (int e = a - 1; e <= b; e++)
                    for (double m : new double[] {1, 2, 5}) {
                        double v = m * Math.pow(10, e);
                        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.add(v);
                    }
                return out;
            }
            int every = Math.max(1, (int) Math.ceil((b - a + 1) / 8.0));
            for (int e = a; e <= b; e++) if ((e - a) % every == 0) out.add(Double.parseDouble("1e" + e));
            return out;
        }
        double step = step();
        if (!(step > 0) || !Double.isFinite(step)) return out;
        double first = Math.ceil(lo / step - 1e-9) * step;
        for (int k = 0; k <= 20; k++) { // about 7; bounded whatever rounding does at the ends of the doubles
            double v = first + k * step;
            if (!Double.isFinite(v) || v > hi + step * 1e-9) break;
            out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return out;
    }

    private double step() {
        double raw = hi / 7 - lo / 7; // hi - lo may overflow
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    }

    /** A tick's label: short, without float noise (0.30000000000000004 is 0.3). */
    String label(double v) {
        if (log) return number(v);
        double step = step();
        int decimals = Math.max(0, -(int) Math.floor(Math.log10(step) + 1e-9));
        if (Math.abs(v) >= 1e5 || (decimals > 4)) return number(v);
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A number in at most 3 significant digits, in e-notation when it is very large or small. */
    static String number(double v) {
        if (v == 0) return "0";
        if (!Double.isFinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) {
            String s = String.format(java.util.Locale.ROOT, "%.2e", v); // 1.00e-05
            String mant = s.substring(0, s.indexOf('e')), exp = s.substring(s.indexOf('e') + 1);
            mant = mant.contains(".") ? mant.replaceAll("0+$", "").replaceAll("\\.$", "") : mant;
            int e = Integer.parseInt(exp);
            return mant + "e" + e;
        }
        String s = new java.math.BigDecimal(v).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        return s;
    }
}
