package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public API's Javadoc builds without a warning, every public member documented: the
 * release profile's javadoc jar (maven-javadoc-plugin, doclint "all", failOnWarnings) checks
 * the same, but only when a release is built; this keeps it true from test run to test run.
 * The javadoc tool runs in this JVM, as the plugin runs it: the package's sources, the rest of
 * Descent and its dependencies from the class path.
 */
class ApiJavadocTest {
    @Test
    void thePublicApiIsDocumentedWithoutWarnings(@TempDir Path dir) {
        ToolProvider javadoc = ToolProvider.findFirst("javadoc").orElseThrow(() -> new AssertionError("this JDK has no javadoc tool"));
        StringWriter out = new StringWriter();
        int rc;
        try (PrintWriter w = new PrintWriter(out)) {
            rc = javadoc.run(w, w, "-quiet", "-Xdoclint:all", "-Werror",
                    "--release", "25", "--add-modules", "jdk.incubator.vector",
                    "-sourcepath", Path.of("src", "main", "java").toString(),
                    "--class-path", Path.of("target", "classes") + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                    "-d", dir.toString(), "dev.descent.api");
        }
        assertEquals(0, rc, "javadoc of dev.descent.api:\n" + out);
        assertTrue(out.toString().isBlank(), "javadoc of dev.descent.api says:\n" + out);
        assertTrue(Files.isRegularFile(dir.resolve(Path.of("dev", "descent", "api", "Optimizer.html"))));
    }
}
