package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@link Main#commandLine}: only the named subcommand is built, and it is the same command as among all of them. */
class CommandLineSetupTest {
    static final List<String> ALL = List.of("run", "compare", "check", "eval", "grad", "show", "bench", "help");

    @Test void aNamedCommandAlone() {
        for (String c : ALL) {
            if (c.equals("help")) continue;
            assertEquals(List.of(c), List.copyOf(Main.commandLine(new String[] {c, "x.dsc"}).getSubcommands().keySet()));
        }
    }

    @Test void allOfThemOtherwiseInHelpsOrder() {
        for (String[] args : new String[][] {{}, {"help"}, {"help", "run"}, {"--help"}, {"--version"}, {"chek", "x.dsc"}, {"-x"}}) {
            assertEquals(ALL, List.copyOf(Main.commandLine(args).getSubcommands().keySet()), String.join(" ", args));
        }
    }

    @Test void eachCommandAloneIsTheSameAsAmongAll() {
        CommandLine all = Main.commandLine(new String[] {"help"});
        for (String c : ALL) {
            if (c.equals("help")) continue;
            CommandLine alone = Main.commandLine(new String[] {c}).getSubcommands().get(c);
            assertEquals(all.getSubcommands().get(c).getUsageMessage(), alone.getUsageMessage(), c);
        }
    }
}
