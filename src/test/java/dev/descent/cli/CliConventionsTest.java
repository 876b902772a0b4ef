package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user of other command-line tools expects: suggestions for typos, a version that says which JDK, no "-0.0" for a derivative. */
class CliConventionsTest {
    @TempDir Path dir;

    @Test void didYouMeanForOptionsAndCommands() {
        String f = Cli.write(dir, "q.dsc", "param x = [1, 2]\nminimize sum(x^2)\n");
        Cli.Result r = Cli.run("run", f, "--jsn");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown option '--jsn'; did you mean '--json'?"), r.err());
        r = Cli.run("eval", f, "--hesian=1");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown option '--hesian=1'; did you mean '--hessian'?"), r.err());
        r = Cli.run("eval", f, "--zzzzzzzz");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown option '--zzzzzzzz'\n"), "no far-fetched suggestion: " + r.err());
        r = Cli.run("comapre", f);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("unknown command 'comapre'; did you mean 'compare'?"), r.err());
    }

    @Test void missingCommandListsThemAll() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("descent: missing command (run, compare, check, eval, grad, show, bench)\n"), r.err());
    }

    @Test void versionSaysWhichJdk() {
        Cli.Result r = Cli.ok("--version");
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].matches("descent \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "the pom's version: " + lines[0]);
        assertTrue(lines[1].startsWith("JDK " + Runtime.version() + " (") && lines[1].endsWith(" at " + System.getProperty("java.home")), lines[1]);
    }

    @Test void aZeroDerivativePrintsAs0() {
        String f = Cli.write(dir, "z.dsc", "param x = [0, 1]\nminimize -x[0]^2 + x[1]\n");
        Cli.Result r = Cli.ok("eval", f, "--hessian");
        assertTrue(r.out().contains("d/dx   [0, 1]\n"), r.out());
        assertTrue(r.out().contains("  [-2, 0]\n  [0, 0]\n"), r.out());
        String pts = Cli.write(dir, "p.csv", "x[0],x[1]\n0,1\n");
        assertEquals("x[0],x[1],value,d/dx[0],d/dx[1]\n0,1,1,0,1\n", Cli.ok("eval", f, "--points", pts, "--grad").out());
        // --json keeps every bit, the sign of a zero included
        assertTrue(Cli.ok("eval", f, "--json").out().contains("\"x\":[-0.0,1.0]"));
    }
}
