package dev.descent.cli;

import dev.descent.check.Script;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true, description = "Report problems in scripts without running anything.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scripts to check.") List<String> files;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a top-level let.") List<String> sets;

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        int failed = 0;
        for (String f : files) {
            Script s = Common.load(f, sets, err, false, false, limitOptions.limits());
            if (s == null) failed++;
            else out.println(dev.descent.syntax.SafeText.escape(f) + ": ok (" + summary(s) + ")");
        }
        out.flush();
        return failed == 0 ? Main.OK : Main.SCRIPT_ERROR;
    }

    private static String summary(Script s) {
        StringBuilder sb = new StringBuilder();
        sb.append(s.params.size()).append(s.params.size() == 1 ? " parameter" : " parameters");
        if (!s.params.isEmpty()) sb.append(", θ of ").append(s.dimension());
        sb.append(s.objective != null ? (s.maximize ? ", maximize" : ", minimize") : ", no objective");
        if (!s.runs.isEmpty()) sb.append(", ").append(s.runs.size()).append(s.runs.size() == 1 ? " optimize" : " optimizes");
        if (!s.data.isEmpty()) sb.append(", ").append(s.data.size()).append(" data set").append(s.data.size() == 1 ? "" : "s");
        return sb.toString();
    }
}
