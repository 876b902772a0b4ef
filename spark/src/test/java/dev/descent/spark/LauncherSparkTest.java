package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spark.md's first command: bin/descent run SCRIPT --spark local[2], as a user types it. The
 * launcher builds the Spark module (or finds it built) and prints the one-machine report, with
 * its line saying where the run happened, and nothing of Spark's own logging.
 */
class LauncherSparkTest {
    @Test
    void binDescentRunsOnSpark(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("lr.dsc");
        Files.writeString(script, "data d = csv(\"" + Path.of("examples/data/linear.csv").toAbsolutePath() + "\")\nparam w = [0, 0]\nparam b = 0\n"
                + "let X = stack(d.x1, d.x2)\nminimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)\noptimize with lbfgs() for 10 steps\n");
        ProcessBuilder pb = new ProcessBuilder("bash", "bin/descent", "run", script.toString(), "--spark", "local[2]");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Path err = dir.resolve("err.txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "bin/descent ends");
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), out + stderr);
        SparkCommandTest.Out here = SparkCommandTest.run("run", script.toString());
        SparkCommandTest.sameNumbers(here.out(), out); // the one-machine report, to 1e-12
        assertTrue(stderr.contains("descent: on Spark local[2]: 200 rows of "), stderr);
        assertTrue(!stderr.contains(" INFO ") && !stderr.contains(" WARN ") && !stderr.contains("Exception"), "no Spark logging, no stack trace:\n" + stderr);
    }

    /** A path Spark cannot read and a cell that is not a number: Descent's positioned error, and nothing of Spark's (no stack trace). */
    @Test
    void problemsAreDescentsAlone(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "x1,x2,y\n1,2,3\n4,,6\n");
        for (String[] c : new String[][] {{dir.resolve("missing.csv").toString(), "Spark cannot read csv data"}, {bad.toString(), "an empty cell in column 'x2'"}}) {
            Path script = dir.resolve("s.dsc");
            Files.writeString(script, "data d = csv(\"" + c[0] + "\")\nparam w = [0, 0]\nparam b = 0\n"
                    + "let X = stack(d.x1, d.x2)\nminimize mean((X @ w + b - d.y)^2)\noptimize with gd(lr = 0.1) for 3 steps\n");
            ProcessBuilder pb = new ProcessBuilder("bash", "bin/descent", "run", script.toString(), "--spark", "local[2]");
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(600, TimeUnit.SECONDS), "bin/descent ends");
            assertEquals(1, p.exitValue(), all);
            assertTrue(all.contains(script + ":1:14: error: ") && all.contains(c[1]) && all.contains("^"), all);
            assertTrue(!all.contains("Exception") && !all.contains("\tat ") && !all.contains(" WARN ") && !all.contains(" ERROR "), "Descent's error alone:\n" + all);
        }
    }
}
