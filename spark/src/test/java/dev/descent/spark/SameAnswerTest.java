package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.run.Driver;
import dev.descent.syntax.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script run on Spark gives the run on one machine, step by step: the same losses and θ to
 * 1e-12 (relative to the largest |θᵢ|) in local[2] and local[3], the CSV cut into 17 partitions of
 * 20 kB, for full-batch gradient descent, L-BFGS (its strong-Wolfe search's trial points are
 * Spark jobs too), Newton's method (the Hessian summed over the partitions) and Adam on
 * mini-batches with validation and test rows held out; the losses and the report (accuracy) on
 * each split the same; and the same bits when run again on the same partitions (the partitions'
 * sums are added in partition order).
 */
class SameAnswerTest {
    static final Path DATA = Path.of("examples/data/breast_cancer.csv").toAbsolutePath();

    static String script(String optimize) {
        StringBuilder cols = new StringBuilder();
        for (int i = 0; i < 30; i++) cols.append(i == 0 ? "" : ", ").append("d.f").append(i);
        return "data d = csv(\"" + DATA + "\")\n"
                + "let X = stack(" + cols + ")\n"
                + "param w[30] = 0\nparam b = 0\n"
                + "let z = X @ w + b\n"
                + "minimize mean(softplus(z) - d.label * z) + 0.001 * sum(w^2)\n"
                + "report accuracy = mean((z > 0) == d.label)\n"
                + "optimize with " + optimize + "\n";
    }

    record Traced(List<double[]> thetas, List<Double> losses, Driver.Result result) {}

    static Driver.Trace into(List<double[]> thetas, List<Double> losses) {
        return (run, step, loss, gn, lr, theta) -> {
            thetas.add(theta.toDoubles());
            losses.add(loss);
        };
    }

    static Traced oneMachine(Path file) {
        Script s = Checker.checkForTraining(SourceFile.read(file, file.toString()), Map.of());
        List<double[]> th = new ArrayList<>();
        List<Double> ls = new ArrayList<>();
        Driver.Result r = new Driver(s, 0, new Engine(Engine.Kind.AUTO, Precision.F64, 1)).run(s.initialTheta(0), into(th, ls));
        return new Traced(th, ls, r);
    }

    static Traced onSpark(SparkSession spark, Path file) {
        List<double[]> th = new ArrayList<>();
        List<Double> ls = new ArrayList<>();
        Driver.Result r = SparkDescent.run(spark, file, Map.of(), into(th, ls));
        return new Traced(th, ls, r);
    }

    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("SameAnswerTest").config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.files.maxPartitionBytes", "20000").getOrCreate();
    }

    static void assertSame(Traced want, Traced got, String what) {
        assertEquals(want.thetas.size(), got.thetas.size(), what + ": steps");
        for (int k = 0; k < want.thetas.size(); k++) {
            double lw = want.losses.get(k), lg = got.losses.get(k);
            assertTrue(Math.abs(lw - lg) <= 1e-12 * Math.abs(lw), what + ": loss at step " + k + ": " + lw + " vs " + lg);
            double[] a = want.thetas.get(k), b = got.thetas.get(k);
            double scale = 1e-300;
            for (double v : a) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < a.length; i++)
                assertTrue(Math.abs(a[i] - b[i]) <= 1e-12 * scale, what + ": θ[" + i + "] at step " + k + ": " + a[i] + " vs " + b[i]);
        }
        assertEquals(want.result.splits().size(), got.result.splits().size(), what + ": splits");
        for (int k = 0; k < want.result.splits().size(); k++) {
            Driver.Split a = want.result.splits().get(k), b = got.result.splits().get(k);
            assertEquals(a.name(), b.name());
            assertEquals(a.loss(), b.loss(), 1e-12 * Math.abs(a.loss()), what + ": " + a.name() + " loss");
            assertEquals(a.metrics().get("accuracy"), b.metrics().get("accuracy"), 1e-12, what + ": " + a.name() + " accuracy");
        }
    }

    /** parquet("…"): the same rows written as Parquet by Spark (a folder of part files) give the CSV's run, bit for bit on the same partitions. */
    @Test
    void parquetIsReadAsTheCsvIs(@TempDir Path dir) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("SameAnswerTest").config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            Path pq = dir.resolve("rows.parquet");
            spark.read().option("header", "true").option("inferSchema", "true").csv(DATA.toString()).coalesce(1).write().parquet(pq.toString());
            Path csv = dir.resolve("csv.dsc"), parquet = dir.resolve("parquet.dsc");
            String text = script("lbfgs() for 8 steps");
            Files.writeString(csv, text);
            Files.writeString(parquet, text.replace("csv(\"" + DATA + "\")", "parquet(\"rows.parquet\")"));
            Traced a = onSpark(spark, csv), b = onSpark(spark, parquet), here = oneMachine(csv);
            assertSame(here, b, "parquet");
            assertEquals(a.losses.size(), b.losses.size());
            for (int k = 0; k < a.losses.size(); k++) assertEquals(a.losses.get(k), b.losses.get(k), 1e-12 * a.losses.get(k), "loss at step " + k);
        } finally {
            spark.stop();
        }
    }

    @Test
    void sparkGivesTheOneMachineRunStepByStep(@TempDir Path dir) throws Exception {
        List<String> optimizers = List.of("gd(lr = 0.5) for 20 steps", "lbfgs() for 12 steps", "newton() for 5 steps", "adam(lr = 0.05) for 2 epochs batch 64");
        List<Path> files = new ArrayList<>();
        List<Traced> local = new ArrayList<>();
        for (int k = 0; k < optimizers.size(); k++) {
            Path f = dir.resolve("s" + k + ".dsc");
            String text = script(optimizers.get(k));
            // the mini-batch run holds rows out: its batches and splits are drawn by the driver, as on one machine
            if (optimizers.get(k).contains("batch")) text = text.replace(DATA + "\")", DATA + "\", validation = 0.2, test = 0.1)");
            Files.writeString(f, text);
            files.add(f);
            local.add(oneMachine(f));
        }
        for (String master : List.of("local[2]", "local[3]")) {
            SparkSession spark = session(master);
            try {
                for (int k = 0; k < optimizers.size(); k++) {
                    Traced got = onSpark(spark, files.get(k));
                    assertSame(local.get(k), got, master + " " + optimizers.get(k));
                    if (k == 1) { // the same bits again on the same partitions, θ broadcast rather than sent with the tasks
                        Traced again;
                        System.setProperty("descent.spark.broadcastAbove", "0");
                        try {
                            again = onSpark(spark, files.get(k));
                        } finally {
                            System.clearProperty("descent.spark.broadcastAbove");
                        }
                        for (int s = 0; s < got.thetas.size(); s++) {
                            assertEquals(Double.doubleToRawLongBits(got.losses.get(s)), Double.doubleToRawLongBits(again.losses.get(s)), "loss bits at step " + s);
                            double[] a = got.thetas.get(s), b = again.thetas.get(s);
                            for (int i = 0; i < a.length; i++) assertEquals(Double.doubleToRawLongBits(a[i]), Double.doubleToRawLongBits(b[i]), "θ bits");
                        }
                    }
                }
            } finally {
                spark.stop();
            }
        }
    }
}
