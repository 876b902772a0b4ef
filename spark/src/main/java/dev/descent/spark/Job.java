package dev.descent.spark;

import dev.descent.check.Checker;
import dev.descent.check.Limits;
import dev.descent.check.LoadProgress;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.PartitionEvaluator;
import dev.descent.syntax.SourceFile;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an executor needs to evaluate a script on its partitions: the script's text (and where it
 * was, for its imports), the settings, and the data set the objective reads with its columns in
 * the order of a block's arrays. Each executor thread checks the script once per job and keeps
 * the {@link PartitionEvaluator} (its engine programs) for every later step.
 */
record Job(String name, String path, String text, Map<String, Double> settings, String data, List<String> columns) implements Serializable {
    Job {
        settings = Map.copyOf(settings);
        columns = List.copyOf(columns);
    }

    /** The script checked with its data as columns without values, {@code rows} rows of them. */
    Script check(boolean training, int rows, Limits limits) {
        SourceFile src = new SourceFile(name, path == null ? null : Path.of(path), text);
        return Checker.check(src, settings, new Checker.Options(training, Map.of(data, PartitionEvaluator.schema(data, columns, rows)),
                Map.of(), LoadProgress.NONE, limits));
    }

    /** The script checked for training on these rows (a partition's, for its local steps: {@code run --local-steps}). */
    Script check(dev.descent.check.DataSet rows) {
        SourceFile src = new SourceFile(name, path == null ? null : Path.of(path), text);
        return Checker.check(src, settings, new Checker.Options(true, Map.of(data, rows), Map.of(), LoadProgress.NONE, Limits.DEFAULT));
    }

    /** A new evaluator of this job's parts, in float64 on one thread (the partitions run side by side). */
    PartitionEvaluator evaluator() {
        return new PartitionEvaluator(check(false, PartitionEvaluator.BLOCK_ROWS, Limits.DEFAULT), data, columns, new Engine(Engine.Kind.AUTO, Precision.F64, 1));
    }

    /** A partition's rows as a data set of their own, and its statement's runner of local rounds. */
    record Runner(long rows, dev.descent.run.LocalRunner runner) {}

    /** Each executor thread's runners, by job, partition and statement: built in the first round, reused in the next. */
    private static final ThreadLocal<Map<List<Object>, Runner>> RUNNERS = ThreadLocal.withInitial(HashMap::new);

    /** Partition {@code p}'s runner of statement {@code statement}, its rows gathered from its blocks the first time; null for an empty partition. */
    Runner runner(int p, int statement, java.util.Iterator<double[][]> blocks, long seed) {
        List<Object> key = List.of(this, p, statement);
        Runner r = RUNNERS.get().get(key);
        if (r != null) return r;
        List<double[][]> bs = new java.util.ArrayList<>();
        int m = 0;
        while (blocks.hasNext()) {
            double[][] b = blocks.next();
            bs.add(b);
            m += b[0].length;
        }
        if (m == 0) return null;
        java.util.LinkedHashMap<String, double[]> cols = new java.util.LinkedHashMap<>();
        for (int c = 0; c < columns.size(); c++) {
            double[] col = new double[m];
            int at = 0;
            for (double[][] b : bs) {
                System.arraycopy(b[c], 0, col, at, b[c].length);
                at += b[c].length;
            }
            cols.put(columns.get(c), col);
        }
        Script script = check(new dev.descent.check.DataSet(data, null, null, cols, m));
        r = new Runner(m, new dev.descent.run.Driver(script, seed, new Engine(Engine.Kind.AUTO, Precision.F64, 1)).localRunner(statement));
        RUNNERS.get().put(key, r);
        return r;
    }

    /** Each executor thread's evaluators, by job: built on its first partition, reused at every step. */
    private static final ThreadLocal<Map<Job, PartitionEvaluator>> EVALUATORS = ThreadLocal.withInitial(HashMap::new);

    PartitionEvaluator local() { return EVALUATORS.get().computeIfAbsent(this, Job::evaluator); }
}
