package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The docs name only commands and options that exist: docs/cli.md's synopsis against picocli's
 * model of the command line, every {@code --option} the docs and the README mention against
 * the commands' {@code --help}, and every command line they show pastes into bash.
 */
class DocsCommandLineTest {
    /** Options of other programs that the docs mention (java's, spark-submit's). */
    private static final Set<String> FOREIGN = Set.of("--add-modules", "--module-path", "--module", "--class-path",
            "--master", "--conf", "--jars", "--class");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?![\\w-])");

    @Test void theSynopsisNamesEveryCommandAndOnlyTheirOptions() throws IOException {
        CommandLine all = Main.commandLine(new String[] {"help"});
        List<String> synopsis = DocsSnippetsTest.blocks(Path.of("docs/cli.md")).get(0).text().lines().toList();
        Set<String> seen = new LinkedHashSet<>();
        for (String line : synopsis) {
            assertTrue(line.startsWith("descent "), "a synopsis line: " + line);
            String word = line.split("\\s+")[1];
            CommandLine cmd = word.startsWith("-") ? all : all.getSubcommands().get(word);
            assertTrue(cmd != null, "docs/cli.md's synopsis has a command 'descent " + word + "' that does not exist");
            seen.add(word.startsWith("-") ? "" : word);
            Set<String> names = optionNames(cmd);
            Matcher m = OPTION.matcher(line);
            while (m.find()) assertTrue(names.contains(m.group()), "docs/cli.md's synopsis: 'descent " + word + "' has no option " + m.group() + " (it has " + names + ")");
        }
        for (String c : all.getSubcommands().keySet()) assertTrue(seen.contains(c), "docs/cli.md's synopsis leaves out 'descent " + c + "'");
    }

    @Test void everyOptionTheDocsMentionIsInSomeHelp() throws IOException {
        CommandLine all = Main.commandLine(new String[] {"help"});
        StringBuilder help = new StringBuilder(all.getUsageMessage());
        for (CommandLine sub : all.getSubcommands().values()) help.append(sub.getUsageMessage());
        Set<String> inHelp = new TreeSet<>();
        Matcher h = OPTION.matcher(help);
        while (h.find()) inHelp.add(h.group());
        List<String> missing = new ArrayList<>();
        for (Path page : pages()) {
            List<String> lines = Files.readAllLines(page);
            // a command shown failing with a usage error may misspell an option on purpose
            Set<Integer> wrongOnPurpose = new TreeSet<>();
            for (DocsSnippetsTest.Block b : DocsSnippetsTest.blocks(page)) {
                if ("exit 2".equals(b.marker())) for (int k = 0; k < b.text().lines().count(); k++) wrongOnPurpose.add(b.line() + k);
            }
            for (int i = 0; i < lines.size(); i++) {
                if (wrongOnPurpose.contains(i)) continue;
                Matcher m = OPTION.matcher(lines.get(i));
                while (m.find()) {
                    String o = m.group();
                    if (!inHelp.contains(o) && !FOREIGN.contains(o)) missing.add(page + ":" + (i + 1) + ": " + o);
                }
            }
        }
        assertEquals(List.of(), missing, "options in the docs that no command's --help has (the help has " + inHelp + ")");
    }

    @Test void everyCommandLineShownPastesIntoBash() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")), "needs bash");
        String bash = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/usr/bin/bash";
        int checked = 0;
        List<String> bad = new ArrayList<>();
        for (Path page : pages()) {
            for (DocsSnippetsTest.Block b : DocsSnippetsTest.blocks(page)) {
                if (!b.lang().isEmpty()) continue;
                for (String line : b.text().lines().toList()) {
                    String cmd = line.startsWith("$ ") ? line.substring(2) : line;
                    if (!(line.startsWith("$ ") || cmd.startsWith("bin/descent ") || cmd.startsWith("./mvnw ")
                            || cmd.startsWith("JAVA_HOME=") || cmd.startsWith("DESCENT_"))) continue;
                    checked++;
                    Process p = new ProcessBuilder(bash, "-n", "-c", cmd).redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
                    if (p.exitValue() != 0) bad.add(b.where() + ": " + cmd + "\n  " + out.strip());
                }
            }
        }
        assertTrue(checked >= 20, "only " + checked + " command lines found");
        assertEquals(List.of(), bad, "command lines that bash cannot parse (quote what has parentheses)");
    }

    private static Set<String> optionNames(CommandLine cmd) {
        Set<String> names = new TreeSet<>();
        for (CommandLine.Model.OptionSpec o : cmd.getCommandSpec().options()) names.addAll(List.of(o.names()));
        return names;
    }

    /** docs/*.md and the README. */
    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(DocsSnippetsTest.pages());
        pages.add(Path.of("README.md"));
        return pages;
    }
}
