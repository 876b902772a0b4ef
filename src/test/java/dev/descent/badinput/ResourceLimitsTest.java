package dev.descent.badinput;

import static dev.descent.badinput.BadInput.assertNoStackTrace;
import static dev.descent.badinput.BadInput.assertScriptError;
import static dev.descent.badinput.BadInput.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.Main;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code check} accepts, runs (issue 12): sizes, the Hessian's n², products' cost and
 * the expansion of defs are estimated when a script is checked, against limits the options
 * --max-array, --max-hessian, --max-flops and --max-nodes raise; what is over a limit is a
 * positioned error that says what is too large, how large and what to do, never an
 * unpositioned internal error or an out-of-memory later. Defs are expanded once per distinct
 * argument, so a chain that doubles at each level checks at once. The positioned cases that
 * need no option are in the corpus ({@code bad/limit_*.dsc}, {@code bad/def_default_*.dsc});
 * these are the ones that need options, commands other than check, or scripts too large to
 * keep as files. Each finishes in a second or two; the timeout only guards against a hang.
 */
@Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
class ResourceLimitsTest {
    @TempDir Path dir;

    private String file(String name, String text) { return write(dir, name, text).toString(); }

    /**
     * Runs the command as {@code descent} does, in a thread with a deep stack (Main.main gives
     * it 1 GB): a chain of 40,000 defs is 40,000 nested expansions.
     */
    private static BadInput.Result run(String... args) {
        BadInput.Result[] r = new BadInput.Result[1];
        Thread t = new Thread(null, () -> r[0] = BadInput.run(args), "descent", 1L << 30);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return r[0];
    }

    private static void assertOk(BadInput.Result r) {
        assertNoStackTrace(r);
        assertEquals(Main.OK, r.code(), () -> "should succeed\n" + r.describe());
    }

    /** Exit 1, the first diagnostic at LINE:COL of {@code f}, its message and hint containing these fragments. */
    private static BadInput.Diag assertErrorAt(BadInput.Result r, String f, int line, int col, String fragment, String hintFragment) {
        BadInput.Diag d = assertScriptError(r).getFirst();
        assertEquals(f + ":" + line + ":" + col, d.header(), () -> "where\n" + r.describe());
        assertTrue(d.message().contains(fragment), () -> "message should contain \"" + fragment + "\"\n" + r.describe());
        if (hintFragment != null)
            assertTrue(d.hint() != null && d.hint().contains(hintFragment), () -> "hint should contain \"" + hintFragment + "\"\n" + r.describe());
        assertFalse(r.err().contains("internal error") || r.err().contains("ShapeError") || r.err().contains("<standard library>"),
                () -> "no internal error, no error inside the standard library\n" + r.describe());
        return d;
    }

    // ------------------------------------------------------------ arrays

    /** sum(diag(p)) with p[20000] checked, then ran out of memory or failed with an unpositioned ShapeError; now run refuses it at check. */
    @Test void largeIntermediatesFailAtCheckForEveryCommand() {
        String diag = file("diag.dsc", "param p[20000] ~ normal(0, 1)\nminimize sum(diag(p))\n");
        String outer = file("outer.dsc", "param p[20000] ~ normal(0, 1)\nminimize sum(outer(p, p))\n");
        for (String cmd : List.of("check", "run", "eval", "grad")) {
            assertErrorAt(run(cmd, diag), diag, 2, 14, "400,000,000 elements", "--max-array 400000000");
            assertErrorAt(run(cmd, outer), outer, 2, 14, "400,000,000 elements", "--max-array");
        }
        BadInput.Result c = run("compare", diag, "--with", "gd(lr = 0.1)", "--with", "adam", "--steps", "2");
        assertErrorAt(c, diag, 2, 14, "400,000,000 elements", null);
    }

    /** --max-array raises the limit: the same script then checks (it is not run: 3.2 GB). */
    @Test void maxArrayRaisesTheLimit() {
        String f = file("outer.dsc", "param p[20000] ~ normal(0, 1)\nminimize sum(outer(p, p))\n");
        assertOk(run("check", "--max-array", "4e8", f));
        assertScriptError(run("check", "--max-array", "399999999", f));
    }

    /** An array no larger than θ is always allowed, whatever --max-array says: every step makes vectors over θ. */
    @Test void arraysOverThetaAreAlwaysAllowed() {
        String f = file("small.dsc", "param p[1000] = 1\nminimize sum(p^2)\noptimize with adam(lr = 0.1) for 2 steps\n");
        assertOk(run("check", "--max-array", "10", f));
        assertOk(run("run", "--max-array", "10", "-q", f));
        String g = file("outer.dsc", "param p[1000] = 1\nminimize sum(outer(p, p))\n");
        assertErrorAt(run("check", "--max-array", "10000", g), g, 2, 14, "1,000,000 elements", "--max-array 1000000");
    }

    /**
     * adam on a parameter of more than 1e8 elements printed eight bogus
     * "<standard library>:71:15: unknown name 'm'" errors: its states are vectors over θ,
     * which is already in memory. It checks (running it needs several GB, not tried here).
     */
    @Test void adamOnAHugeParameterChecks() {
        String f = file("adam.dsc", "param p[200000000] = 0\nminimize sum(p^2)\noptimize with adam() for 3 steps\n");
        BadInput.Result r = run("check", f);
        assertOk(r);
        assertFalse(r.err().contains("unknown name"), () -> r.describe());
    }

    /** θ larger than any array: positioned at the parameter that makes it so. */
    @Test void thetaLargerThanAnyArray() {
        String params = IntStream.range(0, 6).mapToObj(i -> "param a" + i + "[20000, 20000] = 0\n").collect(Collectors.joining());
        String f = file("theta.dsc", params + "minimize sum(a0) + sum(a5)\n");
        assertErrorAt(run("check", f), f, 6, 7, "θ (all the parameters as one vector) would have 2,400,000,000 elements", null);
    }

    // ------------------------------------------------------------ the Hessian and products

    /** newton() on 5,000 parameters ran for more than 60 s with no word; now the limit, and the option that raises it. */
    @Test void newtonOnManyParameters() {
        String f = file("newton.dsc", "param p[5000] ~ normal(0, 1)\nminimize sum(p^2)\noptimize with newton() for 3 steps\n");
        BadInput.Diag d = assertErrorAt(run("run", f), f, 3, 15, "newton() forms a 5000×5000 Hessian (25,000,000 entries) at every step", "--max-hessian 5000");
        assertTrue(d.hint().contains("cg()"), d::toString);
        assertOk(run("check", "--max-hessian", "5000", f));
        // a small θ is well within the default: newton runs
        String g = file("newton_small.dsc", "param p[3] = 1\nminimize sum((p - 2)^2)\noptimize with newton() for 2 steps\n");
        assertOk(run("run", "-q", g));
    }

    /** A chain of products of large matrices: refused at check with the cost, the largest product's line, and the option. */
    @Test void productsOfLargeMatrices() {
        String f = file("mm.dsc", "param A[4000, 4000] = 0.001\nlet B = A @ A\nlet C = B @ A\nminimize sum(C @ A)\n");
        BadInput.Diag d = assertErrorAt(run("eval", f), f, 4, 1, "576,000,000,000 multiply-adds", "--max-flops 5.8e11");
        assertTrue(d.message().contains("[4000, 4000] @ [4000, 4000]"), d::toString);
        assertOk(run("check", "--max-flops", "1e12", f));
    }

    /** The options take whole numbers ≥ 1 (plainly or as 1e9); anything else is a usage error. */
    @Test void limitOptionsAreValidated() {
        String f = file("ok.dsc", "param x = 1\nminimize x^2\n");
        for (String opt : List.of("--max-array", "--max-hessian", "--max-flops", "--max-nodes")) {
            assertOk(run("check", opt, "1e9", f));
            for (String bad : List.of("0", "-5", "1.5", "x", "inf", "nan")) {
                BadInput.Result r = run("check", opt, bad, f);
                assertNoStackTrace(r);
                assertEquals(Main.USAGE, r.code(), () -> r.describe());
                assertTrue(r.err().startsWith("descent: " + opt), () -> r.describe());
            }
        }
    }

    // ------------------------------------------------------------ defs

    /** def f1(x) = f0(x) + f0(x), … 59 levels: 2^59 copies if each call were expanded; once per level now, in milliseconds. And eval gives 2^59 x². */
    @Test // the class's timeout guards the hang 2^59 expansions would be; no speed is asserted
    void doublingChainOfDefs() {
        StringBuilder sb = new StringBuilder("def f0(x) = x * x\n");
        for (int i = 1; i <= 59; i++) sb.append("def f").append(i).append("(x) = f").append(i - 1).append("(x) + f").append(i - 1).append("(x)\n");
        sb.append("param w = 1\nminimize f59(w)\n");
        String f = file("doubling.dsc", sb.toString());
        assertOk(run("check", f));
        BadInput.Result e = run("eval", "--json", f);
        assertOk(e);
        assertTrue(e.out().contains("5.764607523034235e17") || e.out().contains("576460752303423488"), () -> e.describe());
    }

    /**
     * Defs whose arguments differ at every call (x + 1 and x * 2) really expand to 2^40
     * distinct nodes: refused at the script's call with the count, the chain of defs and the
     * option (the default limit of a million nodes takes a few seconds to reach; a lower one here).
     */
    @Test void exponentialExpansionHitsTheNodeLimit() {
        StringBuilder sb = new StringBuilder("def f0(x) = sin(x)\n");
        for (int i = 1; i <= 40; i++) sb.append("def f").append(i).append("(x) = f").append(i - 1).append("(x + 1) + f").append(i - 1).append("(x * 2)\n");
        sb.append("param w = 1\nminimize f40(w)\n");
        String f = file("expo.dsc", sb.toString());
        BadInput.Diag d = assertErrorAt(run("check", "--max-nodes", "20000", f), f, 43, 10, "expand to more than 20,000 nodes", "--max-nodes");
        assertTrue(d.hint().contains("f40 → f39"), d::toString);
        assertEquals(1, assertScriptError(run("check", "--max-nodes", "20000", f)).size(), "reported once");
    }

    /** 100,000 def statements (each checked, one called): past 60 s before; now quickly. */
    @Test void hundredThousandDefs() {
        String defs = IntStream.range(0, 100_000).mapToObj(i -> "def g" + i + "(x) = x + " + i).collect(Collectors.joining("\n"));
        String f = file("defs.dsc", defs + "\nparam w = 1\nminimize g99999(w)^2\n");
        assertOk(run("check", f));
    }

    /** A chain of 40,000 defs, each calling the one before: 17 s before; now linear. Its value at w = 1 is (1 + 39,999)². */
    @Test void chainOfFortyThousandDefs() {
        StringBuilder sb = new StringBuilder("def h0(x) = x\n");
        for (int i = 1; i < 40_000; i++) sb.append("def h").append(i).append("(x) = h").append(i - 1).append("(x) + 1\n");
        sb.append("param w = 1\nminimize h39999(w)^2\n");
        String f = file("chain.dsc", sb.toString());
        assertOk(run("check", f));
    }

    /** Recursion through a default value, direct or through another def: positioned at the call, at once (was a BootstrapMethodError after 30–60 s and 4 GB). */
    @Test void recursionThroughDefaultValues() {
        String f = file("rec.dsc", "def f(x, k = f(1)) = x + k\nparam w = 1\nminimize f(w)^2\n");
        assertErrorAt(run("run", f), f, 1, 14, "calls itself through the default value of its argument 'k'", "give 'k' a default");
        String g = file("rec2.dsc", "def g(y) = f(y)\ndef f(x, k = g(1)) = x + k\nparam w = 1\nminimize f(w)^2\n");
        assertErrorAt(run("eval", g), g, 1, 12, "(f → g → f)", null);
        String h = file("rec3.dsc", "def f(x, k = 1) = x + k\ndef h(x, k = f(1, h(2))) = x\nparam w = 1\nminimize h(w)^2\n");
        assertErrorAt(run("check", h), h, 2, 19, "'h' calls itself through the default value", null);
        // a default that calls another def, without a cycle, is fine
        String ok = file("ok.dsc", "def f(x, k = 1) = x + k\ndef h(x, k = f(1)) = x * k\nparam w = 1\nminimize h(w)^2\n");
        assertOk(run("check", ok));
    }
}
