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
 * PATH holding only the tools the scripts use: hermetic, and no JVM is started. The PATH
 * has no {@code flock} (as on stock macOS): the launcher must not need it.
 */
class LauncherTest {
    @TempDir Path tmp;
    Path repo, jvm, tools, log;

    private static final String[] TOOLS = {"bash", "sed", "grep", "head", "readlink", "mkdir", "mv", "rm", "touch", "dirname", "cat", "find", "sleep", "rmdir"};

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
        assertEquals("descent: building (first run)…\ndescent: making the start-up cache for check (once per build)…\n", r.err);
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

    /**
     * With the Maven Wrapper in the repository (./mvnw and .mvn/wrapper/maven-wrapper.properties)
     * the launcher builds with it, and needs no mvn on the PATH; without either it says what to do.
     */
    @Test void buildsWithTheMavenWrapperWhenThereIsNoMvn() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Files.move(tools.resolve("mvn"), repo.resolve("mvnw"));
        Run none = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(1, none.code, none.toString());
        assertTrue(none.err.contains("needs Maven to build itself, and this checkout has no ./mvnw"), none.err);
        assertEquals(0, count(callLines(), "mvn "));

        Files.createDirectories(repo.resolve(".mvn/wrapper"));
        Files.writeString(repo.resolve(".mvn/wrapper/maven-wrapper.properties"), "distributionUrl=https://example.invalid/maven.zip\n");
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, r.code, r.toString());
        assertEquals("descent: building (first run)…\ndescent: making the start-up cache for check (once per build)…\n", r.err);
        assertEquals(1, count(callLines(), "mvn "), callLines().toString());
        assertTrue(r.out.contains(" -jar " + repo + "/bin/../target/descent.jar check x.dsc"), r.out);
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
        assertEquals("descent: rebuilding (sources changed)…\ndescent: making the start-up cache for check (once per build)…\n", r.err, r.toString());
        assertEquals(1, count(callLines(), "mvn "));
        assertTrue(r.out.contains("-XX:AOTCache="), r.out);

        clearLog();
        Path doc = repo.resolve("docs/notes.md");
        Files.createDirectories(doc.getParent());
        Files.writeString(doc, "x");
        age(repo.resolve("target/descent.jar"), 1800);
        age(repo.resolve("grammar"), 60);   // a folder counts too (a file deleted or added in it)
        Run again = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("descent: rebuilding (sources changed)…\ndescent: making the start-up cache for check (once per build)…\n", again.err);
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
        assertEquals("descent: making the start-up cache for check (once per build)…\n", r.err, r.toString());
        assertEquals(0, count(callLines(), "mvn "));
        assertEquals(1, count(callLines(), "train "));
        assertTrue(r.out.contains("-XX:AOTCache="), r.out);
    }

    @Test void anotherJdkHasACacheOfItsOwn() throws Exception {
        Path a = jdk("a", "25.0.1"), b = jdk("b", "26");
        sources();
        String aotA = aotOf(descent(a, Map.of(), "check", "x.dsc").out);
        Run r = descent(b, Map.of(), "check", "x.dsc");
        assertEquals("descent: making the start-up cache for check (once per build)…\n", r.err, r.toString());
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
        assertEquals("descent: making the start-up cache for check (once per build)…\n", failed.err);
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
        assertTrue(aotOf(check.out).contains("/descent-check-"), check.out);
        assertTrue(aotOf(run.out).contains("/descent-full-"), run.out);
        Run grad = descent(a, Map.of(), "grad", "x.dsc");
        assertEquals("descent: making the start-up cache for grad, show and help (once per build)…\n", grad.err, grad.toString());
        assertTrue(aotOf(grad.out).contains("/descent-light-"), grad.out);
        for (String c : new String[] {"grad", "show", "help", "--help", "--version"})
            assertFalse(descent(a, Map.of(), c).out.contains("--add-modules"), c);
        for (String c : new String[] {"eval", "compare", "bench", "nosuch"})
            assertTrue(descent(a, Map.of(), c).out.contains("--add-modules"), c);
        List<String> trained = callLines().stream().filter(l -> l.startsWith("train ")).toList();
        assertEquals(3, trained.size(), trained.toString());
        assertTrue(trained.get(0).contains("dev.descent.cli.AotTraining check ") && !trained.get(0).contains("--add-modules"), trained.get(0));
        assertTrue(trained.get(1).contains("--add-modules jdk.incubator.vector") && trained.get(1).contains("dev.descent.cli.AotTraining full "), trained.get(1));
        assertTrue(trained.get(2).contains("dev.descent.cli.AotTraining light ") && !trained.get(2).contains("--add-modules"), trained.get(2));
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

    // ------------------------------------------------------------------ descent, several at once

    /**
     * Issue 12: three launchers started at once right after a source changed, with no flock on
     * the PATH. One builds, the others wait for it and then find the jar up to date; all three
     * run a whole jar (the fake java fails on a missing or half-written one), Maven runs once,
     * the old jar stays in place while it does, and no lock or half-built jar is left behind.
     */
    @Test void threeLaunchersAtOnceBuildOnceAndAllRun() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        assertEquals(0, descent(a, Map.of(), "check", "x.dsc").code);
        Files.writeString(repo.resolve("src/main/java/dev/A.java"), "class A { int x; }");   // saved now
        Files.writeString(tmp.resolve("mvn-sleep"), "1");
        clearLog();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 3; i++) ps.add(startDescent("-" + i, a, Map.of(), "check", "x.dsc"));
        for (int i = 0; i < 3; i++) {
            Run r = finish(ps.get(i), "-" + i);
            assertEquals(0, r.code, "launcher " + i + ": " + r);
            assertTrue(r.out.contains(" -jar " + repo + "/bin/../target/descent.jar check x.dsc"), r.toString());
            assertFalse(r.err.contains("failed"), r.toString());
        }
        List<String> calls = callLines();
        assertEquals(1, count(calls, "mvn "), calls.toString());
        assertEquals(1, count(calls, "the old jar was there during the build"), "the old jar is in place during the build: " + calls);
        assertEquals(1, count(calls, "train "), calls.toString());
        assertEquals(3, count(calls, "run "), calls.toString());
        assertEquals("jar\n", Files.readString(repo.resolve("target/descent.jar")));
        assertNothingLeft();

        clearLog();
        Run after = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("", after.err, after.toString());
        assertEquals(0, count(callLines(), "mvn "), "up to date");
    }

    /** Issue 12: an edit saved while Maven builds is not taken as built: the next run builds it. */
    @Test void anEditSavedDuringTheBuildIsBuiltByTheNextRun() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Files.writeString(tmp.resolve("mvn-edit"), "");
        Run first = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, first.code, first.toString());
        assertEquals("descent: building (first run)…\n"
                + "descent: src/main/java/dev/A.java changed during the build; this run may not have it, the next one rebuilds\n"
                + "descent: making the start-up cache for check (once per build)…\n", first.err);
        clearLog();
        Run second = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("descent: rebuilding (sources changed)…\n"
                + "descent: making the start-up cache for check (once per build)…\n", second.err, second.toString());
        assertEquals(1, count(callLines(), "mvn "));
        clearLog();
        Run third = descent(a, Map.of(), "check", "x.dsc");
        assertEquals("", third.err, third.toString());
        assertEquals(0, count(callLines(), "mvn "));
        assertNothingLeft();
    }

    /** A launcher killed during a build left its lock: the next one sees its pid is gone, removes it, and builds. */
    @Test void aLockLeftByALauncherThatIsGoneIsRemoved() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        long dead = deadPid();
        Path lock = Files.createDirectories(repo.resolve("target/launcher/build.lock"));
        Files.writeString(lock.resolve("pid-" + dead), "");
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, r.code, r.toString());
        assertEquals("descent: removed the build lock of a launcher that is gone (pid " + dead + ")\n"
                + "descent: building (first run)…\n"
                + "descent: making the start-up cache for check (once per build)…\n", r.err);
        assertEquals(1, count(callLines(), "mvn "));
        assertNothingLeft();
    }

    /** A lock made but never named (its maker died between the two) is removed after a short wait. */
    @Test void aLockThatNamesNoOwnerIsRemovedAfterAWhile() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Files.createDirectories(repo.resolve("target/launcher/build.lock"));
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(0, r.code, r.toString());
        assertEquals(1, count(callLines(), "mvn "));
        assertNothingLeft();
    }

    /** A lock held by a live process is waited for, a bounded time, then the launcher says what to do. */
    @Test void aLockHeldByALiveProcessIsWaitedForThenGivenUpOn() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        long live = ProcessHandle.current().pid();
        Path lock = Files.createDirectories(repo.resolve("target/launcher/build.lock"));
        Files.writeString(lock.resolve("pid-" + live), "");
        Run r = descent(a, Map.of("DESCENT_LOCK_WAIT", "1"), "check", "x.dsc");
        assertEquals(1, r.code, r.toString());
        assertTrue(r.err.startsWith("descent: waiting for another descent (pid " + live + ") to finish building…\n"), r.err);
        assertTrue(r.err.contains("descent: gave up after 1 s waiting for the build lock, held by pid " + live + ".\n"), r.err);
        assertTrue(r.err.contains("if no descent is building, remove it: rm -rf '"), r.err);
        assertEquals(0, count(callLines(), "mvn "));
        assertEquals(0, count(callLines(), "run "));
        assertTrue(Files.exists(lock.resolve("pid-" + live)), "another's lock is not removed");
    }

    /** The lock's owner ends while a launcher waits for it: the waiter takes the lock and builds. */
    @Test void aWaiterGoesOnWhenTheOwnerEnds() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Process owner = new ProcessBuilder(which("sleep").toString(), "1").start();
        Path lock = Files.createDirectories(repo.resolve("target/launcher/build.lock"));
        Files.writeString(lock.resolve("pid-" + owner.pid()), "");
        Run r = descent(a, Map.of(), "check", "x.dsc");
        owner.waitFor();
        assertEquals(0, r.code, r.toString());
        assertEquals(1, count(callLines(), "mvn "));
        assertNothingLeft();
    }

    /** A failed build leaves the old jar as it was, no lock, and no half-built jar; the next run tries again. */
    @Test void aFailedBuildLeavesTheOldJarAndNoLock() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        descent(a, Map.of(), "check", "x.dsc");
        Files.writeString(repo.resolve("src/main/java/dev/A.java"), "class A { oops }");
        Files.writeString(tmp.resolve("mvn-fail"), "");
        clearLog();
        Run r = descent(a, Map.of(), "check", "x.dsc");
        assertEquals(1, r.code, r.toString());
        assertTrue(r.err.contains("[ERROR] A.java: cannot find symbol\ndescent: build failed"), r.err);
        assertEquals("jar\n", Files.readString(repo.resolve("target/descent.jar")));
        assertNothingLeft();
        Files.delete(tmp.resolve("mvn-fail"));
        clearLog();
        assertEquals(0, descent(a, Map.of(), "check", "x.dsc").code);
        assertEquals(1, count(callLines(), "mvn "), "still stale: built again");
    }

    /** A launcher stopped (SIGTERM) during its build gives the lock back and leaves no half-built jar. */
    @Test void aLauncherStoppedDuringItsBuildGivesTheLockBack() throws Exception {
        Path a = jdk("a", "25.0.1");
        sources();
        Files.writeString(tmp.resolve("mvn-sleep"), "1");
        Process p = startDescent("", a, Map.of(), "check", "x.dsc");
        for (int i = 0; i < 600 && count(callLines(), "mvn ") == 0; i++) Thread.sleep(50);
        assertEquals(1, count(callLines(), "mvn "), "the build started");
        p.destroy();   // SIGTERM to the launcher alone: it waits for mvn to end, then gives back the lock
        Run r = finish(p, "");
        assertEquals(128 + 15, r.code, r.toString());
        assertEquals(0, count(callLines(), "run "));
        assertNothingLeft();
        assertFalse(Files.exists(repo.resolve("target/descent.jar")), "the build that was cut short is not put in place");
    }

    /** No lock, no stamp and no half-built jar in target/. */
    private void assertNothingLeft() throws IOException {
        assertFalse(Files.exists(repo.resolve("target/launcher/build.lock")), "the lock is given back");
        try (var s = Files.list(repo.resolve("target"))) {
            List<String> left = s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("descent-building-")).toList();
            assertEquals(List.of(), left);
        }
        try (var s = Files.list(repo.resolve("target/launcher"))) {
            List<String> left = s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("build-stamp") || n.startsWith("training.")).toList();
            assertEquals(List.of(), left);
        }
    }

    /** The pid of a process that has ended. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder(which("bash").toString(), "-c", ":").start();
        p.waitFor();
        return p.pid();
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
                + "prev=''\n"
                + "for a in \"$@\"; do\n"
                + "  if [[ $prev == -jar && $(<\"$a\") != jar ]]; then echo \"java: the jar $a is missing or not whole\" >&2; exit 9; fi\n"
                + "  prev=$a\n"
                + "done\n"
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

    /**
     * A source tree, and a fake mvn that "builds" target/NAME.jar (NAME: -Ddescent.jarName, as
     * the pom has it; "descent" by default) and logs "mvn ARGS", and "the old jar was there during the build" when
     * target/descent.jar is there as it starts. What it also does, the test asks with files in
     * tmp: mvn-sleep (it takes that many seconds, writing the jar in two halves around the
     * sleep), mvn-edit (it saves a change to A.java, once), mvn-fail (it fails).
     */
    private void sources() throws IOException {
        Files.createDirectories(repo.resolve("src/main/java/dev"));
        Files.writeString(repo.resolve("src/main/java/dev/A.java"), "class A {}");
        Files.createDirectories(repo.resolve("grammar"));
        Files.writeString(repo.resolve("grammar/D.g4"), "grammar D;");
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        String mvn = "#!" + which("bash") + "\n"
                + "echo \"mvn $*\" >>'" + log + "'\n"
                + "if [[ -f target/descent.jar ]]; then echo 'the old jar was there during the build' >>'" + log + "'; fi\n"
                + "name=descent\n"
                + "for a in \"$@\"; do case $a in -Ddescent.jarName=*) name=${a#*=} ;; esac; done\n"
                + "if [[ -f '" + tmp.resolve("mvn-fail") + "' ]]; then echo '[ERROR] A.java: cannot find symbol'; exit 1; fi\n"
                + "mkdir -p target\n"
                + "printf ja >\"target/$name.jar\"\n"
                + "if [[ -f '" + tmp.resolve("mvn-edit") + "' ]]; then rm -f '" + tmp.resolve("mvn-edit") + "'; echo '// saved during the build' >>src/main/java/dev/A.java; fi\n"
                + "if [[ -f '" + tmp.resolve("mvn-sleep") + "' ]]; then sleep \"$(<'" + tmp.resolve("mvn-sleep") + "')\"; fi\n"
                + "printf 'r\\n' >>\"target/$name.jar\"\n";
        Files.writeString(tools.resolve("mvn"), mvn);
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
        return finish(startDescent("", javaHome, env, args), "");
    }

    private Run bash(Map<String, String> env, String... cmd) throws Exception {
        return finish(start("", env, cmd), "");
    }

    /** Starts the command, its stdout and stderr going to files named after {@code name}. */
    private Process start(String name, Map<String, String> env, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", tools.toString());
        e.put("HOME", tmp.resolve("home").toString());
        e.putAll(env);
        pb.redirectOutput(tmp.resolve("out" + name).toFile()).redirectError(tmp.resolve("err" + name).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return pb.start();
    }

    private Run finish(Process p, String name) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out");
        // bin/descent's stderr filter (a process substitution) may write a moment after the exit
        Thread.sleep(50);
        return new Run(p.exitValue(), Files.readString(tmp.resolve("out" + name), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("err" + name), StandardCharsets.UTF_8));
    }

    private Process startDescent(String name, Path javaHome, Map<String, String> env, String... args) throws IOException {
        Map<String, String> e = new HashMap<>(env);
        e.put("JAVA_HOME", javaHome.toString());
        e.putIfAbsent("DESCENT_JDK_SEARCH", "");
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("bin/descent").toString()));
        cmd.addAll(List.of(args));
        return start(name, e, cmd.toArray(String[]::new));
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
