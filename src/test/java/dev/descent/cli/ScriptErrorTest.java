package dev.descent.cli;

import static dev.descent.cli.Cli.noStackTrace;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.run;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors in a script or its data exit 1 with FILE:LINE:COL diagnostics; help and version exit 0. */
class ScriptErrorTest {
    @TempDir Path dir;

    private Cli.Result scriptError(String... args) {
        Cli.Result r = run(args);
        assertEquals(Main.SCRIPT_ERROR, r.code(), () -> String.join(" ", args) + "\n" + r);
        assertEquals("", r.out(), () -> "nothing on stdout\n" + r);
        noStackTrace(r);
        return r;
    }

    @Test void missingFile() {
        String f = dir.resolve("nope.dsc").toString();
        for (String cmd : new String[] {"eval", "grad", "check"}) {
            Cli.Result r = scriptError(cmd, f);
            assertTrue(r.err().startsWith(f + ": error: "), r.err());
            assertTrue(r.err().contains("no such file"), r.err());
        }
    }

    @Test void folderInsteadOfAFile() {
        Cli.Result r = scriptError("eval", dir.toString());
        assertTrue(r.err().startsWith(dir + ": error: "), r.err());
    }

    @Test void syntaxErrorWithLineColumnAndCaret() {
        String f = write(dir, "s.dsc", "param x = 1\nminimize x +* 2\n");
        for (String cmd : new String[] {"eval", "grad", "check"}) {
            Cli.Result r = scriptError(cmd, f);
            assertTrue(r.err().startsWith(f + ":2:13: error: "), r.err());
            assertTrue(r.err().contains("\n    minimize x +* 2\n                ^\n"), r.err());
        }
    }

    @Test void unknownNameSuggestsAndPointsAtIt() {
        String f = write(dir, "u.dsc", "param alpha = 1\nminimize alpah^2\n");
        Cli.Result r = scriptError("eval", f);
        assertEquals(f + ":2:10: error: unknown name 'alpah'\n"
                + "    minimize alpah^2\n"
                + "             ^~~~~\n"
                + "  hint: did you mean 'alpha'?\n", r.err());
    }

    @Test void columnsCountCharactersNotBytes() {
        String f = write(dir, "u.dsc", "param β = 1\nminimize β + ηη\n");
        Cli.Result r = scriptError("check", f);
        assertTrue(r.err().startsWith(f + ":2:14: error: unknown name 'ηη'"), r.err());
    }

    @Test void severalErrorsAreCounted() {
        String f = write(dir, "two.dsc", "param x = 1\nlet a = foo\nlet b = bar\nminimize x\n");
        Cli.Result r = scriptError("check", f);
        assertTrue(r.err().contains(f + ":2:9: error: unknown name 'foo'"), r.err());
        assertTrue(r.err().contains(f + ":3:9: error: unknown name 'bar'"), r.err());
        assertTrue(r.err().endsWith("2 errors\n"), r.err());
    }

    @Test void shapeErrorNamesBothShapes() {
        String f = write(dir, "sh.dsc", "param x = [1, 2]\nparam y = [1, 2, 3]\nminimize sum(x + y)\n");
        Cli.Result r = scriptError("eval", f);
        assertTrue(r.err().contains("[2]") && r.err().contains("[3]"), r.err());
    }

    @Test void evalAndGradOfAScriptWithoutAnObjective() {
        String f = write(dir, "n.dsc", "param x = 1\nlet y = 2 * x\n");
        Cli.Result e = scriptError("eval", f);
        assertTrue(e.err().startsWith(f + ": error: "), e.err());
        assertTrue(e.err().contains("minimize"), e.err());
        Cli.Result g = scriptError("grad", f);
        assertTrue(g.err().startsWith(f + ": error: "), g.err());
        // check accepts it: a script without an objective is not wrong in itself
        assertTrue(ok("check", f).out().contains("no objective"));
    }

    @Test void missingDataFile() {
        String f = write(dir, "d.dsc", "data d = csv(\"nope.csv\")\nparam w = 0\nminimize w * sum(d.x)\n");
        Cli.Result r = scriptError("eval", f);
        assertTrue(r.err().startsWith(f + ":1:"), r.err());
        assertTrue(r.err().contains("nope.csv"), r.err());
    }

    @Test void badDataCell() {
        String f = write(dir, "d.dsc", "data d = csv(\"t.csv\")\nparam w = 0\nminimize w * sum(d.x)\n");
        write(dir, "t.csv", "x,y\n1,2\n3,oops\n");
        Cli.Result r = scriptError("eval", f);
        assertTrue(r.err().contains(":3:3: error: 'oops' in column 'y' is not a number"), r.err());
    }

    @Test void invalidUtf8() throws Exception {
        Path p = dir.resolve("bad.dsc");
        java.nio.file.Files.write(p, new byte[] {'p', 'a', 'r', 'a', 'm', ' ', 'x', ' ', '=', ' ', (byte) 0xff, '\n'});
        Cli.Result r = scriptError("check", p.toString());
        assertTrue(r.err().contains("UTF-8"), r.err());
    }

    @Test void deeplyNestedBracketsAreAnErrorNotACrash() {
        String f = write(dir, "deep.dsc", "param x = 1\nminimize " + "(".repeat(5000) + "x" + ")".repeat(5000) + "\n");
        Cli.Result r = scriptError("check", f);
        assertTrue(r.err().contains("nested more than 1000 deep"), r.err());
        String ok1000 = write(dir, "ok.dsc", "param x = 1\nminimize " + "(".repeat(1000) + "x" + ")".repeat(1000) + "\n");
        ok("check", ok1000);
    }

    // ------------------------------------------------------------ help and version

    @Test void topLevelHelpAndVersion() {
        Cli.Result h = ok("--help");
        assertTrue(h.out().contains("check") && h.out().contains("eval") && h.out().contains("grad"), h.out());
        Cli.Result v = ok("--version");
        assertTrue(v.out().startsWith("descent "), v.out());
        Cli.Result he = ok("help", "eval");
        assertTrue(he.out().contains("--at"), he.out());
    }

    /** `descent eval --help` is what a user types first; it should print eval's usage and exit 0. */
    @Test void subcommandHelp() {
        for (String cmd : new String[] {"eval", "grad", "check"}) {
            Cli.Result r = run(cmd, "--help");
            assertEquals(0, r.code(), () -> cmd + " --help\n" + r);
            assertTrue(r.out().contains("Usage: descent " + cmd), r.out());
        }
    }
}
