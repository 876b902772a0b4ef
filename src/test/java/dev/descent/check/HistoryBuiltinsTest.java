package dev.descent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.run.Objective;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import org.junit.jupiter.api.Test;

/** push, triu and tril: values on parameters (not folded constants), gradients against finite differences, positioned errors. */
class HistoryBuiltinsTest {
    static Objective.Result eval(String text, double[] theta) {
        Script s = Checker.check(SourceFile.ofString("t.dsc", text));
        return new Objective(s, false).evaluate(theta);
    }

    static String errors(String text) {
        try {
            Checker.check(SourceFile.ofString("bad.dsc", text));
        } catch (CompileError e) {
            return e.render();
        }
        throw new AssertionError("no error for:\n" + text);
    }

    /**
     * With A = [[a, b, c], [d, e, f]] a parameter and v = [x, y, z], the objective weights each
     * entry of push(A, v), triu(M), tril(M, -1) and push(u, w) differently, so its value is a
     * sum that names which entry went where; its gradient is checked by central differences.
     */
    @Test
    void valuesAndGradients() {
        String text = """
                param A = [[1, 2, 3], [4, 5, 6]]
                param v = [7, 8, 9]
                param u = [0.5, 1.5, 2.5]
                param w = 3.5
                let W = [[2, 3, 5], [7, 11, 13]]
                let M = stack(v, v^2, v^3)
                minimize sum(W * push(A, v)) + sum(triu(M) * [[1, 2, 3], [4, 5, 6], [7, 8, 9]]) + 0.5 * sum(tril(M, k = -1)) + dot([1, 3, 9], push(u, w)^2)
                """;
        double[] theta = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0.5, 1.5, 2.5, 3.5};
        Objective.Result r = eval(text, theta);
        // push(A, v) = [[4, 5, 6], [7, 8, 9]]
        double push = 4 * 2 + 5 * 3 + 6 * 5 + 7 * 7 + 8 * 11 + 9 * 13;
        // M = [[7, 49, 343], [8, 64, 512], [9, 81, 729]]: triu keeps 7, 49, 343, 64, 512, 729; tril(-1) keeps 8, 9, 81
        double triu = 7 + 2 * 49 + 3 * 343 + 5 * 64 + 6 * 512 + 9 * 729, tril = 0.5 * (8 + 9 + 81);
        double pushVector = 1.5 * 1.5 + 3 * 2.5 * 2.5 + 9 * 3.5 * 3.5;
        assertEquals(push + triu + tril + pushVector, r.value(), 1e-9);
        for (int i = 0; i < theta.length; i++) {
            double h = 1e-5, save = theta[i];
            theta[i] = save + h;
            double up = eval(text, theta).value();
            theta[i] = save - h;
            double down = eval(text, theta).value();
            theta[i] = save;
            double fd = (up - down) / (2 * h);
            assertEquals(fd, r.gradient()[i], 1e-6 * Math.max(1, Math.abs(fd)), "d/dθ[" + i + "]");
        }
        assertEquals(0, r.gradient()[0], "the first row of A leaves the history");
        assertEquals(0, r.gradient()[9], "u[0] leaves the history");
    }

    @Test
    void badArgumentsArePositionedErrors() {
        String head = "param x = [1, 2]\n";
        assertTrue(errors(head + "minimize sum(push(outer(x, x), 1))\n").contains(
                "bad.dsc:2:14: error: push onto a matrix with rows of 2 needs a vector [2] as its new row, not a scalar"), errors(head + "minimize sum(push(outer(x, x), 1))\n"));
        assertTrue(errors(head + "minimize sum(push(x, x))\n").contains("bad.dsc:2:14: error: push onto a vector needs a number as its new element"));
        assertTrue(errors(head + "minimize push(1, x[0])\n").contains("bad.dsc:2:10: error: push needs a history"));
        assertTrue(errors(head + "minimize sum(triu(x))\n").contains("bad.dsc:2:14: error: triu takes a matrix, not a vector [2]"));
        assertTrue(errors(head + "minimize sum(tril(outer(x, x), k = x[0]))\n").contains("bad.dsc:2:14: error: tril: k must be a constant whole number"));
    }
}
