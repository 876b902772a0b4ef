package dev.descent.cli;

import static dev.descent.cli.Cli.array;
import static dev.descent.cli.Cli.json;
import static dev.descent.cli.Cli.matrix;
import static dev.descent.cli.Cli.number;
import static dev.descent.cli.Cli.object;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.vector;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent eval}: plain and JSON output, --at, --hessian, --set, --seed, maximize. */
class EvalCommandTest {
    @TempDir Path dir;

    /** A scalar, a vector and a matrix parameter in a small quadratic form. */
    static final String QUAD = """
            param a = 1.5
            param v = [1, 2]
            param M[2, 2] = [[1, 2], [3, 4]]
            minimize a^2 * sum(v) + dot(v, M @ v) + a * sum(M)
            """;

    private Map<String, Object> evalJson(String file, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "eval";
        args[1] = file;
        args[2] = "--json";
        System.arraycopy(more, 0, args, 3, more.length);
        Cli.Result r = ok(args);
        assertTrue(r.out().endsWith("\n"), "the JSON ends with a newline");
        assertEquals(1, r.out().strip().lines().count(), "one JSON object on one line");
        return object(json(r.out()));
    }

    // ------------------------------------------------------------ plain output

    @Test void plainOutputOfTheQuickstart() {
        String f = write(dir, "quickstart.dsc", """
                # examples/quickstart.dsc — Rosenbrock's valley, minimized with Adam
                param x = [-1.5, 2]
                minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
                optimize with adam(lr = 0.05) for 2000 steps
                """);
        Cli.Result r = ok("eval", f, "--hessian");
        assertEquals("""
                at     x = [-1.5, 2]
                value  12.5
                d/dx   [-155, -50]
                hessian over θ = (x[0], x[1])
                  [1902, 600]
                  [600, 200]
                eigenvalues  [9.750270108078269, 2092.2497298919216]
                condition    214.58377118788292
                point        not stationary (H is positive definite)
                """, r.out());
        // numpy.linalg.eigvalsh([[1902, 600], [600, 200]]) = [9.75027010807824, 2092.2497298919216], cond 214.58377118788292
        // (the smaller one agrees to 3e-14, a few ulps of ‖H‖)
    }

    @Test void plainOutputNamesEveryParameter() {
        String f = write(dir, "q.dsc", QUAD);
        Cli.Result r = ok("eval", f);
        assertEquals("""
                at     a = 1.5, v = [1, 2], M = [[1, 2], [3, 4]]
                value  48.75
                d/da   19
                d/dv   [14.25, 23.25]
                d/dM   [[2.5, 3.5], [3.5, 5.5]]
                """, r.out());
    }

    // ------------------------------------------------------------ JSON

    @Test void jsonStructure() {
        String f = write(dir, "q.dsc", QUAD);
        Map<String, Object> o = evalJson(f, "--hessian");
        assertEquals(List.of("value", "grad", "hessian", "eigenvalues", "condition", "definiteness", "stationary", "point"), List.copyOf(o.keySet()));
        assertEquals(48.75, number(o.get("value")));
        Map<String, Object> grad = object(o.get("grad"));
        assertEquals(List.of("a", "v", "M"), List.copyOf(grad.keySet()), "parameters in declaration order");
        assertInstanceOf(Double.class, grad.get("a"), "a scalar is a number");
        assertEquals(19.0, number(grad.get("a")));
        assertArrayEquals(new double[] {14.25, 23.25}, vector(grad.get("v")), "a vector is an array");
        double[][] gM = matrix(grad.get("M"));
        assertArrayEquals(new double[] {2.5, 3.5}, gM[0], "a matrix is an array of rows");
        assertArrayEquals(new double[] {3.5, 5.5}, gM[1]);
        assertEquals(7, array(o.get("hessian")).size());
    }

    @Test void jsonWithoutHessianHasNoHessianKey() {
        String f = write(dir, "q.dsc", QUAD);
        assertEquals(List.of("value", "grad"), List.copyOf(evalJson(f).keySet()));
    }

    @Test void jsonNumbersReadBackAsTheSameDouble() {
        String f = write(dir, "r.dsc", """
                param x = 0.1
                param y = [1, 3]
                minimize x + 0.2 + sum(y / 3) * x + 1e-300 * sum(y)
                """);
        Map<String, Object> o = evalJson(f);
        double x = 0.1, y0 = 1, y1 = 3;
        double expected = x + 0.2 + (y0 / 3 + y1 / 3) * x + 1e-300 * (y0 + y1);
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(number(o.get("value"))), "value bits");
        Map<String, Object> g = object(o.get("grad"));
        assertEquals(Double.doubleToLongBits(1 + (y0 / 3 + y1 / 3)), Double.doubleToLongBits(number(g.get("x"))), "dx bits");
    }

    @Test void zeroPointOnePlusZeroPointTwoRoundTrips() {
        String f = write(dir, "r.dsc", "param x = 0.1\nminimize x + 0.2\n");
        Cli.Result r = ok("eval", f, "--json");
        assertTrue(r.out().contains("0.30000000000000004"), r.out());
        assertEquals(0.1 + 0.2, number(object(json(r.out())).get("value")));
        assertEquals(0.1 + 0.2, number(evalJson(f, "--at", "x=0.1").get("value")));
    }

    @Test void nonFiniteValuesAreStrings() {
        String f = write(dir, "log.dsc", "param x = 0\nminimize log(x)\n");
        Map<String, Object> o = evalJson(f);
        assertEquals("-Infinity", o.get("value"));
        assertEquals("Infinity", object(o.get("grad")).get("x"));

        String g = write(dir, "sqrt.dsc", "param x = [-1, 4]\nminimize sum(sqrt(x))\n");
        Map<String, Object> s = evalJson(g);
        assertEquals("NaN", s.get("value"));
        List<Object> dx = array(object(s.get("grad")).get("x"));
        assertEquals("NaN", dx.get(0));
        assertEquals(0.25, number(dx.get(1)));
    }

    @Test void nonFiniteValuesInPlainOutput() {
        String f = write(dir, "log.dsc", "param x = 0\nminimize log(x)\n");
        Cli.Result r = ok("eval", f);
        assertEquals("at     x = 0\nvalue  -inf\nd/dx   inf\n", r.out());
    }

    @Test void nonFiniteHessianEntriesAreStrings() {
        String f = write(dir, "log.dsc", "param x = 0\nminimize log(x)\n");
        Map<String, Object> o = evalJson(f, "--hessian");
        assertEquals(List.of(List.of("-Infinity")), o.get("hessian")); // -1/x^2 at 0
    }

    // ------------------------------------------------------------ --at

    @Test void atScalarVectorAndMatrix() {
        String f = write(dir, "q.dsc", QUAD);
        Cli.Result r = ok("eval", f, "--at", "a=2", "--at", "v=-1,0.5", "--at", "M=1,0,0,2");
        assertTrue(r.out().startsWith("at     a = 2, v = [-1, 0.5], M = [[1, 0], [0, 2]]\n"), r.out());
        Map<String, Object> o = evalJson(f, "--at", "a=2", "--at", "v=-1,0.5", "--at", "M=1,0,0,2");
        // f = a²·sum(v) + vᵀMv + a·sum(M) = 4·(-0.5) + (1 + 0.5) + 2·3
        assertEquals(-2 + 1.5 + 6, number(o.get("value")));
    }

    @Test void atMatrixIsRowMajor() {
        String f = write(dir, "m.dsc", "param M[2, 3] = 0\nminimize 10 * M[0, 1] + M[1, 0]\n");
        Map<String, Object> o = evalJson(f, "--at", "M=1,2,3,4,5,6");
        assertEquals(10 * 2 + 4, number(o.get("value")));
        assertTrue(ok("eval", f, "--at", "M=1,2,3,4,5,6").out().startsWith("at     M = [[1, 2, 3], [4, 5, 6]]\n"));
    }

    @Test void atOneValueFillsAVectorOrMatrix() {
        String f = write(dir, "q.dsc", QUAD);
        Cli.Result r = ok("eval", f, "--at", "v=7", "--at", "M=0.5");
        assertTrue(r.out().startsWith("at     a = 1.5, v = [7, 7], M = [[0.5, 0.5], [0.5, 0.5]]\n"), r.out());
    }

    @Test void atAcceptsTheLanguagesNumberForms() {
        String f = write(dir, "x.dsc", "param x = [0, 0, 0, 0]\nminimize sum(x)\n");
        Cli.Result r = ok("eval", f, "--at", "x=.5,1e-3,-2.5E+1,3");
        assertTrue(r.out().startsWith("at     x = [0.5, 0.001, -25, 3]\n"), r.out());
    }

    @Test void atLeavesOtherParametersAtTheirStart() {
        String f = write(dir, "q.dsc", QUAD);
        Map<String, Object> o = evalJson(f, "--at", "a=0");
        // a = 0: f = vᵀMv = 27
        assertEquals(27.0, number(o.get("value")));
    }

    // ------------------------------------------------------------ --hessian

    @Test void hessianOverFlatThetaInDeclarationOrder() {
        String f = write(dir, "q.dsc", QUAD);
        Map<String, Object> o = evalJson(f, "--hessian");
        // θ = (a, v0, v1, M00, M01, M10, M11); f = a²(v0 + v1) + vᵀMv + a·sum(M), at a = 1.5, v = (1, 2)
        // ∂²/∂a² = 2·sum(v); ∂²/∂a∂v_k = 2a; ∂²/∂a∂M_ij = 1; ∂²/∂v∂v = M + Mᵀ;
        // ∂²/∂v_k∂M_ij = δ_ik v_j + δ_jk v_i; ∂²/∂M∂M = 0.
        double[][] expected = {
            {6, 3, 3, 1, 1, 1, 1},
            {3, 2, 5, 2, 2, 2, 0},
            {3, 5, 8, 0, 1, 1, 4},
            {1, 2, 0, 0, 0, 0, 0},
            {1, 2, 1, 0, 0, 0, 0},
            {1, 2, 1, 0, 0, 0, 0},
            {1, 0, 4, 0, 0, 0, 0},
        };
        double[][] h = matrix(o.get("hessian"));
        assertEquals(7, h.length);
        for (int i = 0; i < 7; i++) assertArrayEquals(expected[i], h[i], "row " + i);
    }

    @Test void hessianPlainOutputNamesTheta() {
        String f = write(dir, "q.dsc", QUAD);
        Cli.Result r = ok("eval", f, "--hessian");
        assertTrue(r.out().contains("hessian over θ = (a, v[0], v[1], M[0, 0], M[0, 1], M[1, 0], M[1, 1])\n"), r.out());
        assertTrue(r.out().contains("  [1, 0, 4, 0, 0, 0, 0]\neigenvalues  ["), r.out());
    }

    @Test void hessianOfAScalarParameterIsAOneByOneMatrix() {
        String f = write(dir, "c.dsc", "param x = 2\nminimize x^3\n");
        Map<String, Object> o = evalJson(f, "--hessian");
        assertEquals(List.of(List.of(12.0)), o.get("hessian"));
    }

    // ------------------------------------------------------------ eigenvalues, the second-order test

    static final String ROSENBROCK = "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\n";

    @Test void minimumOfRosenbrock() {
        String f = write(dir, "r.dsc", ROSENBROCK);
        Map<String, Object> o = evalJson(f, "--hessian", "--at", "x=1,1");
        // numpy.linalg.eigvalsh(scipy.optimize.rosen_hess([1, 1])) and numpy.linalg.cond
        assertArrayEquals(new double[] {0.3993607674876216, 1001.6006392325123}, vector(o.get("eigenvalues")), 1e-12);
        assertEquals(2508.009601277298, number(o.get("condition")), 1e-8);
        assertEquals("positive definite", o.get("definiteness"));
        assertEquals(true, o.get("stationary"));
        assertEquals("minimum", o.get("point"));
        assertTrue(ok("eval", f, "--hessian", "--at", "x=1,1").out().endsWith(
                "point        minimum (the gradient is ~0 and H is positive definite)\n"));
    }

    @Test void saddleOfAnIndefiniteQuadratic() {
        String f = write(dir, "s.dsc", "param x = 0\nparam y = 0\nminimize x^2 - y^2 + x*y\n");
        Cli.Result r = ok("eval", f, "--hessian");
        assertTrue(r.out().endsWith("eigenvalues  [-2.23606797749979, 2.23606797749979] (1 negative, 1 positive)\n"
                + "condition    1\n"
                + "point        saddle point (the gradient is ~0 and H is indefinite)\n"), r.out());
        assertEquals("saddle point", evalJson(f, "--hessian").get("point"));
        // away from the stationary point: no verdict on the point, only on H
        Map<String, Object> o = evalJson(f, "--hessian", "--at", "x=1");
        assertEquals(false, o.get("stationary"));
        assertEquals(null, o.get("point"));
        assertEquals("indefinite", o.get("definiteness"));
        assertTrue(ok("eval", f, "--hessian", "--at", "x=1").out().endsWith("point        not stationary (H is indefinite)\n"));
    }

    @Test void maximumAndDegeneratePoints() {
        String f = write(dir, "m.dsc", "param x = [0, 0, 0]\nminimize -sum(x^2) - x[0]*x[1]\n");
        assertEquals("maximum", evalJson(f, "--hessian").get("point"));
        String g = write(dir, "d.dsc", "param x = 0\nparam y = 0\nminimize x^2 + y^4\n");
        Map<String, Object> o = evalJson(g, "--hessian");
        assertEquals("degenerate", o.get("point"));
        assertEquals("Infinity", o.get("condition"));
        assertTrue(ok("eval", g, "--hessian").out().contains("condition    inf\n"));
    }

    @Test void eigenvaluesOfAWiderHessianMatchNumpy() throws Exception {
        // scipy.optimize.rosen_hess(zeros(10)), the chained Rosenbrock; the fixture has numpy's eigenvalues
        String f = write(dir, "r10.dsc", """
                param x[10] = 0
                let a = [x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8]]
                let b = [x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9]]
                minimize sum(100*(b - a^2)^2 + (1 - a)^2)
                """);
        Map<String, Object> o = evalJson(f, "--hessian");
        double[] want = {};
        for (var c : dev.descent.run.CurvatureTest.fixture().get("cases"))
            if (c.get("name").asText().equals("rosenbrock10_zero")) {
                want = new double[c.get("eigenvalues").size()];
                for (int i = 0; i < want.length; i++) want[i] = c.get("eigenvalues").get(i).asDouble();
            }
        assertEquals(10, want.length);
        assertArrayEquals(want, vector(o.get("eigenvalues")), 1e-11);
    }

    @Test void nonFiniteHessianHasNoEigenvalues() {
        String f = write(dir, "log.dsc", "param x = 0\nminimize log(x)\n");
        Map<String, Object> o = evalJson(f, "--hessian");
        assertEquals(null, o.get("eigenvalues"));
        assertEquals(null, o.get("point"));
        assertTrue(ok("eval", f, "--hessian").out().endsWith("eigenvalues  not computed: the Hessian has an entry that is not finite\n"));
    }

    // ------------------------------------------------------------ maximize, --set

    @Test void maximizeReportsTheValueAsWritten() {
        String f = write(dir, "max.dsc", "param x = 3\nmaximize -(x - 1)^2\n");
        Map<String, Object> o = evalJson(f, "--hessian");
        assertEquals(-4.0, number(o.get("value")));
        assertEquals(-4.0, number(object(o.get("grad")).get("x")), "the gradient of the expression maximized");
        assertEquals(List.of(List.of(-2.0)), o.get("hessian"));
    }

    @Test void setChangesALet() {
        String f = write(dir, "c.dsc", "param x = 2\nlet c = 0.15\nminimize c * x^2\n");
        assertEquals(0.15 * 4, number(evalJson(f).get("value")));
        Map<String, Object> o = evalJson(f, "--set", "c=0.2");
        assertEquals(0.2 * 4, number(o.get("value")));
        assertEquals(0.2 * 4, number(object(o.get("grad")).get("x")));
    }

    @Test void setReachesLetsThatUseIt() {
        String f = write(dir, "c.dsc", "param x = 1\nlet c = 1\nlet d = 10 * c\nminimize d * x\n");
        assertEquals(30.0, number(evalJson(f, "--set", "c=3").get("value")));
    }

    @Test void setAcceptsTheEqualsFormOfTheOption() {
        String f = write(dir, "c.dsc", "param x = 1\nlet c = 1\nminimize c * x\n");
        assertEquals(5.0, number(evalJson(f, "--set=c=5").get("value")));
    }

    // ------------------------------------------------------------ random starts

    private static final String RANDOM = "seed 1\nparam W[2, 2] ~ normal(0, 1)\nminimize sum(W^2)\n";

    @Test void seedOptionOverridesTheScriptsSeed() {
        String f = write(dir, "w.dsc", RANDOM);
        String scriptSeed = ok("eval", f, "--json").out();
        String seed2 = ok("eval", f, "--json", "--seed", "2").out();
        String seed1 = ok("eval", f, "--json", "--seed", "1").out();
        assertNotEquals(scriptSeed, seed2, "--seed 2 draws another start");
        assertEquals(scriptSeed, seed1, "--seed 1 is the script's seed 1");
        assertEquals(scriptSeed, ok("eval", f, "--json").out(), "the same seed, the same start");
        assertEquals(seed2, ok("eval", f, "--json", "--seed", "2").out());
    }

    @Test void randomStartsDrawFromSplittableRandomInDeclarationOrder() {
        String f = write(dir, "w.dsc", """
                seed 5
                param W[2, 2] ~ normal(1, 0.5)
                param u[3] ~ uniform(-1, 1)
                minimize sum(W) + sum(u)
                """);
        SplittableRandom rng = new SplittableRandom(5);
        double expected = 0;
        for (int i = 0; i < 4; i++) expected += 1 + 0.5 * rng.nextGaussian();
        for (int i = 0; i < 3; i++) expected += -1 + 2 * rng.nextDouble();
        Cli.close(expected, number(evalJson(f).get("value")), 1e-14, "sum of the drawn start");
    }

    @Test void withoutASeedTheDefaultIsZero() {
        String f = write(dir, "w.dsc", "param W[3] ~ normal(0, 1)\nminimize sum(W)\n");
        String plain = ok("eval", f, "--json").out();
        assertEquals(plain, ok("eval", f, "--json", "--seed", "0").out());
        assertNotEquals(plain, ok("eval", f, "--json", "--seed", "1").out());
    }

    @Test void atOverridesARandomStart() {
        String f = write(dir, "w.dsc", RANDOM);
        assertEquals(4.0, number(evalJson(f, "--at", "W=1").get("value")));
    }

    // ------------------------------------------------------------ misc

    @Test void scriptWithoutParametersEvaluates() {
        String f = write(dir, "k.dsc", "minimize 2 + 3\n");
        Map<String, Object> o = evalJson(f);
        assertEquals(5.0, number(o.get("value")));
        assertEquals(Map.of(), o.get("grad"));
        assertFalse(ok("eval", f).out().isEmpty());
    }

    @Test void dataColumnsEvaluate() {
        String f = write(dir, "d.dsc", """
                data d = csv("t.csv")
                param w = 2
                minimize sum((w * d.x - d.y)^2)
                """);
        write(dir, "t.csv", "x,y\n1,2\n2,3\n3,7\n");
        // (2-2)² + (4-3)² + (6-7)² = 2; d/dw = 2·Σ x·(w x - y) = 2·(0 + 2 - 3) = -2
        Map<String, Object> o = evalJson(f);
        assertEquals(2.0, number(o.get("value")));
        assertEquals(-2.0, number(object(o.get("grad")).get("w")));
    }
}
