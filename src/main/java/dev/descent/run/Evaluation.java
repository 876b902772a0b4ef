package dev.descent.run;

import dev.descent.engine.Buffer;

/**
 * The objective as the driver's loop evaluates it: bound to θ, to where its gradient (and
 * Hessian) go and to the rows it reads, then run. {@link Objective} runs it here, on an engine;
 * {@link Remote} hands it to a {@link DataParallel} (the rows live elsewhere).
 */
interface Evaluation {
    /** Reads the parameters from their ranges of {@code theta}. */
    void theta(Buffer theta);

    /** Writes each parameter's gradient (of sign × the objective) into its range of {@code g}. */
    void gradient(Buffer g);

    /** Writes the Hessian, row-major n × n, into {@code h}. */
    void hessian(Buffer h);

    /** Reads the data from these rows. */
    void rows(Rows rows);

    /** Where dropout masks come from. */
    void random(java.util.random.RandomGenerator rng);

    /** A hint: about this many evaluations will follow. */
    void expectRuns(long runs);

    /** Evaluates; returns the objective's value as written (the gradient and Hessian are in their buffers). */
    double run();

    /** The squared norm of the gradient of the last run (NaN when not asked for). */
    double gradNormSquared();

    /** The objective evaluated by a {@link DataParallel}: θ copied to the host, the results written back. */
    final class Remote implements Evaluation {
        private final DataParallel where;
        private final DataParallel.Kind kind;
        private final double sign;
        private final boolean gradNorm;
        private Buffer theta, g, h;
        private Rows rows;
        private double normSq = Double.NaN;

        Remote(DataParallel where, boolean withGradient, boolean withHessian, double sign, boolean gradNorm) {
            this.where = where;
            this.kind = withHessian ? DataParallel.Kind.HESSIAN : withGradient ? DataParallel.Kind.GRADIENT : DataParallel.Kind.VALUE;
            this.sign = sign;
            this.gradNorm = gradNorm && withGradient;
        }

        @Override public void theta(Buffer theta) { this.theta = theta; }
        @Override public void gradient(Buffer g) { this.g = g; }
        @Override public void hessian(Buffer h) { this.h = h; }
        @Override public void rows(Rows rows) { this.rows = rows; }
        @Override public void random(java.util.random.RandomGenerator rng) {}
        @Override public void expectRuns(long runs) {}

        /** A request of this kind on the bound rows (a batch or a split: their indices; else every row), at θ. */
        double[] request(DataParallel.Kind kind, Buffer theta, Buffer v) {
            int[] idx = rows == null ? null : rows.indices();
            if (idx == null && rows != null && rows.count >= 0) throw new IllegalStateException("rows of another file cannot be evaluated data-parallel");
            if (idx != null && idx.length == where.rows()) idx = null; // distinct rows, as many as there are: every row
            return where.evaluate(new DataParallel.Request(kind, sign, theta.toDoubles(), v == null ? null : v.toDoubles(), idx));
        }

        @Override public double run() {
            double[] r = request(kind, theta, null);
            int n = theta.length();
            if (kind != DataParallel.Kind.VALUE && g != null) write(r, g, n);
            if (kind == DataParallel.Kind.HESSIAN && h != null) h.write(0, r, 1 + n, n * n);
            return r[0];
        }

        private void write(double[] r, Buffer into, int n) {
            into.write(0, r, 1, n);
            if (gradNorm) {
                double s = 0;
                for (int i = 1; i <= n; i++) s += r[i] * r[i];
                normSq = s;
            }
        }

        @Override public double gradNormSquared() { return normSq; }
    }
}
