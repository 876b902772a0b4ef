package dev.descent.badinput;

import static dev.descent.badinput.BadInput.assertNoStackTrace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults writing results (docs/cli.md, "Outputs"): every output file ({@code --trace},
 * {@code --plot}) is written to a temporary file beside it and renamed into place when complete,
 * so a failed run leaves existing files as they were; what cannot be written is reported as
 * {@code descent: cannot write FILE: REASON} with exit code 1, never as a Java exception; stdout
 * that cannot be written is an error (exit 1), a closed pipe a quiet end (exit 141).
 */
class OutputFaultsTest {
    @TempDir Path dir;

    static final String BOWL = "param x1 = -5\nparam x2 = -2\nminimize x1^2 + 2*x2^2\noptimize with gd(lr = 0.1) for 20 steps\n";
    static final String TYPO = "param x = 1\nminimize xx^2\noptimize with gd(lr = 0.1) for 20 steps\n";

    Path script(String name, String text) { return BadInput.write(dir, name, text); }

    /** The whole error output for an output that cannot be written. */
    static void assertCannotWrite(BadInput.Result r, String name, String reason) {
        assertNoStackTrace(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::describe);
        assertEquals("descent: cannot write " + name + ": " + reason + "\n", r.err(), r::describe);
        assertEquals("", r.out(), r::describe);
    }

    /** No temporary file of an output is left in the folder. */
    void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> left = s.filter(p -> p.getFileName().toString().endsWith(".descent-tmp")).toList();
            assertTrue(left.isEmpty(), "temporary files left: " + left);
        }
    }

    @Test void aFolderAsTheTarget() throws Exception {
        Path s = script("bowl.dsc", BOWL), folder = Files.createDirectory(dir.resolve("out"));
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", folder.toString()), folder.toString(), "it is a folder");
        assertCannotWrite(BadInput.run("run", s.toString(), "--plot", folder.toString()), folder.toString(), "it is a folder");
        assertCannotWrite(BadInput.run("compare", s.toString(), "--with", "adam(lr = 0.1)", "--plot", folder.toString()), folder.toString(), "it is a folder");
        assertTrue(Files.isDirectory(folder));
        assertNoTemporaryFiles();
    }

    @Test void aMissingFolder() {
        Path s = script("bowl.dsc", BOWL), target = dir.resolve("no/such/t.csv");
        String reason = "the folder " + target.getParent() + " does not exist";
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", target.toString()), target.toString(), reason);
        assertCannotWrite(BadInput.run("run", s.toString(), "--plot", target.toString()), target.toString(), reason);
        assertCannotWrite(BadInput.run("compare", s.toString(), "--with", "adam(lr = 0.1)", "--plot", target.toString()), target.toString(), reason);
        Path file = script("plain.txt", "a file, not a folder");
        Path under = file.resolve("t.csv");
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", under.toString()), under.toString(), file + " is not a folder");
    }

    @Test void anEmptyName() {
        Path s = script("bowl.dsc", BOWL);
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", ""), "''", "the name is empty");
        assertCannotWrite(BadInput.run("run", s.toString(), "--plot", ""), "''", "the name is empty");
    }

    /** A plot is SVG or PNG: a name that promises another format is refused, not given an SVG. */
    @Test void aPlotInAnotherFormat() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        for (String name : new String[] {"p.pdf", "p.JPG", "p.svg.gz"}) {
            Path target = dir.resolve(name);
            String ext = name.substring(name.lastIndexOf('.'));
            for (BadInput.Result r : List.of(BadInput.run("run", s.toString(), "--plot", target.toString()),
                    BadInput.run("compare", s.toString(), "--with", "adam(lr = 0.1)", "--plot", target.toString()))) {
                assertNoStackTrace(r);
                assertEquals(Main.USAGE, r.code(), r::describe); // a usage error (issue 13), not a file that cannot be written
                assertTrue(r.err().startsWith("descent: --plot " + target + ": a plot is drawn as SVG (.svg) or PNG (.png), not " + ext + "\n"), r::describe);
                assertEquals("", r.out(), r::describe);
            }
            assertFalse(Files.exists(target));
        }
        // upper case and no extension at all are fine
        assertEquals(0, BadInput.run("run", s.toString(), "--plot", dir.resolve("P.SVG").toString()).code());
        assertEquals(0, BadInput.run("run", s.toString(), "--plot", dir.resolve("plot").toString()).code());
        assertTrue(Files.readString(dir.resolve("plot")).contains("<svg"));
        assertNoTemporaryFiles();
    }

    /** A name with a control character is refused, and shown escaped: nothing is created. */
    @Test void aNameWithAControlCharacter() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", dir + "/" + "a\nb.csv"), dir + "/a\\nb.csv",
                "its name has a control character (\\n)");
        assertCannotWrite(BadInput.run("run", s.toString(), "--plot", dir + "/" + "\u001b[31mred.svg"), dir + "/\\x1b[31mred.svg",
                "its name has a control character (\\x1b)");
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", dir + "/" + "tab\t.csv"), dir + "/tab\\t.csv",
                "its name has a control character (\\t)");
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", dir + "/" + "rlo\u202e.csv"), dir + "/rlo\\u202e.csv",
                "its name has a control character (\\u202e)");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(s), files.toList(), "nothing created");
        }
    }

    /** The script itself, a data file it reads and a file it imports are never overwritten. */
    @Test void theScriptsOwnFilesAreRefused() throws Exception {
        Path data = script("points.csv", "a,b\n1,2\n3,4\n5,7\n");
        Path lib = script("lib.dsc", "def sq(u) = u^2\n");
        Path s = script("fit.dsc", "import \"lib.dsc\"\ndata d = csv(\"points.csv\")\nparam w = 0\nminimize sum(sq(w * d.a - d.b))\n"
                + "optimize with gd(lr = 0.01) for 5 steps\n");
        String scriptText = Files.readString(s), dataText = Files.readString(data), libText = Files.readString(lib);
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", s.toString()), s.toString(), "it is the script");
        assertCannotWrite(BadInput.run("run", s.toString(), "--plot", s.toString()), s.toString(), "it is the script");
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", data.toString()), data.toString(), "it is a data file the script reads");
        assertCannotWrite(BadInput.run("run", s.toString(), "--plot", lib.toString()), lib.toString(), "it is a file the script imports");
        // the same file under another name (relative, through a link)
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), data);
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", link.toString()), link.toString(), "it is a data file the script reads");
        assertEquals(scriptText, Files.readString(s));
        assertEquals(dataText, Files.readString(data));
        assertEquals(libText, Files.readString(lib));
        assertNoTemporaryFiles();
    }

    @Test void traceAndPlotNamingOneFile() throws Exception {
        Path s = script("bowl.dsc", BOWL), t = dir.resolve("out.csv");
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", t.toString(), "--plot", t.toString()), t.toString(), "it is also the --trace file");
        assertFalse(Files.exists(t));
    }

    /** A script that fails to check writes nothing: an existing trace and plot keep their contents. */
    @Test void anExistingFileIsKeptWhenTheScriptFailsToCheck() throws Exception {
        Path s = script("typo.dsc", TYPO);
        Path t = script("trace.csv", "precious data\n"), p = script("plot.svg", "<svg>precious</svg>\n");
        BadInput.Result r = BadInput.run("run", s.toString(), "--trace", t.toString(), "--plot", p.toString());
        BadInput.assertScriptError(r);
        assertEquals("precious data\n", Files.readString(t));
        assertEquals("<svg>precious</svg>\n", Files.readString(p));
        assertNoTemporaryFiles();
    }

    /** A run that fails with an error at run time (here: batches over data sets of different lengths) keeps existing files too. */
    @Test void anExistingFileIsKeptWhenTheRunFails() throws Exception {
        script("a.csv", "x\n1\n2\n3\n4\n");
        script("b.csv", "y\n1\n2\n3\n");
        Path s = script("batches.dsc", "data a = csv(\"a.csv\")\ndata b = csv(\"b.csv\")\nparam w = 0\nminimize sum((w * a.x)^2) + sum(b.y) * w^2\n"
                + "optimize with gd(lr = 0.01) for 2 epochs batch 2\n");
        Path t = script("trace.csv", "precious data\n"), p = script("plot.svg", "<svg>precious</svg>\n");
        BadInput.Result r = BadInput.run("run", s.toString(), "--trace", t.toString(), "--plot", p.toString());
        assertNoStackTrace(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::describe);
        assertTrue(r.err().contains("batches and validation need the data sets"), r::describe);
        assertEquals("precious data\n", Files.readString(t));
        assertEquals("<svg>precious</svg>\n", Files.readString(p));
        assertNoTemporaryFiles();
    }

    /** A diverged run's trace is kept: it shows where the run went wrong (exit code 3). */
    @Test void aDivergedRunWritesItsTraceAndPlot() throws Exception {
        Path s = script("diverge.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 1.5) for 2000 steps\n");
        Path t = script("trace.csv", "old\n"), p = script("plot.svg", "old\n");
        BadInput.Result r = BadInput.run("run", s.toString(), "--trace", t.toString(), "--plot", p.toString());
        assertEquals(Main.DIVERGED, r.code(), r::describe);
        List<String> rows = Files.readAllLines(t);
        assertEquals("run,step,loss,grad_norm,lr,x", rows.get(0));
        assertEquals(513, rows.size(), "the header, the start and 511 updates, then the row where the loss is inf");
        assertTrue(rows.get(512).startsWith("1,511,inf,"), rows.get(512));
        assertTrue(Files.readString(p).matches("(?s).*class=[\"']curve[\"'].*"), "the plot is drawn");
        assertNoTemporaryFiles();
    }

    /** An existing output is replaced when the run succeeds, keeping its permissions; a symbolic link is written through. */
    @Test void anExistingOutputIsReplacedWhole() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        Path t = script("trace.csv", "old\n");
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rw-r-----"));
        Path real = script("real.svg", "old\n"), link = Files.createSymbolicLink(dir.resolve("link.svg"), real.getFileName());
        BadInput.Result r = BadInput.run("run", s.toString(), "--trace", t.toString(), "--plot", link.toString());
        assertEquals(0, r.code(), r::describe);
        assertEquals(22, Files.readAllLines(t).size(), "the header, the start and 20 steps");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(t)));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertTrue(Files.readString(real).contains("<svg"), "the file it points to holds the plot");
        assertNoTemporaryFiles();
    }

    @Test void aReadOnlyFolder() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path old = BadInput.write(ro, "t.csv", "old\n");
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!Files.isWritable(ro), "permissions do not bind this user (root)");
            Path t = ro.resolve("new.csv");
            assertCannotWrite(BadInput.run("run", s.toString(), "--trace", t.toString()), t.toString(), "permission denied");
            assertCannotWrite(BadInput.run("run", s.toString(), "--plot", old.toString()), old.toString(), "permission denied");
            assertEquals("old\n", Files.readString(old));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test void aReadOnlyFile() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        Path t = script("t.csv", "old\n");
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("r--r--r--"));
        assumeTrue(!Files.isWritable(t), "permissions do not bind this user (root)");
        assertCannotWrite(BadInput.run("run", s.toString(), "--trace", t.toString()), t.toString(), "permission denied");
        assertEquals("old\n", Files.readString(t));
    }

    /** /dev/full: every write fails with ENOSPC, as on a full disk. */
    @Test @org.junit.jupiter.api.Timeout(300) void aFullDevice() {
        assumeTrue(Files.exists(Path.of("/dev/full")), "/dev/full (Linux)");
        Path s = script("bowl.dsc", BOWL);
        // a long run: the trace fails while it runs, which stops it; nothing is printed but the fault
        Path slow = script("slow.dsc", BOWL.replace("gd(lr = 0.1) for 20 steps", "gd(lr = 0.000001) for 100000000 steps"));
        assertCannotWrite(BadInput.run("run", slow.toString(), "--trace", "/dev/full"), "/dev/full", "no space left on device");
        // a short run: its trace and plot fail as they are completed, after the run; its results are printed, then the fault
        for (String option : new String[] {"--trace", "--plot"}) {
            BadInput.Result r = BadInput.run("run", s.toString(), option, "/dev/full");
            assertNoStackTrace(r);
            assertEquals(Main.SCRIPT_ERROR, r.code(), r::describe);
            assertTrue(r.out().startsWith("gd(lr = 0.1): 20 steps"), r::describe);
            assertEquals("descent: cannot write /dev/full: no space left on device\n", r.err(), r::describe);
        }
    }

    /** /proc/version: a file of the kernel's, which no one may replace. */
    @Test void aKernelFile() {
        assumeTrue(Files.exists(Path.of("/proc/version")), "/proc (Linux)");
        Path s = script("bowl.dsc", BOWL);
        for (String option : new String[] {"--trace", "--plot"}) {
            BadInput.Result r = BadInput.run("run", s.toString(), option, "/proc/version");
            assertNoStackTrace(r);
            assertEquals(Main.SCRIPT_ERROR, r.code(), r::describe);
            assertTrue(r.err().startsWith("descent: cannot write /proc/version: ") && r.err().lines().count() == 1, r::describe);
        }
    }

    /** /dev/null and other devices are written in place, as streams. */
    @Test void aDeviceIsWrittenInPlace() {
        Path s = script("bowl.dsc", BOWL);
        BadInput.Result r = BadInput.run("run", s.toString(), "--trace", "/dev/null", "--plot", dir.resolve("p.svg").toString());
        assertEquals(0, r.code(), r::describe);
        assertTrue(Files.isRegularFile(dir.resolve("p.svg")));
    }

    record Run(int code, String out, String err) {}

    static Run execute(OutputStream stdout, String... args) {
        StringWriter err = new StringWriter();
        PrintWriter out = Main.writer(stdout);
        int code = Main.execute(args, out, new PrintWriter(err, true));
        return new Run(code, "", err.toString());
    }

    /** stdout on a full disk: exit 1 and one line on stderr, for every command that prints. */
    @Test void stdoutThatCannotBeWritten() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "/dev/full (Linux)");
        Path s = script("bowl.dsc", BOWL);
        Path points = script("points.csv", "x1,x2\n1,2\n3,4\n");
        List<String[]> commands = List.of(
                new String[] {"run", s.toString()},
                new String[] {"run", s.toString(), "--json"},
                new String[] {"eval", s.toString()},
                new String[] {"eval", s.toString(), "--json"},
                new String[] {"eval", s.toString(), "--points", points.toString()},
                new String[] {"grad", s.toString()},
                new String[] {"check", s.toString()},
                new String[] {"show", "adam"},
                new String[] {"show"},
                new String[] {"compare", s.toString(), "--with", "adam(lr = 0.1)"},
                new String[] {"--help"},
                new String[] {"help", "run"},
                new String[] {"--version"});
        for (String[] c : commands) {
            try (FileOutputStream full = new FileOutputStream("/dev/full")) {
                Run r = execute(full, c);
                assertEquals(Main.SCRIPT_ERROR, r.code(), () -> String.join(" ", c) + "\n" + r.err());
                assertEquals("descent: cannot write to stdout: no space left on device\n", r.err(), String.join(" ", c));
            }
        }
    }

    /** A reader that closed the pipe ({@code | head -1}): a quiet end with exit code 141, as a Unix tool killed by SIGPIPE. */
    @Test void aClosedPipeEndsQuietly() {
        Path s = script("bowl.dsc", BOWL);
        OutputStream closed = new OutputStream() {
            @Override public void write(int b) throws IOException { throw new IOException("Broken pipe"); }
        };
        for (String[] c : List.of(new String[] {"run", s.toString()}, new String[] {"eval", s.toString()}, new String[] {"show"})) {
            Run r = execute(closed, c);
            assertEquals(Main.BROKEN_PIPE, r.code(), String.join(" ", c));
            assertEquals("", r.err(), String.join(" ", c));
        }
    }

    /** The first line gets through; the rest fails: the command ends there (exit 141) without writing more. */
    @Test void aPipeClosedMidway() {
        Path s = script("bowl.dsc", BOWL);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        OutputStream oneLine = new OutputStream() {
            @Override public void write(int b) throws IOException {
                if (got.toString(StandardCharsets.UTF_8).contains("\n")) throw new IOException("Broken pipe");
                got.write(b);
            }
        };
        Run r = execute(oneLine, "eval", s.toString());
        assertEquals(Main.BROKEN_PIPE, r.code());
        assertEquals("", r.err());
        assertEquals("at     x1 = -5, x2 = -2\n", got.toString(StandardCharsets.UTF_8));
    }

    // ---- the real process: stdout redirected, a pipe closed, signals ----

    static ProcessBuilder descent(Path dir, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xss64m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    static String incubatorFree(String stderr) {
        return stderr.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).map(l -> l + "\n").reduce("", String::concat);
    }

    @Test void theProcessReportsAFullStdout() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "/dev/full (Linux)");
        Path s = script("bowl.dsc", BOWL);
        for (String[] args : List.of(new String[] {"run", s.toString(), "--json"}, new String[] {"eval", s.toString()})) {
            Process p = descent(dir, args).redirectOutput(new java.io.File("/dev/full")).start();
            String err = incubatorFree(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), err);
            assertEquals("descent: cannot write to stdout: no space left on device\n", err);
        }
    }

    @Test void theProcessEndsQuietlyOnAClosedPipe() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        Process p = descent(dir, "run", s.toString()).start();
        p.getInputStream().close(); // the reader goes away before the first line
        String err = incubatorFree(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(Main.BROKEN_PIPE, p.exitValue(), err);
        assertEquals("", err);
    }
}
