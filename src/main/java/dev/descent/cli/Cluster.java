package dev.descent.cli;

import dev.descent.check.Limits;
import dev.descent.check.UnknownSetting;
import dev.descent.run.DataParallel;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.SourceFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * {@code run --spark MASTER}: finds the Spark module ({@link DataParallel.Provider}, on the class
 * path when {@code bin/descent} is given --spark, or under {@code spark-submit}) and opens the
 * cluster, which reads the script's data where it is and checks the script for it.
 */
final class Cluster {
    private Cluster() {}

    /** The open cluster, or null after printing the script's errors. */
    static DataParallel.Connection open(String master, String file, List<String> sets, EngineOptions engine, Limits limits, boolean quiet, PrintWriter err) {
        if (engine.precision != EngineOptions.PrecisionName.f64)
            throw new Main.UsageError("--spark runs in float64: the partitions' sums are added on the driver in float64 (leave out --precision " + engine.precision + ")");
        DataParallel.Provider provider = null;
        for (DataParallel.Provider p : ServiceLoader.load(DataParallel.Provider.class))
            if (p.name().equals("spark")) provider = p;
        if (provider == null)
            throw new Main.UsageError("--spark needs Descent's Spark module and Apache Spark on the class path: bin/descent adds them when it is "
                    + "given --spark (it builds spark/ with ./mvnw the first time), and spark-submit runs the module's jar (docs/spark.md)");
        try {
            SourceFile src = SourceFile.read(Path.of(file), file);
            DataParallel.Connection c = provider.open(master, src, Common.settings(sets), limits,
                    quiet ? note -> {} : note -> {
                        err.println("descent: " + note);
                        err.flush();
                    });
            if (!quiet) {
                err.println("descent: " + c.describe());
                err.flush();
            }
            return c;
        } catch (CompileError e) {
            Common.print(e.diagnostics(), err);
            return null;
        } catch (UnknownSetting e) {
            throw new Main.UsageError(e.getMessage());
        }
    }
}
