package dev.descent.cli;

import static dev.descent.cli.Cli.noStackTrace;
import static dev.descent.cli.Cli.run;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad command lines exit 2, with a message on stderr that names the problem,
 * nothing on stdout, and no stack trace.
 */
class UsageErrorTest {
    @TempDir Path dir;
    String quad, lets;

    @BeforeEach void scripts() {
        quad = write(dir, "q.dsc", EvalCommandTest.QUAD);
        lets = write(dir, "c.dsc", "param x = [1, 2]\nlet c = 0.15\nlet scale = 2\nminimize scale * c * sum(x^2)\n");
    }

    /** Runs, insists on exit 2 and a clean stderr, and returns stderr's first line. */
    private String usage(String... args) {
        Cli.Result r = run(args);
        assertEquals(Main.USAGE, r.code(), () -> String.join(" ", args) + "\n" + r);
        assertEquals("", r.out(), () -> "nothing on stdout\n" + r);
        assertFalse(r.err().isBlank(), () -> "a message on stderr\n" + r);
        noStackTrace(r);
        return r.firstErrLine();
    }

    private static void mentions(String line, String... words) {
        for (String w : words) assertTrue(line.contains(w), () -> "'" + line + "' should mention " + w);
    }

    @Test void unknownFlag() {
        mentions(usage("eval", quad, "--frobnicate"), "--frobnicate");
        mentions(usage("grad", quad, "--nope"), "--nope");
        mentions(usage("check", quad, "--nope"), "--nope");
    }

    @Test void atUnknownNameSuggestsTheClosest() {
        String line = usage("eval", quad, "--at", "aa=1");
        mentions(line, "--at", "aa", "did you mean 'a'");
        mentions(usage("eval", lets, "--at", "y=1"), "--at", "'y'");
    }

    /** --spark without the Spark module on the class path (the core's tests have none): what to do instead, not a stack trace. */
    @Test void sparkWithoutTheModule() {
        String run = write(dir, "r.dsc", EvalCommandTest.QUAD + "optimize with gd(lr = 0.1) for 3 steps\n");
        mentions(usage("run", run, "--spark", "local[2]"), "--spark", "Spark module", "bin/descent", "docs/spark.md");
        mentions(usage("run", run, "--spark", "local[2]", "--precision", "f32"), "--spark", "float64");
    }

    @Test void atNotANumber() {
        mentions(usage("eval", quad, "--at", "a=abc"), "--at a", "'abc'", "not a number");
        mentions(usage("eval", quad, "--at", "v=1,abc"), "'abc'", "not a number");
        mentions(usage("eval", quad, "--at", "a=0x10"), "'0x10'");
        mentions(usage("eval", quad, "--at", "a="), "not a number");
    }

    @Test void atWrongCount() {
        mentions(usage("eval", quad, "--at", "v=1,2,3"), "--at v", "2 elements", "3 values");
        mentions(usage("eval", quad, "--at", "M=1,2"), "--at M", "4 elements", "2 values");
    }

    @Test void atWithoutEquals() {
        mentions(usage("eval", quad, "--at", "a"), "--at", "NAME=");
        mentions(usage("eval", quad, "--at", "=1"), "--at");
    }

    @Test void setOfANameWithoutALet() {
        mentions(usage("eval", lets, "--set", "d=1"), "--set d", "let d");
        mentions(usage("eval", lets, "--set", "scal=1"), "did you mean 'scale'");
        mentions(usage("eval", quad, "--set", "c=1"), "--set c");
        mentions(usage("grad", lets, "--set", "nope=1"), "--set nope");
        mentions(usage("check", lets, "--set", "nope=1"), "--set nope");
    }

    @Test void setOfAParameterIsNotALet() {
        mentions(usage("eval", lets, "--set", "x=1"), "--set x");
    }

    @Test void setNotANumber() {
        mentions(usage("eval", lets, "--set", "c=abc"), "--set c", "'abc'", "not a number");
        mentions(usage("eval", lets, "--set", "c"), "--set", "NAME=VALUE");
    }

    @Test void seedNotANumber() {
        mentions(usage("eval", quad, "--seed", "abc"), "--seed", "abc");
    }

    @Test void missingFileArgument() {
        mentions(usage("eval"), "FILE");
        mentions(usage("grad"), "FILE");
        mentions(usage("check"), "FILE");
    }

    @Test void tooManyFileArguments() {
        mentions(usage("eval", quad, lets), lets);
    }

    @Test void unknownSubcommand() {
        mentions(usage("frobnicate", quad), "frobnicate");
    }

    @Test void noSubcommand() {
        usage();
    }

    /**
     * A usage error is one clear line (a short hint after it is fine), not the
     * whole usage text; and an unknown subcommand is called a command.
     */
    @Test void usageErrorsAreShort() {
        List<String> problems = new ArrayList<>();
        String[][] cases = {
            {"eval", quad, "--frobnicate"},
            {"eval"},
            {"frobnicate", quad},
            {"eval", quad, "--seed", "abc"},
            {"eval", quad, "--at", "a=abc"},
            {"eval", lets, "--set", "d=1"},
        };
        for (String[] c : cases) {
            Cli.Result r = run(c);
            long lines = r.err().lines().filter(l -> !l.isBlank()).count();
            if (lines > 2) problems.add(String.join(" ", c) + ": " + lines + " lines on stderr:\n" + r.err());
        }
        String unknown = run("frobnicate", quad).firstErrLine();
        if (!unknown.toLowerCase().contains("command"))
            problems.add("an unknown subcommand should be called one: '" + unknown + "'");
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }
}
