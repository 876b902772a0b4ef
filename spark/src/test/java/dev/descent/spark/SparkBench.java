package dev.descent.spark;

import dev.descent.check.Checker;
import dev.descent.check.Limits;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.DataParallel;
import dev.descent.run.Objective;
import dev.descent.syntax.SourceFile;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;

/**
 * What a step costs on Spark (benchmarks/README.md, "Descent on Spark"), not a test: run by hand
 * from the repository root after ./mvnw install -DskipTests and ./mvnw -f spark/pom.xml test-compile:
 *
 * <pre>
 * java $(spark.jvmArgs) -Xmx8g -cp spark/target/test-classes:spark/target/classes:$(cat spark/target/classpath.txt):target/classes \
 *   dev.descent.spark.SparkBench ROWS MASTER
 * </pre>
 *
 * Times, as medians of repeated evaluations at the same θ: the gradient of a linear least-squares
 * objective over ROWS rows of 7 features on one core of this JVM (the engine over rows in memory:
 * the baseline), the same through Spark on MASTER (one job: every partition's blocks, the sums
 * collected and added), the same job over 200 rows (what a job costs whatever its rows: the
 * per-step overhead), and a round of 10 local steps.
 */
public final class SparkBench {
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        String master = args.length > 1 ? args[1] : "local[2]";
        Path dir = Files.createTempDirectory("sparkbench");
        Path big = write(dir.resolve("big.csv"), rows), small = write(dir.resolve("small.csv"), 200);
        String text = """
                data d = csv("%s")
                let X = stack(d.x1, d.x2, d.x3, d.x4, d.x5, d.x6, d.x7)
                param w[7] = 0
                param b = 0
                minimize mean((X @ w + b - d.y)^2)
                optimize with gd(lr = 0.1) for 10 steps
                """;
        Path bigScript = Files.writeString(dir.resolve("big.dsc"), text.formatted(big)), smallScript = Files.writeString(dir.resolve("small.dsc"), text.formatted(small));
        double[] theta = new double[8];
        Arrays.fill(theta, 0.1);

        Script here = Checker.check(SourceFile.read(bigScript, "big.dsc"), Map.of());
        Objective o = new Objective(here, false, new Engine(Engine.Kind.AUTO, Precision.F64, 1));
        double oneCore = median(15, () -> o.evaluate(theta));
        System.out.printf("one machine, one core: %.2f ms per gradient, %.1f M rows/s%n", oneCore * 1e3, rows / oneCore / 1e6);

        SparkSession spark = SparkSession.builder().master(master).appName("SparkBench").config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        int cores = spark.sparkContext().defaultParallelism();
        try (SparkCluster c = SparkCluster.open(spark, SourceFile.read(bigScript, "big.dsc"), Map.of(), Limits.DEFAULT, x -> {});
             SparkCluster s = SparkCluster.open(spark, SourceFile.read(smallScript, "small.dsc"), Map.of(), Limits.DEFAULT, x -> {})) {
            DataParallel.Request g = new DataParallel.Request(DataParallel.Kind.GRADIENT, 1, theta, null);
            double job = median(15, () -> c.data().evaluate(g));
            double overhead = median(25, () -> s.data().evaluate(g));
            org.apache.spark.api.java.JavaSparkContext jsc = org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
            org.apache.spark.api.java.JavaRDD<Integer> two = jsc.parallelize(java.util.List.of(1, 2), cores);
            double empty = median(25, () -> two.map(x -> x + 1).collect());
            double round = median(5, () -> c.rounds().round(1, theta, null, 0, 10));
            System.out.printf("Spark %s (%d cores, %s): %.2f ms per gradient (one job), %.1f M rows/s, %.2f M rows/s per core%n", master, cores,
                    c.describe(), job * 1e3, rows / job / 1e6, rows / job / cores / 1e6);
            System.out.printf("a job over 200 rows (the per-step overhead): %.2f ms; Spark's own cost of a job of %d tasks that does nothing: %.2f ms%n", overhead * 1e3, cores, empty * 1e3);
            System.out.printf("rows/s per core, the job's overhead taken out: %.2f M%n", rows / Math.max(job - overhead, 1e-9) / cores / 1e6);
            System.out.printf("a round of 10 local steps (one job): %.2f ms, %.2f ms per update (full-batch gradient jobs: %.2f ms per update)%n",
                    round * 1e3, round * 1e2, job * 1e3);
        } finally {
            spark.stop();
        }
    }

    static Path write(Path csv, int rows) throws Exception {
        SplittableRandom rnd = new SplittableRandom(42);
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            w.write("x1,x2,x3,x4,x5,x6,x7,y\n");
            StringBuilder sb = new StringBuilder();
            for (int r = 0; r < rows; r++) {
                sb.setLength(0);
                double y = 0.3;
                for (int j = 0; j < 7; j++) {
                    int milli = rnd.nextInt(-1000, 1001);
                    y += (j + 1) * 0.25 * milli / 1000.0;
                    LargerThanHeapTest.decimal(sb, milli);
                    sb.append(',');
                }
                sb.append(y + 0.01 * rnd.nextDouble()).append('\n');
                w.append(sb);
            }
        }
        return csv;
    }

    static double median(int n, Runnable r) {
        r.run(); // warm
        r.run();
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(t);
        return t[n / 2];
    }
}
