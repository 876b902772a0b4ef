package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/descent starts the commands that run no engine (check, grad, show, help:
 * {@link AotTraining#LIGHT}) without {@code --add-modules jdk.incubator.vector}. This runs
 * them so, in a JVM of their own, on good and bad scripts and with data, and insists
 * each behaves as with the module: the exit code expected, and never an internal error
 * (a class of the Vector API that could not be loaded).
 */
class NoVectorModuleTest {
    @TempDir Path dir;

    @Test void lightCommandsNeedNoVectorModule() throws Exception {
        Path bad = dir.resolve("bad.dsc"), good = dir.resolve("good.dsc");
        Files.writeString(bad, "param x = [1, 2\nminimize sum(x^2) + y\n");
        Files.writeString(good, "param x = [1, 2]\nlet M = [[2, 1], [1, 3]]\nminimize dot(x, M @ x) + sum(exp(x))\noptimize with adam(lr = 0.1) for 10 steps\n");
        List<String> commands = List.of(
                "0 check examples/quickstart.dsc",
                "0 check examples/mlp_digits.dsc examples/logistic_breast_cancer.dsc " + good,
                "1 check " + bad,
                "0 grad examples/quickstart.dsc --hessian",
                "0 grad " + good + " --hessian --json",
                "0 grad examples/mlp_digits.dsc",
                "0 show",
                "0 show adam",
                "2 show nosuch",
                "0 --help",
                "0 help run",
                "0 help eval",
                "0 -V",
                "0 --version",
                "2 check");
        for (String c : commands) assertTrue(AotTraining.LIGHT.contains(c.split(" ")[1]), c);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss64m", "-cp", System.getProperty("java.class.path"), Runner.class.getName()));
        cmd.addAll(commands);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("no jdk.incubator.vector\n"), out);
        assertEquals(commands.size(), out.lines().filter(l -> l.startsWith("ok ")).count(), out);
    }

    /**
     * Without the module (java -jar descent.jar, a program that uses the API on the class path
     * without --add-modules), the commands that run an engine, and the Java API, run on the scalar
     * engine and say so in one line, once per JVM; never a NoClassDefFoundError. float32 and bench,
     * which need the Vector API, say so.
     */
    @Test void enginesFallBackToScalarWithoutTheModule() throws Exception {
        Path good = dir.resolve("good.dsc"), points = dir.resolve("points.csv");
        Files.writeString(good, "param x = [1, 2]\nlet M = [[2, 1], [1, 3]]\nminimize dot(x, M @ x) + sum(exp(x))\noptimize with adam(lr = 0.1) for 10 steps\n");
        Files.writeString(points, "x[0],x[1]\n1,2\n3,4\n");
        List<String> commands = List.of(
                "0 run examples/quickstart.dsc",
                "0 run " + good + " --json --engine compiled",
                "0 run examples/linear_regression.dsc --engine simd --threads 2",
                "0 eval examples/quickstart.dsc --hessian",
                "0 eval examples/quickstart.dsc --points " + points + " --grad",
                "0 compare examples/quickstart.dsc --with sgd(lr=0.001) --with adam(lr=0.05)",
                "2 run examples/quickstart.dsc --precision f32",
                "1 bench examples/quickstart.dsc --steps 10");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss64m", "-cp", System.getProperty("java.class.path"), FullRunner.class.getName()));
        cmd.addAll(commands);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("no jdk.incubator.vector\n"), out);
        assertEquals(commands.size() + 4, out.lines().filter(l -> l.startsWith("ok ")).count(), out);
        assertEquals(1, out.lines().filter(l -> l.equals(dev.descent.engine.Engine.SCALAR_FALLBACK)).count(), "said once: " + out);
        assertFalse(out.contains("NoClassDefFoundError"), out);
    }

    /** As {@link Runner}, then the Java API: a script run and evaluated, an optimizer stepped, float32 refused in words. */
    public static final class FullRunner {
        public static void main(String[] args) throws Exception {
            Runner.main(args);
            var model = dev.descent.api.Descent.parse("q.dsc", "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\noptimize with adam(lr = 0.05) for 2000 steps\n");
            var r = model.run();
            System.out.println((r.loss() < 1e-10 ? "ok " : "FAILED ") + "api run " + r.loss());
            double[] g = new double[2];
            double v = model.evaluate(model.start(), g);
            System.out.println((v == 12.5 && g[0] == -155 && g[1] == -50 ? "ok " : "FAILED ") + "api evaluate " + v);
            var adam = dev.descent.api.Optimizer.standard("adam", java.util.Map.of("lr", 0.1));
            double[] w = {1, 2};
            for (int i = 0; i < 3; i++) adam.step(w, new double[] {w[0], w[1]});
            System.out.println((w[0] < 1 && w[1] < 2 ? "ok " : "FAILED ") + "api step " + java.util.Arrays.toString(w));
            try {
                dev.descent.api.Optimizer.standard("adam").step(new float[] {1}, new float[] {1});
                System.out.println("FAILED api float32: no error");
            } catch (IllegalArgumentException e) {
                System.out.println((e.getMessage().contains("--add-modules jdk.incubator.vector") ? "ok " : "FAILED ") + "api float32: " + e.getMessage());
            }
        }
    }

    /** Runs each "CODE ARGS…" and prints "ok ARGS" when the exit code is CODE and nothing internal went wrong. */
    public static final class Runner {
        public static void main(String[] args) throws Exception {
            System.out.println(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "has jdk.incubator.vector" : "no jdk.incubator.vector");
            for (String a : args) {
                String[] parts = a.split(" ");
                String[] argv = java.util.Arrays.copyOfRange(parts, 1, parts.length);
                StringWriter out = new StringWriter(), err = new StringWriter();
                int code = Main.execute(argv, new PrintWriter(out, true), new PrintWriter(err, true));
                boolean fine = code == Integer.parseInt(parts[0]) && !err.toString().contains("internal error");
                System.out.println((fine ? "ok " : "FAILED (exit " + code + ") ") + String.join(" ", argv) + (fine ? "" : "\n" + err));
            }
        }
    }
}
