package dev.descent.cli;

import static dev.descent.cli.Cli.json;
import static dev.descent.cli.Cli.matrix;
import static dev.descent.cli.Cli.number;
import static dev.descent.cli.Cli.object;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent grad}: what it prints is Descent. Each test pastes the printed lines
 * back under the script's declarations, makes each printed derivative the objective
 * of a new script, and checks that {@code eval} of it gives the number that {@code eval}
 * of the original reports as that derivative.
 */
class GradCommandTest {
    @TempDir Path dir;

    private static final Pattern LET = Pattern.compile("let ([\\p{L}_][\\p{L}\\p{Nd}_]*) = (.+)");

    /** The printed lines: (name, expression) in order; comments are skipped. */
    private static List<String[]> lets(String printed) {
        List<String[]> out = new ArrayList<>();
        for (String line : printed.split("\n")) {
            if (line.startsWith("# ")) continue;
            Matcher m = LET.matcher(line);
            assertTrue(m.matches(), () -> "not a let line: '" + line + "'\n" + printed);
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    /** The script without its objective and optimize statements. */
    private static String declarations(String script) {
        StringBuilder sb = new StringBuilder();
        for (String line : script.split("\n"))
            if (!line.startsWith("minimize") && !line.startsWith("maximize") && !line.startsWith("optimize ")) sb.append(line).append('\n');
        return sb.toString();
    }

    private Map<String, Object> evalJson(String file, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", file, "--json"));
        args.addAll(List.of(more));
        return object(json(ok(args.toArray(String[]::new)).out()));
    }

    private int counter;

    /** Evaluates {@code objective} in the declarations plus the printed lines; checks the script first. */
    private double evalIn(String decls, String printed, String objective) {
        String f = write(dir, "roundtrip" + (counter++) + ".dsc", decls + printed + "minimize " + objective + "\n");
        ok("check", f);
        return number(evalJson(f).get("value"));
    }

    /** The element names of a parameter's derivative: g, g[i] or g[i, j], row-major. */
    private static List<String> elements(String name, Object shaped) {
        List<String> out = new ArrayList<>();
        if (shaped instanceof Double || shaped instanceof String) out.add(name);
        else {
            List<Object> rows = Cli.array(shaped);
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i) instanceof List<?> row) for (int j = 0; j < row.size(); j++) out.add(name + "[" + i + ", " + j + "]");
                else out.add(name + "[" + i + "]");
            }
        }
        return out;
    }

    private static List<Double> flat(Object shaped) {
        List<Double> out = new ArrayList<>();
        if (shaped instanceof List<?> l) for (Object o : l) out.addAll(flat(o));
        else out.add(number(shaped));
        return out;
    }

    /**
     * The round trip for one script: every gradient element (and, with a Hessian, every
     * Hessian element) that grad prints evaluates to what eval reports, to 1e-12 relative;
     * and a weighted sum of all of them as one objective does too.
     */
    private void roundTrip(String name, String script, boolean hessian) {
        String f = write(dir, name, script);
        String decls = declarations(script);
        Map<String, Object> reference = evalJson(f, "--hessian");
        Map<String, Object> grad = object(reference.get("grad"));

        String printed = hessian ? ok("grad", f, "--hessian").out() : ok("grad", f).out();
        assertTrue(printed.startsWith("# d/dθ of the objective of " + f), printed);
        List<String[]> lines = lets(printed);
        int outputs = grad.size() + (hessian ? 1 : 0);
        assertTrue(lines.size() >= outputs, printed);
        List<String[]> outs = lines.subList(lines.size() - outputs, lines.size());

        SplittableRandom rng = new SplittableRandom(11);
        StringBuilder weighted = new StringBuilder();
        double expectedWeighted = 0;
        int k = 0;
        for (Map.Entry<String, Object> e : grad.entrySet()) {
            String printedName = outs.get(k++)[0];
            assertTrue(printedName.startsWith("grad_" + e.getKey()), () -> printedName + " for " + e.getKey());
            List<String> names = elements(printedName, e.getValue());
            List<Double> values = flat(e.getValue());
            for (int i = 0; i < names.size(); i++) {
                double got = evalIn(decls, printed, names.get(i));
                Cli.close(values.get(i), got, 1e-12, name + ": " + names.get(i));
                double w = Math.rint(rng.nextDouble(-4, 4) * 4) / 4;
                weighted.append(weighted.isEmpty() ? "" : " + ").append(w).append(" * ").append(names.get(i));
                expectedWeighted += w * values.get(i);
            }
        }
        Cli.close(expectedWeighted, evalIn(decls, printed, weighted.toString()), 1e-12, name + ": weighted sum");

        if (hessian) {
            String h = outs.get(outs.size() - 1)[0];
            assertTrue(h.startsWith("hessian"), h);
            double[][] H = matrix(reference.get("hessian"));
            for (int i = 0; i < H.length; i++)
                for (int j = 0; j < H.length; j++) {
                    String cell = H.length == 1 ? h : h + "[" + i + ", " + j + "]";
                    Cli.close(H[i][j], evalIn(decls, printed, cell), 1e-12, name + ": " + cell);
                }
        }
    }

    // ------------------------------------------------------------ round trips

    @Test void quickstart() {
        String s = """
                param x = [-1.5, 2]
                minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
                optimize with adam(lr = 0.05) for 2000 steps
                """;
        roundTrip("quickstart.dsc", s, true);
    }

    @Test void quickstartPrintsWhatTheReadmeShows() {
        String f = write(dir, "quickstart.dsc", """
                param x = [-1.5, 2]
                minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
                """);
        assertEquals("""
                # d/dθ of the objective of %s
                # hessian: the Hessian over θ = (x[0], x[1])
                let u1 = x[1] - x[0]^2
                let grad_x = [-400 * (u1 * x[0]) - 2 * (1 - x[0]), 200 * u1]
                let hessian = [[800 * x[0]^2 - 400 * u1 + 2, -400 * x[0]], [-400 * x[0], 200]]
                """.formatted(f), ok("grad", f, "--hessian").out());
    }

    @Test void scalarVectorMatrix() {
        roundTrip("quad.dsc", EvalCommandTest.QUAD, true);
    }

    @Test void transcendentalAndReductions() {
        roundTrip("trans.dsc", """
                param x = [0.3, -0.7, 1.2]
                param s = 0.5
                minimize sum(exp(s * x) * sin(x)) + log1p(s^2) + logsumexp(x) + norm(x) + sum(softmax(x) * [1, 2, 3]) + tanh(s) * sigmoid(x[0]) + softplus(x[1]) + atan2(x[2], s) + sqrt(s) * cosh(x[0]) + expm1(s) / (2 + cos(x[1])) + asin(s) * acos(s / 2) + atan(x[0]) * sinh(s) + tan(s) + pow(s, 3) * mean(x) + norm1(x)
                """, true);
    }

    @Test void softmaxClassifier() {
        roundTrip("softmax.dsc", """
                param W[2, 3] = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]
                param b = [0.1, -0.1]
                let X = [[1, 2, 3], [4, 5, 6], [-1, 0, 1], [2, -1, 0.5]]
                let y = [0, 1, 1, 0]
                let Z = X @ transpose(W) + b
                minimize mean(logsumexp(Z, axis = 1) - sum(onehot(y, 2) * Z, axis = 1)) + 0.01 * sum(W^2)
                """, true);
    }

    @Test void linearAlgebra() {
        roundTrip("linalg.dsc", """
                param A[2, 2] = [[3, 1], [0.5, 2]]
                param v = [1, -2]
                def trace2(M) = sum(diag(M @ M))
                minimize dot(solve(A, v), v) + sum(diag(A) * v) + sum(outer(v, v) @ A) + sum(diag(v) @ A) + sum(stack(v, 2 * v) * A) + sum(eye(2) * A) + trace2(A) + sum(transpose(A) @ v * v) + sum(A * v)
                """, true);
    }

    @Test void piecewiseAwayFromKinks() {
        roundTrip("piece.dsc", """
                param x = [-1, 0.5, 2]
                minimize sum(abs(x)) + sum(relu(x - 1)) + max(x) + min(x) + sum(clip(x, -0.5, 1)) + sum(if x > 0 then x^2 else -x) + sum(max(x, 0.25 * x)) + sum(floor(x) * x)
                """, true);
    }

    @Test void defsLetsAndAMaximize() {
        roundTrip("defs.dsc", """
                let c = 0.15 * pi
                def softsign(z) = z / (1 + abs(z))
                def ramp(z, k = 2) = k * relu(z)
                param x = [10, -3]
                param s = 0.7
                maximize -sum(x * cos(c * x)) + sum(softsign(s * x)) - ramp(s, k = 3)
                """, true);
    }

    @Test void dataObjective() throws IOException {
        try (InputStream in = GradCommandTest.class.getResourceAsStream("/data/linear.csv")) {
            write(dir, "linear.csv", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        roundTrip("data.dsc", """
                data d = csv("linear.csv")
                param w = [0.5, -1]
                param b = 0.25
                let X = stack(d.x1, d.x2)
                minimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)
                """, true);
    }

    @Test void namesTheScriptAlreadyUsesAreNotReused() {
        String s = """
                param x = [1, 2]
                let grad_x = 3
                let hessian = 2
                let u1 = 5
                minimize grad_x * hessian * u1 * sum(sin(x) * cos(x)) + (x[0] - x[1]^2)^2
                """;
        String f = write(dir, "names.dsc", s);
        List<String[]> lines = lets(ok("grad", f, "--hessian").out());
        for (String[] l : lines) {
            assertTrue(!l[0].equals("grad_x") && !l[0].equals("hessian") && !l[0].equals("u1"), "reuses " + l[0]);
        }
        roundTrip("names.dsc", s, true);
    }

    @Test void withoutHessian() {
        String f = write(dir, "q.dsc", EvalCommandTest.QUAD);
        String out = ok("grad", f).out();
        assertTrue(!out.contains("hessian"), out);
        roundTrip("q2.dsc", EvalCommandTest.QUAD, false);
    }

    @Test void setIsAppliedBeforeDifferentiating() {
        String f = write(dir, "c.dsc", "param x = 1\nlet c = 0.15\nminimize c * x^2\n");
        String printed = ok("grad", f, "--set", "c=0.5").out();
        assertEquals(1.0, evalIn("param x = 1\n", printed, "grad_x"), printed); // 2·c·x
    }

    // ------------------------------------------------------------ --json

    @Test void jsonStructure() {
        String f = write(dir, "q.dsc", EvalCommandTest.QUAD);
        Map<String, Object> o = object(json(ok("grad", f, "--json", "--hessian").out()));
        assertEquals(List.of("lets", "grad", "hessian"), List.copyOf(o.keySet()));
        List<Object> lets = Cli.array(o.get("lets"));
        for (Object l : lets) {
            Map<String, Object> let = object(l);
            assertEquals(List.of("name", "expr"), List.copyOf(let.keySet()));
            assertInstanceOf(String.class, let.get("name"));
            assertInstanceOf(String.class, let.get("expr"));
        }
        Map<String, Object> grad = object(o.get("grad"));
        assertEquals(List.of("a", "v", "M"), List.copyOf(grad.keySet()), "keyed by parameter, in declaration order");
        for (Object e : grad.values()) assertInstanceOf(String.class, e);
        assertInstanceOf(String.class, o.get("hessian"));

        // the same text as the plain output
        StringBuilder sb = new StringBuilder();
        for (Object l : lets) sb.append("let ").append(object(l).get("name")).append(" = ").append(object(l).get("expr")).append('\n');
        sb.append("let grad_a = ").append(grad.get("a")).append('\n');
        sb.append("let grad_v = ").append(grad.get("v")).append('\n');
        sb.append("let grad_M = ").append(grad.get("M")).append('\n');
        sb.append("let hessian = ").append(o.get("hessian")).append('\n');
        String plain = ok("grad", f, "--hessian").out().replaceAll("(?m)^#.*\n", "");
        assertEquals(plain, sb.toString());
    }

    @Test void jsonWithoutHessian() {
        String f = write(dir, "q.dsc", EvalCommandTest.QUAD);
        Map<String, Object> o = object(json(ok("grad", f, "--json").out()));
        assertEquals(List.of("lets", "grad"), List.copyOf(o.keySet()));
    }

    @Test void maximizeIsSaidInTheHeader() {
        String f = write(dir, "m.dsc", "param x = 3\nmaximize -(x - 1)^2\n");
        String out = ok("grad", f).out();
        assertTrue(out.startsWith("# d/dθ of the objective of " + f + " (the expression maximized)\n"), out);
    }
}
