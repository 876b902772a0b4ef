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
}
