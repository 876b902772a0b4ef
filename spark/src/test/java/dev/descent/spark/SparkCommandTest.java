package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** descent run SCRIPT --spark local[2]: the report, the line that says where it ran, and the script's problems at FILE:LINE:COL without a stack trace. */
class SparkCommandTest {
    record Out(int code, String out, String err) {}

    static Out run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Out(code, out.toString(), err.toString());
    }

    static final String DATA = Path.of("examples/data/linear.csv").toAbsolutePath().toString();

    static Path write(Path dir, String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void runsAndSaysWhere(@TempDir Path dir) throws Exception {
        Path f = write(dir, "lr.dsc", "data d = csv(\"" + DATA + "\")\nparam w = [0, 0]\nparam b = 0\nlet X = stack(d.x1, d.x2)\n"
                + "minimize mean((X @ w + b - d.y)^2) + 0.01 * sum(w^2)\noptimize with lbfgs() for 10 steps\n");
        Out spark = run("run", f.toString(), "--spark", "local[2]", "--json");
        Out here = run("run", f.toString(), "--json");
        assertEquals(0, spark.code, spark.err);
        assertTrue(spark.err.contains("on Spark local[2]: 200 rows of " + DATA), spark.err);
        assertFalse(spark.err.contains("Exception"), spark.err);
        sameNumbers(here.out, spark.out); // the same JSON as on one machine, number for number to 1e-12
    }

    static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("-?\\d+\\.\\d+(?:[eE]-?\\d+)?");

    /** The same text, the numbers in it the same to 1e-12 (relative above 1), at least four of them. */
    static void sameNumbers(String want, String got) {
        java.util.regex.Matcher a = NUMBER.matcher(want), b = NUMBER.matcher(got);
        int numbers = 0;
        while (a.find()) {
            assertTrue(b.find(), got);
            double x = Double.parseDouble(a.group()), y = Double.parseDouble(b.group());
            assertEquals(x, y, 1e-12 * Math.max(1, Math.abs(x)), want + "\n" + got);
            numbers++;
        }
        assertTrue(numbers >= 4, want);
        assertEquals(NUMBER.matcher(want).replaceAll("#"), NUMBER.matcher(got).replaceAll("#"));
    }

    @Test
    void problemsArePositioned(@TempDir Path dir) throws Exception {
        String head = "data d = csv(\"" + DATA + "\")\nparam w = [0, 0]\nparam b = 0\nlet X = stack(d.x1, d.x2)\n";
        String[][] cases = {
                // {script, FILE:LINE:COL suffix, words}
                {head + "minimize sum((X @ w + b - d.y)^2)\noptimize with gd(lr = 0.01) for 3 steps\n", ":5:1", "must be a mean over the rows"},
                {head + "minimize mean(dropout(X @ w, 0.5) + b - d.y)^2\noptimize with gd(lr = 0.01) for 3 steps\n", ":5:1", "dropout"},
                {head.replace("csv(\"" + DATA + "\")", "csv(\"" + DATA + "\", validation = \"v.csv\")")
                        + "minimize mean((X @ w + b - d.y)^2)\noptimize with gd(lr = 0.01) for 3 steps\n", ":1:", "a fraction of them, not a file"},
                {head + "data e = csv(\"" + DATA + "\")\nminimize mean((X @ w + b - d.y)^2)\noptimize with gd(lr = 0.01) for 3 steps\n", ":5:1", "reads one data set"},
                {head.replace(DATA, DATA + ".missing") + "minimize mean((X @ w + b - d.y)^2)\noptimize with gd(lr = 0.01) for 3 steps\n", ":1:14", "Spark cannot read csv data"},
        };
        for (String[] c : cases) {
            Path f = write(dir, "bad.dsc", c[0]);
            Out o = run("run", f.toString(), "--spark", "local[2]");
            assertEquals(Main.SCRIPT_ERROR, o.code, c[2] + ": " + o.err);
            assertTrue(o.err.contains(f + c[1]), c[1] + " in: " + o.err);
            assertTrue(o.err.contains(c[2]), c[2] + " in: " + o.err);
            assertTrue(o.err.contains("^"), "a caret under the place: " + o.err);
            assertFalse(o.err.contains("\tat ") || o.err.contains("Exception"), "no stack trace: " + o.err);
        }
    }
}
