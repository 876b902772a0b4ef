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

    /** Each executor thread's evaluators, by job: built on its first partition, reused at every step. */
    private static final ThreadLocal<Map<Job, PartitionEvaluator>> EVALUATORS = ThreadLocal.withInitial(HashMap::new);

    PartitionEvaluator local() { return EVALUATORS.get().computeIfAbsent(this, Job::evaluator); }
}
