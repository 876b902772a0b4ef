package dev.descent.spark;

import dev.descent.check.Limits;
import dev.descent.run.DataParallel;
import dev.descent.syntax.SourceFile;
import java.util.Map;
import java.util.function.Consumer;

/** {@code descent run SCRIPT --spark MASTER}: found by the CLI with {@link java.util.ServiceLoader}. */
public final class SparkProvider implements DataParallel.Provider {
    @Override public String name() { return "spark"; }

    @Override public DataParallel.Connection open(String master, SourceFile source, Map<String, Double> settings, Limits limits, Consumer<String> notes) {
        return SparkCluster.open(master, source, settings, limits, notes);
    }
}
