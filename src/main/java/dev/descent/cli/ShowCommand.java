package dev.descent.cli;

import dev.descent.check.Checker;
import dev.descent.check.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "show", mixinStandardHelpOptions = true, description = "Print a standard optimizer or schedule as written in Descent (or list them all).")
final class ShowCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "An optimizer (adam, sgd, …) or a schedule (cosine, …).") String name;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    private static final Pattern DECL = Pattern.compile("(?m)^(optimizer|def)\\s+(\\w+)");

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        String text;
        try (InputStream in = Checker.class.getResourceAsStream(Checker.STDLIB_RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // the library is written as blocks separated by blank lines: a comment, then one declaration
        List<String> names = new ArrayList<>();
        for (String block : text.split("\\n\\s*\\n")) {
            Matcher m = DECL.matcher(block);
            if (!m.find()) continue;
            names.add(m.group(2));
            if (m.group(2).equals(name)) {
                out.println(block.strip());
                out.flush();
                return Main.OK;
            }
        }
        if (name == null) {
            out.println("Standard optimizers and schedules (descent show NAME prints one):");
            out.println("  " + String.join(" ", names));
            out.flush();
            return Main.OK;
        }
        String hint = Names.didYouMean(name, names);
        throw new Main.UsageError("show " + name + ": no standard optimizer or schedule is called '" + name + "'"
                + (hint != null ? "; " + hint : "") + " (they are: " + String.join(", ", names) + ")");
    }
}
