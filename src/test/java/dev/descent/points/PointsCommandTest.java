package dev.descent.points;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.check.Checker;
import dev.descent.check.Script;
import dev.descent.cli.Cli.Result;
import dev.descent.cli.Cli;
import dev.descent.engine.Engine;
import dev.descent.run.Objective;
import dev.descent.run.PointEval;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent eval FILE --points FILE.csv [--grad]}: the output format, the fallback note, and the errors. */
class PointsCommandTest {
    @TempDir Path dir;

    static Result run(String... args) { return Cli.run(args); }

    static Result ok(String... args) { return Cli.ok(args); }

    String write(String name, String text) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, text, StandardCharsets.UTF_8);
            return p.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final String ROSENBROCK = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\n";
    static final String QUAD = "param a = 1.5\nparam v = [1, 2]\nparam M[2, 2] = [[1, 2], [3, 4]]\n"
            + "minimize a^2 * sum(v) + dot(v, M @ v) + a * sum(M)\n";

    @Test
    void valueAndGradientColumnsInRowOrder() {
        String f = write("r.dsc", ROSENBROCK);
        String csv = write("p.csv", "x[0],x[1]\n-1.5,2\n1,1\n0.3,-0.7\n");
        Result r = ok("eval", f, "--points", csv, "--grad", "--engine", "scalar");
        assertEquals("""
                x[0],x[1],value,d/dx[0],d/dx[1]
                -1.5,2,12.5,-155,-50
                1,1,0,0,0
                0.3,-0.7,62.89999999999999,93.39999999999998,-157.99999999999997
                """, r.out());
        // the same numbers as eval --at, one point at a time
        assertTrue(ok("eval", f, "--at", "x=0.3,-0.7", "--engine", "scalar").out().contains("d/dx   [93.39999999999998, -157.99999999999997]"));
        assertTrue(ok("eval", f, "--at", "x=1,1", "--engine", "scalar").out().contains("d/dx   [0, 0]"));
        Result v = ok("eval", f, "--points", csv, "--engine", "scalar");
        assertEquals("x[0],x[1],value\n-1.5,2,12.5\n1,1,0\n0.3,-0.7,62.89999999999999\n", v.out());
    }

    /** The points' loop compiled (values and gradients): the interpreter's bits, on 1 and 3 threads, in f64 and f32. */
    @Test
    void compiledPointsGiveTheInterpretersBits() {
        String f = write("r.dsc", ROSENBROCK);
        StringBuilder csv = new StringBuilder("x[0],x[1]\n");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 2000; i++) csv.append(4 * rng.nextDouble() - 2).append(',').append(4 * rng.nextDouble() - 1).append('\n');
        String pts = write("many.csv", csv.toString());
        for (String prec : new String[] {"f64", "f32"})
            for (String threads : new String[] {"1", "3"}) {
                Result simd = ok("eval", f, "--points", pts, "--grad", "--engine", "simd", "--precision", prec, "--threads", threads);
                Result comp = run("eval", f, "--points", pts, "--grad", "--engine", "compiled", "--precision", prec, "--threads", threads, "--verbose");
                assertEquals(0, comp.code(), comp::toString);
                assertTrue(comp.err().contains("descent: compiled the loop over [2000]"), comp::toString);
                assertEquals(simd.out(), comp.out(), prec + " threads " + threads);
            }
    }

    @Test
    void rowsAreCopiedVerbatimAndColumnsMatchedByName() {
        String f = write("r.dsc", ROSENBROCK);
        // columns in another order, spaces and a number in another spelling: rows come back as written
        String csv = write("p.csv", "x[1], x[0]\n2 , -1.5\n\n1e0,1.0\n");
        Result r = ok("eval", f, "--points", csv);
        assertEquals("x[1], x[0],value\n2 , -1.5,12.5\n1e0,1.0,0\n", r.out());
    }

    @Test
    void absentColumnsKeepTheStartOrAtValue() {
        String f = write("q.dsc", QUAD);
        Script s = Checker.check(SourceFile.ofString("q.dsc", QUAD));
        String csv = write("p.csv", "\"M[0, 1]\",\"M[1,0]\",v[1]\n0.5,-1,3\n2,2,2\n");
        Result r = ok("eval", f, "--points", csv, "--grad");
        List<String> lines = r.out().lines().toList();
        assertEquals("\"M[0, 1]\",\"M[1,0]\",v[1],value,d/da,d/dv[0],d/dv[1],\"d/dM[0, 0]\",\"d/dM[0, 1]\",\"d/dM[1, 0]\",\"d/dM[1, 1]\"",
                lines.get(0));
        Objective obj = new Objective(s, false);
        double[][] thetas = {{1.5, 1, 3, 1, 0.5, -1, 4}, {1.5, 1, 2, 1, 2, 2, 4}};
        for (int p = 0; p < 2; p++) {
            Objective.Result want = obj.evaluate(thetas[p]);
            String[] cells = lines.get(1 + p).split(",");
            assertEquals(3 + 1 + 7, cells.length);
            assertEquals(want.value(), Double.parseDouble(cells[3]));
            for (int k = 0; k < 7; k++) assertEquals(want.gradient()[k], Double.parseDouble(cells[4 + k]), "d/dθ[" + k + "]");
        }
        // an element's name split by an unquoted comma in the header is rejoined
        Result bare = ok("eval", f, "--points", write("bare.csv", "M[0,1],v[1]\n0.5,3\n"), "--engine", "scalar");
        assertEquals("M[0,1],v[1],value", bare.out().lines().findFirst().orElseThrow());
        assertEquals(obj.evaluate(new double[] {1.5, 1, 3, 1, 0.5, 3, 4}).value(), Double.parseDouble(bare.out().lines().toList().get(1).split(",")[2]));
        // --at sets the elements that have no column
        Result at = ok("eval", f, "--points", csv, "--at", "a=2", "--at", "M=0");
        Objective.Result want = obj.evaluate(new double[] {2, 1, 3, 0, 0.5, -1, 0});
        assertEquals(want.value(), Double.parseDouble(at.out().lines().toList().get(1).split(",")[3]));
    }

    @Test
    void fallbackIsSaidOnlyWithVerbose() {
        String f = write("q.dsc", QUAD);
        String csv = write("p.csv", "a,v[0]\n1,2\n");
        // the gradient of M varies with the point: a matrix per point, so one by one
        Result quiet = ok("eval", f, "--points", csv, "--grad");
        Result loud = run("eval", f, "--points", csv, "--grad", "--verbose");
        assertEquals(0, loud.code());
        assertEquals(quiet.out(), loud.out());
        assertTrue(loud.err().startsWith("descent: note: evaluating the 1 point one by one: "), loud::toString);
        // the value alone batches: no note
        ok("eval", f, "--points", csv, "--verbose");
        String r = write("r.dsc", ROSENBROCK);
        ok("eval", r, "--points", write("x.csv", "x[0]\n1\n"), "--grad", "--verbose");
    }

    @Test
    void oneAndZeroPoints() {
        String f = write("r.dsc", ROSENBROCK);
        assertEquals("x[0],value,d/dx[0],d/dx[1]\n1,100,-400,200\n",
                ok("eval", f, "--points", write("one.csv", "x[0]\n1\n"), "--grad").out());
        assertEquals("x[0],x[1],value,d/dx[0],d/dx[1]\n", ok("eval", f, "--points", write("zero.csv", "x[0],x[1]\n"), "--grad").out());
        assertEquals("x[0],x[1],value\n", ok("eval", f, "--points", write("zero2.csv", "x[0],x[1]\n\n"), "--engine", "scalar").out());
    }

    @Test
    void aHundredThousandPoints() {
        String script = "param x = [0.5, -0.2, 1]\nparam s = 2\nlet A = [[1, 2, 0], [0, -1, 3]]\n"
                + "minimize s * logsumexp(A @ x) + sum(sin(x) * x) + s^2 * dot(x, x) - max(x)\n";
        String f = write("big.dsc", script);
        int n = 100_000;
        SplittableRandom rng = new SplittableRandom(7);
        double[][] pts = new double[n][4];
        StringBuilder sb = new StringBuilder("s,x[0],x[1],x[2]\n");
        for (double[] p : pts) {
            for (int k = 0; k < 4; k++) p[k] = rng.nextDouble(-2, 2);
            sb.append(p[0]).append(',').append(p[1]).append(',').append(p[2]).append(',').append(p[3]).append('\n');
        }
        Result r = ok("eval", f, "--points", write("big.csv", sb.toString()), "--grad", "--verbose", "--threads", "3");
        List<String> lines = r.out().lines().toList();
        assertEquals(n + 1, lines.size());
        assertEquals("s,x[0],x[1],x[2],value,d/dx[0],d/dx[1],d/dx[2],d/ds", lines.get(0));
        Objective obj = new Objective(Checker.check(SourceFile.ofString("big.dsc", script)), false);
        for (int p = 0; p < n; p += 997) {
            double[] theta = {pts[p][1], pts[p][2], pts[p][3], pts[p][0]};
            Objective.Result want = obj.evaluate(theta);
            String[] cells = lines.get(p + 1).split(",");
            assertEquals(pts[p][0], Double.parseDouble(cells[0]), "the row as given");
            PointBatchFixturesTest.close(want.value(), Double.parseDouble(cells[4]), "value at " + p);
            for (int k = 0; k < 4; k++) PointBatchFixturesTest.close(want.gradient()[k], Double.parseDouble(cells[5 + k]), "grad at " + p);
        }
    }

    @Test
    void manyPointsOnBothEnginesAgreeWithOnePointAtATime() {
        // more points than a SIMD block, on several threads
        String script = "param w = [0.1, -0.2]\nparam b = 0.05\nlet X = [[1, 2], [-1, 0.5], [0.3, -1.2]]\nlet y = [1, 0, 1]\n"
                + "let z = X @ w + b\nminimize mean(y * log(1 + exp(-z)) + (1 - y) * log(1 + exp(z))) + solve([[2, 1], [1, 3]], w) @ w\n";
        Script s = Checker.check(SourceFile.ofString("l.dsc", script));
        double[][] cols = PointBatchFixturesTest.randomColumns(s.initialTheta(0), 5003, 3);
        PointEval.Result one = PointEval.evaluate(s, s.initialTheta(0), cols, 5003, true, Engine.SCALAR, true);
        PointEval.Result sc = PointEval.evaluate(s, s.initialTheta(0), cols, 5003, true, Engine.SCALAR);
        PointEval.Result simd = PointEval.evaluate(s, s.initialTheta(0), cols, 5003, true,
                new Engine(Engine.Kind.SIMD, dev.descent.engine.Precision.F64, 3));
        assertTrue(sc.batched() && simd.batched() && !one.batched());
        for (int p = 0; p < 5003; p++) {
            PointBatchFixturesTest.same(one.values()[p], sc.values()[p], "value " + p);
            PointBatchFixturesTest.close(one.values()[p], simd.values()[p], "value " + p);
            for (int k = 0; k < 3; k++) {
                PointBatchFixturesTest.same(one.gradients()[p][k], sc.gradients()[p][k], "grad " + p);
                PointBatchFixturesTest.close(one.gradients()[p][k], simd.gradients()[p][k], "grad " + p);
            }
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void aColumnThatNamesNoElementIsAUsageError() {
        String f = write("r.dsc", ROSENBROCK);
        Result r = run("eval", f, "--points", write("p.csv", "x[0],y[1]\n1,2\n"));
        assertEquals(2, r.code(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().contains("column 'y[1]' names no element of θ; did you mean 'x[1]'?"), r::toString);
        Result whole = run("eval", f, "--points", write("w.csv", "x\n1\n"));
        assertEquals(2, whole.code(), whole::toString);
        assertTrue(whole.err().contains("x is a vector [2], so give one column per element: x[0], x[1]"), whole::toString);
        Result far = run("eval", f, "--points", write("far.csv", "learning_rate\n1\n"));
        assertEquals(2, far.code(), far::toString);
        assertTrue(far.err().contains("(θ's elements: x[0], x[1])"), far::toString);
        Result out = run("eval", f, "--points", write("o.csv", "x[2]\n1\n"));
        assertEquals(2, out.code(), out::toString);
    }

    @Test
    void badCellsAndRaggedRowsAreErrorsAtTheirPlace() {
        String f = write("r.dsc", ROSENBROCK);
        String csv = write("bad.csv", "x[0],x[1]\n1,2\n3,abc\n");
        Result r = run("eval", f, "--points", csv);
        assertEquals(1, r.code(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().startsWith(csv + ":3:3: error: 'abc' in column 'x[1]' is not a number\n    3,abc\n      ^"), r::toString);
        String ragged = write("ragged.csv", "x[0],x[1]\n1,2\n3\n");
        Result g = run("eval", f, "--points", ragged);
        assertEquals(1, g.code(), g::toString);
        assertTrue(g.err().startsWith(ragged + ":3:1: error: row has 1 cell, but the header names 2 columns"), g::toString);
        String dup = write("dup.csv", "x[0],\"x[ 0 ]\"\n1,2\n");
        Result d = run("eval", f, "--points", dup);
        assertEquals(1, d.code(), d::toString);
        assertTrue(d.err().startsWith(dup + ":1:6: error: column 'x[ 0 ]' sets x[0], which column 1 already sets"), d::toString);
        String empty = write("empty.csv", "x[0],x[1]\n1,\n");
        Result e = run("eval", f, "--points", empty);
        assertEquals(1, e.code(), e::toString);
        assertTrue(e.err().startsWith(empty + ":2:3: error: empty cell in column 'x[1]'"), e::toString);
        Result missing = run("eval", f, "--points", dir.resolve("nope.csv").toString());
        assertEquals(1, missing.code(), missing::toString);
        assertTrue(missing.err().contains("nope.csv: error: no such file"), missing::toString);
        Result nothing = run("eval", f, "--points", write("nothing.csv", ""));
        assertEquals(1, nothing.code(), nothing::toString);
        assertTrue(nothing.err().contains("the file of points is empty"), nothing::toString);
        for (Result x : List.of(r, g, d, e, missing, nothing)) assertFalse(x.err().contains("Exception"), x::toString);
    }

    @Test
    void pointsWithHessianOrJsonIsAUsageError() {
        String f = write("r.dsc", ROSENBROCK);
        String csv = write("p.csv", "x[0]\n1\n");
        Result h = run("eval", f, "--points", csv, "--hessian");
        assertEquals(2, h.code(), h::toString);
        assertTrue(h.err().contains("--hessian cannot be combined with --points"), h::toString);
        Result j = run("eval", f, "--points", csv, "--json");
        assertEquals(2, j.code(), j::toString);
        assertTrue(j.err().contains("--points prints CSV, not JSON"), j::toString);
    }
}
