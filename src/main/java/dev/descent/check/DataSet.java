package dev.descent.check;

import dev.descent.syntax.Pos;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A table loaded from a CSV file: named numeric columns of equal length, and how
 * its rows are held out for validation and for testing ({@code csv("f.csv", validation = 0.2,
 * test = 0.1)} holds out fractions, {@code validation = "val.csv"} or {@code test = "test.csv"}
 * a second file with the same columns). Test rows are never trained on nor watched by early
 * stopping: they are only evaluated, at the end of a run.
 */
public record DataSet(String name, Pos pos, Path path, LinkedHashMap<String, double[]> columns, int rows,
                      double validationFraction, DataSet validationFile, double testFraction, DataSet testFile) {

    public DataSet(String name, Pos pos, Path path, LinkedHashMap<String, double[]> columns, int rows) {
        this(name, pos, path, columns, rows, 0, null, 0, null);
    }

    /**
     * A data set whose rows are elsewhere (on a Spark cluster): its column names and its number
     * of rows, no values. A script checked with it has the data's shapes; its csv(…)'s held-out
     * fractions apply to it.
     */
    public static DataSet elsewhere(String name, java.util.List<String> columns, int rows) {
        LinkedHashMap<String, double[]> cols = new LinkedHashMap<>();
        for (String c : columns) cols.put(c, new double[0]);
        return new DataSet(name, null, null, cols, rows);
    }

    /** Whether this is a data set whose rows are elsewhere ({@link #elsewhere}). */
    public boolean elsewhere() {
        if (pos != null || path != null || rows == 0) return false;
        for (double[] c : columns.values()) if (c.length != 0) return false;
        return true;
    }

    public boolean hasTest() { return testFraction > 0 || testFile != null; }

    public List<String> columnNames() { return List.copyOf(columns.keySet()); }

    public boolean hasValidation() { return validationFraction > 0 || validationFile != null; }

    /** The same columns, seen as {@code rows} rows (a batch's shape; the values come from the driver). */
    public DataSet withRows(int rows) { return new DataSet(name, pos, path, columns, rows, validationFraction, validationFile, testFraction, testFile); }
}
