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

    @Option(names = "--gradcheck", description = "Also compare the symbolic gradient with central finite differences at the start point.")
    boolean gradcheck;

    @Option(names = "--seed", paramLabel = "N", description = "The seed of a random start (for --gradcheck).") Long seed;

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        return check(files, sets, gradcheck, seed, limitOptions.limits(), out, err);
    }

    /**
     * Whether this command line is {@code check} and file names only (no option, no
     * {@code @argfile}, no {@code --}): what picocli would parse to a CheckCommand with only
     * {@code files} set. {@link Main#execute} runs it without building picocli's model, whose
     * reading of the annotations (a proxy class generated per annotation type, which the
     * start-up cache cannot keep) was a fifth of a short {@code check}'s whole process.
     */
    static boolean plain(String[] args) {
        if (args.length < 2 || !args[0].equals("check")) return false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.isEmpty() || a.startsWith("-") || a.startsWith("@")) return false;
        }
        return true;
    }

    /** {@code check FILE…} as picocli would run it, for a command line that {@link #plain} accepts. */
    static int plain(String[] args, PrintWriter out, PrintWriter err) {
        return check(List.of(args).subList(1, args.length), null, false, null, dev.descent.check.Limits.DEFAULT, out, err);
    }

    private static int check(List<String> files, List<String> sets, boolean gradcheck, Long seed, dev.descent.check.Limits limits,
                             PrintWriter out, PrintWriter err) {
        int failed = 0;
        for (String f : files) {
            Script s = Common.load(f, sets, err, false, false, limits);
            if (s == null) failed++;
            else {
                out.println(dev.descent.syntax.SafeText.escape(f) + ": ok (" + summary(s) + ")");
                if (gradcheck) gradcheck(s, out, seed);
            }
        }
        out.flush();
        return failed == 0 ? Main.OK : Main.SCRIPT_ERROR;
    }

    /**
     * The line of --gradcheck: the worst relative error of the symbolic gradient against central
     * differences at θ0, where, and both values; a note where they disagree beyond 1e-5.
     */
    private static void gradcheck(Script s, PrintWriter out, Long seed) {
        if (s.objective == null || s.dimension() == 0) {
            out.println("  gradcheck: nothing to check (" + (s.objective == null ? "no objective" : "no parameters") + ")");
            return;
        }
        dev.descent.run.GradCheck.Result r = dev.descent.run.GradCheck.at(s, Points.start(s, seed));
        String where = dev.descent.run.GradCheck.element(s, r.index());
        String over = r.checked() == r.dimension() ? "all " + r.dimension() + " element" + (r.dimension() == 1 ? "" : "s")
                : r.checked() + " of " + r.dimension() + " elements, evenly spaced";
        out.println("  gradcheck at the start: worst relative error " + String.format(java.util.Locale.ROOT, "%.2g", r.relative())
                + " at " + where + " (symbolic " + r.symbolic() + ", central difference " + r.difference() + "), over " + over);
        if (!(r.relative() <= 1e-5))
            out.println("  note: they disagree at " + where + ": a kink of abs, relu, max, clip, … at this point (the symbolic "
                    + "derivative is a subgradient there), or the objective is not smooth at this scale; try --seed or another start");
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
