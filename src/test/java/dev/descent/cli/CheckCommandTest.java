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

/** {@code descent check FILE...}. */
class CheckCommandTest {
    @TempDir Path dir;

    @Test void summaryLine() {
        String q = write(dir, "q.dsc", EvalCommandTest.QUAD);
        assertEquals(q + ": ok (3 parameters, θ of 7, minimize)\n", ok("check", q).out());
        String one = write(dir, "one.dsc", "param x = 1\nmaximize -x^2\noptimize with adam(lr = 0.1) for 10 steps\n");
        assertEquals(one + ": ok (1 parameter, θ of 1, maximize, 1 optimize)\n", ok("check", one).out());
        String lib = write(dir, "lib.dsc", "def sq(z) = z^2\n");
        assertEquals(lib + ": ok (0 parameters, no objective)\n", ok("check", lib).out());
    }

    @Test void summaryCountsDataSets() {
        write(dir, "t.csv", "x,y\n1,2\n");
        String f = write(dir, "d.dsc", "data d = csv(\"t.csv\")\nparam w = 0\nminimize sum(w * d.x - d.y)\n");
        assertEquals(f + ": ok (1 parameter, θ of 1, minimize, 1 data set)\n", ok("check", f).out());
    }

    @Test void severalFilesAllGood() {
        String a = write(dir, "a.dsc", "param x = 1\nminimize x^2\n");
        String b = write(dir, "b.dsc", "param y = [1, 2]\nminimize sum(y)\n");
        Cli.Result r = ok("check", a, b);
        assertEquals(a + ": ok (1 parameter, θ of 1, minimize)\n" + b + ": ok (1 parameter, θ of 2, minimize)\n", r.out());
    }

    @Test void severalFilesSomeBad() {
        String good1 = write(dir, "good1.dsc", "param x = 1\nminimize x^2\n");
        String syntax = write(dir, "syntax.dsc", "param x = 1\nminimize x +* 2\n");
        String good2 = write(dir, "good2.dsc", "param y = 2\nmaximize y\n");
        String names = write(dir, "names.dsc", "param x = 1\nminimize x + nope\n");
        String missing = dir.resolve("missing.dsc").toString();
        Cli.Result r = run("check", good1, syntax, good2, names, missing);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        noStackTrace(r);
        assertEquals(good1 + ": ok (1 parameter, θ of 1, minimize)\n" + good2 + ": ok (1 parameter, θ of 1, maximize)\n", r.out());
        assertTrue(r.err().contains(syntax + ":2:13: error: "), r.err());
        assertTrue(r.err().contains(names + ":2:14: error: unknown name 'nope'"), r.err());
        assertTrue(r.err().contains(missing + ": error: no such file"), r.err());
        // in the order given
        assertTrue(r.err().indexOf(syntax) < r.err().indexOf(names) && r.err().indexOf(names) < r.err().indexOf(missing), r.err());
    }

    @Test void checkOfAnOptimizerAndItsUse() {
        String f = write(dir, "o.dsc", """
                param x = [1, 2]
                minimize sum(x^2)
                optimizer momentum(lr = 0.01, beta = 0.9) {
                  state v = 0
                  v = beta * v + (1 - beta) * g
                  p -= lr * v
                }
                optimize with momentum(lr = 0.1) for 10 steps
                """);
        ok("check", f);
    }

    @Test void checkReportsOptimizerMistakes() {
        String f = write(dir, "o.dsc", """
                param x = 1
                minimize x^2
                optimize with adam(lr = 0.1, betas = 0.9) for 10 steps
                """);
        Cli.Result r = run("check", f);
        assertEquals(Main.SCRIPT_ERROR, r.code());
        assertTrue(r.err().contains("optimizer 'adam' has no argument 'betas'"), r.err());
        assertTrue(r.err().contains("did you mean 'beta1'?"), r.err());
    }

    @Test void checkWithSet() {
        String f = write(dir, "n.dsc", "param x = 1\nlet n = 100\nminimize x^2\noptimize with adam(lr = 0.1) for n steps\n");
        ok("check", f, "--set", "n=500");
        Cli.Result r = run("check", f, "--set", "n=2.5");
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().contains("the number of steps must be a whole number"), r.err());
    }
}
