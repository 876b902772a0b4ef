package dev.descent.run;

import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.engine.Buffer;
import dev.descent.engine.Precision;
import java.util.HashMap;
import java.util.Map;

/**
 * Rows of the data as a program sees them: the script checked for that many rows (its data
 * leaves have that shape), and each column the program reads as a resident buffer of the
 * engine's precision. Columns of all rows are converted from the CSV's float64 once, when first
 * asked for (in float64 they are the loaded arrays themselves); a batch's columns are buffers
 * that {@link Batches} fills with the batch's rows, step after step, in place.
 */
abstract class Rows {
    /** The script checked for these rows (for training, with dropout; or for evaluation). */
    final Script script;
    /** How many rows of the data sets the objective reads (-1: each set as loaded). */
    final int count;

    Rows(Script script, int count) {
        this.script = script;
        this.count = count;
    }

    /**
     * These rows' indices in the data set, sorted, for a {@link DataParallel} request; null when
     * they are every row (or rows of another file: {@link #count} ≥ 0 then).
     */
    int[] indices() { return null; }

    /** The buffer holding column {@code column} of data set {@code data} for these rows. */
    abstract Buffer column(String data, String column);

    /** Every row of the script's own data, each column converted once to this precision (and cached in {@code cache}). */
    static Rows all(Script script, Precision precision, Map<String, Buffer> cache) {
        return new Rows(script, -1) {
            @Override Buffer column(String data, String column) { return full(script.data.get(data), column, precision, cache); }
        };
    }

    /** A loaded column as a buffer of this precision: the array itself in float64, else converted once into {@code cache}. */
    static Buffer full(DataSet set, String column, Precision precision, Map<String, Buffer> cache) {
        double[] values = set.columns().get(column);
        if (values == null) throw new IllegalStateException("no column " + column + " in " + set.name());
        if (precision == Precision.F64) return Buffer.of(values);
        return cache.computeIfAbsent(set.name() + "\u0000" + column + "\u0000" + System.identityHashCode(values), k -> {
            Buffer b = Buffer.allocate(precision, values.length);
            b.write(0, values, 0, values.length);
            return b;
        });
    }

    /** A fresh cache for {@link #full}. */
    static Map<String, Buffer> cache() { return new HashMap<>(); }
}
