package dev.descent.badinput;

import static dev.descent.badinput.BadInput.assertCaret;
import static dev.descent.badinput.BadInput.assertScriptError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.check.Checker;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus of malformed scripts in {@code src/test/resources/bad}. Every top-level
 * {@code *.dsc} there states, in its first lines, the diagnostics {@code descent check}
 * must report for it:
 *
 * <pre>
 * # expect 3:12 unknown name 'xx'          line:column in this file, and a fragment of the message
 * # hint did you mean 'x'?                 (optional) a fragment of that diagnostic's hint
 * # expect lib/other.dsc:2:8 import cycle  a diagnostic in another file (path relative to this one)
 * </pre>
 *
 * The first expectation is the first diagnostic on stderr; further ones must follow in
 * order (several problems reported in one run). Files under {@code lib/}, and the CSVs,
 * are what the scripts import and read.
 */
class BadInputCorpusTest {
    private static final Pattern EXPECT = Pattern.compile("^# expect (?:(\\S+?):)?(\\d+):(\\d+)(?: (.*))?$");
    private static final Pattern HINT = Pattern.compile("^# hint (.*)$");

    /** One expected diagnostic. {@code file} is the path as the product should show it. */
    record Expect(String file, Path path, int line, int column, String fragment, String hint) {
        String header() { return file + ":" + line + ":" + column; }
    }

    static Path corpus() {
        Path p = Path.of("src/test/resources/bad");
        if (Files.isDirectory(p)) return p;
        URL url = BadInputCorpusTest.class.getResource("/bad");
        if (url == null) throw new IllegalStateException("cannot find the corpus src/test/resources/bad");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> scripts() {
        try (Stream<Path> s = Files.list(corpus())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".dsc") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Expect> expectations(Path script) {
        String shown = script.toString();
        List<Expect> out = new ArrayList<>();
        for (String line : BadInput.read(script).split("\n")) {
            if (!line.startsWith("#")) break;
            Matcher m = EXPECT.matcher(line.strip());
            if (m.matches()) {
                String file = shown;
                Path path = script;
                if (m.group(1) != null) {
                    Path parent = Path.of(shown).getParent();
                    file = (parent == null ? Path.of(m.group(1)) : parent.resolve(m.group(1))).normalize().toString();
                    path = script.getParent().resolve(m.group(1)).normalize();
                }
                out.add(new Expect(file, path, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        m.group(4) == null ? "" : m.group(4), null));
                continue;
            }
            Matcher h = HINT.matcher(line.strip());
            if (h.matches() && !out.isEmpty()) {
                Expect last = out.removeLast();
                out.add(new Expect(last.file(), last.path(), last.line(), last.column(), last.fragment(), h.group(1)));
            }
        }
        return out;
    }

    @Test void theCorpusIsLargeAndEveryFileStatesItsExpectation() {
        List<Path> all = scripts();
        assertTrue(all.size() >= 60, "at least 60 malformed scripts, found " + all.size());
        for (Path p : all) assertFalse(expectations(p).isEmpty(), p + " has no '# expect LINE:COL fragment' first line");
        long several = all.stream().filter(p -> expectations(p).size() > 1).count();
        assertTrue(several >= 3, "a few files with several problems, found " + several);
    }

    @TestFactory Stream<DynamicTest> checkReportsEachProblem() {
        return scripts().stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), p.toUri(),
                () -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> checkOne(p))));
    }

    private static void checkOne(Path script) {
        List<Expect> expects = expectations(script);
        BadInput.Result r = BadInput.run("check", script.toString());
        List<BadInput.Diag> ds = assertScriptError(r);
        for (String line : r.out().split("\n"))
            assertFalse(line.contains(": ok"), () -> "stdout reports the script ok\n" + r.describe());

        // the first diagnostic is the first expectation, and stderr starts with it
        Expect first = expects.getFirst();
        assertTrue(r.err().startsWith(first.header() + ": error: "),
                () -> "stderr must start with '" + first.header() + ": error: '\n" + r.describe());

        // every expectation, in order
        int from = 0;
        for (Expect e : expects) {
            int found = -1;
            for (int i = from; i < ds.size(); i++) {
                BadInput.Diag d = ds.get(i);
                if (d.file().equals(e.file()) && d.line() == e.line() && d.column() == e.column()) { found = i; break; }
            }
            if (found < 0) fail("no diagnostic at " + e.header() + " (in order)\n" + r.describe());
            BadInput.Diag d = ds.get(found);
            assertTrue(d.message().contains(e.fragment()),
                    () -> "the message at " + e.header() + " should contain \"" + e.fragment() + "\"\n" + r.describe());
            if (e.hint() != null)
                assertTrue(d.hint() != null && d.hint().contains(e.hint()),
                        () -> "the hint at " + e.header() + " should contain \"" + e.hint() + "\"\n" + r.describe());
            assertCaret(d, BadInput.line(BadInput.read(e.path()), e.line()), r);
            from = found + 1;
        }
        if (ds.size() > 1)
            assertTrue(r.err().stripTrailing().endsWith(ds.size() + " errors"), () -> "several diagnostics end with a count\n" + r.describe());

        // the API agrees with the command line on the first problem
        try {
            Checker.check(SourceFile.read(script, script.toString()));
            fail("Checker.check accepted " + script);
        } catch (CompileError ce) {
            Diagnostic d = ce.diagnostics().getFirst();
            assertEquals(first.header(), d.file() + ":" + d.line() + ":" + d.column(), "Checker.check's first diagnostic");
        }
    }

    // ------------------------------------------------------------ controls: near misses that are valid

    @TempDir Path dir;

    /**
     * Scripts next door to the corpus's mistakes that are right, so that the corpus is
     * not passing because everything is rejected. A [3] vector added to a [2, 3] matrix
     * is valid: it broadcasts over the rows (a bias).
     */
    @Test @Timeout(60) void nearMissesAreAccepted() {
        BadInput.write(dir, "small.csv", "x,y\n1,2\n2,4\n3,6\n");
        BadInput.write(dir, "lib/helpers.dsc", "def sq(z) = z^2\noptimizer halfstep(lr = 0.5) {\n  p -= lr * g\n}\n");
        String[] ok = {
            "param v = [1, 2, 3]\nparam A[2, 3] = 0\nminimize sum(A + v)\n",
            "param A[2, 3] = 1\nparam B[3, 2] = 1\nminimize sum(A @ B)\n",
            "param x = [1, 2]\nminimize x[-1]^2 + x[1]^2\n",
            "let batch = 32\nlet steps = 3\nparam x = 1\nminimize x^2 * batch\noptimize with sgd(lr = warmup(0.1, steps)) for steps steps\n",
            "param x = 1\nminimize if 0 < x and x < 1 then x else 0\n",
            "import \"lib/helpers.dsc\"\nparam x = 1\nminimize sq(x)\noptimize with halfstep() for 3 steps\n",
            "data d = csv(\"small.csv\")\nparam w = 0\nminimize mean((w * d.x - d.y)^2)\noptimize with sgd(lr = 0.1) for 2 epochs batch 2\n",
            "def ramp(z, k = 2) = k * relu(z)\nparam x = 1\nminimize ramp(x, k = 3) + ramp(z = x)\n",
            "optimizer momentum(lr = 0.01, beta = 0.9) { state v = 0; v = beta * v + (1 - beta) * g; p -= lr * v }\n"
                    + "param x = [1, 2]\nminimize sum(x^2)\noptimize with momentum(lr = 0.1) for 5 steps\n",
            "param x = [1, 2]\nminimize sum(dropout(x, 0.5)^2)\n",
            "param W[2, 3] ~ normal(0, 0.1)\nparam b[3] = 0\nminimize sum((W + b)^2)\n",
        };
        for (int i = 0; i < ok.length; i++) {
            String f = BadInput.write(dir, "ok" + i + ".dsc", ok[i]).toString();
            BadInput.Result r = BadInput.run("check", f);
            BadInput.assertNoStackTrace(r);
            assertEquals(0, r.code(), () -> "should be valid\n" + r.describe());
        }
    }
}
