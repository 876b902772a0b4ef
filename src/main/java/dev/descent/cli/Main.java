package dev.descent.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code descent} command. Runs every command on a thread with a large stack
 * (deeply nested scripts recurse deeply), maps errors to the exit codes of the
 * contract (0 ok, 1 script or data error, 2 usage, 3 diverged), and never lets a
 * Java stack trace reach the user.
 */
@Command(name = "descent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Optimization scripts: symbolic derivatives, optimizers as text, SIMD.")
public final class Main implements Runnable {
    public static final int OK = 0, SCRIPT_ERROR = 1, USAGE = 2, DIVERGED = 3;
    /** stdout is a pipe that its reader closed ({@code descent … | head -1}): a quiet end, as a Unix tool killed by SIGPIPE. */
    public static final int BROKEN_PIPE = 141;

    /**
     * The subcommands, in the order help lists them. Picocli reads a command's annotations
     * when it is added, and that is most of a short command's start-up, so a command line
     * that names one of these as its first word gets only that one (see {@link #commandLine}).
     */
    private static final String[] COMMANDS = {"run", "compare", "check", "eval", "grad", "show", "bench", "help"};

    private static Object command(String name) {
        return switch (name) {
            case "run" -> new RunCommand();
            case "compare" -> new CompareCommand();
            case "check" -> new CheckCommand();
            case "eval" -> new EvalCommand();
            case "grad" -> new GradCommand();
            case "show" -> new ShowCommand();
            case "bench" -> new BenchCommand();
            case "help" -> new CommandLine.HelpCommand();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        java.util.List<String> commands = new java.util.ArrayList<>(java.util.List.of(COMMANDS));
        commands.remove("help");
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (" + String.join(", ", commands) + ")");
    }

    public static void main(String[] args) {
        int[] code = {SCRIPT_ERROR};
        Thread t = new Thread(null, () -> code[0] = execute(args, Stdout.writer(), new PrintWriter(System.err, true)),
                "descent", 1L << 30);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(code[0]);
    }

    /**
     * A PrintWriter over {@code out} (UTF-8, flushed at each line) whose write faults end the
     * command as stdout's do, where a plain PrintWriter would swallow them: for tests, as
     * {@link #execute}'s {@code out}.
     */
    public static PrintWriter writer(java.io.OutputStream out) { return Stdout.writer(out); }

    /** Runs the command line with these streams; returns the exit code. Used by main and by tests. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        if (CheckCommand.plain(args)) {
            // check FILE…: the same as through picocli (CheckFastPathTest), without its start-up
            try {
                int code = CheckCommand.plain(args, out, err);
                out.flush();
                err.flush();
                return code;
            } catch (UsageError u) {
                err.println("descent: " + u.getMessage());
                err.flush();
                return USAGE;
            } catch (Throwable e) {
                return failure(e, err);
            }
        }
        return throughPicocli(args, out, err);
    }

    /** {@link #execute}, parsed by picocli whatever the command line (tests compare it with the fast path of {@code check}). */
    static int throughPicocli(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof UsageError u) {
                err.println("descent: " + u.getMessage());
                err.flush();
                return USAGE;
            }
            return failure(ex, err);
        });
        // what picocli runs outside a command (help, --version) would reach its own handler, which prints a stack trace
        cl.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (CommandLine.ExecutionException | CommandLine.ParameterException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CommandLine.ExecutionException(parsed.commandSpec().commandLine(), String.valueOf(e.getMessage()), e);
            }
        });
        cl.setParameterExceptionHandler((ex, argv) -> {
            err.println("descent: " + usageMessage(ex));
            CommandLine sub = ex.getCommandLine();
            err.println("  see 'descent " + (sub.getParent() == null ? "" : sub.getCommandName() + " ") + "--help'");
            err.flush();
            return USAGE;
        });
        try {
            int code = cl.execute(args);
            out.flush();
            err.flush();
            return code;
        } catch (Throwable e) {
            return failure(e, err);
        }
    }

    /**
     * What a command that threw ends with. Faults of input and output are never internal errors:
     * stdout that cannot be written (one line, exit 1; a closed pipe, quietly, exit 141), an
     * output file that cannot ({@code cannot write FILE: REASON}, exit 1), any other I/O fault
     * (its reason, exit 1).
     */
    static int failure(Throwable e, PrintWriter err) {
        if (e instanceof Stdout.Failure f) {
            if (f.brokenPipe()) return BROKEN_PIPE;
            err.println("descent: cannot write to stdout: " + f.reason());
            err.flush();
            return SCRIPT_ERROR;
        }
        if (e instanceof OutputFile.Failure f) {
            err.println("descent: " + f.getMessage());
            err.flush();
            return SCRIPT_ERROR;
        }
        java.io.IOException io = e instanceof java.io.IOException x ? x : e instanceof java.io.UncheckedIOException u ? u.getCause() : null;
        if (io != null) {
            String file = io instanceof java.nio.file.FileSystemException fs && fs.getFile() != null ? OutputFile.shown(fs.getFile()) + ": " : "";
            err.println("descent: " + file + OutputFile.reason(io));
            err.flush();
            return SCRIPT_ERROR;
        }
        return internalError(e, err);
    }

    /**
     * The command line for these arguments: with only the subcommand that the first argument
     * names, which is all that parsing and running it use; with all of them otherwise (help,
     * an unknown or missing command, top-level options), so that help and the "unknown
     * command" message list every command. Either way each command parses and behaves the same.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        String only = null;
        if (args.length > 0 && !args[0].equals("help")) {
            for (String c : COMMANDS) if (c.equals(args[0])) only = c;
        }
        for (String c : COMMANDS) {
            if (only == null || c.equals(only)) cl.addSubcommand(c, command(c));
        }
        return cl;
    }

    private static int internalError(Throwable e, PrintWriter err) {
        if (e instanceof StackOverflowError) err.println("descent: the script is nested too deeply to process");
        else if (e instanceof OutOfMemoryError) err.println("descent: out of memory (raise it with DESCENT_JAVA_OPTS=-Xmx…)");
        else {
            err.println("descent: internal error: " + e);
            err.println("  please report this, with the script that caused it");
        }
        err.flush();
        return SCRIPT_ERROR;
    }

    /** Picocli's message, in fewer words where it is obscure. */
    private static String usageMessage(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && u.getCommandLine().getParent() == null
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            String word = u.getUnmatched().get(0);
            java.util.Set<String> commands = u.getCommandLine().getSubcommands().keySet();
            String hint = dev.descent.check.Names.didYouMean(word, commands);
            return "unknown command '" + word + "'" + (hint != null ? "; " + hint : "") + " (commands: " + String.join(", ", commands) + ")";
        }
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty() && u.getUnmatched().get(0).startsWith("-")) {
            String word = u.getUnmatched().get(0);
            int eq = word.indexOf('=');
            java.util.Set<String> names = new java.util.TreeSet<>();
            for (CommandLine.Model.OptionSpec o : u.getCommandLine().getCommandSpec().options()) names.addAll(java.util.List.of(o.names()));
            String hint = word.startsWith("--") ? dev.descent.check.Names.didYouMean(eq < 0 ? word : word.substring(0, eq), names) : null;
            return "unknown option '" + word + "'" + (hint != null ? "; " + hint : "");
        }
        return ex.getMessage();
    }

    /** A bad command line discovered after parsing (an unknown --set or --at name, a bad value): exit 2. */
    public static final class UsageError extends RuntimeException {
        public UsageError(String message) { super(message, null, false, false); }
    }

    /** The project's version (pom.xml's, put in version.properties by the build), or "(development)". */
    public static String version() {
        try (var in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                var p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("$")) return v;
            }
        } catch (java.io.IOException e) {
            // as if absent
        }
        return "(development)";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            return new String[] {"descent " + version(), "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ") at " + System.getProperty("java.home")};
        }
    }
}
