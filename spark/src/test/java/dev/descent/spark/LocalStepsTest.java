package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.run.Driver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run --spark --local-steps K: with the data in one partition, rounds of K updates are the
 * one-machine run, bit for bit, at the start of every round; in 17 partitions, a different
 * trajectory (model averaging) that still ends within 2% of the one-machine loss, with one Spark
 * job per K updates.
 */
class LocalStepsTest {
    static SparkSession session(long partitionBytes) {
        return SparkSession.builder().master("local[2]").appName("LocalStepsTest").config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.files.maxPartitionBytes", String.valueOf(partitionBytes)).config("spark.sql.files.minPartitionNum", "1")
                .getOrCreate();
    }

    @Test
    void roundsOfLocalSteps(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("adam.dsc");
        Files.writeString(f, SameAnswerTest.script("adam(lr = 0.05) for 40 steps"));
        SameAnswerTest.Traced here = SameAnswerTest.oneMachine(f);
        for (long bytes : new long[] {1L << 30, 20_000}) {
            SparkSession spark = session(bytes);
            try {
                List<double[]> thetas = new ArrayList<>();
                List<Double> losses = new ArrayList<>();
                Driver.Result r = SparkDescent.run(spark, f, Map.of(), SameAnswerTest.into(thetas, losses), 5);
                assertEquals(9, thetas.size(), "8 rounds and the end");
                assertEquals(40, r.runs().get(0).steps());
                if (bytes > 1e6) { // one partition: the run itself
                    for (int k = 0; k < 8; k++) {
                        assertEquals(here.losses().get(5 * k), losses.get(k), 0.0, "loss at step " + 5 * k);
                        double[] a = here.thetas().get(5 * k), b = thetas.get(k);
                        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 0.0, "θ at step " + 5 * k);
                    }
                } else {
                    assertTrue(losses.get(8) < 0.5 * losses.get(0), "the loss falls: " + losses);
                    double want = here.result().loss();
                    assertTrue(Math.abs(r.loss() - want) < 0.02 * want, "ends near the one-machine run: " + r.loss() + " vs " + want);
                    assertTrue(Math.abs(r.loss() - want) > 1e-9, "but on another trajectory");
                }
            } finally {
                spark.stop();
            }
        }
    }
}
