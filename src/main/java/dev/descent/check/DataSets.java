package dev.descent.check;

import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import java.nio.file.Path;

/**
 * The checking stage that reads a script's data: {@code data d = csv("file.csv", validation = …,
 * test = …, nonfinite = …)} read by {@link Csv} (or taken as already loaded, seen with another
 * number of rows, for a batch or a split), its held-out fractions or files checked, and every
 * problem reported at its place in the script or the file.
 */
final class DataSets {
    private final Checker ck;

    DataSets(Checker ck) { this.ck = ck; }

    DataSet data(Ast.Data d, Module m) {
        DataSet pre = ck.options.preloaded().get(d.name());
        if (pre != null) {
            Integer rows = ck.options.rows().get(d.name());
            // rows that are elsewhere (a Spark cluster), seen for the first time: the fractions its csv(…) holds out apply
            boolean split = pre.elsewhere() && rows == null && !pre.hasValidation() && !pre.hasTest();
            if (!split) return rows == null ? pre : pre.withRows(rows);
        }
        if (d.source() instanceof Ast.Call pq && pq.name().equals("parquet") && pre == null) {
            ck.error(pq.namePos(), "Parquet data is read on Spark: descent run SCRIPT --spark MASTER (docs/spark.md)",
                    "on one machine, read a CSV file with csv(\"file.csv\")");
            return null;
        }
        if (!(d.source() instanceof Ast.Call c) || !(c.name().equals("csv") || c.name().equals("parquet") && pre != null)) {
            ck.error(d.source().pos(), "a data set is read with csv(\"file.csv\")");
            return null;
        }
        Ast.Str path = null;
        Ast.Expr validation = null, test = null, nonfinite = null;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null && path == null && a.value() instanceof Ast.Str s) path = s;
            else if ("validation".equals(a.name()) && validation == null) validation = a.value();
            else if ("test".equals(a.name()) && test == null) test = a.value();
            else if ("nonfinite".equals(a.name()) && nonfinite == null) nonfinite = a.value();
            else {
                ck.error(a.name() == null ? c.pos() : a.pos(), a.name() == null ? "csv takes one argument, the file's path in double quotes" : "csv has no argument '" + a.name() + "'",
                        "write csv(\"data.csv\"), or csv(\"data.csv\", validation = 0.2, test = 0.1) to hold out rows for validation and testing"
                                + " (csv also takes nonfinite = 1, to read inf and nan cells)");
                return null;
            }
        }
        if (path == null) {
            ck.error(c.pos(), "csv needs the file's path in double quotes: csv(\"data.csv\")");
            return null;
        }
        Path base = m.source.path() == null ? Path.of("") : m.source.path().toAbsolutePath().getParent();
        try {
            base.resolve(path.value());
            if (validation instanceof Ast.Str vf) base.resolve(vf.value());
            if (test instanceof Ast.Str tf) base.resolve(tf.value());
        } catch (java.nio.file.InvalidPathException e) {
            ck.error(path.pos(), "\"" + ck.printable(path.value()) + "\" is not a valid file path");
            return null;
        }
        boolean allowNonfinite = false;
        if (nonfinite != null) {
            Double v = ck.constant(nonfinite, ck.root(m), "nonfinite");
            if (v == null) return null;
            if (v != 0 && v != 1) {
                ck.error(nonfinite.pos(), "nonfinite = " + ck.fmt(v) + " must be 0 or 1",
                        "nonfinite = 1 reads inf, -inf, nan and numbers too large for a double (as ±inf); 0, the default, makes such a cell an error");
                return null;
            }
            allowNonfinite = v == 1;
        }
        try {
            DataSet ds = pre != null ? pre
                    : Csv.read(d.name(), path.pos(), base.resolve(path.value()), Imports.displayPath(m.source, path.value()), ck.options.progress(), allowNonfinite);
            if (validation == null && test == null) return ds;
            for (Ast.Expr held : java.util.Arrays.asList(validation, test))
                if (pre != null && held instanceof Ast.Str f) {
                    ck.error(f.pos(), "the rows of '" + d.name() + "' are elsewhere (on Spark): held-out rows are a fraction of them, not a file",
                            "write a fraction, e.g. validation = 0.2");
                    return null;
                }
            double vf = 0, tf = 0;
            DataSet vFile = null, tFile = null;
            if (validation instanceof Ast.Str f) {
                vFile = heldFile(d, f, "validation", ds, m, allowNonfinite);
                if (vFile == null) return null;
            } else if (validation != null) {
                Double f = ck.constant(validation, ck.root(m), "the validation fraction");
                if (f == null) return null;
                if (!fraction(f, ds.rows(), validation, "validation")) return null;
                vf = f;
            }
            if (test instanceof Ast.Str f) {
                tFile = heldFile(d, f, "test", ds, m, allowNonfinite);
                if (tFile == null) return null;
            } else if (test != null) {
                Double f = ck.constant(test, ck.root(m), "the test fraction");
                if (f == null) return null;
                if (!fraction(f, ds.rows(), test, "test")) return null;
                tf = f;
            }
            int held = (int) Math.round(vf * ds.rows()) + (int) Math.round(tf * ds.rows());
            if (held >= ds.rows()) {
                ck.error(test.pos(), "validation = " + ck.fmt(vf) + " and test = " + ck.fmt(tf) + " hold out " + held + " of the " + ds.rows() + " rows, leaving none to train on",
                        "hold out less, e.g. validation = 0.2, test = 0.1");
                return null;
            }
            return new DataSet(ds.name(), ds.pos(), ds.path(), ds.columns(), ds.rows(), vf, vFile, tf, tFile);
        } catch (CompileError e) {
            ck.diagnostics.addAll(e.diagnostics());
            return null;
        }
    }

    /** validation = F or test = F: a fraction that holds out between one row and all but one. */
    private boolean fraction(double f, int rows, Ast.Expr at, String what) {
        int held = (int) Math.round(f * rows);
        if (!(f > 0 && f < 1) || held < 1 || held >= rows) {
            ck.error(at.pos(), what + " = " + ck.fmt(f) + " must hold out between one row and all but one of the " + rows + " rows",
                    "a fraction like 0.2, or a file: " + what + " = \"" + (what.equals("test") ? "test" : "val") + ".csv\"");
            return false;
        }
        return true;
    }

    /** validation = "FILE" or test = "FILE": a second file with the data's columns. */
    private DataSet heldFile(Ast.Data d, Ast.Str f, String what, DataSet ds, Module m, boolean allowNonfinite) {
        Path base = m.source.path() == null ? Path.of("") : m.source.path().toAbsolutePath().getParent();
        DataSet v = Csv.read(d.name(), f.pos(), base.resolve(f.value()), Imports.displayPath(m.source, f.value()), ck.options.progress(), allowNonfinite);
        if (!v.columnNames().equals(ds.columnNames())) {
            ck.error(f.pos(), "the " + what + " file's columns (" + Csv.describeColumns(v.columnNames()) + ") differ from the data's ("
                    + Csv.describeColumns(ds.columnNames()) + ")");
            return null;
        }
        return v;
    }
}
