package dev.descent.cli;

import static dev.descent.cli.Cli.json;
import static dev.descent.cli.Cli.number;
import static dev.descent.cli.Cli.object;
import static dev.descent.cli.Cli.ok;
import static dev.descent.cli.Cli.write;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script blocks of the contract (LANGUAGE.md), verbatim: each parses, and the
 * complete ones check. When the contract file is at hand (../shared/LANGUAGE.md, or
 * the path in -Ddescent.language), the copies here are checked against it.
 */
class LanguageContractTest {
    @TempDir Path dir;

    static final String FIRST_SCRIPT = """
            # examples/quickstart.dsc — Rosenbrock's valley, minimized with Adam
            param x = [-1.5, 2]
            minimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2
            optimize with adam(lr = 0.05) for 2000 steps
            """;

    static final String DECLARATIONS = """
            seed 42                              # makes every random draw reproducible
            param x = 10                         # scalar parameter
            param x = [-5, -2]                   # vector parameter
            param W[3, 4] ~ normal(0, 0.1)       # shaped, random start (also uniform(a, b))
            param b[4] = 0                       # shaped, constant start
            let c = 0.15 * pi                    # a named value; may use params
            def softsign(z) = z / (1 + abs(z))   # a function, usable anywhere
            def ramp(z, k = 2) = k * relu(z)      # parameters may have defaults
            minimize x * cos(c * x)              # the objective (one per script)
            maximize -x^2                        # or this, instead of minimize
            """;

    static final String OPTIMIZER = """
            optimizer momentum(lr = 0.01, beta = 0.9) {
              state v = 0
              v = beta * v + (1 - beta) * g
              p -= lr * v
            }
            """;

    static final String RUNNING = """
            optimize with adam(lr = 0.05) for 2000 steps
            optimize with sgd(lr = step_decay(0.1, 0.5, 10)) for 100 steps until norm(g) < 1e-6
            optimize with sgd(lr = 0.01) for 20 epochs batch 32       # mini-batches over data
            """;

    static final String DATA = """
            data d = csv("examples/data/linear.csv")      # header names the columns
            param w = [0, 0]
            param b = 0
            let X = stack(d.x1, d.x2)                      # rows × 2 matrix, columns side by side
            minimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)
            optimize with sgd(lr = 0.05) for 20 epochs batch 16
            """;

    private static Ast.Program parse(String name, String text) {
        return assertDoesNotThrow(() -> Parser.parse(SourceFile.ofString(name, text)), () -> name + " does not parse");
    }

    private static void parses(String name, String text) {
        try {
            Parser.parse(SourceFile.ofString(name, text));
        } catch (CompileError e) {
            StringBuilder sb = new StringBuilder();
            e.diagnostics().forEach(d -> sb.append(d.render()));
            throw new AssertionError(name + " does not parse:\n" + sb);
        }
    }

    /** Lines 1-based of a block, joined. */
    private static String lines(String block, int... which) {
        String[] all = block.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int k : which) sb.append(all[k - 1]).append('\n');
        return sb.toString();
    }

    /** Puts linear.csv at examples/data/linear.csv under dir, as the Data block expects; returns its text. */
    private String linearCsv() throws IOException {
        Path repo = Path.of("examples/data/linear.csv");
        String text;
        if (Files.isRegularFile(repo)) text = Files.readString(repo);
        else try (InputStream in = LanguageContractTest.class.getResourceAsStream("/data/linear.csv")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        write(dir, "examples/data/linear.csv", text);
        return text;
    }

    // ------------------------------------------------------------ every block parses

    @Test void everyBlockParses() {
        parses("first.dsc", FIRST_SCRIPT);
        parses("declarations.dsc", DECLARATIONS);
        parses("optimizer.dsc", OPTIMIZER);
        parses("running.dsc", RUNNING);
        parses("data.dsc", DATA);
        assertEquals(10, parse("declarations.dsc", DECLARATIONS).statements().size());
        assertEquals(3, parse("running.dsc", RUNNING).statements().size());
    }

    // ------------------------------------------------------------ the complete ones check

    @Test void firstScriptChecksAndEvaluates() {
        String f = write(dir, "examples/quickstart.dsc", FIRST_SCRIPT);
        assertEquals(f + ": ok (1 parameter, θ of 2, minimize, 1 optimize)\n", ok("check", f).out());
        assertEquals(12.5, number(object(json(ok("eval", f, "--json").out())).get("value")));
    }

    @Test void declarationsSplitIntoScriptsWithOneObjective() {
        // seed, scalar x, W, b, c, defs, minimize
        String minimize = write(dir, "decl-min.dsc", lines(DECLARATIONS, 1, 2, 4, 5, 6, 7, 8, 9));
        assertEquals(minimize + ": ok (3 parameters, θ of 17, minimize)\n", ok("check", minimize).out());
        // the same with maximize instead
        String maximize = write(dir, "decl-max.dsc", lines(DECLARATIONS, 1, 2, 4, 5, 6, 7, 8, 10));
        assertEquals(maximize + ": ok (3 parameters, θ of 17, maximize)\n", ok("check", maximize).out());
        // the vector x, without an objective
        String vector = write(dir, "decl-vec.dsc", lines(DECLARATIONS, 1, 3, 4, 5, 6, 7, 8));
        assertEquals(vector + ": ok (3 parameters, θ of 18, no objective)\n", ok("check", vector).out());
        // x * cos(c * x) at x = 10, c = 0.15π
        double value = number(object(json(ok("eval", minimize, "--json").out())).get("value"));
        Cli.close(10 * Math.cos(0.15 * Math.PI * 10), value, 1e-15, "value");
    }

    @Test void optimizerBlockChecksAndRuns() {
        String f = write(dir, "momentum.dsc", OPTIMIZER);
        ok("check", f);
        String used = write(dir, "momentum-used.dsc", "param x = [1, 2]\nminimize sum(x^2)\n" + OPTIMIZER + "optimize with momentum(lr = 0.1) for 10 steps\n");
        ok("check", used);
    }

    @Test void runningBlockChecksUnderTheDataScript() throws IOException {
        linearCsv();
        String f = write(dir, "running.dsc", lines(DATA, 1, 2, 3, 4, 5) + RUNNING);
        assertEquals(f + ": ok (2 parameters, θ of 3, minimize, 3 optimizes, 1 data set)\n", ok("check", f).out());
    }

    @Test void dataBlockChecksAndEvaluates() throws IOException {
        String csv = linearCsv();
        String f = write(dir, "data.dsc", DATA);
        assertEquals(f + ": ok (2 parameters, θ of 3, minimize, 1 optimize, 1 data set)\n", ok("check", f).out());
        Map<String, Object> at = object(json(ok("eval", f, "--json", "--at", "w=2,-3", "--at", "b=1").out()));
        // mean((2 x1 - 3 x2 + 1 - y)^2) + 0.01 * (4 + 9), from the CSV directly
        String[] rows = csv.strip().split("\n");
        assertEquals("x1,x2,y", rows[0].strip());
        double sum = 0;
        for (int i = 1; i < rows.length; i++) {
            String[] c = rows[i].split(",");
            double r = 2 * Double.parseDouble(c[0]) - 3 * Double.parseDouble(c[1]) + 1 - Double.parseDouble(c[2]);
            sum += r * r;
        }
        Cli.close(sum / (rows.length - 1) + 0.13, number(at.get("value")), 1e-12, "value at the true line");
    }

    // ------------------------------------------------------------ inline examples

    @Test void softmaxClassifierLossFromTheExpressionsSection() {
        String f = write(dir, "clf.dsc", """
                param W[4, 10] = 0
                let X = [[1, 2, 3, 4], [0, 1, 0, 1], [2, 2, 2, 2]]
                let y = [3, 0, 9]
                let Z = X @ W
                minimize mean(logsumexp(Z, axis = 1) - sum(onehot(y, 10) * Z, axis = 1))
                """);
        ok("check", f);
        Cli.close(Math.log(10), number(object(json(ok("eval", f, "--json").out())).get("value")), 1e-15, "log 10 at W = 0");
    }

    @Test void countsMayBeLetNamesSetFromTheCommandLine() {
        String f = write(dir, "n.dsc", "param x = 1\nminimize x^2\nlet n = 100\noptimize with adam(lr = 0.1) for n steps\n");
        ok("check", f, "--set", "n=500");
    }

    @Test void stateShapesAndScheduleDefs() {
        String f = write(dir, "sched.dsc", """
                param x = [1, 2]
                minimize sum(x^2)
                optimizer gnorm(lr = 0.1) {
                  state s = 0
                  s = dot(g, g)
                  p -= lr * g / sqrt(s + 1e-12)
                }
                optimize with gnorm(lr = exp_decay(0.1, 0.9)) for 10 steps
                optimize with sgd(lr = cosine(0.1, 0.001, 50)) for 50 steps
                optimize with sgd(lr = warmup(0.1, 5)) for 20 steps
                optimize with adam(lr = 0.01, beta1 = 0.8, beta2 = 0.99) for 10 steps until norm(g) < 1e-6
                optimize with newton() for 3 steps
                optimize with cg() for 3 steps
                optimize with nadam() for 3 steps
                optimize with radam() for 3 steps
                optimize with adamw() for 3 steps
                optimize with adamax() for 3 steps
                optimize with adadelta() for 3 steps
                optimize with rmsprop(centered = 1, momentum = 0.9) for 3 steps
                optimize with adagrad(lr_decay = 0.01) for 3 steps
                optimize with gd(lr = 0.1) for 3 steps
                optimize with sgd(lr = 0.1, momentum = 0.9, nesterov = 1, weight_decay = 1e-4) for 3 steps
                """);
        ok("check", f);
    }

    @Test void oneLineOptimizerBody() {
        String f = write(dir, "one.dsc", "param x = 1\nminimize x^2\noptimizer clipped(lr = 0.1) { g = clip(g, -1, 1); p -= lr * g }\noptimize with clipped for 5 steps\n");
        ok("check", f);
    }

    @Test void linesearchInABody() {
        String f = write(dir, "ls.dsc", """
                param x = [1, 2]
                minimize sum(x^4)
                optimizer steepest() {
                  d = -g
                  p += linesearch(d, a0 = 1, c = 1e-4, shrink = 0.5) * d
                }
                optimize with steepest() for 5 steps
                """);
        ok("check", f);
    }

    // ------------------------------------------------------------ the copies match the contract

    @Test void copiesMatchTheContract() throws IOException {
        String prop = System.getProperty("descent.language");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared", "LANGUAGE.md");
        Assumptions.assumeTrue(Files.isRegularFile(p), "the contract file is not at hand: " + p);
        String md = Files.readString(p);
        List<String> blocks = new ArrayList<>();
        String[] lines = md.split("\n", -1);
        StringBuilder cur = null;
        for (String line : lines) {
            if (line.startsWith("```")) {
                if (cur == null) cur = new StringBuilder();
                else { blocks.add(cur.toString()); cur = null; }
            } else if (cur != null) cur.append(line).append('\n');
        }
        for (String b : List.of(FIRST_SCRIPT, DECLARATIONS, OPTIMIZER, RUNNING, DATA))
            assertTrue(blocks.contains(b), () -> "not a block of " + p + ":\n" + b);
    }
}
