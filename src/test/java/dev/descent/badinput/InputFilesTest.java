package dev.descent.badinput;

import static dev.descent.badinput.BadInput.assertNoStackTrace;
import static dev.descent.badinput.BadInput.assertScriptError;
import static dev.descent.badinput.BadInput.run;
import static dev.descent.badinput.BadInput.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.cli.Main;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, items 4 and 5: inputs that are not regular files (a named pipe, a device, a
 * folder) are refused at once with {@code FILE: not a regular file}; inputs larger than
 * memory fail naming the file and its size; non-finite CSV cells are errors unless
 * {@code nonfinite = 1}; text from files reaches stderr escaped; and a diagnostic about a
 * file a script names shows at most the offending cell. The timeout catches a hang (a read
 * of a FIFO waits for a writer forever).
 */
@Timeout(value = 60, threadMode = ThreadMode.SEPARATE_THREAD)
class InputFilesTest {
    @TempDir Path dir;

    private static final String LINEAR = "param w = 0\nminimize mean((w * d.x - d.y)^2)\n";

    /** A named pipe in the temporary folder, or the test is skipped where mkfifo is missing. */
    private Path fifo(String name) throws Exception {
        Path p = dir.resolve(name);
        Process proc;
        try {
            proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo here");
            return null;
        }
        assumeTrue(proc.waitFor(10, TimeUnit.SECONDS) && proc.exitValue() == 0, "mkfifo failed");
        return p;
    }

    /** A file of {@code size} bytes that starts with {@code head} and is sparse after it. */
    private Path sparse(String name, String head, long size) throws IOException {
        Path p = write(dir, name, head);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    /** Exit 1, one file-level or positioned diagnostic whose message contains {@code fragment}; no raw control character. */
    private static BadInput.Diag assertRefused(BadInput.Result r, String fragment) {
        assertNoStackTrace(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), () -> "exit code\n" + r.describe());
        List<BadInput.Diag> ds = BadInput.parse(r.err());
        assertFalse(ds.isEmpty(), () -> "a diagnostic\n" + r.describe());
        assertTrue(ds.getFirst().message().contains(fragment), () -> "message should contain \"" + fragment + "\"\n" + r.describe());
        assertSafe(r);
        return ds.getFirst();
    }

    /** Nothing on stdout or stderr that a terminal would act on: controls, bidi marks (a line break is the only one allowed). */
    static void assertSafe(BadInput.Result r) {
        for (String s : new String[] {r.out(), r.err()}) {
            s.codePoints().forEach(cp -> {
                if (cp != '\n' && cp != '\t' && BadInput.terminalControl(cp))
                    throw new AssertionError(String.format("raw U+%04X on the output%n", cp) + r.describe());
            });
        }
    }

    // ------------------------------------------------------------ not regular files

    @Test void checkOfAFifoIsRefusedAtOnce() throws Exception {
        Path f = fifo("pipe.dsc");
        BadInput.Diag d = assertRefused(run("check", f.toString()), "not a regular file");
        assertEquals(f.toString(), d.file());
        assertTrue(d.hint().contains("named pipe"), d::hint);
        assertRefused(run("run", f.toString()), "not a regular file");
        assertRefused(run("eval", f.toString()), "not a regular file");
    }

    @Test void anImportThatIsAFifo() throws Exception {
        fifo("lib.dsc");
        Path s = write(dir, "main.dsc", "import \"lib.dsc\"\nparam x = 1\nminimize x^2\n");
        BadInput.Diag d = assertRefused(run("check", s.toString()), "lib.dsc: not a regular file");
        assertEquals(s + ":1:8", d.header());
    }

    @Test void aDataFileThatIsAFifo() throws Exception {
        fifo("data.csv");
        Path s = write(dir, "main.dsc", "data d = csv(\"data.csv\")\n" + LINEAR);
        BadInput.Diag d = assertRefused(run("check", s.toString()), "data.csv: not a regular file");
        assertEquals(s + ":1:14", d.header());
        Path v = write(dir, "val.dsc", "data d = csv(\"ok.csv\", validation = \"data.csv\")\n" + LINEAR);
        write(dir, "ok.csv", "x,y\n1,2\n");
        assertRefused(run("check", v.toString()), "data.csv: not a regular file");
    }

    @Test void aDataFileThatIsADevice() {
        assumeTrue(Files.exists(Path.of("/dev/zero")));
        Path s = write(dir, "main.dsc", "data d = csv(\"/dev/zero\")\n" + LINEAR);
        BadInput.Diag d = assertRefused(run("check", s.toString()), "/dev/zero: not a regular file");
        assertTrue(d.hint().contains("device"), d::hint);
        Path i = write(dir, "imp.dsc", "import \"/dev/null\"\nparam x = 1\nminimize x^2\n");
        assertRefused(run("check", i.toString()), "not a regular file");
    }

    @Test void aScriptThatIsADeviceOrAFolder() throws IOException {
        assumeTrue(Files.exists(Path.of("/dev/null")));
        assertRefused(run("check", "/dev/null"), "not a regular file");
        Path folder = Files.createDirectories(dir.resolve("folder.dsc"));
        BadInput.Diag d = assertRefused(run("check", folder.toString()), "not a regular file");
        assertTrue(d.hint().contains("directory"), d::hint);
    }

    @Test void pointsThatAreAFifoADeviceOrAFolder() throws Exception {
        Path s = write(dir, "p.dsc", "param w = 0\nminimize w^2\n");
        Path f = fifo("points.csv");
        BadInput.Diag d = assertRefused(run("eval", s.toString(), "--points", f.toString()), "not a regular file");
        assertEquals(f.toString(), d.file());
        if (Files.exists(Path.of("/dev/zero"))) {
            BadInput.Diag z = assertRefused(run("eval", s.toString(), "--points", "/dev/zero"), "not a regular file");
            assertEquals("/dev/zero", z.file());
        }
        assertRefused(run("eval", s.toString(), "--points", dir.toString()), "not a regular file");
    }

    // ------------------------------------------------------------ larger than memory

    @Test void aScriptLargerThanMemory() throws IOException {
        Path big = sparse("big.dsc", "param x = 1\nminimize x^2\n#", 3_000_000_000L);
        BadInput.Diag d = assertRefused(run("check", big.toString()), "too large to read: 3.0 GB");
        assertEquals(big.toString(), d.file());
    }

    @Test // the class's timeout guards the hang reading the terabyte would be; the refusal comes from a projection
    void aDataFileLargerThanMemory() throws IOException {
        StringBuilder sb = new StringBuilder("x,y\n");
        for (int i = 0; i < 50_000; i++) sb.append(i).append(',').append(i).append(".5\n");
        sparse("big.csv", sb.toString(), 1L << 40); // a terabyte: about 90 billion rows at this width
        Path s = write(dir, "main.dsc", "data d = csv(\"big.csv\")\n" + LINEAR);
        BadInput.Diag d = assertRefused(run("check", s.toString()), "big.csv (1.1 TB)");
        assertEquals(s + ":1:14", d.header());
    }

    @Test void pointsLargerThanMemory() throws IOException {
        Path s = write(dir, "p.dsc", "param w = 0\nminimize w^2\n");
        Path p = sparse("points.csv", "w\n1\n", 1L << 40);
        BadInput.Diag d = assertRefused(run("eval", s.toString(), "--points", p.toString()), "too large to read: 1.1 TB");
        assertEquals(p.toString(), d.file());
    }

    // ------------------------------------------------------------ data cells

    @Test void nonfiniteCellsAreErrorsUnlessAllowed() {
        for (String cell : new String[] {"1e400", "-1e999", "NaN", "nan", "inf", "-Infinity", "+inf"}) {
            write(dir, "d.csv", "x,y\n1,2\n3," + cell + "\n5,6\n");
            Path s = write(dir, "main.dsc", "data d = csv(\"d.csv\")\n" + LINEAR);
            BadInput.Result r = run("check", s.toString());
            List<BadInput.Diag> ds = assertScriptError(r);
            BadInput.Diag d = ds.getFirst();
            assertEquals(dir.resolve("d.csv") + ":3:3", d.header(), r::describe);
            assertTrue(d.message().contains("'" + cell + "' in column 'y'"), r::describe);
            assertTrue(d.hint().contains("nonfinite = 1"), r::describe);
            BadInput.Result e = run("eval", s.toString());
            assertEquals(Main.SCRIPT_ERROR, e.code(), e::describe);

            Path ok = write(dir, "ok.dsc", "data d = csv(\"d.csv\", nonfinite = 1)\n" + LINEAR);
            BadInput.Result r2 = run("check", ok.toString());
            assertNoStackTrace(r2);
            assertEquals(Main.OK, r2.code(), r2::describe);
        }
    }

    @Test void theValidationFileIsHeldToTheSameRule() {
        write(dir, "d.csv", "x,y\n1,2\n3,4\n");
        write(dir, "v.csv", "x,y\n1,inf\n");
        Path s = write(dir, "main.dsc", "data d = csv(\"d.csv\", validation = \"v.csv\")\n" + LINEAR);
        BadInput.Diag d = assertScriptError(run("check", s.toString())).getFirst();
        assertEquals(dir.resolve("v.csv") + ":2:3", d.header());
        Path ok = write(dir, "ok.dsc", "data d = csv(\"d.csv\", validation = \"v.csv\", nonfinite = 1)\n" + LINEAR);
        assertEquals(Main.OK, run("check", ok.toString()).code());
    }

    @Test void quotedCellsFollowRfc4180() {
        write(dir, "d.csv", "\"x\",\"y\",\"a note,\nwith \"\"quotes\"\" and a line break\"\r\n\"1\",2,0\n3,\" 4 \",0\n");
        Path s = write(dir, "main.dsc", "data d = csv(\"d.csv\")\n" + LINEAR);
        BadInput.Result r = run("eval", s.toString(), "--at", "w=1");
        assertNoStackTrace(r);
        assertEquals(Main.OK, r.code(), r::describe);
        assertTrue(r.out().contains("value  1"), r::describe); // ((1-2)^2 + (3-4)^2) / 2
    }

    @Test void aNulByteIsAnError() {
        write(dir, "d.csv", "x,y\n1,2\n3,\u00004\n");
        Path s = write(dir, "main.dsc", "data d = csv(\"d.csv\")\n" + LINEAR);
        BadInput.Diag d = assertRefused(run("check", s.toString()), "NUL byte");
        assertEquals(dir.resolve("d.csv") + ":3:3", d.header());
        Path p = write(dir, "p.dsc", "param w = 0\nminimize w^2\n");
        write(dir, "points.csv", "w\n1\n\u00002\n");
        BadInput.Diag e = assertRefused(run("eval", p.toString(), "--points", dir.resolve("points.csv").toString()), "NUL byte");
        assertEquals(dir.resolve("points.csv") + ":3:1", e.header());
    }

    // ------------------------------------------------------------ text shown safely

    @Test void escapesInAFileNameAHeaderAndACell() {
        String esc = "\u001B[2J", bidi = "\u202E";
        write(dir, "a" + esc + "b.csv", "x,y\n1,2\n");
        Path s = write(dir, "main.dsc", "data d = csv(\"a" + esc + "b.csv\")\nparam w = 0\nminimize mean((w * d.x - d.z)^2)\n");
        BadInput.Result r = run("check", s.toString());
        assertSafe(r);
        assertEquals(Main.SCRIPT_ERROR, r.code(), r::describe);

        write(dir, "h.csv", "\"x" + bidi + "\",y\n1,2\n");
        Path h = write(dir, "h.dsc", "data d = csv(\"h.csv\")\n" + LINEAR);
        BadInput.Result rh = run("check", h.toString());
        assertSafe(rh);
        assertEquals(Main.SCRIPT_ERROR, rh.code(), rh::describe);

        write(dir, "c.csv", "x,y\n1,2\n3,\"" + bidi + "4\"\n");
        Path c = write(dir, "c.dsc", "data d = csv(\"c.csv\")\n" + LINEAR);
        BadInput.Result rc = run("check", c.toString());
        assertSafe(rc);
        assertTrue(rc.err().contains("\\u202E"), rc::describe);

        Path named = write(dir, "s" + esc + ".dsc", "param x = 1\nminimize x^2\n");
        BadInput.Result ok = run("check", named.toString());
        assertEquals(Main.OK, ok.code(), ok::describe);
        assertSafe(ok);
        assertTrue(ok.out().contains("\\u001B[2J"), ok::describe);

        Path p = write(dir, "p.dsc", "param w = 0\nminimize w^2\n");
        write(dir, "pts.csv", "w\n" + esc + "1\n");
        BadInput.Result rp = run("eval", p.toString(), "--points", dir.resolve("pts.csv").toString());
        assertSafe(rp);
        assertEquals(Main.SCRIPT_ERROR, rp.code(), rp::describe);
    }

    /** {@code csv("/etc/shadow")}: nothing of the file's lines is printed, a long cell not at all. */
    @Test void aDataFileThatIsNotATableIsNotEchoed() {
        String secret = "$6$saltsalt$Zq0hTFpu2Hn9v1mXxq7oGm3D8bnF0QfK1s";
        write(dir, "shadow", "root:" + secret + ":19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nalice:" + secret + ":19001:0:99999:7:::\n");
        Path s = write(dir, "main.dsc", "data d = csv(\"shadow\")\n" + LINEAR);
        BadInput.Result r = run("check", s.toString());
        assertScriptError(r);
        for (String bit : new String[] {"saltsalt", "root", "daemon", "alice", "19000", "99999"})
            assertFalse(r.err().contains(bit), () -> "the file's text '" + bit + "' is echoed\n" + r.describe());

        write(dir, "shadow.dsc", "root:" + secret + ":19000:0:99999:7:::\n");
        Path i = write(dir, "imp.dsc", "import \"shadow.dsc\"\nparam x = 1\nminimize x^2\n");
        BadInput.Result ri = run("check", i.toString());
        assertScriptError(ri);
        assertFalse(ri.err().contains("saltsalt"), ri::describe);
        assertFalse(ri.err().contains("19000"), ri::describe);
    }
}
