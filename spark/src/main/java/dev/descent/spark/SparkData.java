package dev.descent.spark;

import dev.descent.run.DataParallel;
import dev.descent.run.PartitionEvaluator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The objective over rows that stay on Spark's executors: each request is one Spark job (θ sent
 * with the tasks, or broadcast once per executor when it is large), in which
 * every partition sums its blocks (or, for a mini-batch or a held-out split, the rows of the
 * request it holds, picked by their indices: the driver chooses them as a run over rows in
 * memory does) ({@link PartitionEvaluator#evaluate}: the same engine programs as
 * a run over rows in memory) and sends back its sums (1 + 1 + n numbers for a gradient); the
 * driver adds them in partition order (so a run gives the same bits every time on the same
 * partitions) and divides by the number of rows.
 */
final class SparkData implements DataParallel, DataParallel.LocalRounds {
    private final JavaRDD<double[][]> blocks;
    private final Job job;
    private final long rows;
    /** Each partition's first row (its index in the data set). */
    private final long[] offsets;
    /** The run's seed: each part's local steps draw from it, their partition and t (batches, dropout masks). */
    private final long seed;

    SparkData(JavaRDD<double[][]> blocks, Job job, long[] offsets, long rows, long seed) {
        this.seed = seed;
        this.blocks = blocks;
        this.job = job;
        this.offsets = offsets;
        this.rows = rows;
    }

    @Override public double[] evaluate(Request request) {
        Job j = job;
        long[] first = offsets;
        List<double[]> parts;
        long size = request.theta().length + (request.v() == null ? 0 : request.v().length) + (request.rows() == null ? 0 : request.rows().length / 2);
        if (size <= broadcastAbove()) // θ travels in the tasks
            parts = blocks.mapPartitionsWithIndex((Integer p, Iterator<double[][]> it) -> List.of(j.local().evaluate(request, it, first[p])).iterator(), false).collect();
        else { // once per executor, as a broadcast variable
            Broadcast<Request> b = JavaSparkContext.fromSparkContext(blocks.context()).broadcast(request);
            try {
                parts = blocks.mapPartitionsWithIndex((Integer p, Iterator<double[][]> it) -> List.of(j.local().evaluate(b.value(), it, first[p])).iterator(), false).collect();
            } finally {
                b.destroy();
            }
        }
        double[] total = null;
        for (double[] p : parts) { // partition order: collect keeps it
            if (total == null) total = p.clone();
            else for (int i = 0; i < p.length; i++) total[i] += p[i];
        }
        long want = request.count(rows);
        if (total == null || total[0] != want)
            throw new IllegalStateException("the partitions hold " + (total == null ? 0 : (long) total[0]) + " of the request's rows, not " + want);
        double[] out = new double[total.length - 1];
        for (int i = 0; i < out.length; i++) out[i] = total[1 + i] / want;
        return out;
    }

    /**
     * A request of more numbers than this (θ, v, half the rows' indices) is broadcast to the
     * executors once, not sent with every task ({@code -Ddescent.spark.broadcastAbove=N}: tests).
     */
    static long broadcastAbove() { return Long.getLong("descent.spark.broadcastAbove", 1L << 16); }

    @Override public long rows() { return rows; }

    /** A partition's round of local steps: its rows and what its Driver left. */
    record Part(long rows, Round round) implements java.io.Serializable {}

    /**
     * One round of local steps: one Spark job in which every partition gathers its rows into a
     * data set of its own (once per executor thread: it must fit in the executor's memory, a
     * partition's worth, beside Spark's copy; kept with the statement's programs for the next
     * rounds, {@link Job#runner}), takes
     * {@code steps} updates of the statement on them with the standard Driver from θ and the
     * states, and sends back θ, the states and its first loss; the driver averages them,
     * weighted by rows, in partition order.
     */
    @Override public Round round(int statement, double[] theta, double[][] states, long t, int steps) {
        Job j = job;
        long s0 = seed;
        List<Part> parts = blocks.mapPartitionsWithIndex((Integer p, Iterator<double[][]> it) -> {
            Job.Runner runner = j.runner(p, statement, it, s0);
            if (runner == null) return java.util.Collections.<Part>emptyIterator();
            long roundSeed = new java.util.SplittableRandom(s0 ^ (0x9E3779B97F4A7C15L * (p + 1)) ^ (t * 0xBF58476D1CE4E5B9L)).nextLong();
            return List.of(new Part(runner.rows(), runner.runner().round(theta, states, t, steps, roundSeed))).iterator();
        }, false).collect();
        double[] th = new double[theta.length];
        double[][] st = null;
        double loss = 0;
        for (Part part : parts) { // partition order
            double w = (double) part.rows() / rows;
            Round r = part.round();
            for (int i = 0; i < th.length; i++) th[i] += w * r.theta()[i];
            if (st == null) {
                st = new double[r.states().length][];
                for (int k = 0; k < st.length; k++) st[k] = r.states()[k] == null ? null : new double[r.states()[k].length];
            }
            for (int k = 0; k < st.length; k++) if (st[k] != null) for (int i = 0; i < st[k].length; i++) st[k][i] += w * r.states()[k][i];
            loss += w * r.loss();
        }
        return new Round(th, st, loss);
    }
}
