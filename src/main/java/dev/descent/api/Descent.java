package dev.descent.api;

import dev.descent.check.Checker;
import dev.descent.check.UnknownSetting;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.nio.file.Path;

/**
 * The entry point of the Java API: a script from a file or a string, checked, as a {@link Model}.
 * For an optimizer to drive from your own training loop, see {@link Optimizer}.
 *
 * <pre>{@code
 * Model m = Descent.load(Path.of("examples/rosenbrock/adam.dsc"));
 * Result r = m.run();
 * double[] x = r.param("x");
 * }</pre>
 */
public final class Descent {
    private Descent() {}

    /**
     * Reads and checks a script file (its imports and data relative to it).
     *
     * @param file the script, a {@code .dsc} file
     * @return the checked script, ready to {@link Model#run() run} or {@link Model#evaluate evaluate}
     * @throws DescentException with the diagnostics when the file is missing or the script has errors
     */
    public static Model load(Path file) {
        return model(() -> SourceFile.read(file, file.toString()));
    }

    /**
     * Checks a script given as text; {@code name} is what diagnostics call it (e.g. {@code "model.dsc"}).
     * Imports and data files are resolved against the working directory.
     *
     * @param name what diagnostics call the script
     * @param text the script itself
     * @return the checked script, ready to {@link Model#run() run} or {@link Model#evaluate evaluate}
     * @throws DescentException with the diagnostics when the script has errors
     */
    public static Model parse(String name, String text) {
        return model(() -> SourceFile.ofString(name, text));
    }

    private static Model model(java.util.function.Supplier<SourceFile> read) {
        try {
            SourceFile src = read.get();
            return new Model(src, Checker.check(src));
        } catch (CompileError e) {
            throw new DescentException(e);
        } catch (UnknownSetting e) {
            throw new DescentException(e.getMessage());
        }
    }
}
