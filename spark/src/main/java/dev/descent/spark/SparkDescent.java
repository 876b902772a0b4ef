package dev.descent.spark;

import dev.descent.check.Limits;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.Driver;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The Java API of a run on Spark: {@code descent run SCRIPT --spark MASTER} from a program that
 * has a {@link SparkSession} already (its own cluster, its own configuration). The session is
 * left running.
 *
 * <pre>{@code
 * SparkSession spark = SparkSession.builder().master("local[4]").getOrCreate();
 * Driver.Result r = SparkDescent.run(spark, Path.of("model.dsc"), Map.of("lr", 0.1), null);
 * System.out.println(r.loss());
 * }</pre>
 */
public final class SparkDescent {
    private SparkDescent() {}

    /**
     * Runs every optimize statement of the script, its data read on {@code spark}, from the
     * script's own start and seed; {@code trace} (may be null) sees every step's row.
     *
     * @throws dev.descent.syntax.CompileError the script's problems, positioned
     */
    public static Driver.Result run(SparkSession spark, Path script, Map<String, Double> settings, Driver.Trace trace) {
        return run(spark, script, settings, trace, 0);
    }

    /**
     * As above, with {@code localSteps} &gt; 0: each partition takes that many updates on its own
     * rows per Spark job, then θ and the optimizer's states are averaged by rows (local SGD,
     * model averaging: {@code run --local-steps K}); the trace sees a row per round.
     */
    public static Driver.Result run(SparkSession spark, Path script, Map<String, Double> settings, Driver.Trace trace, int localSteps) {
        try (SparkCluster c = SparkCluster.open(spark, SourceFile.read(script, script.toString()), settings, Limits.DEFAULT, note -> {})) {
            long seed = c.script().seed != null ? c.script().seed : 0;
            Driver d = new Driver(c.script(), seed, new Engine(Engine.Kind.AUTO, Precision.F64, 1)).dataParallel(c.data());
            if (localSteps > 0) d.localRounds(localSteps, c.rounds());
            return d.run(trace);
        }
    }
}
