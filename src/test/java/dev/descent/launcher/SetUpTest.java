package dev.descent.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's set-up is two commands on a machine with only a JDK 25: the Maven Wrapper is
 * committed and pins a Maven version, and {@code .ci/run} runs exactly the README's test command.
 * (LauncherTest runs bin/descent with a wrapper and no mvn; the wrapper itself was run by hand
 * with a PATH without mvn, as the commit that added it says.)
 */
class SetUpTest {
    @Test void theWrapperIsThereAndPinsMaven() throws Exception {
        assertTrue(Files.isExecutable(Path.of("mvnw")), "./mvnw is executable");
        String props = Files.readString(Path.of(".mvn/wrapper/maven-wrapper.properties"));
        assertTrue(props.matches("(?s).*distributionUrl=https://repo\\.maven\\.apache\\.org/maven2/org/apache/maven/apache-maven/(3\\.9\\.\\d+)/apache-maven-\\1-bin\\.zip.*"), props);
        assertTrue(Files.readString(Path.of("bin/descent")).contains("$ROOT/mvnw"), "bin/descent builds with ./mvnw");
    }

    @Test void ciRunsTheReadmesTestCommand() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("Run the tests[^\\n]*:\\n\\n```\\n([^\\n]+)\\n```").matcher(readme);
        assertTrue(m.find(), "README.md has a 'Run the tests' block");
        String command = m.group(1);
        assertTrue(command.contains("./mvnw "), command);
        List<String> run = Files.readAllLines(Path.of(".ci/run")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("echo") && !l.startsWith("set ")
                        && !l.startsWith("cd ") && !l.startsWith("jdk=")).toList();
        assertEquals(List.of(command), run, ".ci/run runs the README's test command and nothing else");
    }
}
