package dev.descent.run;

import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Precision;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Reach;
import dev.descent.ir.Op;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Which rows of the data each step sees, held in resident buffers. Full-batch gradient descent,
 * mini-batches and SGD (batch 1) are one code path: an epoch shuffles the training rows
 * (seeded) and takes consecutive batches of B rows, the last one smaller; each step evaluates f
 * and g on its batch only, through an instance of the script whose data leaves have the batch's
 * number of rows. A validation split ({@code csv(…, validation = 0.2)}) holds rows out once, with
 * a shuffle seeded by the run's seed.
 *
 * <p>A batch is gathered into buffers of the engine's precision that are allocated once per
 * batch size and refilled in place, from a row-major copy of the columns the objective reads
 * (made once, in the engine's precision, when it is at most {@link #TABLE_LIMIT} numbers; else
 * column by column from the columns converted once).
 */
final class Batches {
    private final Script script;
    private final java.util.random.RandomGenerator rng;
    private final Precision precision;
    private final Set<String> used = new LinkedHashSet<>();
    private final boolean active;
    private final int[] training;
    private final int[] validation, test;
    private final DataSet validationFile, testFile;
    private final int batch;
    private final long perEpoch;
    private final int[] order;
    private long shuffledEpoch = -1;
    /** Columns of all rows in the engine's precision, converted once ({@link Rows#full}). */
    private final Map<String, Buffer> converted;
    /** Instances of the script for other numbers of rows: "rows:training". */
    private final Map<String, Script> instances = new HashMap<>();
    /** Gathered rows by role and size ("batch:32", "training", "validation"). */
    private final Map<String, Gathered> gathered = new HashMap<>();
    private long cachedStep = -1;
    private Rows cachedRows;
    private Rows all, allEval, validationRows;
    /** The columns the objective reads, row-major, in the engine's precision (row r from r · width); null until needed or when too large. */
    private double[] tableD;
    private float[] tableF;
    private boolean tableBuilt;
    private int width;
    /** Data set, column: its place in a row of the table. */
    private final Map<String, Map<String, Integer>> tableIndex = new HashMap<>();
    private final List<double[]> tableColumns = new ArrayList<>();
    /** At most this many numbers are copied into the table (64 MB in float64). */
    static final long TABLE_LIMIT = 8L << 20;

    /** Rows that are not in this JVM ({@link DataParallel}): batches and splits are chosen as here, but only their indices are kept, nothing gathered. */
    private final boolean remote;

    /** {@code converted}: where columns converted to the engine's precision are kept (shared by a run's statements). */
    Batches(Script script, Step step, java.util.random.RandomGenerator rng, long seed, Precision precision, Map<String, Buffer> converted) {
        this(script, step, rng, seed, precision, converted, false);
    }

    /** With {@code remote}, the rows are elsewhere ({@link DataParallel}): a batch or a split is its rows' indices ({@link Rows#indices}). */
    Batches(Script script, Step step, java.util.random.RandomGenerator rng, long seed, Precision precision, Map<String, Buffer> converted, boolean remote) {
        this.remote = remote;
        this.script = script;
        this.converted = converted;
        this.precision = precision;
        this.rng = rng;
        if (script.objective != null) collectData(script.objective, used);
        DataSet primary = null;
        for (String d : used) {
            DataSet ds = script.data.get(d);
            if (primary == null) primary = ds;
            else if (ds.rows() != primary.rows() && (step.batch() > 0 || primary.hasValidation() || ds.hasValidation() || primary.hasTest() || ds.hasTest()))
                throw new CompileError(Diagnostic.at(step.pos(), "batches and validation need the data sets of the objective to have as many rows each; '"
                        + primary.name() + "' has " + primary.rows() + " and '" + ds.name() + "' " + ds.rows()));
        }
        DataSet split = null;
        for (String d : used) if (script.data.get(d).hasValidation() || script.data.get(d).hasTest()) { split = script.data.get(d); break; }
        active = primary != null && (step.batch() > 0 || split != null);
        if (!active) {
            training = validation = test = order = null;
            validationFile = testFile = null;
            batch = 0;
            perEpoch = 1;
            return;
        }
        int n = primary.rows();
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        // fractions held out of the rows: one shuffle, seeded by the run's seed; validation rows
        // first, then test rows, the rest trains (each part in row order)
        int nv = split == null ? 0 : (int) Math.round(split.validationFraction() * n);
        int nt = split == null ? 0 : (int) Math.round(split.testFraction() * n);
        if (nv + nt > 0) shuffle(rows, new SplittableRandom(seed ^ 0x5DEECE66DL));
        validation = nv > 0 ? sorted(Arrays.copyOfRange(rows, 0, nv)) : null;
        test = nt > 0 ? sorted(Arrays.copyOfRange(rows, nv, nv + nt)) : null;
        training = nv + nt > 0 ? sorted(Arrays.copyOfRange(rows, nv + nt, n)) : rows;
        validationFile = split == null ? null : split.validationFile();
        testFile = split == null ? null : split.testFile();
        batch = step.batch() > 0 ? (int) Math.min(step.batch(), training.length) : training.length;
        perEpoch = (training.length + batch - 1) / batch;
        order = training.clone();
    }

    boolean active() { return active; }

    long perEpoch() { return perEpoch; }

    boolean hasValidation() { return validation != null || validationFile != null; }

    boolean hasTest() { return test != null || testFile != null; }

    private static int[] sorted(int[] a) {
        Arrays.sort(a);
        return a;
    }

    /**
     * The rows of a split, for evaluation (dropout off): "train" (the training rows; every row
     * when none are held out), "validation" or "test"; null when the data has no such split.
     */
    Rows split(String which) {
        return switch (which) {
            case "train" -> active ? training(false) : evaluation();
            case "validation" -> hasValidation() ? validation() : null;
            case "test" -> hasTest() ? test() : null;
            default -> throw new IllegalArgumentException(which);
        };
    }

    private Rows evalAll;

    /** Every row, evaluated (the script seen with dropout off). */
    private Rows evaluation() {
        if (evalAll == null) {
            Script inst = instance(-1, false);
            evalAll = inst == script ? all(true) : new Rows(inst, -1) {
                @Override Buffer column(String data, String column) { return Rows.full(script.data.get(data), column, precision, converted); }
            };
        }
        return evalAll;
    }

    private Rows testRows;

    /** The test rows (or the test file), for evaluation. */
    Rows test() {
        if (testRows == null) testRows = held("test", testFile, test);
        return testRows;
    }

    /** Held-out rows for evaluation: those of {@code file} when the split is a file, else the rows {@code index} picks. */
    private Rows held(String name, DataSet file, int[] index) {
        if (file != null) {
            Script inst = instance(file.rows(), false);
            return new Rows(inst, file.rows()) {
                @Override Buffer column(String data, String column) {
                    return Rows.full(used.contains(data) ? file : script.data.get(data), column, precision, converted);
                }
            };
        }
        Gathered g = gathered(name, index.length, false);
        g.fill(index, 0, index.length);
        return g;
    }

    /** The epoch whose shuffled order {@link #order()} holds (-1: none yet); for a checkpoint. */
    long shuffledEpoch() { return shuffledEpoch; }

    /** The training rows in this epoch's shuffled order (null without batches or splits); for a checkpoint. */
    int[] order() { return order == null ? null : order.clone(); }

    /** Back to a checkpoint's place in the shuffled order: the next batch is gathered from it, not reshuffled. */
    void restore(long epoch, int[] order) {
        if (this.order == null || order == null) return;
        if (order.length != this.order.length)
            throw new IllegalArgumentException("the checkpoint's shuffled order has " + order.length + " rows, but " + this.order.length + " rows train");
        System.arraycopy(order, 0, this.order, 0, order.length);
        shuffledEpoch = epoch;
        cachedStep = -1;
        cachedRows = null;
    }

    /** The rows step t + 1 trains on: all the data (without batches and splits), or its batch, gathered. The same rows for the same t. */
    Rows batch(long t) {
        if (!active) return all(true);
        if (t == cachedStep) return cachedRows;
        long epoch = t / perEpoch;
        int k = (int) (t % perEpoch);
        if (epoch != shuffledEpoch && batch < training.length) {
            System.arraycopy(training, 0, order, 0, training.length);
            shuffle(order, rng);
        }
        shuffledEpoch = epoch;
        int from = k * batch, to = Math.min(from + batch, order.length);
        Gathered g = gathered("batch:" + (to - from), to - from, true);
        g.fill(order, from, to);
        cachedStep = t;
        cachedRows = g;
        return g;
    }

    /** The script's own data (every row), for training as checked, or for evaluation (dropout off). */
    Rows all(boolean training) {
        if (training || !script.options.training() || script.objective == null || !hasRandom(script.objective)) {
            if (all == null) all = Rows.all(script, precision, converted);
            return all;
        }
        if (allEval == null)
            allEval = new Rows(instance(-1, false), -1) {
                @Override Buffer column(String data, String column) { return Rows.full(script.data.get(data), column, precision, converted); }
            };
        return allEval;
    }

    /** All training rows: for training (dropout on: the loss a mini-batch run reports at its end), or for evaluation. */
    Rows training(boolean training) {
        Gathered g = gathered(training ? "training" : "training-eval", this.training.length, training);
        if (!g.filled) g.fill(this.training, 0, this.training.length);
        return g;
    }

    /** The validation rows (or the validation file), for evaluation. */
    Rows validation() {
        if (validationRows == null) validationRows = held("validation", validationFile, validation);
        return validationRows;
    }

    private Gathered gathered(String key, int count, boolean training) {
        return gathered.computeIfAbsent(key, k -> new Gathered(instance(count, training), count));
    }

    /** The script seen with this many rows of the used data (-1: as it is), for training (dropout on) or not. */
    private Script instance(int rows, boolean training) {
        if (rows < 0 && training == script.options.training()) return script;
        if (rows >= 0 && training == script.options.training() && rows == fullRows()) return script;
        return instances.computeIfAbsent(rows + ":" + training, k -> {
            Map<String, Integer> r = new HashMap<>();
            if (rows >= 0) for (String d : used) r.put(d, rows);
            return script.instance(training, r);
        });
    }

    private int fullRows() {
        for (String d : used) return script.data.get(d).rows();
        return -1;
    }

    // ------------------------------------------------------------------ gathering

    /** Rows gathered into buffers of their own: the used data sets' columns at the chosen rows. */
    private final class Gathered extends Rows {
        /** data set → column → buffer (of {@code count} elements). */
        private final Map<String, Map<String, Buffer>> columns = new HashMap<>();
        /** Buffers of columns outside the table, each with the column it copies. */
        private final List<Buffer> extra = new ArrayList<>();
        private final List<Buffer> extraSource = new ArrayList<>();
        private final Buffer[] fromTable;
        /** The arrays of the table's columns' buffers, in table order. */
        private final double[][] colsD;
        private final float[][] colsF;
        private int[] rows;
        private int from, to;
        boolean filled;

        Gathered(Script instance, int count) {
            super(instance, count);
            if (remote) { // indices only: the rows are elsewhere
                fromTable = null;
                colsD = null;
                colsF = null;
                return;
            }
            buildTable();
            fromTable = new Buffer[width];
            if (tableBuilt && (tableD != null || tableF != null))
                for (Map.Entry<String, Map<String, Integer>> d : tableIndex.entrySet())
                    for (Map.Entry<String, Integer> c : d.getValue().entrySet()) {
                        Buffer b = Buffer.allocate(precision, count);
                        fromTable[c.getValue()] = b;
                        columns.computeIfAbsent(d.getKey(), x -> new HashMap<>()).put(c.getKey(), b);
                    }
            colsD = tableD == null ? null : new double[width][];
            colsF = tableF == null ? null : new float[width][];
            for (int c = 0; c < width; c++) {
                if (colsD != null) colsD[c] = ((Buffer.F64) fromTable[c]).a;
                if (colsF != null) colsF[c] = ((Buffer.F32) fromTable[c]).a;
            }
        }

        @Override int[] indices() {
            int[] out = java.util.Arrays.copyOfRange(rows, from, to);
            Arrays.sort(out);
            return out;
        }

        @Override Buffer column(String data, String column) {
            if (remote) throw new IllegalStateException("the rows are elsewhere: no column " + data + "." + column + " here");
            if (!used.contains(data)) return Rows.full(script.data.get(data), column, precision, converted);
            Map<String, Buffer> cs = columns.computeIfAbsent(data, x -> new HashMap<>());
            Buffer b = cs.get(column);
            if (b == null) { // a column the table does not hold: gathered from the converted column
                b = Buffer.allocate(precision, count);
                cs.put(column, b);
                extra.add(b);
                extraSource.add(Rows.full(script.data.get(data), column, precision, converted));
                if (filled) gatherColumn(b, extraSource.get(extraSource.size() - 1));
            }
            return b;
        }

        /** Gathers rows[from, to) (exactly {@code count} of them) into the buffers, in place. */
        void fill(int[] rows, int from, int to) {
            if (to - from != count) throw new IllegalStateException(count + " rows expected, not " + (to - from));
            this.rows = rows;
            this.from = from;
            this.to = to;
            if (remote) {
                filled = true;
                return;
            }
            if (tableD != null) {
                double[][] cols = colsD;
                for (int i = from; i < to; i++) {
                    int base = rows[i] * width, at = i - from;
                    for (int c = 0; c < width; c++) cols[c][at] = tableD[base + c];
                }
            } else if (tableF != null) {
                float[][] cols = colsF;
                for (int i = from; i < to; i++) {
                    int base = rows[i] * width, at = i - from;
                    for (int c = 0; c < width; c++) cols[c][at] = tableF[base + c];
                }
            } else {
                // no table: every used column the program asked for, one by one
                for (Map.Entry<String, Map<String, Buffer>> d : columns.entrySet())
                    for (Map.Entry<String, Buffer> c : d.getValue().entrySet())
                        if (!extra.contains(c.getValue())) gatherColumn(c.getValue(), Rows.full(script.data.get(d.getKey()), c.getKey(), precision, converted));
            }
            for (int k = 0; k < extra.size(); k++) gatherColumn(extra.get(k), extraSource.get(k));
            filled = true;
        }

        private void gatherColumn(Buffer into, Buffer source) {
            if (into instanceof Buffer.F64 d) {
                double[] s = ((Buffer.F64) source).a;
                for (int i = from; i < to; i++) d.a[i - from] = s[rows[i]];
            } else {
                float[] s = ((Buffer.F32) source).a, f = ((Buffer.F32) into).a;
                for (int i = from; i < to; i++) f[i - from] = s[rows[i]];
            }
        }
    }

    /** The row-major copy of the columns the objective reads, in the engine's precision, when it is small enough. */
    private void buildTable() {
        if (tableBuilt) return;
        tableBuilt = true;
        if (script.objective == null) return;
        Reach.inIdOrder(List.of(script.objective)).forEach(x -> {
            if (x.op != Op.DATA) return;
            Attr.Column c = (Attr.Column) x.attr;
            if (!used.contains(c.data())) return;
            Map<String, Integer> in = tableIndex.computeIfAbsent(c.data(), k -> new LinkedHashMap<>());
            if (in.containsKey(c.column())) return;
            in.put(c.column(), tableColumns.size());
            tableColumns.add(script.data.get(c.data()).columns().get(c.column()));
        });
        width = tableColumns.size();
        int n = fullRows();
        if (width == 0 || n < 0 || (long) n * width > TABLE_LIMIT) {
            tableIndex.clear();
            width = 0;
            return;
        }
        if (precision == Precision.F64) {
            tableD = new double[n * width];
            for (int c = 0; c < width; c++) {
                double[] col = tableColumns.get(c);
                for (int r = 0; r < n; r++) tableD[r * width + c] = col[r];
            }
        } else {
            tableF = new float[n * width];
            for (int c = 0; c < width; c++) {
                double[] col = tableColumns.get(c);
                for (int r = 0; r < n; r++) tableF[r * width + c] = (float) col[r];
            }
        }
    }

    private static void shuffle(int[] a, java.util.random.RandomGenerator rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
    }

    /** The data sets whose columns the objective reads. */
    static void collectData(Node root, Set<String> out) {
        for (Node n : Reach.inIdOrder(List.of(root))) if (n.op == Op.DATA) out.add(((Attr.Column) n.attr).data());
    }

    static boolean hasRandom(Node root) {
        return Reach.any(List.of(root), n -> n.op == Op.RANDOM);
    }
}
