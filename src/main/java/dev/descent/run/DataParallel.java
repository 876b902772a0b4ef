package dev.descent.run;

/**
 * Where a run evaluates what reads the data when the rows are not in this JVM: the objective's
 * value, its gradient, its Hessian, Hessian-vector products and the reports, each computed on
 * parts of the rows ({@link PartitionEvaluator}) and combined in a fixed order by the caller
 * (the Spark module: each executor evaluates its partitions, the driver adds the parts in
 * partition order). The {@link Driver} then takes its steps on the host exactly as it does over
 * rows in memory: every optimizer, line search, {@code hvp} and {@code grad_at} unchanged.
 *
 * <p>The parts combine exactly when the objective (and each report) is the mean over the rows of
 * a row's own expression plus terms that do not read the data: then the value on all rows is the
 * row-weighted average of the values on the parts, and so is its gradient. {@link
 * PartitionEvaluator#checkDecomposes} tests this on real rows before a run.
 */
public interface DataParallel {
    /** What a request evaluates. */
    enum Kind {
        /** The objective as written. */
        VALUE,
        /** The objective as written, then the gradient of sign × it (n numbers). */
        GRADIENT,
        /** The objective as written, then the gradient and the Hessian (row-major, n × n) of sign × it. */
        HESSIAN,
        /** The objective as written (NaN: not computed), then H·v of sign × it (n numbers). */
        HVP,
        /** The objective as written, then each report's value in the script's order. */
        REPORTS
    }

    /**
     * One evaluation at θ (float64, {@code Script.params}' layout) over rows of the data the
     * objective reads: {@code rows}, their indices (from 0, in the data set's order), sorted, or
     * every row when null (a mini-batch, a validation or test split: the rows the run over rows
     * in memory would take, chosen by the driver). {@code v}: the vector of an {@link Kind#HVP}
     * (else null).
     */
    record Request(Kind kind, double sign, double[] theta, double[] v, int[] rows) implements java.io.Serializable {
        public Request(Kind kind, double sign, double[] theta, double[] v) { this(kind, sign, theta, v, null); }

        /** How many rows it reads, of {@code all}. */
        public long count(long all) { return rows == null ? all : rows.length; }
    }

    /**
     * The request evaluated on its rows: the value, then what its kind adds; each the row-weighted
     * average of the parts' ({@link PartitionEvaluator#evaluate} sums, divided by the rows).
     */
    double[] evaluate(Request request);

    /** The number of rows, counted once. */
    long rows();

    /**
     * Local steps (local SGD, model averaging): each part of the rows takes {@code steps} updates
     * of statement {@code statement} (from 1) on its own rows, from the same θ and optimizer
     * states, after t updates; the parts' θ and states are then averaged, weighted by their rows.
     * One Spark job per round instead of one per step: fewer, larger jobs, and a different
     * trajectory from the run over all rows (the same only with one part).
     */
    interface LocalRounds {
        /** One round; {@code states} null before the first (the states start as the optimizer says). */
        Round round(int statement, double[] theta, double[][] states, long t, int steps);
    }

    /** A round's averaged θ and states, and the objective at the round's start θ (the parts' first losses averaged: the loss on every row). */
    record Round(double[] theta, double[][] states, double loss) implements java.io.Serializable {}

    /**
     * A cluster that holds a script's rows: found with {@link java.util.ServiceLoader} (the Spark
     * module provides one), so that {@code descent run --spark MASTER} needs nothing of it in the core.
     */
    interface Provider {
        /** Its name, as the option says it ("spark"). */
        String name();

        /**
         * Connects to {@code master}, reads the data sets of the script there (never onto this JVM)
         * and checks the script for a data-parallel run: its data as columns without values, its
         * statements full-batch, its objective a mean over the rows.
         *
         * @throws dev.descent.syntax.CompileError the script's problems, positioned
         */
        Connection open(String master, dev.descent.syntax.SourceFile source, java.util.Map<String, Double> settings,
                        dev.descent.check.Limits limits, java.util.function.Consumer<String> notes);
    }

    /** An open cluster: the script as the driver checked it, where its objective is evaluated, and how to let go. */
    interface Connection extends AutoCloseable {
        dev.descent.check.Script script();

        DataParallel data();

        /** Rounds of local steps on each part's rows ({@code run --local-steps K}); null where the cluster has none. */
        default LocalRounds rounds() { return null; }

        /** One line on where the run happens (the master, the partitions, the rows). */
        String describe();

        @Override void close();
    }
}
