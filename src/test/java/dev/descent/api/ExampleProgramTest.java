package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The example program runs as docs/api.md says (the single-file source launcher, with the
 * Descent classes on the class path) and trains down to a small loss.
 */
class ExampleProgramTest {
    @Test
    void trainWithDescentRunsAndConverges() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = classPath();
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", cp, "examples/api/TrainWithDescent.java")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the example did not finish");
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertTrue(lines.get(0).startsWith("step    0  loss "), out);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("final loss "), out);
        double loss = Double.parseDouble(last.substring("final loss ".length()).trim());
        assertTrue(loss < 1e-3, "final loss " + loss + "\n" + out);
    }

    /** The test's class path (the compiled main classes and the dependencies), or target/descent.jar when it exists. */
    private static String classPath() {
        String cp = System.getProperty("java.class.path");
        // surefire may pass a manifest-only booter jar; the main classes are in target/classes either way
        return Path.of("target", "classes").toAbsolutePath() + File.pathSeparator + cp;
    }
}
