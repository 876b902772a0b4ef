package dev.descent.spark;

import dev.descent.run.DataParallel;
import dev.descent.run.PartitionEvaluator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The objective over rows that stay on Spark's executors: each request is one Spark job, in which
 * every partition sums its blocks (or, for a mini-batch or a held-out split, the rows of the
 * request it holds, picked by their indices: the driver chooses them as a run over rows in
 * memory does) ({@link PartitionEvaluator#evaluate}: the same engine programs as
 * a run over rows in memory) and sends back its sums (1 + 1 + n numbers for a gradient); the
 * driver adds them in partition order (so a run gives the same bits every time on the same
 * partitions) and divides by the number of rows.
 */
final class SparkData implements DataParallel {
    private final JavaRDD<double[][]> blocks;
    private final Job job;
    private final long rows;
    /** Each partition's first row (its index in the data set). */
    private final long[] offsets;
    private long requests;

    SparkData(JavaRDD<double[][]> blocks, Job job, long[] offsets, long rows) {
        this.blocks = blocks;
        this.job = job;
        this.offsets = offsets;
        this.rows = rows;
    }

    @Override public double[] evaluate(Request request) {
        requests++;
        Job j = job;
        long[] first = offsets;
        List<double[]> parts = blocks.mapPartitionsWithIndex((Integer p, Iterator<double[][]> it) -> List.of(j.local().evaluate(request, it, first[p])).iterator(), false)
                .collect();
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

    @Override public long rows() { return rows; }

    /** Spark jobs run so far (one per evaluation the driver asked for). */
    long requests() { return requests; }
}
