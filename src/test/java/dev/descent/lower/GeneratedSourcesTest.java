package dev.descent.lower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files tools/OpTable.java generates (ScalarMath, Opcode, the kernels of both tiers) are
 * exactly what it generates now: a hand edit of one, or a change to the table not regenerated,
 * fails here. Runs the generator with {@code --check} in a JVM of this test's JDK.
 */
class GeneratedSourcesTest {
    static final List<String> GENERATED = List.of(
            "src/main/java/dev/descent/ir/ScalarMath.java", "src/main/java/dev/descent/lower/Opcode.java",
            "src/main/java/dev/descent/engine/simd/KernelsF64.java", "src/main/java/dev/descent/engine/simd/KernelsF32.java",
            "src/main/java/dev/descent/engine/compiled/OpsF64.java", "src/main/java/dev/descent/engine/compiled/OpsF32.java");

    record Run(int code, String out) {}

    static Run check(Path root) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "tools/OpTable.java", "--check", root.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void theGeneratedFilesAreWhatTheTableMakes() throws Exception {
        Run r = check(Path.of("."));
        assertEquals(0, r.code(), r.out());
    }

    @Test
    void aHandEditOfAGeneratedFileIsCaught(@TempDir Path dir) throws Exception {
        for (String f : GENERATED) {
            Path to = dir.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(Path.of(f), to);
        }
        assertEquals(0, check(dir).code(), "the copies are what the table makes");
        Path kernels = dir.resolve("src/main/java/dev/descent/engine/simd/KernelsF32.java");
        Files.writeString(kernels, Files.readString(kernels).replace("x.sqrt()", "x.mul(x).sqrt()"));
        Run r = check(dir);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("src/main/java/dev/descent/engine/simd/KernelsF32.java"), r.out());
        assertTrue(!r.out().contains("KernelsF64.java"), "only the edited file is named: " + r.out());
    }
}
