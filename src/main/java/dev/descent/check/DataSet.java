package dev.descent.check;

import dev.descent.syntax.Pos;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A table loaded from a CSV file: named numeric columns of equal length, and how
 * its rows are held out for validation ({@code csv("f.csv", validation = 0.2)} holds
 * out a fraction, {@code validation = "val.csv"} a second file with the same columns).
 */
public record DataSet(String name, Pos pos, Path path, LinkedHashMap<String, double[]> columns, int rows,
                      double validationFraction, DataSet validationFile) {

    public DataSet(String name, Pos pos, Path path, LinkedHashMap<String, double[]> columns, int rows) {
        this(name, pos, path, columns, rows, 0, null);
    }

    public List<String> columnNames() { return List.copyOf(columns.keySet()); }

    public boolean hasValidation() { return validationFraction > 0 || validationFile != null; }

    /** The same columns, seen as {@code rows} rows (a batch's shape; the values come from the driver). */
    public DataSet withRows(int rows) { return new DataSet(name, pos, path, columns, rows, validationFraction, validationFile); }
}
