package dev.descent.cli;

import static dev.descent.cli.Cli.json;
import static dev.descent.cli.Cli.noStackTrace;
import static dev.descent.cli.Cli.number;
import static dev.descent.cli.Cli.object;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.run;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Problems found while testing the command line and writing docs/language.md and
 * docs/cli.md, each with its smallest reproducer. Each test states the expected
 * behaviour; when it passes, the problem is fixed.
 */
class CliBugsTest {
    @TempDir Path dir;

    /** The contract: a vector [n] broadcasts over the rows of an [m, n] matrix; so does a parameter's start. */
    @Test void vectorStartFillsTheRowsOfAMatrixParameter() {
        String f = write(dir, "rows.dsc", "param A[2, 3] = [1, 2, 3]\nminimize sum(A)\n");
        Cli.Result r = run("eval", f);
        noStackTrace(r);
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("at     A = [[1, 2, 3], [1, 2, 3]]\nvalue  12\n"), r.out());
    }

    /**
     * An unexpected exception inside a command must not reach the user as a Java stack
     * trace (Main's catch-all is never reached: picocli catches what the execution
     * exception handler rethrows and prints its stack trace).
     */
    @Test void internalErrorsShowNoStackTrace() {
        String huge = write(dir, "huge.dsc", "param x = 1\nminimize sum(zeros(1e9, 1e9)) + x\n");
        for (String cmd : new String[] {"check", "eval", "grad"}) {
            Cli.Result r = run(cmd, huge);
            noStackTrace(r);
            assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        }
    }

    /** zeros/ones/eye of more elements than an array can hold is a script error, like a too-large param. */
    @Test void hugeConstantArraysAreAScriptError() {
        String f = write(dir, "huge.dsc", "param x = 1\nminimize sum(zeros(1e9, 1e9)) + x\n");
        Cli.Result r = run("check", f);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().startsWith(f + ":2:"), r.err());
    }

    /** `3.` is not a number; the message must say what is expected, not "missing  before". */
    @Test void trailingDecimalPointHasAClearMessage() {
        String f = write(dir, "dot.dsc", "param x = 3.\nminimize x\n");
        Cli.Result r = run("check", f);
        assertEquals(Main.SCRIPT_ERROR, r.code());
        assertFalse(r.err().contains("missing  "), r.err());
        assertTrue(r.err().startsWith(f + ":1:"), r.err());
    }

    /** Built-in errors are prefixed with the function's name, and some messages start with it again. */
    @Test void builtinErrorsDoNotRepeatTheFunctionName() {
        List<String> doubled = new ArrayList<>();
        String[] calls = {"diag(x)", "sum(stack(x, [1, 2, 3]))", "sum(onehot([0, 5], 2)) * x[0]", "sum(stack(x, 3))"};
        for (String c : calls) {
            String f = write(dir, "b.dsc", "param x = [1, 2]\nminimize " + c + "\n");
            Cli.Result r = run("check", f);
            assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
            String first = r.firstErrLine();
            String fn = c.replaceFirst("^sum\\(", "").replaceFirst("\\(.*", "");
            if (first.contains("error: " + fn + ": " + fn)) doubled.add(first);
        }
        assertTrue(doubled.isEmpty(), () -> String.join("\n", doubled));
    }

    /**
     * The language rejects 1e400 ("too large for a double; write inf"), but the
     * command line silently reads it as infinity.
     */
    @Test void commandLineNumbersTooLargeForADoubleAreUsageErrors() {
        String f = write(dir, "a.dsc", "param a = 1\nlet c = 1\nminimize c * a\n");
        Cli.Result at = run("eval", f, "--at", "a=1e400");
        assertEquals(Main.USAGE, at.code(), at::toString);
        Cli.Result set = run("eval", f, "--set", "c=-1e400");
        assertEquals(Main.USAGE, set.code(), set::toString);
        // inf is still the way to ask for infinity
        assertEquals("Infinity", object(json(ok("eval", f, "--json", "--at", "a=inf").out())).get("value"));
    }

    /**
     * In run --trace with a validation split, the validation loss measured after an
     * epoch's last step belongs on that step's row; it lands on the row before it.
     * 10 rows, validation = 0.2: 8 training rows, batch 4, so 2 steps an epoch and
     * validation after steps 2, 4 and 6.
     */
    @Test void traceValidationLossIsOnTheRowOfTheEpochsLastStep() throws IOException {
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 10; i++) csv.append(i).append(',').append(2 * i + 1).append('\n');
        write(dir, "d.csv", csv.toString());
        String f = write(dir, "v.dsc", """
                data d = csv("d.csv", validation = 0.2)
                param w = 0
                param b = 0
                minimize mean((w * d.x + b - d.y)^2)
                optimize with sgd(lr = 0.001) for 3 epochs batch 4
                """);
        Path trace = dir.resolve("trace.csv");
        ok("run", f, "--trace", trace.toString());
        List<String> lines = Files.readAllLines(trace);
        List<String> header = List.of(lines.get(0).split(","));
        int step = header.indexOf("step"), val = header.indexOf("val_loss");
        assertTrue(step >= 0 && val >= 0, lines.get(0));
        List<Integer> withValidation = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (!cells[val].isEmpty()) withValidation.add(Integer.parseInt(cells[step]));
        }
        assertEquals(List.of(2, 4, 6), withValidation, () -> String.join("\n", lines));
    }

    /** A parameter's random start with an infinite spread starts at ±inf or NaN; check could say so. */
    @Test void randomStartsNeedFiniteArguments() {
        String f = write(dir, "n.dsc", "param x ~ normal(0, inf)\nminimize x\n");
        Cli.Result r = run("check", f);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
    }
}
