package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java snippets of docs/api.md compile and run: each is a fragment, so the test wraps
 * them in a class that declares what they assume (a loaded model for the second, the
 * caller's arrays and gradient function for the third), compiles it with the JDK's compiler
 * against the test class path, and runs it.
 */
class ApiDocSnippetsTest {

    static List<String> javaBlocks(String markdown) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                if (cur == null) cur = new StringBuilder();
                else {
                    String b = cur.toString();
                    if (b.contains(";") && !b.startsWith("mvn") && !b.startsWith("java ") && !b.startsWith("JAVA_HOME=")) out.add(b);
                    cur = null;
                }
            } else if (cur != null) cur.append(line).append('\n');
        }
        return out;
    }

    @Test
    void theSnippetsCompileAndRun(@TempDir Path dir) throws Exception {
        List<String> blocks = javaBlocks(Files.readString(Path.of("docs/api.md")));
        assertEquals(3, blocks.size(), "docs/api.md's Java snippets: run a script, evaluate, drive an optimizer");
        String source = """
                import dev.descent.api.*;
                import java.nio.file.Path;
                import java.util.*;

                public class ApiSnippets {
                    /** The reader's own gradient, for the third snippet: of sum(w^2). */
                    static void computeGradient(double[] w, double[] g) {
                        for (int i = 0; i < w.length; i++) g[i] = 2 * w[i];
                    }

                    public static String run() throws Exception {
                        StringBuilder seen = new StringBuilder();
                        {
                """ + blocks.get(0) + blocks.get(1) + """
                            seen.append(value).append(' ');
                        }
                        {
                            double[] w = {1, -2, 3}, g = new double[3];
                """ + blocks.get(2) + """
                            seen.append(Math.abs(w[0]) + Math.abs(w[1]) + Math.abs(w[2]));
                        }
                        return seen.toString();
                    }
                }
                """;
        Path file = dir.resolve("ApiSnippets.java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null,
                List.of("-cp", System.getProperty("java.class.path"), "-d", dir.toString(), "--add-modules", "jdk.incubator.vector"),
                null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(file)).call();
        assertTrue(ok, "the snippets do not compile:\n" + diagnostics + "\n" + source);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method run = loader.loadClass("ApiSnippets").getMethod("run");
            String[] seen = ((String) run.invoke(null)).trim().split(" ");
            assertEquals(12.5, Double.parseDouble(seen[0]), "Rosenbrock at its start, evaluated by the second snippet");
            assertTrue(Double.parseDouble(seen[1]) < 0.1, "1000 Adam steps on sum(w^2) moved w towards 0");
        }
    }
}
