package dev.descent.cli;

import static dev.descent.cli.Cli.json;
import static dev.descent.cli.Cli.matrix;
import static dev.descent.cli.Cli.object;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.vector;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.ir.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text reports summarize arrays of more than 1000 elements as NumPy prints them (the first
 * and last three, {@code …}, and the element count; a matrix by its first and last three rows,
 * each summarized); {@code --json} keeps every value.
 */
class LargeArraysTest {
    @TempDir Path dir;

    static double[] iota(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }

    @Test void vectorsPastAThousandElementsAreSummarized() {
        assertEquals("[0, 1, 2, …, 998, 999, 1000] (1001 elements)", Text.value(Shape.vector(1001), iota(1001), 0));
        String thousand = Text.value(Shape.vector(1000), iota(1000), 0);
        assertTrue(thousand.startsWith("[0, 1, 2, 3, ") && thousand.endsWith(", 998, 999]") && !thousand.contains("…"), "1000 print in full");
        assertEquals("[5, 6, 7, …, 1003, 1004, 1005] (1001 elements)", Text.value(Shape.vector(1001), iota(1010), 5), "from an offset");
        assertEquals("[1, 2, 3]", Text.value(Shape.vector(3), new double[] {0, 1, 2, 3}, 1), "from an offset, small: in full");
        assertEquals("2.5", Text.value(Shape.SCALAR, new double[] {1, 2.5}, 1));
    }

    @Test void matricesKeepTheirFirstAndLastRowsEachSummarized() {
        assertEquals("[[0, 1, 2, …, 27, 28, 29], [30, 31, 32, …, 57, 58, 59], [60, 61, 62, …, 87, 88, 89], …, "
                        + "[1110, 1111, 1112, …, 1137, 1138, 1139], [1140, 1141, 1142, …, 1167, 1168, 1169], [1170, 1171, 1172, …, 1197, 1198, 1199]]"
                        + " (40 × 30 = 1200 elements)",
                Text.value(Shape.matrix(40, 30), iota(1200), 0));
        // few rows: every row, each summarized; narrow rows: in full, the rows summarized
        assertEquals("[[0, 1, 2, …, 397, 398, 399], [400, 401, 402, …, 797, 798, 799], [800, 801, 802, …, 1197, 1198, 1199]] (3 × 400 = 1200 elements)",
                Text.value(Shape.matrix(3, 400), iota(1200), 0));
        assertEquals("[[0, 1], [2, 3], [4, 5], …, [1996, 1997], [1998, 1999], [2000, 2001]] (1001 × 2 = 2002 elements)",
                Text.value(Shape.matrix(1001, 2), iota(2002), 0));
        assertEquals("[[0, 1], [2, 3]]", Text.value(Shape.matrix(2, 2), iota(4), 0));
    }

    @Test void hessianRows() {
        double[][] small = new double[31][31], large = new double[32][32];
        for (double[][] m : List.of(small, large)) for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) m[i][j] = 100 * i + j;
        assertEquals(31, Text.rows(small).size(), "961 elements: every row, in full");
        assertEquals("[3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 3011, 3012, 3013, 3014, 3015, 3016, 3017, 3018, 3019, 3020,"
                + " 3021, 3022, 3023, 3024, 3025, 3026, 3027, 3028, 3029, 3030]", Text.rows(small).get(30));
        assertEquals(List.of("[0, 1, 2, …, 29, 30, 31]", "[100, 101, 102, …, 129, 130, 131]", "[200, 201, 202, …, 229, 230, 231]", "…",
                "[2900, 2901, 2902, …, 2929, 2930, 2931]", "[3000, 3001, 3002, …, 3029, 3030, 3031]", "[3100, 3101, 3102, …, 3129, 3130, 3131]"),
                Text.rows(large));
    }

    /** 1200 parameters in a vector and a matrix; the gradient of x is x - 3, of W is 2W. */
    static final String SCRIPT = """
            param x[1200] = 1
            param W[40, 30] = 0.5
            param a = 2
            minimize sum(0.5*(x - 3)^2) + sum(W^2) + a^2
            optimize with gd(lr = 0.5) for 1 steps
            """;

    @Test void evalSummarizesTextAndJsonKeepsEveryValue() {
        String f = write(dir, "big.dsc", SCRIPT);
        Cli.Result r = ok("eval", f);
        String w = "[[0.5, 0.5, 0.5, …, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, …, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, …, 0.5, 0.5, 0.5], …, "
                + "[0.5, 0.5, 0.5, …, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, …, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, …, 0.5, 0.5, 0.5]] (40 × 30 = 1200 elements)";
        assertEquals("at     x = [1, 1, 1, …, 1, 1, 1] (1200 elements), W = " + w + ", a = 2\n"
                + "value  2704\n"
                + "d/dx   [-2, -2, -2, …, -2, -2, -2] (1200 elements)\n"
                + "d/dW   " + w.replace("0.5", "1") + "\n"
                + "d/da   4\n", r.out());
        Map<String, Object> j = object(json(ok("eval", f, "--json").out()));
        Map<String, Object> g = object(j.get("grad"));
        double[] gx = vector(g.get("x"));
        assertEquals(1200, gx.length, "--json prints every value");
        for (double v : gx) assertEquals(-2, v);
        double[][] gw = matrix(g.get("W"));
        assertEquals(40, gw.length);
        for (double[] row : gw) {
            assertEquals(30, row.length);
            for (double v : row) assertEquals(1, v);
        }
    }

    @Test void runSummarizesTheFinalParametersAndJsonKeepsEveryValue() {
        String f = write(dir, "big.dsc", SCRIPT);
        String text = ok("run", f, "--quiet").out();
        assertTrue(text.contains("\nx   [2, 2, 2, …, 2, 2, 2] (1200 elements)\n"), text);
        assertTrue(text.contains("\nW   [[0, 0, 0, …, 0, 0, 0], [0, 0, 0, …, 0, 0, 0], [0, 0, 0, …, 0, 0, 0], …, "), text);
        assertTrue(text.contains("] (40 × 30 = 1200 elements)\na   0\n"), text);
        assertTrue(text.length() < 1000, "a short report: " + text.length() + " characters");
        Map<String, Object> params = object(object(json(ok("run", f, "--json", "--quiet").out())).get("params"));
        double[] x = vector(params.get("x"));
        assertEquals(1200, x.length);
        for (double v : x) assertEquals(2, v);
        assertEquals(40, matrix(params.get("W")).length);
    }

    @Test void theHessianOfAModerateThetaIsSummarizedAndOfALargeOneRefused() {
        String f = write(dir, "forty.dsc", "param x[40] = 1\nminimize sum(x^3)\n");
        String text = ok("eval", f, "--hessian").out();
        assertTrue(text.contains("hessian over θ = (x[0], x[1], x[2], …, x[37], x[38], x[39]) (40 × 40 = 1600 elements)\n"
                + "  [6, 0, 0, …, 0, 0, 0]\n  [0, 6, 0, …, 0, 0, 0]\n  [0, 0, 6, …, 0, 0, 0]\n  …\n"
                + "  [0, 0, 0, …, 6, 0, 0]\n  [0, 0, 0, …, 0, 6, 0]\n  [0, 0, 0, …, 0, 0, 6]\n"), text);
        double[][] h = matrix(object(json(ok("eval", f, "--hessian", "--json").out())).get("hessian"));
        assertEquals(40, h.length);
        for (int i = 0; i < 40; i++) for (int j = 0; j < 40; j++) assertEquals(i == j ? 6 : 0, h[i][j]);

        String big = write(dir, "big.dsc", "param x[10000000] = 1\nminimize sum(x^3)\n");
        Cli.Result e = Cli.run("eval", big, "--hessian");
        assertEquals(Main.USAGE, e.code(), e.toString());
        assertEquals("descent: --hessian: θ has 10000000 elements, so its Hessian would be 10000000 × 10000000 (100000000000000 entries); "
                + "eval --hessian takes θ of at most 4096 elements; without --hessian, eval gives the value and the gradient", e.firstErrLine());
        Cli.Result g = Cli.run("grad", write(dir, "g.dsc", "param x[1025] = 1\nminimize sum(x^3)\n"), "--hessian");
        assertEquals(Main.USAGE, g.code(), g.toString());
        assertTrue(g.firstErrLine().contains("grad --hessian takes θ of at most 1024 elements"), g.toString());
        assertEquals("", g.out());
    }
}
