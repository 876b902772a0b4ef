package dev.descent.cli;

import static dev.descent.cli.Cli.array;
import static dev.descent.cli.Cli.json;
import static dev.descent.cli.Cli.noStackTrace;
import static dev.descent.cli.Cli.number;
import static dev.descent.cli.Cli.object;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.run;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent run} and {@code descent show}, as the command line shows them (docs/cli.md). */
class RunCommandTest {
    @TempDir Path dir;

    /** x² from 3 with gd(lr = 0.25): each step halves x, exactly. */
    static final String HALVING = "param x = 3\nminimize x^2\noptimize with gd(lr = 0.25) for 3 steps\n";

    @Test void plainOutput() {
        String f = write(dir, "h.dsc", HALVING);
        assertEquals("gd(lr = 0.25): 3 steps, loss 0.140625\nloss  0.140625\nx   0.375\n", ok("run", f).out());
    }

    @Test void jsonOutput() {
        String f = write(dir, "h.dsc", HALVING);
        Map<String, Object> o = object(json(ok("run", f, "--json").out()));
        assertEquals(List.of("loss", "params", "runs"), List.copyOf(o.keySet()));
        assertEquals(0.140625, number(o.get("loss")));
        assertEquals(0.375, number(object(o.get("params")).get("x")));
        List<Object> runs = array(o.get("runs"));
        assertEquals(1, runs.size());
        Map<String, Object> r = object(runs.get(0));
        assertEquals(List.of("optimizer", "call", "steps", "loss", "stopped"), List.copyOf(r.keySet()));
        assertEquals("gd", r.get("optimizer"));
        assertEquals("gd(lr = 0.25)", r.get("call"));
        assertEquals(3.0, number(r.get("steps")));
        assertEquals("steps", r.get("stopped"));
    }

    @Test void severalOptimizeStatementsContinueFromTheLast() {
        String two = write(dir, "two.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 0.25) for 1 step\noptimize with gd(lr = 0.25) for 2 steps\n");
        Map<String, Object> o = object(json(ok("run", two, "--json").out()));
        assertEquals(0.375, number(object(o.get("params")).get("x")));
        assertEquals(2, array(o.get("runs")).size());
    }

    @Test void untilStopsBeforeTheUpdate() {
        String f = write(dir, "u.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 0.25) for 1000 steps until abs(x) < 0.5\n");
        Map<String, Object> r = object(array(object(json(ok("run", f, "--json").out())).get("runs")).get(0));
        assertEquals("until", r.get("stopped"));
        assertEquals(3.0, number(r.get("steps")));
    }

    @Test void divergenceExitsThreeAndStillPrintsJson() {
        String f = write(dir, "d.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 1.5) for 2000 steps\n");
        Cli.Result r = run("run", f, "--json");
        noStackTrace(r);
        assertEquals(Main.DIVERGED, r.code(), r::toString);
        Map<String, Object> o = object(json(r.out()));
        assertEquals("Infinity", o.get("loss"));
        assertEquals("diverged", object(array(o.get("runs")).get(0)).get("stopped"));
        assertTrue(r.err().contains("diverged") && r.err().contains("step 512"), r.err());
    }

    @Test void maximizeReportsTheObjectiveAsWritten() {
        String f = write(dir, "m.dsc", "param x = 3\nmaximize 5 - (x - 1)^2\noptimize with gd(lr = 0.25) for 60 steps\n");
        Map<String, Object> o = object(json(ok("run", f, "--json").out()));
        Cli.close(5, number(o.get("loss")), 1e-12, "the maximum");
        Cli.close(1, number(object(o.get("params")).get("x")), 1e-9, "the maximizer");
    }

    @Test void seedChangesARandomStart() {
        String f = write(dir, "s.dsc", "param x[3] ~ normal(0, 1)\nminimize sum(x^2)\noptimize with gd(lr = 0.1) for 1 step\n");
        assertNotEquals(ok("run", f, "--json").out(), ok("run", f, "--json", "--seed", "7").out());
        assertEquals(ok("run", f, "--json", "--seed", "7").out(), ok("run", f, "--json", "--seed", "7").out());
    }

    @Test void traceHasOneRowPerPointVisited() throws IOException {
        String f = write(dir, "h.dsc", HALVING);
        Path trace = dir.resolve("t.csv");
        ok("run", f, "--trace", trace.toString());
        assertEquals(List.of(
                "run,step,loss,grad_norm,lr,x",
                "1,0,9.0,6.0,,3.0",
                "1,1,2.25,3.0,0.25,1.5",
                "1,2,0.5625,1.5,0.25,0.75",
                "1,3,0.140625,0.75,0.25,0.375"), Files.readAllLines(trace));
    }

    @Test void aScriptWithoutOptimizeHasNothingToRun() {
        String f = write(dir, "n.dsc", "param x = 3\nminimize x^2\n");
        Cli.Result r = run("run", f);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().startsWith(f + ": error: "), r.err());
    }

    @Test void runUsageErrors() {
        String f = write(dir, "h.dsc", HALVING);
        assertEquals(Main.USAGE, run("run", f, "--set", "nope=1").code());
        assertEquals(Main.USAGE, run("run", f, "--bogus").code());
        assertEquals(Main.USAGE, run("run").code());
    }

    // ------------------------------------------------------------ show

    @Test void showListsAndPrintsStandardDefinitions() {
        String list = ok("show").out();
        for (String name : List.of("gd", "sgd", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "adamax", "nadam", "radam",
                "newton", "cg", "step_decay", "exp_decay", "cosine", "warmup"))
            assertTrue(list.contains(" " + name), () -> name + " missing from\n" + list);
        for (String name : List.of("adam", "cg", "warmup")) {
            String text = ok("show", name).out();
            assertTrue(text.contains(name + "("), text);
            Parser.parse(SourceFile.ofString(name, text)); // what show prints is Descent
        }
        Cli.Result bad = run("show", "adma");
        assertEquals(Main.USAGE, bad.code());
        assertTrue(bad.firstErrLine().contains("did you mean 'adam'"), bad.err());
    }

    /** --engine compiled --verbose says what was compiled; a step the compiler rejects says so, runs, and gives the same numbers. */
    @Test void compiledTierNotesUnderVerbose(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Cli.Result r = run("run", "examples/quickstart.dsc", "--engine", "compiled", "--verbose", "--json");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.err().contains("descent: compiled the loop over [2]"), r::toString);
        Cli.Result quiet = run("run", "examples/quickstart.dsc", "--engine", "compiled", "--json");
        assertEquals("", quiet.err(), "no notes without --verbose");
        assertEquals(Cli.ok("run", "examples/quickstart.dsc", "--engine", "simd", "--json").out(), quiet.out(), "the same bits as the interpreter");

        StringBuilder terms = new StringBuilder("g");
        for (int k = 1; k <= 300; k++) terms.append(" + 0.001 * sin(g * ").append(k).append(')');
        String f = Cli.write(dir, "huge.dsc", "optimizer huge(lr = 0.1) {\n  p -= lr * (" + terms + ")\n}\n"
                + "param x[40] = 0.5\nminimize sum(x^2)\noptimize with huge() for 20 steps\n");
        Cli.Result huge = run("run", f, "--engine", "compiled", "--verbose", "--json");
        assertEquals(0, huge.code(), huge::toString);
        assertTrue(huge.err().contains("stays on the interpreter: its loop would be"), huge::toString);
        assertEquals(Cli.ok("run", f, "--engine", "simd", "--json").out(), huge.out());
    }
}
