package dev.descent.plot;

import dev.descent.run.Driver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The points a run visited, as a {@link Driver.Trace}: per optimize statement, each row's step
 * and loss, the first {@code keep} elements of θ (0, 1 or 2: what the plot draws), and the
 * validation losses.
 */
public final class Recording implements Driver.Trace {
    /** One optimize statement's points. */
    public static final class Run {
        public final int index;
        public final Doubles step = new Doubles(), loss = new Doubles(), x = new Doubles(), y = new Doubles();
        public final Doubles validationStep = new Doubles(), validation = new Doubles();

        Run(int index) { this.index = index; }

        public int size() { return step.size(); }
    }

    /** A growable array of doubles. */
    public static final class Doubles {
        private double[] a = new double[64];
        private int n;

        void add(double v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        public int size() { return n; }

        public double get(int i) { return a[i]; }

        public double[] toArray() { return Arrays.copyOf(a, n); }
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
        r.step.add(step);
        r.loss.add(loss);
        if (keep >= 1) r.x.add(theta.get(0));
        if (keep >= 2) r.y.add(theta.get(1));
    }

    /** A plot needs the loss and at most two coordinates, not the gradient's norm or the rate. */
    @Override public boolean wantsDetail() { return false; }

    @Override public void validation(int run, long step, double loss) {
        Run r = run(run);
        r.validationStep.add(step);
        r.validation.add(loss);
    }

    /**
     * One recording per separate run (each of one optimize statement), as one recording whose
     * runs are numbered 1, 2, … in that order: several scripts' runs drawn on one plot.
     */
    public static Recording merge(int keep, List<Recording> parts) {
        Recording out = new Recording(keep);
        int index = 0;
        for (Recording part : parts)
            for (Run r : part.runs) {
                Run m = new Run(++index);
                copy(r.step, m.step); copy(r.loss, m.loss); copy(r.x, m.x); copy(r.y, m.y);
                copy(r.validationStep, m.validationStep); copy(r.validation, m.validation);
                out.runs.add(m);
            }
        return out;
    }

    private static void copy(Doubles from, Doubles to) {
        for (int i = 0; i < from.size(); i++) to.add(from.get(i));
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
        };
    }
}
