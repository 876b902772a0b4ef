package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.run.Driver;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data larger than the driver's heap: 9 million rows of 8 columns (576 MB as float64) in a JVM of
 * 512 MB (its own surefire execution: in local[2] the driver and the executors are that one JVM),
 * trained by L-BFGS in local[2]. Spark keeps the blocks in memory and on disk; the driver holds
 * θ and the partitions' sums, never the rows. The reference is the truth the rows were drawn
 * from: y = X·w* + b* + noise (standard deviation 0.01), whose least-squares fit on 9 million
 * rows is w* to about 1e-5, with a mean squared residual of 1e-4.
 */
class LargerThanHeapTest {
    static final double[] W = {2, -1, 0.5, 0, 1.5, -0.25, 0.75};
    static final double B = 0.3;
    static final int ROWS = 9_000_000;

    /** A number in [-1, 1] with three decimals, written without Double.toString (fast). */
    static void decimal(StringBuilder sb, int milli) {
        if (milli < 0) sb.append('-');
        int a = Math.abs(milli);
        sb.append(a / 1000).append('.');
        int f = a % 1000;
        if (f < 100) sb.append('0');
        if (f < 10) sb.append('0');
        sb.append(f);
    }

    @Test
    void trainsOnMoreRowsThanTheHeapHolds(@TempDir Path dir) throws Exception {
        long bytes = (long) ROWS * (W.length + 1) * Double.BYTES;
        assertTrue(Runtime.getRuntime().maxMemory() < bytes, "the test's premise: a heap (" + Runtime.getRuntime().maxMemory() + " B) smaller than the data (" + bytes + " B)");
        Path csv = dir.resolve("rows.csv");
        SplittableRandom rnd = new SplittableRandom(42);
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("x1,x2,x3,x4,x5,x6,x7,y\n");
            StringBuilder sb = new StringBuilder();
            for (int r = 0; r < ROWS; r++) {
                sb.setLength(0);
                double y = B + 0.01 * Math.sqrt(3) * (2 * rnd.nextDouble() - 1);
                for (int j = 0; j < W.length; j++) {
                    int milli = rnd.nextInt(-1000, 1001);
                    y += W[j] * milli / 1000.0;
                    decimal(sb, milli);
                    sb.append(',');
                }
                sb.append(y).append('\n');
                w.append(sb);
            }
        }
        Path script = dir.resolve("big.dsc");
        Files.writeString(script, """
                data d = csv("rows.csv")
                let X = stack(d.x1, d.x2, d.x3, d.x4, d.x5, d.x6, d.x7)
                param w[7] = 0
                param b = 0
                minimize mean((X @ w + b - d.y)^2)
                optimize with lbfgs() for 6 steps
                """);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("LargerThanHeapTest").config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.files.maxPartitionBytes", String.valueOf(16 << 20)).getOrCreate();
        try {
            Driver.Result r = SparkDescent.run(spark, script, Map.of(), null);
            double[] theta = r.parameters().toDoubles();
            for (int j = 0; j < W.length; j++) assertEquals(W[j], theta[j], 1e-3, "w[" + j + "]");
            assertEquals(B, theta[W.length], 1e-3, "b");
            assertEquals(1e-4, r.loss(), 0.05e-4, "the mean squared residual: the noise's variance");
        } finally {
            spark.stop();
        }
    }
}
