package dev.descent.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.Cli.Result;
import dev.descent.cli.Cli;
import dev.descent.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent bench}: runs, reports every figure, counts the bytes a step moves, and
 * really steps. No assertion is about a time: only that the times are positive and finite.
 */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Result run(String... args) { return Cli.run(args); }

    static JsonNode json(String... args) throws IOException {
        Result r = run(args);
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err(), r::toString);
        return JSON.readTree(r.out());
    }

    static void positive(JsonNode o, String field) {
        assertTrue(o.has(field), () -> "no field " + field + " in " + o);
        assertTrue(o.get(field).isNumber(), () -> field + " is not a number in " + o);
        double v = o.get(field).asDouble();
        assertTrue(Double.isFinite(v) && v > 0, () -> field + " = " + v + " is not a positive finite number in " + o);
    }

    static void figures(JsonNode row) {
        for (String f : new String[] {"steps", "threads", "bytes_per_element", "ns_per_step", "ns_per_element", "gb_per_s", "roof_fraction"}) positive(row, f);
    }

    static void triad(JsonNode t, int elementBytes) {
        for (String f : new String[] {"threads", "n", "steps", "ns_per_step", "ns_per_element", "gb_per_s"}) positive(t, f);
        assertEquals(3 * elementBytes, t.get("bytes_per_element").asInt(), "the triad reads b and c and writes a");
        assertTrue(t.get("n").asLong() * elementBytes >= 64L << 20, "the triad's arrays are larger than the caches");
    }

    /**
     * Adam's update alone reads p, g, m and v and writes p', m' and v' (v_max is computed by
     * std.dsc's body but read by nothing with amsgrad off, so the step neither keeps nor computes
     * it): 7 arrays per element, 56 bytes in f64, 28 in f32.
     */
    @Test void adamOnQuickstartInF64() throws IOException {
        JsonNode o = json("bench", "examples/quickstart.dsc", "--n", "1000", "--steps", "5", "--json");
        assertEquals("adam(lr = 0.05)", o.get("optimizer").asText());
        assertEquals(1000, o.get("n").asInt());
        assertEquals("update", o.get("measures").asText());
        assertEquals(4, o.get("arrays_read").asInt());
        assertEquals(3, o.get("arrays_written").asInt());
        JsonNode engines = o.get("engines");
        assertEquals(3, engines.size(), "auto: the compiled tier, the interpreter, then the scalar engine");
        JsonNode simd = engines.get(0), interp = engines.get(1), scalar = engines.get(2);
        assertEquals("compiled", simd.get("engine").asText());
        assertEquals("simd", interp.get("engine").asText());
        assertEquals("f64", simd.get("precision").asText());
        assertEquals("scalar", scalar.get("engine").asText());
        figures(simd);
        figures(interp);
        figures(scalar);
        assertEquals(5, simd.get("steps").asInt());
        assertEquals(56.0, simd.get("bytes_per_element").asDouble());
        assertEquals(56.0, scalar.get("bytes_per_element").asDouble());
        assertEquals(1000 * 56.0 / simd.get("ns_per_step").asDouble(), simd.get("gb_per_s").asDouble(), 1e-9 * simd.get("gb_per_s").asDouble(),
                "GB/s is the bytes of a step over its time");
        triad(o.get("triad"), 8);
        // With a fixed g, Adam's bias-corrected m/sqrt(v) is g/|g|: each step moves every element by
        // lr·|g|/(|g| + eps), so 10 steps (5 to warm up, 5 timed) move the largest by 10·0.05 = 0.5.
        // That only holds if every step's p and states were fed to the next and t advanced.
        assertEquals(0.5, o.get("p_change").asDouble(), 1e-6);
    }

    @Test void adamInF32CountsFourBytesAnElement() throws IOException {
        JsonNode o = json("bench", "examples/quickstart.dsc", "--n", "1000", "--steps", "5", "--precision", "f32", "--threads", "1", "--engine", "simd", "--json");
        assertEquals(2, o.get("engines").size(), "the interpreter, then the scalar engine");
        JsonNode simd = o.get("engines").get(0), scalar = o.get("engines").get(1);
        assertEquals("simd", simd.get("engine").asText());
        assertEquals("f32", simd.get("precision").asText());
        assertEquals(28.0, simd.get("bytes_per_element").asDouble());
        assertEquals("f64", scalar.get("precision").asText(), "the scalar engine is float64 only");
        assertEquals(56.0, scalar.get("bytes_per_element").asDouble());
        figures(simd);
        figures(scalar);
        triad(o.get("triad"), 4);
        assertEquals(0.5, o.get("p_change").asDouble(), 1e-4);
    }

    /** sgd with momentum reads p, g and buf, writes p' and buf': 40 bytes per element in f64. */
    @Test void momentum() throws IOException {
        JsonNode o = json("bench", "examples/illconditioned_momentum.dsc", "--n", "1000", "--steps", "5", "--json");
        assertEquals("sgd(lr = 0.6, momentum = 0.5)", o.get("optimizer").asText());
        assertEquals(3, o.get("arrays_read").asInt());
        assertEquals(2, o.get("arrays_written").asInt());
        assertEquals(40.0, o.get("engines").get(0).get("bytes_per_element").asDouble());
        for (JsonNode e : o.get("engines")) figures(e);
        double change = o.get("p_change").asDouble();
        assertTrue(Double.isFinite(change) && change > 0, "the steps moved p: " + change);
    }

    /** rmsprop (not centered, no momentum): p and square_avg written (grad_avg and buf are dead); what it reads is 8 bytes an array. */
    @Test void rmsprop() throws IOException {
        JsonNode o = json("bench", "examples/illconditioned_rmsprop.dsc", "--n", "1000", "--steps", "5", "--json");
        assertEquals(2, o.get("arrays_written").asInt());
        int arrays = o.get("arrays_read").asInt() + o.get("arrays_written").asInt();
        for (JsonNode e : o.get("engines")) {
            figures(e);
            assertEquals(8.0 * arrays, e.get("bytes_per_element").asDouble());
        }
        double change = o.get("p_change").asDouble();
        assertTrue(Double.isFinite(change) && change > 0, "the steps moved p: " + change);
    }

    @Test void theScalarEngineAlone() throws IOException {
        JsonNode o = json("bench", "examples/quickstart.dsc", "--n", "500", "--steps", "3", "--engine", "scalar", "--json");
        assertEquals(1, o.get("engines").size());
        assertEquals("scalar", o.get("engines").get(0).get("engine").asText());
        figures(o.get("engines").get(0));
        assertEquals(0.3, o.get("p_change").asDouble(), 1e-6, "3 + 3 steps of 0.05");
    }

    @Test void theTable() {
        Result r = run("bench", "examples/quickstart.dsc", "--n", "2000", "--steps", "3");
        assertEquals(0, r.code(), r::toString);
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].contains("adam(lr = 0.05), the update alone, n = 2000: a step reads 4 arrays and writes 3, 56.0 bytes per element in f64"), r::toString);
        assertTrue(lines[1].matches("engine +precision +threads +steps +ns/step +ns/element +GB/s +roof"), r::toString);
        assertTrue(lines[2].startsWith("compiled ") && lines[3].startsWith("simd ") && lines[4].startsWith("scalar ")
                && lines[5].startsWith("triad "), r::toString);
        assertTrue(lines[5].endsWith(" 1.00"), "the triad is the roof");
    }

    @Test void aScriptWithoutOptimize(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("f.dsc"), "param x = 1\nminimize x^2\n");
        Result r = run("bench", f.toString());
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().contains("error: there is nothing to bench: the script has no 'optimize with"), r::toString);
    }

    @Test void newtonsUpdateAloneNeedsTheHessian() {
        Result r = run("bench", "examples/newton_cosh.dsc", "--n", "100");
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().contains("newton_cosh.dsc:7:1: error: bench --n measures an optimizer's update alone; newton and cg need the objective's Hessian or line search"),
                r::toString);
        assertTrue(r.err().contains("leave out --n to time the script's own step"), r::toString);
        assertEquals("", r.out());
    }

    @Test void cgsUpdateAloneNeedsALineSearch() {
        Result r = run("bench", "examples/rosenbrock/cg.dsc", "--n", "100");
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().contains("(cg() calls linesearch)"), r::toString);
    }

    @Test void samsUpdateAloneNeedsGradAt(@TempDir Path dir) throws IOException {
        Path script = dir.resolve("sam.dsc");
        Files.writeString(script, "param x = [-1.5, 2]\nminimize (1 - x[0])^2 + 100*(x[1] - x[0]^2)^2\noptimize with sam(lr = 1e-3) for 10 steps\n");
        Result r = run("bench", script.toString(), "--n", "100");
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().contains("(sam(lr = 1e-3) calls grad_at)"), r::toString);
    }

    /** Without --n: the script's own step, as run takes it: newton's and cg's too. */
    @Test void theScriptsOwnStep() throws IOException {
        for (String script : new String[] {"examples/newton_cosh.dsc", "examples/rosenbrock/cg.dsc", "examples/quickstart.dsc", "examples/linear_regression.dsc"}) {
            JsonNode o = json("bench", script, "--steps", "4", "--json");
            assertEquals("step", o.get("measures").asText(), script);
            for (JsonNode e : o.get("engines")) {
                positive(e, "steps");
                positive(e, "ns_per_step");
            }
            if (!script.contains("newton_cosh")) assertTrue(o.get("arrays_read").asInt() >= 1, script); // one scalar parameter: no arrays
        }
        // quickstart's step is fused: θ read, θ' written, m and v read and written (Adam's v_max is dead)
        JsonNode q = json("bench", "examples/quickstart.dsc", "--steps", "4", "--json");
        assertEquals(2, q.get("n").asInt());
        assertEquals(3, q.get("arrays_read").asInt());
        assertEquals(3, q.get("arrays_written").asInt());
    }

    @Test void scriptErrorsAndUsage(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.dsc"), "param x = 1\nminimize y^2\noptimize with adam() for 3 steps\n");
        Result r = run("bench", bad.toString());
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::toString);
        assertTrue(r.err().contains("error:"), r::toString);
        for (String[] args : new String[][] {{"--n", "0"}, {"--n", "1.5"}, {"--n", "many"}, {"--steps", "0"}, {"--threads", "0"}, {"--engine", "scalar", "--precision", "f32"}}) {
            String[] all = new String[args.length + 2];
            all[0] = "bench";
            all[1] = "examples/quickstart.dsc";
            System.arraycopy(args, 0, all, 2, args.length);
            Result u = run(all);
            assertEquals(Main.USAGE, u.code(), u::toString);
            assertFalse(u.err().contains("\tat "), u::toString);
        }
        Result missing = run("bench", dir.resolve("missing.dsc").toString());
        assertEquals(Main.SCRIPT_ERROR, missing.code(), missing::toString);
    }
}
