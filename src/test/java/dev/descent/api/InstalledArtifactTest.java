package dev.descent.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project of its own, built with Maven against the installed library, as docs/api.md tells
 * a Java user to: its pom holds docs/api.md's {@code <dependency>} snippet, and its one class
 * uses the API as docs/api.md shows. It compiles (without {@code --add-modules}), and runs both
 * with {@code --add-modules jdk.incubator.vector} and without it (the scalar fallback, said once
 * on stderr), giving the same numbers. The same program as a named module ({@code requires
 * dev.descent}) runs from the module path with no flag at all, on the Vector API engine.
 *
 * <p>The library is installed into a throwaway local repository, never the user's
 * {@code ~/.m2}: the project's {@code pom.xml} and the classes this build compiled are copied
 * into a folder of their own, where {@code mvn jar:jar install:install} packages them with
 * the project's own jar-plugin configuration and installs the jar and pom, as
 * {@code ./mvnw install} would (the runnable target/descent.jar that the shade plugin makes is
 * a separate file; the installed artifact is this thin jar with the pom's dependencies).
 * Both nested Maven runs use the Maven that runs this build (else ./mvnw), and that
 * repository first and this build's local repository after it, read only
 * ({@code -Dmaven.repo.local.tail}, Maven 3.9), so the plugins and dependencies this build
 * already has are not fetched again; they run offline when this build does (surefire passes
 * {@code maven.home}, {@code settings.localRepository} and {@code settings.offline} in).
 * Online, the jar and install plugins are fetched into the throwaway repository, since
 * {@code ./mvnw test} alone does not use them. It takes 20 to 30 seconds.
 */
class InstalledArtifactTest {
    private static final String FALLBACK = "descent: this JVM has no jdk.incubator.vector";

    /** The consumer's code: docs/api.md's "Run a script" and "Drive an optimizer", as a program. */
    private static final String MAIN = """
            package example;

            import dev.descent.api.Descent;
            import dev.descent.api.Model;
            import dev.descent.api.Optimizer;
            import dev.descent.api.Result;
            import java.nio.file.Path;
            import java.util.Arrays;
            import java.util.Map;

            public class Main {
                public static void main(String[] args) {
                    Model model = Descent.load(Path.of(args[0]));
                    Result r = model.run();
                    System.out.println("loss " + r.loss());
                    System.out.println("x " + Arrays.toString(r.param("x")));

                    Optimizer adam = Optimizer.standard("adam", Map.of("lr", 0.01));
                    double[] w = {1, -2, 3}, g = new double[3];
                    for (int i = 0; i < 1000; i++) {
                        for (int j = 0; j < w.length; j++) g[j] = 2 * w[j];   // the gradient of sum(w^2)
                        adam.step(w, g);
                    }
                    System.out.println("w " + Arrays.toString(w) + " after " + adam.steps() + " steps");
                }
            }
            """;

    @TempDir Path dir;

    @Test
    void aSeparateProjectBuildsAndRunsAgainstTheInstalledLibrary() throws Exception {
        String dependency = dependencySnippet(Files.readString(Path.of("docs/api.md")));
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(dependency.contains("<groupId>" + tag(pom, "groupId") + "</groupId>")
                && dependency.contains("<artifactId>" + tag(pom, "artifactId") + "</artifactId>")
                && dependency.contains("<version>" + tag(pom, "version") + "</version>"),
                "docs/api.md's dependency snippet names pom.xml's coordinates:\n" + dependency);

        Path repo = dir.resolve("repository");
        Files.createDirectories(repo);

        // 1. Install: pom.xml and target/classes (what `package` would jar), in a folder of their own.
        Path lib = dir.resolve("library");
        Files.createDirectories(lib.resolve("target"));
        Files.copy(Path.of("pom.xml"), lib.resolve("pom.xml"));
        copyTree(Path.of("target", "classes"), lib.resolve("target").resolve("classes"));
        maven(lib, repo, "jar:jar", "install:install");
        String version = tag(pom, "version");
        Path installed = repo.resolve(Path.of("dev", "descent", "descent", version, "descent-" + version + ".jar"));
        assertTrue(Files.isRegularFile(installed), "installed " + installed);

        // 2. The separate project: docs/api.md's snippet in a pom, one class; compiled, and its
        //    class path written out by the dependency plugin (the same version this build uses).
        Path app = dir.resolve("app");
        Path source = app.resolve(Path.of("src", "main", "java", "example", "Main.java"));
        Files.createDirectories(source.getParent());
        Files.writeString(source, MAIN);
        Files.writeString(app.resolve("pom.xml"), consumerPom(dependency, pluginVersion(pom, "maven-compiler-plugin"),
                pluginVersion(pom, "maven-dependency-plugin")));
        maven(app, repo, "compile");
        List<String> classPath = Arrays.asList(Files.readString(app.resolve(Path.of("target", "classpath.txt"))).trim()
                .split(Pattern.quote(File.pathSeparator)));
        assertTrue(classPath.stream().anyMatch(e -> Path.of(e).equals(installed)),
                "the library on the class path is the one just installed: " + classPath);
        for (String transitive : List.of("antlr4-runtime", "jackson-core", "org.jfree.svg"))
            assertTrue(classPath.stream().anyMatch(e -> Path.of(e).getFileName().toString().startsWith(transitive)),
                    "the pom brings " + transitive + ": " + classPath);

        // 3. Run it, with the Vector API and without (the scalar engine).
        String cp = app.resolve(Path.of("target", "classes")) + File.pathSeparator + String.join(File.pathSeparator, classPath);
        String script = Path.of("examples", "rosenbrock", "adam.dsc").toAbsolutePath().toString();
        Run simd = java(List.of("--add-modules", "jdk.incubator.vector", "-cp", cp, "example.Main", script));
        Run scalar = java(List.of("-cp", cp, "example.Main", script));

        assertFalse(simd.err.contains(FALLBACK), "with the module, no fallback:\n" + simd.err);
        assertEquals(1, count(scalar.err, FALLBACK), "without the module, the fallback is said once:\n" + scalar.err);
        assertFalse(scalar.err.contains("Exception") || scalar.err.contains("Error"), scalar.err);

        // 4. A module-path user: the same program as a named module that requires dev.descent,
        //    compiled and run against the installed jar and its dependencies on the module path,
        //    without --add-modules: the library's module-info requires jdk.incubator.vector.
        Path modular = dir.resolve("modular");
        Path moduleSource = modular.resolve(Path.of("src", "example", "Main.java"));
        Files.createDirectories(moduleSource.getParent());
        Files.writeString(moduleSource, MAIN.replace("        Model model = Descent.load(",
                "        System.err.println(\"modules \" + Optimizer.class.getModule().getName() + \" \"\n"
                        + "                + ModuleLayer.boot().findModule(\"jdk.incubator.vector\").isPresent());\n"
                        + "        Model model = Descent.load("));
        Files.writeString(modular.resolve(Path.of("src", "module-info.java")), "module example { requires dev.descent; }\n");
        Path moduleOut = modular.resolve("classes");
        String modulePath = String.join(File.pathSeparator, classPath);
        javac(List.of("--release", "25", "--module-path", modulePath, "-d", moduleOut.toString(),
                modular.resolve(Path.of("src", "module-info.java")).toString(), moduleSource.toString()));
        Run module = java(List.of("--module-path", moduleOut + File.pathSeparator + modulePath, "--module", "example/example.Main", script));
        assertTrue(module.err.contains("modules dev.descent true"),
                "the library is the named module dev.descent, and the Vector API is there without a flag:\n" + module.err);
        assertFalse(module.err.contains(FALLBACK), "on the module path, no fallback:\n" + module.err);
        assertFalse(module.err.contains("Exception") || module.err.contains("Error:"), module.err);

        Map<String, double[]> a = numbers(simd.out), b = numbers(scalar.out), c = numbers(module.out);
        for (String key : a.keySet()) assertArrayEquals(a.get(key), c.get(key), key + ": on the module path as on the class path, the same engine and bits");
        assertTrue(a.get("loss")[0] < 1e-9, "Adam reaches Rosenbrock's minimum:\n" + simd.out);
        for (double x : a.get("x")) assertEquals(1.0, x, 1e-4, simd.out);
        for (double w : a.get("w")) assertEquals(0.0, w, 0.01, simd.out);
        assertTrue(simd.out.contains(" after 1000 steps"), simd.out);
        for (String key : a.keySet()) {
            double[] u = a.get(key), v = b.get(key);
            assertEquals(u.length, v.length, key);
            // "the same results to about an ulp" (docs/api.md); after 2000 and 1000 steps, allowed
            // to drift to 1e-7 relative (on another CPU the two engines may round a step apart)
            for (int i = 0; i < u.length; i++)
                assertEquals(u[i], v[i], 1e-7 * Math.max(Math.abs(u[i]), 1e-9), key + " with and without the Vector API:\n" + simd.out + scalar.out);
        }
    }

    /** docs/api.md's fenced block that is a Maven {@code <dependency>}. */
    static String dependencySnippet(String markdown) {
        Matcher m = Pattern.compile("```\\n(<dependency>.*?</dependency>\\n)```", Pattern.DOTALL).matcher(markdown);
        assertTrue(m.find(), "docs/api.md has a pom <dependency> snippet");
        return m.group(1);
    }

    /** The first {@code <name>} of the project itself (not of its parent, dependencies or plugins). */
    private static String tag(String pom, String name) {
        String head = pom.substring(0, pom.indexOf("<properties>"));
        Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(head);
        assertTrue(m.find(), name + " in pom.xml");
        return m.group(1).trim();
    }

    /** The version pom.xml pins for a plugin, so that the separate project finds it where this build put it. */
    private static String pluginVersion(String pom, String artifactId) {
        Matcher m = Pattern.compile("<artifactId>" + artifactId + "</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), artifactId + "'s version in pom.xml");
        return m.group(1).trim();
    }

    private static String consumerPom(String dependency, String compilerVersion, String dependencyPluginVersion) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>uses-descent</artifactId>
                  <version>1</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>25</maven.compiler.release>
                  </properties>
                  <dependencies>
                """ + dependency + """
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-dependency-plugin</artifactId>
                        <version>%s</version>
                        <executions>
                          <execution>
                            <id>classpath</id>
                            <phase>compile</phase>
                            <goals><goal>build-classpath</goal></goals>
                            <configuration>
                              <includeScope>runtime</includeScope>
                              <outputFile>${project.build.directory}/classpath.txt</outputFile>
                            </configuration>
                          </execution>
                        </executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(compilerVersion, dependencyPluginVersion);
    }

    /**
     * Maven in {@code project}, with {@code repo} as the local repository and this build's behind
     * it: the Maven running this build (surefire passes {@code maven.home} in: ./mvnw's, with
     * nothing to download), else ./mvnw.
     */
    private void maven(Path project, Path repo, String... goals) throws Exception {
        boolean windows = System.getProperty("os.name").startsWith("Windows");
        String home = System.getProperty("descent.maven.home", "");
        Path mvn = home.isBlank() || home.startsWith("${") ? Path.of("") : Path.of(home, "bin", windows ? "mvn.cmd" : "mvn");
        if (!Files.isExecutable(mvn)) mvn = Path.of(windows ? "mvnw.cmd" : "mvnw").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(mvn.toString(),
                "-B", "-q", "-f", project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + outerRepository()));
        if (System.getProperty("descent.maven.offline", "").equals("offline=true")) command.add("-o");
        command.addAll(List.of(goals));
        ProcessBuilder pb = new ProcessBuilder(command).directory(project.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("MAVEN_BASEDIR");   // the outer Maven's; this project is elsewhere
        pb.environment().remove("MAVEN_PROJECTBASEDIR");
        Path log = dir.resolve("maven-" + project.getFileName() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took over 5 minutes:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + Files.readString(log));
    }

    /** This build's local repository (surefire passes it in; ~/.m2/repository otherwise, e.g. in an IDE). */
    private static Path outerRepository() {
        String r = System.getProperty("descent.maven.localRepository", "");
        return r.isBlank() || r.startsWith("${") ? Path.of(System.getProperty("user.home"), ".m2", "repository") : Path.of(r);
    }

    private static void javac(List<String> args) {
        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("this JDK has no javac"));
        java.io.StringWriter out = new java.io.StringWriter();
        int rc;
        try (java.io.PrintWriter w = new java.io.PrintWriter(out)) {
            rc = javac.run(w, w, args.toArray(String[]::new));
        }
        assertEquals(0, rc, "javac " + String.join(" ", args) + "\n" + out);
    }

    private record Run(String out, String err) {}

    private Run java(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        Path out = Files.createTempFile(dir, "out", ".txt"), err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took over 2 minutes");
        }
        Run run = new Run(Files.readString(out), Files.readString(err));
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + run.out + run.err);
        return run;
    }

    /** "loss 1.7e-12", "x [1.0, 1.0]", "w [..] after N steps": each line's numbers by its first word. */
    private static Map<String, double[]> numbers(String out) {
        Map<String, double[]> m = new java.util.TreeMap<>();
        for (String line : out.strip().split("\n")) {
            String key = line.substring(0, line.indexOf(' '));
            String rest = line.substring(key.length()).replaceAll(" after \\d+ steps$", "").replaceAll("[\\[\\],]", " ").strip();
            m.put(key, Arrays.stream(rest.split("\\s+")).mapToDouble(Double::parseDouble).toArray());
        }
        assertEquals(List.of("loss", "w", "x"), List.copyOf(m.keySet()), out);
        return m;
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(f -> {
                try {
                    Files.copy(f, to.resolve(from.relativize(f).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
