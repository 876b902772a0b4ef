package dev.descent.check;

import dev.descent.syntax.Pos;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** A table loaded from a CSV file: named numeric columns of equal length. */
public record DataSet(String name, Pos pos, Path path, LinkedHashMap<String, double[]> columns, int rows) {
    public List<String> columnNames() { return List.copyOf(columns.keySet()); }
}
