package dev.descent.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/find-jdk's kept answer and bin/descent's rebuild and start-up cache, run for real
 * (bash) on a copy of the two scripts in a scratch repository, with fake JDKs (shell
 * scripts that answer {@code -version} and log every call) and a fake {@code mvn}, and a
 * PATH holding only the tools the scripts use: hermetic, and no JVM is started.
 */
class LauncherTest {
    @TempDir Path tmp;
    Path repo, jvm, tools, log;

    private static final String[] TOOLS = {"bash", "sed", "grep", "head", "readlink", "mkdir", "mv", "rm", "touch", "dirname", "cat", "flock", "find"};

    @BeforeEach void setUp() throws IOException {
        assumeTrue(which("bash") != null, "needs bash");
        repo = Files.createDirectories(tmp.resolve("repo"));
        jvm = Files.createDirectories(tmp.resolve("jvm"));
        tools = Files.createDirectories(tmp.resolve("tools"));
        log = tmp.resolve("calls.log");
        Files.writeString(log, "");
        Files.createDirectories(repo.resolve("bin"));
        for (String s : new String[] {"find-jdk", "descent"}) {
            Path to = repo.resolve("bin").resolve(s);
            Files.copy(Path.of("bin", s), to, StandardCopyOption.REPLACE_EXISTING);
            executable(to);
        }
        for (String t : TOOLS) {
            Path p = which(t);
            if (p != null) Files.createSymbolicLink(tools.resolve(t), p);
        }
    }

    // ------------------------------------------------------------------ find-jdk

    @Test void keptAnswerStartsNoJvm() throws Exception {
        Path a = jdk("a", "25.0.1");
        Run first = findJdk(Map.of("JAVA_HOME", a.toString()));
        assertEquals(a + "\n", first.out, first.toString());
        assertEquals(1, calls(), "the first call asks the JDK its version");
        assertTrue(Files.isRegularFile(repo.resolve("target/launcher").resolve("jdk-" + a.toString().replaceAll("[^A-Za-z0-9._-]", "_"))));
        clearLog();
        Run again = findJdk(Map.of("JAVA_HOME", a.toString()));
        assertEquals(first.out, again.out);
        assertEquals("", again.err);
        assertEquals(0, calls(), "a kept answer starts no java");
    }

    @Test void anotherJavaHomeSearchesAgainAndKeepsBoth() throws Exception {
        Path a = jdk("a", "25.0.1"), b = jdk("b", "26");
        assertEquals(a + "\n", findJdk(Map.of("JAVA_HOME", a.toString())).out);
        assertEquals(b + "\n", findJdk(Map.of("JAVA_HOME", b.toString())).out);
        clearLog();
        assertEquals(a + "\n", findJdk(Map.of("JAVA_HOME", a.toString())).out);
        assertEquals(b + "\n", findJdk(Map.of("JAVA_HOME", b.toString())).out);
        assertEquals(0, calls(), "one kept answer per JAVA_HOME");
    }

    @Test void theIgnoringNoteIsRepeatedFromTheKeptAnswer() throws Exception {
        Path old = jdk("old", "17.0.2"), a = jdk("a", "25.0.1");
        Map<String, String> env = Map.of("JAVA_HOME", old.toString(), "DESCENT_JDK_SEARCH", jvm + "/*");
        Run first = findJdk(env);
        assertEquals(a + "\n", first.out, first.toString());
        assertEquals("descent: ignoring JAVA_HOME=" + old + ": it is Java 17.0.2, and 25 or newer is needed\n", first.err);
        clearLog();
        Run again = findJdk(env);
        assertEquals(first.out, again.out);
        assertEquals(first.err, again.err);
        assertEquals(0, calls());
    }

    @Test void aJdkReplacedInPlaceIsSeenEvenWithAnOldMtime() throws Exception {
        Path a = jdk("a", "25.0.1");
        Map<String, String> env = Map.of("JAVA_HOME", a.toString(), "DESCENT_JDK_SEARCH", "");
        assertEquals(a + "\n", findJdk(env).out);
        // as a package manager would: same folder, another version, files dated in the past
        jdk("a", "17.0.9");
        for (String f : new String[] {"bin/java", "bin/javac", "release"})
            Files.setLastModifiedTime(a.resolve(f), FileTime.fromMillis(86_400_000L));
        Run r = findJdk(env);
        assertEquals(1, r.code, r.toString());
        assertTrue(r.err.contains("ignoring JAVA_HOME=" + a + ": it is Java 17.0.9"), r.err);
        assertTrue(r.err.contains("needs a JDK 25 or newer"), r.err);
    }

    @Test void aNewJdkInTheSearchFoldersIsFound() throws Exception {
        Path a = jdk("a", "25.0.1");
        Map<String, String> env = Map.of("DESCENT_JDK_SEARCH", jvm + "/*");
        assertEquals(a + "\n", findJdk(env).out);
        clearLog();
        assertEquals(a + "\n", findJdk(env).out);
        assertEquals(0, calls());
        Path b = jdk("b", "26.0.1");
        assertEquals(b + "\n", findJdk(env).out, "the newest wins, once it is there");
    }

    @Test void javaOnPathRetargetedIsSeen() throws Exception {
        Path a = jdk("a", "25.0.1"), b = jdk("b", "26");
        Map<String, String> env = Map.of("DESCENT_JDK_SEARCH", "");
        Path link = tools.resolve("java");
        Files.createSymbolicLink(link, a.resolve("bin/java"));
        assertEquals(a + "\n", findJdk(env).out);
        clearLog();
        assertEquals(a + "\n", findJdk(env).out);
        assertEquals(0, calls());
        Files.delete(link);
        Files.createSymbolicLink(link, b.resolve("bin/java"));   // as update-alternatives does
        assertEquals(b + "\n", findJdk(env).out);
    }

    @Test void aJreWithoutJavacIsNotKeptAsAJdk() throws Exception {
        Path a = jdk("a", "25.0.1");
        Map<String, String> env = Map.of("JAVA_HOME", a.toString(), "DESCENT_JDK_SEARCH", "");
        assertEquals(a + "\n", findJdk(env).out);
        Files.delete(a.resolve("bin/javac"));
        Run r = findJdk(env);
        assertEquals(1, r.code, r.toString());
        assertTrue(r.err.contains("it has no bin/javac"), r.err);
    }

    @Test void failuresAreNotKept() throws Exception {
        Run r = findJdk(Map.of("DESCENT_JDK_SEARCH", jvm + "/*"));
        assertEquals(1, r.code);
        assertTrue(r.err.contains("needs a JDK 25 or newer"), r.err);
        assertFalse(Files.exists(repo.resolve("target/launcher/jdk")));
        Path a = jdk("a", "25.0.1");
        assertEquals(a + "\n", findJdk(Map.of("DESCENT_JDK_SEARCH", jvm + "/*")).out);
    }

    // ------------------------------------------------------------------ descent

    @Test void firstRunBuildsAndMakesTheCacheThenRunsWithIt() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, r.code, r.toString());
        assertEquals("descent: building (first run)…\ndescent: making the start-up cache for check, grad and show (once per build)…\n", r.err);
        List<String> calls = callLines();
        assertEquals(1, count(calls, "mvn "), calls.toString());
        assertEquals(1, count(calls, "train "), calls.toString());
        String aot = aotOf(r.out);
        assertTrue(aot.endsWith(".aot") && Files.isRegularFile(Path.of(aot)), r.out);
        assertTrue(r.out.contains(" -jar " + repo + "/bin/../target/descent.jar check x.dsc"), r.out);

        clearLog();
        Run again = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("", again.err);
        assertEquals(List.of("run"), callLines().stream().map(l -> l.split(" ")[0]).toList(), "no build, no training: only java");
        assertEquals(aot, aotOf(again.out));
    }

    @Test void aChangedSourceRebuildsAndRemakesTheCache() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        descent(a, Map.of(), "check", "x.dsc");
        clearLog();
        // a file deep under src/main, newer than the jar
        Path deep = repo.resolve("src/main/java/dev/descent/x/Deep.java");
        Files.createDirectories(deep.getParent());
        Files.writeString(deep, "class Deep {}");
        age(repo.resolve("target/descent.jar"), 1800);
        age(deep, 60);
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("descent: rebuilding (sources changed)…\ndescent: making the start-up cache for check, grad and show (once per build)…\n", r.err, r.toString());
        assertEquals(1, count(callLines(), "mvn "));
        assertTrue(r.out.contains("-XX:AOTCache="), r.out);

        clearLog();
        Path doc = repo.resolve("docs/notes.md");
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, "x");
        age(repo.resolve("target/descent.jar"), 1800);
        age(repo.resolve("grammar"), 60);   // a folder counts too (a file deleted or added in it)
        Run again = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("descent: rebuilding (sources changed)…\ndescent: making the start-up cache for check, grad and show (once per build)…\n", again.err);
        clearLog();
        age(repo.resolve("target/descent.jar"), 1800);
        ageSources(3600);
        age(doc, 60);
        Run third = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("", third.err, "docs/ is not a source");
        assertEquals(0, count(callLines(), "mvn "));
    }

    @Test void aJarBuiltByMavenGetsItsCacheOnTheNextRun() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        descent(a, Map.of(), "check", "x.dsc");
        age(aotFile(), 600);   // then `mvn package`, by hand: the jar is newer than the cache
        clearLog();
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("descent: making the start-up cache for check, grad and show (once per build)…\n", r.err, r.toString());
        assertEquals(0, count(callLines(), "mvn "));
        assertEquals(1, count(callLines(), "train "));
        assertTrue(r.out.contains("-XX:AOTCache="), r.out);
    }

    @Test void anotherJdkHasACacheOfItsOwn() throws Exception {
        Path a = jdk("a", "25.0.1"), b = jdk("b", "26");
        sources();
        String aotA = aotOf(descent(a, Map.of(), "check", "x.dsc").out);
        Run r = descent(b, Map.of(), "check", "x.dsc");
        assertEquals("descent: making the start-up cache for check, grad and show (once per build)…\n", r.err, r.toString());
        String aotB = aotOf(r.out);
        assertFalse(aotA.equals(aotB));
        assertTrue(r.out.startsWith("run " + b + "/bin/java") || r.out.contains(b + "/bin/java"), r.out);
        clearLog();
        assertEquals(aotA, aotOf(descent(a, Map.of(), "check", "x.dsc").out));
        assertEquals(0, count(callLines(), "train "));
    }

    @Test void withoutTheCacheWhenAskedOrWhenItCannotBeMade() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Run off = descent(a, Map.of("DESCENT_AOT", "0"), "check", "x.dsc");
        assertEquals("descent: building (first run)…\n", off.err, off.toString());
        assertFalse(off.out.contains("AOTCache"), off.out);
        assertEquals(0, count(callLines(), "train "));

        Files.writeString(tmp.resolve("fail-training"), "");
        clearLog();
        Run failed = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, failed.code, failed.toString());
        assertEquals("descent: making the start-up cache for check, grad and show (once per build)…\n", failed.err);
        assertFalse(failed.out.contains("AOTCache"), failed.out);
        clearLog();
        Run next = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("", next.err, "a cache that could not be made is not tried again for the same jar");
        assertEquals(0, count(callLines(), "train "));
        assertFalse(next.out.contains("AOTCache"), next.out);
    }

    @Test void commandsThatRunAnEngineGetTheVectorModuleAndACacheOfTheirOwn() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Run check = descent(a, Map.of(), "check", "x.dsc");
        assertFalse(check.out.contains("--add-modules"), check.out);
        Run run = descent(a, Map.of(), "run", "x.dsc");
        assertEquals("descent: making the start-up cache for run, eval, compare and bench (once per build)…\n", run.err, run.toString());
        assertTrue(run.out.contains(" --add-modules jdk.incubator.vector "), run.out);
        assertTrue(aotOf(check.out).contains("/descent-light-"), check.out);
        assertTrue(aotOf(run.out).contains("/descent-full-"), run.out);
        for (String c : new String[] {"grad", "show", "help", "--help", "--version"})
            assertFalse(descent(a, Map.of(), c).out.contains("--add-modules"), c);
        for (String c : new String[] {"eval", "compare", "bench", "nosuch"})
            assertTrue(descent(a, Map.of(), c).out.contains("--add-modules"), c);
        List<String> trained = callLines().stream().filter(l -> l.startsWith("train ")).toList();
        assertEquals(2, trained.size(), trained.toString());
        assertTrue(trained.get(0).contains("dev.descent.cli.AotTraining light ") && !trained.get(0).contains("--add-modules"), trained.get(0));
        assertTrue(trained.get(1).contains("--add-modules jdk.incubator.vector") && trained.get(1).contains("dev.descent.cli.AotTraining full "), trained.get(1));
    }

    @Test void aStaleCacheIsNeverPassedToJava() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        descent(a, Map.of(), "check", "x.dsc");
        age(aotFile(), 600);
        Files.writeString(tmp.resolve("fail-training"), "");
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, r.code, r.toString());
        assertFalse(r.out.contains("AOTCache"), "the old cache is older than the jar: " + r.out);
    }

    // ------------------------------------------------------------------ helpers

    private record Run(int code, String out, String err) {
        @Override public String toString() { return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err; }
    }

    /** A fake JDK: bin/java logs its calls, answers -version and -XshowSettings, and otherwise prints its arguments. */
    private Path jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(jvm.resolve(name).resolve("bin")).getParent();
        String java = "#!" + which("bash") + "\n"
                + "home='" + home + "'\n"
                + "case \" $* \" in\n"
                + "  *' -version '*)\n"
                + "    echo \"java $*\" >>'" + log + "'\n"
                + "    case \" $* \" in *' -XshowSettings:properties '*) echo \"    java.home = $home\" >&2 ;; esac\n"
                + "    echo 'openjdk version \"" + version + "\" 2025-09-16' >&2; exit 0 ;;\n"
                + "  *' -XX:AOTCacheOutput='*)\n"
                + "    echo \"train $*\" >>'" + log + "'\n"
                + "    [[ -e '" + tmp.resolve("fail-training") + "' ]] && exit 1\n"
                + "    for a in \"$@\"; do case $a in -XX:AOTCacheOutput=*) echo cache >\"${a#*=}\" ;; esac; done\n"
                + "    exit 0 ;;\n"
                + "esac\n"
                + "echo \"run $*\" >>'" + log + "'\n"
                + "echo \"run $0 $*\"\n";
        Files.writeString(home.resolve("bin/java"), java);
        executable(home.resolve("bin/java"));
        Files.writeString(home.resolve("bin/javac"), "#!" + which("bash") + "\nexit 0\n");
        executable(home.resolve("bin/javac"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\"" + version + "+7\"\nJAVA_VERSION=\"" + version + "\"\n");
        Files.createDirectories(home.resolve("lib"));
        Files.writeString(home.resolve("lib/modules"), "");
        Files.setLastModifiedTime(home.resolve("lib/modules"), FileTime.fromMillis(86_400_000L));
        return home;
    }

    /** A source tree, and a fake mvn that "builds" target/descent.jar. */
    private void sources() throws IOException {
        Files.createDirectories(repo.resolve("src/main/java/dev"));
        Files.writeString(repo.resolve("src/main/java/dev/A.java"), "class A {}");
        Files.createDirectories(repo.resolve("grammar"));
        Files.writeString(repo.resolve("grammar/D.g4"), "grammar D;");
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        Files.writeString(tools.resolve("mvn"), "#!" + which("bash") + "\necho \"mvn $*\" >>'" + log + "'\nmkdir -p target && echo jar >target/descent.jar\n");
        executable(tools.resolve("mvn"));
        ageSources(3600);
    }

    /** Dates every file and folder of the sources (src/main, grammar/, pom.xml) this many seconds ago. */
    private void ageSources(int seconds) throws IOException {
        for (String top : new String[] {"src/main", "grammar", "pom.xml"}) {
            try (var s = Files.walk(repo.resolve(top))) {
                for (Path p : s.toList()) age(p, seconds);
            }
        }
    }

    private Run findJdk(Map<String, String> env) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("DESCENT_JDK_SEARCH", "");
        return bash(e, repo.resolve("bin/find-jdk").toString());
    }

    private Run descent(Path javaHome, Map<String, String> env, String... args) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("JAVA_HOME", javaHome.toString());
        e.putIfAbsent("DESCENT_JDK_SEARCH", "");
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/descent").toString()));
        cmd.addAll(List.of(args));
        return bash(e, cmd.toArray(String[]::new));
    }

    private Run bash(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", tools.toString());
        e.put("HOME", tmp.resolve("home").toString());
        e.putAll(env);
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
        // bin/descent's stderr filter (a process substitution) may write a moment after the exit
        Thread.sleep(50);
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String aotOf(String out) {
        int i = out.indexOf("-XX:AOTCache=");
        if (i < 0) return "";
        int end = out.indexOf(' ', i);
        return out.substring(i + "-XX:AOTCache=".length(), end < 0 ? out.length() : end);
    }

    private List<String> callLines() throws IOException { return Files.readAllLines(log); }

    private int calls() throws IOException { return callLines().size(); }

    private void clearLog() throws IOException { Files.writeString(log, ""); }

    private static int count(List<String> lines, String prefix) {
        return (int) lines.stream().filter(l -> l.startsWith(prefix)).count();
    }

    /** Dates a file this many seconds ago. */
    private static void age(Path p, int seconds) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - seconds * 1000L));
    }

    private Path aotFile() throws IOException {
        try (var s = Files.list(repo.resolve("target/launcher"))) {
            return s.filter(f -> f.toString().endsWith(".aot")).findFirst().orElseThrow();
        }
    }

    private static void executable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Path which(String tool) {
        for (String d : new String[] {"/usr/bin", "/bin", "/usr/local/bin", "/opt/homebrew/bin"}) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
