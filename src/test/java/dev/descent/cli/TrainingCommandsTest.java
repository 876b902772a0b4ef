package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 from the command line: reports per split checked against sklearn on the same
 * predictions (fixtures/metrics, tools/fixtures/gen_metrics.py, which reads the saved
 * parameters back with NumPy), --save / --init / eval --params, and --checkpoint / --resume.
 */
class TrainingCommandsTest {
    static final Path FIX = Path.of("src/test/resources/fixtures/metrics").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    /** The fixture's script with its data paths absolute, written into dir, its training replaced by a step that changes nothing. */
    static Path atSavedParams(Path dir) throws Exception {
        String text = Files.readString(FIX.resolve("iris.dsc"));
        for (String f : new String[] {"train.csv", "val.csv", "test.csv"}) text = text.replace("\"" + f + "\"", "\"" + FIX.resolve(f) + "\"");
        text = text.replace("optimize with adam(lr = 0.05) for 20 epochs batch 16", "optimize with gd(lr = 0) for 1 steps");
        Path s = dir.resolve("iris0.dsc");
        Files.writeString(s, text);
        return s;
    }

    @Test void reportsOnEachSplitAgreeWithSklearn(@TempDir Path dir) throws Exception {
        Path s = atSavedParams(dir);
        Cli.Result r = Cli.ok("run", s.toString(), "--init", FIX.resolve("params.json").toString(), "--json", "-q");
        JsonNode got = JSON.readTree(r.out()), want = JSON.readTree(FIX.resolve("expected.json").toFile()).get("splits");
        for (String split : new String[] {"train", "validation", "test"}) {
            for (String m : new String[] {"accuracy", "mae", "first_class"})
                assertEquals(want.get(split).get(m).asDouble(), got.get("metrics").get(m).get(split).asDouble(), 0, m + " on " + split);
            double loss = want.get(split).get("loss").asDouble();
            assertEquals(loss, got.get("losses").get(split).asDouble(), 1e-14 * loss, "the objective (cross-entropy) on " + split);
        }
        assertEquals(got.get("losses").get("train").asDouble(), got.get("loss").asDouble(), 0, "loss is the objective on the training rows");
        // the text report's table: a row per quantity, a column per split
        Cli.Result text = Cli.ok("run", s.toString(), "--init", FIX.resolve("params.json").toString(), "-q");
        assertTrue(text.out().lines().anyMatch(l -> l.matches("\\s+train\\s+validation\\s+test")), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.matches("\\s+accuracy\\s+0\\.9555555555555556\\s+0\\.9666666666666667\\s+0\\.9666666666666667")), text.out());
    }

    @Test void savedParametersLoadBackAndMismatchesAreNamed(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("lin.dsc"), saved = dir.resolve("p.json");
        Files.writeString(s, """
                data d = csv("%s", test = 0.25)
                param w = [0, 0]
                param b = 0
                minimize mean((stack(d.x1, d.x2) @ w + b - d.y)^2)
                optimize with adam(lr = 0.1) for 30 steps
                """.formatted(Path.of("examples/data/linear.csv").toAbsolutePath()));
        JsonNode run = JSON.readTree(Cli.ok("run", s.toString(), "--json", "-q", "--save", saved.toString()).out());
        JsonNode file = JSON.readTree(saved.toFile());
        assertEquals("descent-params", file.get("format").asText());
        assertEquals(run.get("params"), file.get("params"), "the saved parameters are the reported ones, every digit");
        JsonNode at = JSON.readTree(Cli.ok("eval", s.toString(), "--params", saved.toString(), "--json").out());
        JsonNode again = JSON.readTree(Cli.ok("eval", s.toString(), "--at", "w=" + run.get("params").get("w").get(0) + "," + run.get("params").get("w").get(1),
                "--at", "b=" + run.get("params").get("b"), "--json").out());
        assertEquals(again.get("value"), at.get("value"));
        // --init continues from them: 30 more steps from there
        JsonNode more = JSON.readTree(Cli.ok("run", s.toString(), "--json", "-q", "--init", saved.toString()).out());
        assertTrue(more.get("loss").asDouble() < run.get("loss").asDouble());

        Files.writeString(dir.resolve("bad.json"), "{\"params\": {\"w\": [1, 2, 3],\n \"c\": 1}}");
        Cli.Result bad = Cli.run("eval", s.toString(), "--params", dir.resolve("bad.json").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("bad.json:1:13: error: parameter 'w' is a vector [3] in this file, but a vector [2] in the script"), bad.err());
        assertTrue(bad.err().contains("error: the file has no parameter 'b'"), bad.err());
        assertTrue(bad.err().contains("bad.json:2:2: error: the script has no parameter 'c'"), bad.err());
        assertTrue(!bad.err().contains("Exception"), bad.err());
    }

    static final String TRAINING = """
            seed 5
            let more = 10
            data d = csv("%s", validation = 0.2, test = 0.1)
            let X = stack(d.x1, d.x2)
            param W[2, 8] ~ normal(0, 0.5)
            param b[8] = 0
            param v[8] ~ normal(0, 0.5)
            let H = dropout(tanh(X @ W + b), 0.25)
            minimize mean((H @ v - d.y)^2)
            optimize with adam(lr = cosine(0.05, 0.001, 40)) for 7 epochs batch 24 patience 3
            optimize with sgd(lr = 0.01, momentum = 0.9) for more steps batch 32
            report mae = mean(abs(tanh(X @ W + b) @ v - d.y))
            """;

    @Test void aResumedRunPrintsWhatTheWholeRunPrints(@TempDir Path dir) throws Exception {
        Path s = dir.resolve("mlp.dsc"), ck = dir.resolve("ck.json");
        Files.writeString(s, TRAINING.formatted(Path.of("examples/data/linear.csv").toAbsolutePath()));
        String whole = Cli.ok("run", s.toString(), "--json", "-q", "--engine", "scalar").out();
        // every 4 epochs in the first statement, every 4 steps in the second (which counts steps): the last at its step 8 of 10
        String first = Cli.ok("run", s.toString(), "--json", "-q", "--engine", "scalar", "--checkpoint", ck.toString(), "--every", "4").out();
        assertEquals(whole, first, "checkpoints change nothing");
        JsonNode c = JSON.readTree(ck.toFile());
        assertEquals("descent-checkpoint", c.get("format").asText());
        assertEquals(2, c.get("statement").asInt());
        assertEquals(8, c.get("t").asInt());
        String resumed = Cli.ok("run", s.toString(), "--json", "-q", "--engine", "scalar", "--resume", ck.toString()).out();
        assertEquals(whole, resumed, "the same bits, the same report");
        // from a checkpoint in the middle of the first statement (an epoch boundary of its 7)
        String short3 = Cli.ok("run", s.toString(), "--json", "-q", "--engine", "scalar", "--set", "more=3").out();
        Cli.ok("run", s.toString(), "-q", "--engine", "scalar", "--checkpoint", ck.toString(), "--every", "5", "--set", "more=3");
        JsonNode mid = JSON.readTree(ck.toFile());
        assertEquals(1, mid.get("statement").asInt());
        assertEquals(30, mid.get("t").asInt(), "5 epochs of 6 batches");
        assertEquals(short3, Cli.ok("run", s.toString(), "--json", "-q", "--engine", "scalar", "--resume", ck.toString(), "--set", "more=3").out());

        Cli.Result other = Cli.run("run", s.toString(), "-q", "--engine", "scalar", "--seed", "6", "--resume", ck.toString());
        assertEquals(1, other.code());
        assertTrue(other.err().contains("this checkpoint was made by another run"), other.err());
        assertEquals(2, Cli.run("run", s.toString(), "--checkpoint", ck.toString()).code(), "--checkpoint needs --every");
    }
}
