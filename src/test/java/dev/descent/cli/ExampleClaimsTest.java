package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numbers that examples/newton_nonconvex.dsc, examples/xcos.dsc and the README state (issue 13),
 * each as the tool computes it; the stationary points and curvatures are f(x) = x·cos(cx), c = 0.15π,
 * checked by SymPy/SciPy: f'(x) = cos(cx) − cx·sin(cx), f''(x) = −2c·sin(cx) − c²x·cos(cx);
 * f''(10) = 0.94248, f''(5) = 0.11869, f'(5) = −2.37319; f' = 0 at −1.82568 (a minimum, f'' = 0.979),
 * 7.26939 (a minimum, f'' = 1.814) and 26.83413 (a maximum, f'' = −6.015).
 */
class ExampleClaimsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static double x(String... args) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("run"));
        a.addAll(List.of(args));
        a.addAll(List.of("--json", "-q"));
        return JSON.readTree(Cli.ok(a.toArray(String[]::new)).out()).get("params").get("x").asDouble();
    }

    @Test void newtonStepsDownhillFirstThenOvershootsFromTheFlatPointAtFive(@TempDir Path dir) throws Exception {
        Path hess = dir.resolve("h.dsc");
        // the curvature at 10 and at 5, by the tool's own Hessian
        Files.writeString(hess, "let c = 0.15 * pi\nparam x = 10\nminimize x * cos(c * x)\n");
        JsonNode at10 = JSON.readTree(Cli.ok("eval", hess.toString(), "--hessian", "--json").out());
        assertEquals(0.9424777960769379, at10.get("hessian").get(0).get(0).asDouble(), 1e-12, "f''(10) > 0");
        JsonNode at5 = JSON.readTree(Cli.ok("eval", hess.toString(), "--at", "x=5", "--hessian", "--json").out());
        assertEquals(0.118689781735619, at5.get("hessian").get(0).get(0).asDouble(), 1e-12, "f''(5), nearly zero");
        assertEquals(-2.3731878829959347, at5.get("grad").get("x").asDouble(), 1e-12);
        // the steps: 10 → 5 (downhill) → 25 (overshoot) → … → the local maximum at 26.83413
        Path csv = dir.resolve("t.csv");
        Cli.ok("run", "examples/newton_nonconvex.dsc", "--trace", csv.toString(), "-q");
        List<String> rows = Files.readAllLines(csv);
        assertEquals(5.0, Double.parseDouble(rows.get(2).split(",")[5]), 1e-12);
        assertTrue(Double.parseDouble(rows.get(2).split(",")[2]) < Double.parseDouble(rows.get(1).split(",")[2]), "the first step goes downhill");
        assertEquals(24.99487949419, Double.parseDouble(rows.get(3).split(",")[5]), 1e-9);
        assertEquals(26.834132913247668, x("examples/newton_nonconvex.dsc"), 1e-12, "the local maximum");
        // damped, it stays by the local minimum at 7.26939
        assertEquals(7.26939, x("examples/newton_nonconvex.dsc", "--set", "lr=0.5"), 1e-3);
    }

    @Test void xcosEndsOnTheWayToTheMinimumAtMinus1point826(@TempDir Path dir) throws Exception {
        assertEquals(-1.528165927635083, x("examples/xcos.dsc"), 1e-12, "where its 10 steps end");
        Path longer = dir.resolve("xcos.dsc");
        Files.writeString(longer, Files.readString(Path.of("examples/xcos.dsc")).replace("for 10 steps", "for 400 steps"));
        assertEquals(-1.8256845786724734, x(longer.toString()), 1e-7, "the local minimum it was heading for");
    }

    @Test void theRosenbrockFilesAreComparedWithCompareNotRun() throws Exception {
        String comment = Files.readAllLines(Path.of("examples/rosenbrock/gd.dsc")).get(2);
        assertTrue(comment.startsWith("# side by side: descent compare "), comment);
        String cmd = comment.substring("# side by side: descent ".length());
        List<String> args = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(cmd);
        while (m.find()) args.add(m.group(1) != null ? m.group(1) : m.group(2));
        Cli.Result r = Cli.ok(args.toArray(String[]::new));
        assertTrue(r.out().contains("adam(lr = 0.05)") && r.out().contains("cg()") && r.out().contains("gd(lr = 0.001)"), r.out());
        assertTrue(Files.readString(Path.of("README.md")).contains("`descent " + cmd + "`"), "the README gives the same command");
        // what the README used to say: run takes one file
        assertEquals(2, Cli.run("run", "examples/rosenbrock/adam.dsc", "examples/rosenbrock/gd.dsc").code());
    }

    private static JsonNode json(String... args) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("run"));
        a.addAll(List.of(args));
        a.addAll(List.of("--json", "-q"));
        return JSON.readTree(Cli.ok(a.toArray(String[]::new)).out());
    }

    @Test void gdOnXSquaredWithThreeRates() throws Exception {
        assertEquals(0.06, x("examples/gd_x2.dsc"), 0.005, "lr = 0.2: x = 0.06 after 10 steps");
        assertEquals(3.49, x("examples/gd_x2.dsc", "--set", "lr=0.05"), 0.005, "too small: still at 3.49");
        assertEquals(61.9, x("examples/gd_x2.dsc", "--set", "lr=1.1"), 0.05, "too large: x = 61.9");
    }

    @Test void aDivergingRunNamesTheStepAndExitsWith3() {
        Cli.Result r = Cli.run("run", "examples/gd_x2.dsc", "--set", "lr=3", "--set", "steps=2000");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("diverged: the loss is inf at step 221"), r.err());
    }

    @Test void newtonReachesTheMinimumOfCoshAtZero(@TempDir Path dir) throws Exception {
        assertEquals(0.0, x("examples/newton_cosh.dsc"), 0.0);
        Path csv = dir.resolve("t.csv");
        Cli.ok("run", "examples/newton_cosh.dsc", "--trace", csv.toString(), "-q");
        List<String> rows = Files.readAllLines(csv);
        assertTrue(Math.abs(Double.parseDouble(rows.get(8).split(",")[5])) < 1e-6, "within 1e-6 of 0 at step 7: " + rows.get(8));
        assertEquals(0.0, Double.parseDouble(rows.get(10).split(",")[5]), 0.0, "exactly 0 at step 9");
    }

    @Test void quadratic2dDoesNotZigZagAtThisRate(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("t.csv");
        Cli.ok("run", "examples/quadratic_2d.dsc", "--trace", csv.toString(), "-q");
        List<String> rows = Files.readAllLines(csv);
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            assertTrue(Double.parseDouble(f[5]) < 0 && Double.parseDouble(f[6]) < 0, "no sign change: " + row);
        }
    }

    @Test void gdAtRate06DivergesAlongX2AndRadamAt005DivergesAfter5Updates() {
        String gd = Cli.ok("compare", "examples/illconditioned_gd.dsc", "--with", "gd(lr = 0.6)").out();
        assertTrue(gd.contains("5600301.58"), gd);
        Cli.Result radam = Cli.run("compare", "examples/rosenbrock/radam.dsc", "--with", "radam(lr = 0.05)");
        assertTrue(radam.err().contains("the loss is inf at step 6, after 5 updates"), radam.err() + radam.out());
    }

    @Test void normalizedGdRunsAllItsStepsItsUntilNeverFires() throws Exception {
        JsonNode run = json("examples/normalized_gd.dsc").get("runs").get(0);
        assertEquals(200, run.get("steps").asInt());
        assertEquals("steps", run.get("stopped").asText());
    }

    @Test void diabetesEndsAtAMeanSquaredErrorOf2878() throws Exception {
        // the least-squares MSE, 2859.70, is NumPy's lstsq on the same 442 rows
        assertEquals(2878.3, json("examples/diabetes_regression.dsc").get("loss").asDouble(), 0.05);
    }

    @Test void earlyStoppingRestoresEpoch4AndStopsFiveEpochsLater() throws Exception {
        JsonNode run = json("examples/early_stopping.dsc").get("runs").get(0);
        assertEquals(4, run.get("restored_epoch").asInt(), "the best epoch ends at step 80");
        assertEquals(9, run.get("epochs").asInt());
        assertEquals(180, run.get("steps").asInt(), "20 steps an epoch");
    }

    @Test void dropoutDigitsStopsAtEpoch33WithEpoch18Restored(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("t.csv");
        JsonNode run = json("examples/mlp_dropout_digits.dsc", "--trace", csv.toString()).get("runs").get(0);
        assertEquals(18, run.get("restored_epoch").asInt());
        assertEquals(33, run.get("epochs").asInt());
        assertEquals(33, run.get("steps").asInt(), "full batch: one step an epoch");
        List<String> rows = Files.readAllLines(csv);
        double v18 = Double.parseDouble(rows.get(19).split(",")[5]), v33 = Double.parseDouble(rows.get(34).split(",")[5]);
        double t18 = Double.parseDouble(rows.get(19).split(",")[2]), t33 = Double.parseDouble(rows.get(34).split(",")[2]);
        assertEquals(1.25, v33 / v18, 0.01, "the validation loss rises by a quarter");
        assertTrue(t33 < t18 / 4, "the training loss falls from 0.041 to 0.009");
    }

    /** The README's "A first look": each {@code $ bin/descent …} there prints exactly what follows it. */
    @Test void theReadmesFirstLookIsWhatTheCommandsPrint() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("## A first look");
        int open = readme.indexOf("```\n", at) + 4, close = readme.indexOf("```\n", open);
        String block = readme.substring(open, close);
        int commands = 0;
        for (String part : block.split("(?m)^(?=\\$ bin/descent )")) {
            if (part.isBlank()) continue;
            int nl = part.indexOf('\n');
            String[] args = part.substring("$ bin/descent ".length(), nl).trim().split(" ");
            String expected = part.substring(nl + 1).stripTrailing() + "\n";
            assertEquals(expected, Cli.ok(args).out(), String.join(" ", args));
            commands++;
        }
        assertEquals(3, commands, block);
    }
}
