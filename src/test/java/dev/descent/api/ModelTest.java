package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Descent} and {@link Model} give the numbers {@code descent run --json} and {@code descent eval --json} print. */
class ModelTest {
    @TempDir Path dir;

    @Test
    void runEqualsDescentRunJson() {
        for (String file : List.of("examples/rosenbrock/adam.dsc", "examples/linear_regression.dsc", "examples/lion.dsc")) {
            Model m = Descent.load(Path.of(file));
            for (String engine : List.of("simd", "scalar")) {
                Result r = m.run(Options.defaults().engine(engine));
                JsonNode j = ApiCli.json("run", file, "--json", "--engine", engine);
                assertEquals(ApiCli.number(j.get("loss")), r.loss(), 0.0, file);
                for (Parameter p : r.parameters()) {
                    double[] expected = flat(j.get("params").get(p.name()));
                    assertArrayEquals(expected, r.param(p.name()), 0.0, file + " " + p.name());
                }
                assertEquals(j.get("runs").size(), r.runs().size());
                for (int k = 0; k < r.runs().size(); k++) {
                    JsonNode jr = j.get("runs").get(k);
                    Result.Run run = r.runs().get(k);
                    assertEquals(jr.get("optimizer").asText(), run.optimizer());
                    assertEquals(jr.get("steps").asLong(), run.steps());
                    assertEquals(ApiCli.number(jr.get("loss")), run.loss(), 0.0);
                    assertEquals(jr.get("stopped").asText(), run.stopped());
                }
            }
        }
    }

    /** The restored epoch of an early stop is the CLI JSON's {@code restored_epoch}; 0 for a run that did not stop early. */
    @Test
    void anEarlyStopSaysWhichEpochWasRestoredAsTheJsonDoes() {
        String file = "examples/early_stopping.dsc";
        Result r = Descent.load(Path.of(file)).run();
        JsonNode jr = ApiCli.json("run", file, "--json").get("runs").get(0);
        Result.Run run = r.runs().get(0);
        assertEquals("early_stop", run.stopped());
        assertTrue(run.restoredEpoch() >= 1 && run.restoredEpoch() < run.epochs(), run.toString());
        assertEquals(jr.get("restored_epoch").asLong(), run.restoredEpoch());
        assertEquals(jr.get("epochs").asLong(), run.epochs());
        assertEquals(ApiCli.number(jr.get("validation_loss")), run.validationLoss(), 0.0);
        assertEquals(0, Descent.load(Path.of("examples/gd_x2.dsc")).run().runs().get(0).restoredEpoch());
    }

    private static double[] flat(JsonNode n) {
        if (!n.isArray()) return new double[] {ApiCli.number(n)};
        java.util.List<Double> out = new java.util.ArrayList<>();
        for (JsonNode e : n) for (double v : flat(e)) out.add(v);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void settingsAndSeedAreTheCommandLines() {
        Path f = ApiCli.write(dir, "s.dsc", "let lr = 0.1\nparam w ~ normal(0, 1)\nminimize (w - 3)^2\noptimize with gd(lr = lr) for 20 steps\n");
        Result r = Descent.load(f).run(Options.defaults().set("lr", 0.05).seed(42));
        JsonNode j = ApiCli.json("run", f.toString(), "--json", "--set", "lr=0.05", "--seed", "42");
        assertEquals(ApiCli.number(j.get("params").get("w")), r.param("w")[0], 0.0);
        assertEquals(ApiCli.number(j.get("loss")), r.loss(), 0.0);
        assertEquals(0, r.shape("w").length);
        DescentException e = assertThrows(DescentException.class, () -> Descent.load(f).run(Options.defaults().set("lrr", 1)));
        assertTrue(e.getMessage().contains("lrr"), e.getMessage());
    }

    @Test
    void parameterLayoutAndStart() {
        Model m = Descent.parse("m.dsc", "param a = 1\nparam W = [[1, 2], [3, 4]]\nparam v = [5, 6, 7]\nminimize a^2 + sum(W)^2 + sum(v * v)\n");
        assertEquals(8, m.dimension());
        assertEquals(List.of(new Parameter("a", new int[0], 0, 1), new Parameter("W", new int[] {2, 2}, 1, 4), new Parameter("v", new int[] {3}, 5, 3)),
                m.parameters());
        assertArrayEquals(new double[] {1, 1, 2, 3, 4, 5, 6, 7}, m.start(), 0.0);
    }

    @Test
    void evaluateEqualsDescentEval() {
        String file = "examples/linear_regression.dsc";
        Model m = Descent.load(Path.of(file));
        double[] theta = m.start(), g = new double[m.dimension()];
        double v = m.evaluate(theta, g);
        JsonNode j = ApiCli.json("eval", file, "--json");
        assertEquals(ApiCli.number(j.get("value")), v, 0.0);
        for (Parameter p : m.parameters())
            assertArrayEquals(flat(j.get("grad").get(p.name())), java.util.Arrays.copyOfRange(g, p.offset(), p.offset() + p.size()), 0.0, p.name());

        Model r = Descent.load(Path.of("examples/rosenbrock/adam.dsc"));
        double[] x = {0.25, -0.5}, gx = new double[2];
        double f = r.evaluate(x, gx);
        JsonNode k = ApiCli.json("eval", "examples/rosenbrock/adam.dsc", "--json", "--at", "x=0.25,-0.5");
        assertEquals(ApiCli.number(k.get("value")), f, 0.0);
        assertArrayEquals(ApiCli.numbers(k.get("grad").get("x")), gx, 0.0);
        assertEquals(f, r.evaluate(x, null), 0.0);
        assertThrows(IllegalArgumentException.class, () -> r.evaluate(new double[3], null));
    }

    @Test
    void aBadScriptGivesItsDiagnostics() {
        DescentException e = assertThrows(DescentException.class, () -> Descent.parse("bad.dsc", "param x = 1\nminimize (x - 1)^2 + y\n"));
        assertTrue(e.rendered().startsWith("bad.dsc:2:22: error:"), e.rendered());
        assertTrue(e.rendered().contains("^"), e.rendered());
        assertEquals("bad.dsc", e.diagnostics().get(0).file());
        assertEquals(e.rendered(), e.getMessage());

        e = assertThrows(DescentException.class, () -> Descent.load(dir.resolve("missing.dsc")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());

        e = assertThrows(DescentException.class, () -> Descent.parse("n.dsc", "param x = 1\nminimize x^2\n").run());
        assertTrue(e.getMessage().contains("nothing to run"), e.getMessage());
    }
}
