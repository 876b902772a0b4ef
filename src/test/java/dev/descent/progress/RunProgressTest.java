package dev.descent.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.Cli.Result;
import dev.descent.cli.Cli;
import dev.descent.cli.Main;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent run} in-process: stderr is a StringWriter (and the test JVM's stderr is no
 * terminal), so no progress bar may appear; {@code --quiet} silences notes but not errors.
 */
class RunProgressTest {
    @TempDir Path dir;

    static Result run(String... args) { return Cli.run(args); }

    private String script(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p.toString();
    }

    // long enough that a bar would be drawn if stderr were a terminal (well over a second of steps is not
    // needed: the check is that the decision is made on stderr, not on the run's length)
    private static final String LONG = """
            param x = [-1.5, 2]
            minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
            optimize with adam(lr = 0.01) for 20000 steps
            optimize with gd(lr = 0.0001) for 20000 steps
            """;

    @Test void theTestJvmsStderrIsNoTerminal() {
        assertFalse(System.console() != null && System.console().isTerminal() && dev.descent.cli.ProgressBar.stderrIsTerminal(),
                "these tests assume stderr is not a terminal");
    }

    @Test void nothingOnStderrWhenItIsNotATerminal() throws IOException {
        String f = script("long.dsc", LONG);
        Result r = run("run", f);
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), "no progress text");
        assertFalse(r.out().contains("\r"), r.out());
        assertTrue(r.out().startsWith("adam(lr = 0.01): 20000 steps, loss "), r.out());
    }

    @Test void quietGivesTheSameResults() throws IOException {
        String f = script("long.dsc", LONG);
        Result plain = run("run", f), quiet = run("run", f, "--quiet"), q = run("run", "-q", f);
        assertEquals(plain.out(), quiet.out());
        assertEquals(plain.out(), q.out());
        assertEquals("", quiet.err());
        assertEquals(0, quiet.code());
    }

    @Test void quietSilencesNotes() throws IOException {
        String f = script("small.dsc", "param x[4] = 3\nminimize sum(x^2)\noptimize with gd(lr = 0.25) for 3 steps\n");
        Result noted = run("run", f, "--engine", "compiled", "--verbose");
        assertTrue(noted.err().contains("descent: compiled the loop"), noted.err());
        Result quiet = run("run", f, "--engine", "compiled", "--verbose", "--quiet");
        assertEquals("", quiet.err());
        assertEquals(noted.out(), quiet.out());
    }

    @Test void quietStillReportsErrors() throws IOException {
        String f = script("diverge.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 1.5) for 2000 steps\n");
        Result r = run("run", f, "--quiet");
        assertEquals(Main.DIVERGED, r.code());
        assertTrue(r.err().contains("diverged: the loss is inf"), r.err());
        Result bad = run("run", script("bad.dsc", "param x = 3\nminimize y^2\n"), "--quiet");
        assertEquals(Main.SCRIPT_ERROR, bad.code());
        assertTrue(bad.err().contains("error: unknown name 'y'"), bad.err());
    }

    @Test void traceAndPlotStillWorkBesideIt() throws IOException {
        String f = script("small.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 0.25) for 3 steps\n");
        Path csv = dir.resolve("t.csv"), svg = dir.resolve("p.svg");
        Result r = run("run", f, "--trace", csv.toString(), "--plot", svg.toString(), "--quiet");
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        assertEquals(5, Files.readAllLines(csv).size());
        assertTrue(Files.readString(svg).contains("<svg"));
    }

    @Test void anEpochRunToo() throws IOException {
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 40; i++) csv.append(i / 10.0).append(',').append(2 * i / 10.0 + 1).append('\n');
        Files.writeString(dir.resolve("d.csv"), csv);
        String f = script("epochs.dsc", """
                data d = csv("d.csv", validation = 0.25)
                param w = 0
                param b = 0
                minimize mean((w * d.x + b - d.y)^2)
                optimize with sgd(lr = 0.01) for 5 epochs batch 4
                """);
        Result r = run("run", f);
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err());
        assertTrue(r.out().contains("after 5 epochs"), r.out());
    }
}
