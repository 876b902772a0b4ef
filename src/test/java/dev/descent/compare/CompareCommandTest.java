package dev.descent.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.Cli.Result;
import dev.descent.cli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code descent compare}: the same numbers as {@code descent run} with that one optimize line. */
class CompareCommandTest {
    @TempDir Path dir;

    static Result run(String... args) { return Cli.run(args); }

    Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static final String BODY = """
            # a comment
            param x = [-1.5, 2]
            minimize (1 - x[0])^2 + 10*(x[1] - x[0]^2)^2
            optimizer mine(lr = 0.01) {
                p -= lr * g
            }
            """;

    static final String[] CALLS = {"adam(lr = 0.1)", "sgd(lr = 0.001, momentum = 0.9)", "mine(lr = 0.002)", "mine"};

    static JsonNode json(String s) throws Exception { return new ObjectMapper().readTree(s); }

    @Test void sameNumbersAsRun() throws Exception {
        Path script = write("s.dsc", BODY + "optimize with gd(lr = 0.001) for 37 steps\noptimize with adam for 5 steps\n");
        List<String> args = new ArrayList<>(List.of("compare", script.toString(), "--json"));
        for (String c : CALLS) { args.add("--with"); args.add(c); }
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        JsonNode runs = json(r.out()).get("runs");
        assertEquals(CALLS.length, runs.size());
        for (int k = 0; k < CALLS.length; k++) {
            Path single = write("single" + k + ".dsc", BODY + "optimize with " + CALLS[k] + " for 37 steps\n");
            Result one = run("run", single.toString(), "--json");
            assertEquals(0, one.code(), one::toString);
            JsonNode want = json(one.out()).get("runs").get(0);
            JsonNode got = runs.get(k);
            assertEquals(CALLS[k], got.get("call").asText());
            assertEquals(want.get("optimizer").asText(), got.get("optimizer").asText());
            assertEquals(37, got.get("steps").asLong());
            assertEquals(want.get("steps").asLong(), got.get("steps").asLong());
            assertEquals(want.get("loss").asDouble(), got.get("loss").asDouble(), 0.0, CALLS[k]);
            assertEquals(want.get("stopped").asText(), got.get("stopped").asText());
            assertTrue(got.get("ms").isNumber());
            assertEquals(List.of("optimizer", "call", "steps", "loss", "stopped", "ms"), fields(got));
        }
        assertEquals(List.of("runs"), fields(json(r.out())));

        // the table: a header and one line per --with, with the same steps and loss as run prints
        Result table = run("compare", script.toString(), "--with", CALLS[0], "--with", CALLS[1]);
        assertEquals(0, table.code(), table::toString);
        String[] lines = table.out().split("\n");
        assertEquals(3, lines.length, table::toString);
        assertTrue(lines[0].matches("optimizer\\s+steps\\s+loss\\s+ms\\s+stopped"), lines[0]);
        for (int k = 0; k < 2; k++) {
            Result one = run("run", write("t" + k + ".dsc", BODY + "optimize with " + CALLS[k] + " for 37 steps\n").toString());
            String runLine = one.out().lines().findFirst().orElseThrow(); // "CALL: 37 steps, loss L"
            String loss = runLine.substring(runLine.indexOf(", loss ") + 7);
            assertTrue(lines[k + 1].startsWith(CALLS[k] + " "), lines[k + 1]);
            String[] cols = lines[k + 1].substring(CALLS[k].length()).trim().split("\\s+");
            assertEquals(List.of("37", loss, "steps"), List.of(cols[0], cols[1], cols[3]), lines[k + 1]);
        }
    }

    @Test void stepsAndClausesFromTheFirstOptimizeOrTheOption() throws Exception {
        Path script = write("u.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 0.25) for 100 steps until abs(x) < 0.1 # stop early\noptimize with gd(lr = 0.1) for 3 steps\n");
        JsonNode got = json(run("compare", script.toString(), "--json", "--with", "gd(lr = 0.25)").out()).get("runs").get(0);
        assertEquals(5, got.get("steps").asLong());
        assertEquals("until", got.get("stopped").asText());
        got = json(run("compare", script.toString(), "--json", "--with", "gd(lr = 0.25)", "--steps", "7").out()).get("runs").get(0);
        assertEquals(7, got.get("steps").asLong());
        assertEquals("steps", got.get("stopped").asText());
        Path none = write("n.dsc", "param x = 3\nminimize x^2\n");
        got = json(run("compare", none.toString(), "--json", "--with", "gd(lr = 0.001)").out()).get("runs").get(0);
        assertEquals(1000, got.get("steps").asLong());
    }

    @Test void plotHasOneTrajectoryPerRun() throws Exception {
        Path script = write("p.dsc", BODY + "optimize with gd(lr = 0.001) for 25 steps\n");
        Path svg = dir.resolve("cmp.svg");
        Result r = run("compare", script.toString(), "--with", CALLS[0], "--with", CALLS[1], "--with", CALLS[2], "--plot", svg.toString());
        assertEquals(0, r.code(), r::toString);
        List<Element> t = groups(svg, "trajectory");
        assertEquals(3, t.size());
        for (int k = 0; k < 3; k++) {
            assertEquals(Integer.toString(k + 1), t.get(k).getAttribute("data-run"));
            assertEquals("26", t.get(k).getAttribute("data-points")); // the start and one point per step
        }
        String text = Files.readString(svg);
        for (int k = 0; k < 3; k++) assertTrue(text.contains(CALLS[k]), "legend names " + CALLS[k]);

        // more than two parameters: one loss line per run, each from step 0
        Path big = write("b.dsc", "param w = [1, 2, 3]\nminimize sum(w^2)\n");
        Path svg2 = dir.resolve("loss.svg");
        r = run("compare", big.toString(), "--with", "gd(lr = 0.1)", "--with", "adam(lr = 0.1)", "--steps", "10", "--plot", svg2.toString());
        assertEquals(0, r.code(), r::toString);
        List<Element> l = groups(svg2, "loss");
        assertEquals(2, l.size());
    }

    @Test void errors() throws Exception {
        Path script = write("e.dsc", BODY + "optimize with gd(lr = 0.001) for 5 steps\n");
        Result r = run("compare", script.toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("--with"), r::toString);

        r = run("compare", script.toString(), "--with", "adam(lr = 0.1)", "--with", "adam(lr = )");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().startsWith("--with 2:1:"), r::toString);
        assertTrue(r.err().contains("adam(lr = )"), r::toString);

        r = run("compare", script.toString(), "--with", "adam for 3 steps #");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().startsWith("--with 1:1:1: error: expected one optimizer call"), r::toString);

        r = run("compare", script.toString(), "--with", "adamm(lr = 0.1)");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("--with 1:1:1: error:"), r::toString);
        assertTrue(r.err().contains("adam"), r::toString);

        r = run("compare", script.toString(), "--with", "adam(rate = 0.1)");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("--with 1:1:6: error:"), r::toString);
        assertFalse(r.err().contains("\tat "));

        r = run("compare", dir.resolve("missing.dsc").toString(), "--with", "adam");
        assertEquals(1, r.code(), r::toString);
    }

    @Test void divergedIsExit3WithTheTable() throws Exception {
        Path script = write("d.dsc", "param x = 3\nminimize x^2\n");
        Result r = run("compare", script.toString(), "--with", "gd(lr = 1.5)", "--with", "gd(lr = 0.25)", "--steps", "2000");
        assertEquals(3, r.code(), r::toString);
        assertTrue(r.out().contains("diverged"), r::toString);
        assertEquals(3, r.out().split("\n").length, r::toString);
        assertTrue(r.err().contains("gd(lr = 1.5) diverged"), r::toString);
    }

    static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<Element> groups(Path svg, String cls) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document d = f.newDocumentBuilder().parse(svg.toFile());
        NodeList gs = d.getElementsByTagName("g");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < gs.getLength(); i++) {
            Element e = (Element) gs.item(i);
            if (cls.equals(e.getAttribute("class"))) out.add(e);
        }
        return out;
    }
}
