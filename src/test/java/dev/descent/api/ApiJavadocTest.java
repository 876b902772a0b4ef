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
 * The javadoc tool runs in this JVM, as the plugin runs it: in the module dev.descent
 * (src/main/java/module-info.java), the package's sources, the rest of Descent from its sources
 * and compiled classes, its dependencies from the module path.
 */
class ApiJavadocTest {
    @Test
    void thePublicApiIsDocumentedWithoutWarnings(@TempDir Path dir) {
        ToolProvider javadoc = ToolProvider.findFirst("javadoc").orElseThrow(() -> new AssertionError("this JDK has no javadoc tool"));
        StringWriter out = new StringWriter();
        int rc;
        try (PrintWriter w = new PrintWriter(out)) {
            rc = javadoc.run(w, w, "-quiet", "-Xdoclint:all", "-Werror", "--release", "25",
                    "-sourcepath", Path.of("src", "main", "java").toString(),
                    "--module-path", modulePath(),
                    "--patch-module", "dev.descent=" + Path.of("target", "classes"),
                    "-d", dir.toString(), "dev.descent.api");
        }
        assertEquals(0, rc, "javadoc of dev.descent.api:\n" + out);
        assertTrue(out.toString().isBlank(), "javadoc of dev.descent.api says:\n" + out);
        assertTrue(Files.isRegularFile(dir.resolve(Path.of("dev.descent", "dev", "descent", "api", "Optimizer.html"))));
    }

    /**
     * The module dev.descent's dependencies (its module-info's requires), from this JVM's class
     * path; the rest of the module (picocli, the generated parser) from target/classes, patched in.
     */
    static String modulePath() {
        java.util.List<String> jars = new java.util.ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("antlr4-runtime-") || name.startsWith("jackson-core-") || name.startsWith("org.jfree.svg-")) jars.add(e);
        }
        assertEquals(3, jars.size(), "antlr4-runtime, jackson-core and org.jfree.svg on the class path: " + jars);
        return String.join(java.io.File.pathSeparator, jars);
    }
}
