package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spark.md's spark-submit line, run by Spark's own SparkSubmit in a JVM of its own whose
 * class path holds only Apache Spark (and what Spark brings), as on a cluster: the module's jar
 * as the application, the core's runnable jar (target/descent.jar, built by the README's
 * test command before these tests) with --jars, dev.descent.cli.Main as the class. The run
 * prints what it prints on one machine.
 */
class SparkSubmitTest {
    @Test
    void runsUnderSparkSubmit(@TempDir Path dir) throws Exception {
        Path core = Path.of("target/descent.jar");
        assertTrue(Files.isRegularFile(core), "the core's runnable jar: run ./mvnw install at the repository root first (the README's test command does)");
        // the module's jar, from its compiled classes (its package phase comes after its tests)
        Path module = dir.resolve("descent-spark.jar");
        Path classes = Path.of("spark/target/classes");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(module)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        List<String> spark = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator))
            if (e.endsWith(".jar") && !e.contains("/dev/descent/") && !e.matches(".*(picocli|jfreesvg|junit|opentest4j|apiguardian|surefire).*")) spark.add(e);
        Matcher opts = Pattern.compile("<spark.jvmArgs>(.*)</spark.jvmArgs>").matcher(Files.readString(Path.of("spark/pom.xml")));
        assertTrue(opts.find());
        Path script = dir.resolve("lr.dsc");
        Files.writeString(script, "data d = csv(\"" + Path.of("examples/data/linear.csv").toAbsolutePath() + "\")\nparam w = [0, 0]\nparam b = 0\n"
                + "let X = stack(d.x1, d.x2)\nminimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)\noptimize with lbfgs() for 10 steps\n");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(opts.group(1).trim().split("\\s+")));
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, spark), "org.apache.spark.deploy.SparkSubmit", "--master", "local[2]",
                "--conf", "spark.driver.bindAddress=127.0.0.1", "--conf", "spark.driver.host=127.0.0.1",
                "--jars", core.toAbsolutePath().toString(), "--class", "dev.descent.cli.Main", module.toString(),
                "run", script.toString(), "--spark", "local[2]", "--json"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "spark-submit ends");
        assertEquals(0, p.exitValue(), out);
        SparkCommandTest.Out here = SparkCommandTest.run("run", script.toString(), "--json");
        assertEquals(0, here.code(), here.err());
        assertEquals(here.out().replaceAll("(\\d\\.\\d{10})\\d*", "$1"), out.replaceAll("(\\d\\.\\d{10})\\d*", "$1"), "the one-machine JSON, to 10 decimals");
    }
}
