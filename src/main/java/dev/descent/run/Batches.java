package dev.descent.run;

import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Which rows of the data each step sees. Full-batch gradient descent, mini-batches
 * and SGD (batch 1) are one code path: an epoch shuffles the training rows (seeded)
 * and takes consecutive batches of B rows, the last one smaller; each step evaluates
 * f and g on its batch only, through an instance of the objective whose data leaves
 * have the batch's number of rows. A validation split ({@code csv(…, validation = 0.2)})
 * holds rows out once, with a shuffle seeded by the run's seed.
 */
final class Batches {
    private final Script script;
    private final SplittableRandom rng;
    private final Set<String> used = new LinkedHashSet<>();
    private final boolean active;
    private final int[] training;
    private final int[] validation;
    private final DataSet validationFile;
    private final int batch;
    private final long perEpoch;
    private final int[] order;
    private long shuffledEpoch = -1;
    private final Map<String, Objective> objectives = new HashMap<>();
    private long cachedStep = -1;
    private Objective.Rows cachedRows;
    private int cachedCount;
    /** The training and the validation rows' columns, gathered once. */
    private Objective.Rows trainingRows, validationRows;
    /**
     * The columns the objective reads, row-major (row r's values from r · width), so that a
     * batch is gathered with one short contiguous read per row rather than one scattered
     * read per row and column; null when the copy would be large ({@link #TABLE_LIMIT}).
     */
    private double[] table;
    private int width;
    /** Data set, column: its place in a row of the table. */
    private final Map<String, Map<String, Integer>> tableIndex = new HashMap<>();
    /** At most this many numbers are copied into the table (64 MB). */
    static final long TABLE_LIMIT = 8L << 20;

    private final dev.descent.engine.Engine engine;

    Batches(Script script, Step step, SplittableRandom rng, long seed, dev.descent.engine.Engine engine) {
        this.script = script;
        this.engine = engine;
        this.rng = rng;
        collectData(script.objective, used);
        DataSet primary = null;
        for (String d : used) {
            DataSet ds = script.data.get(d);
            if (primary == null) primary = ds;
            else if (ds.rows() != primary.rows() && (step.batch() > 0 || primary.hasValidation() || ds.hasValidation()))
                throw new CompileError(Diagnostic.at(step.pos(), "batches and validation need the data sets of the objective to have as many rows each; '"
                        + primary.name() + "' has " + primary.rows() + " and '" + ds.name() + "' " + ds.rows()));
        }
        DataSet split = null;
        for (String d : used) if (script.data.get(d).hasValidation()) { split = script.data.get(d); break; }
        active = primary != null && (step.batch() > 0 || split != null);
        if (!active) {
            training = validation = order = null;
            validationFile = null;
            batch = 0;
            perEpoch = 1;
            return;
        }
        int n = primary.rows();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        if (split != null && split.validationFile() == null) {
            shuffle(all, new SplittableRandom(seed ^ 0x5DEECE66DL));
            int held = (int) Math.round(split.validationFraction() * n);
            validation = Arrays.copyOfRange(all, 0, held);
            training = Arrays.copyOfRange(all, held, n);
            Arrays.sort(validation);
            Arrays.sort(training);
            validationFile = null;
        } else {
            training = all;
            validation = null;
            validationFile = split == null ? null : split.validationFile();
        }
        batch = step.batch() > 0 ? (int) Math.min(step.batch(), training.length) : training.length;
        perEpoch = (training.length + batch - 1) / batch;
        order = training.clone();
        buildTable(n);
    }

    /** The row-major copy of the columns the objective reads, when it is small enough. */
    private void buildTable(int n) {
        java.util.List<double[]> columns = new java.util.ArrayList<>();
        walk(script.objective, x -> {
            if (x.op != Op.DATA) return;
            Attr.Column c = (Attr.Column) x.attr;
            if (!used.contains(c.data())) return;
            Map<String, Integer> in = tableIndex.computeIfAbsent(c.data(), k -> new HashMap<>());
            if (in.containsKey(c.column())) return;
            in.put(c.column(), columns.size());
            columns.add(script.data.get(c.data()).columns().get(c.column()));
        });
        width = columns.size();
        if (width == 0 || (long) n * width > TABLE_LIMIT) {
            tableIndex.clear();
            return;
        }
        table = new double[n * width];
        for (int c = 0; c < width; c++) {
            double[] col = columns.get(c);
            for (int r = 0; r < n; r++) table[r * width + c] = col[r];
        }
    }

    boolean active() { return active; }

    long perEpoch() { return perEpoch; }

    boolean hasValidation() { return validation != null || validationFile != null; }

    /** f, g (and H) at θ, on the batch of step t + 1. */
    Objective.Result evaluate(long t, double[] theta, boolean hessian) {
        if (!active) return objective(-1, hessian, true).evaluate(theta);
        Objective.Rows rows = batchRows(t);
        return objective(cachedCount, hessian, true).evaluate(theta, rows);
    }

    /** f at x on the same batch as step t + 1 (for a line search). */
    double value(long t, double[] x) {
        if (!active) return objective(-1, false, true).evaluate(x).value();
        Objective.Rows rows = batchRows(t);
        return objective(cachedCount, false, true).evaluate(x, rows).value();
    }

    /** The objective on all training rows; {@code eval}: with dropout off, and its value only (a null gradient). */
    Objective.Result trainingLoss(double[] theta, boolean eval) {
        if (trainingRows == null) trainingRows = subset(training);
        return (eval ? valueObjective(training.length) : objective(training.length, false, true)).evaluate(theta, trainingRows);
    }

    /** The objective, for evaluation, on the validation rows (its value only: no gradient is computed). */
    double validationLoss(double[] theta) {
        if (validationFile != null) {
            return valueObjective(validationFile.rows()).evaluate(theta, (d, c) -> used.contains(d)
                    ? validationFile.columns().get(c) : script.data.get(d).columns().get(c)).value();
        }
        if (validationRows == null) validationRows = subset(validation);
        return valueObjective(validation.length).evaluate(theta, validationRows).value();
    }

    private Objective.Rows batchRows(long t) {
        if (t == cachedStep) return cachedRows;
        long epoch = t / perEpoch;
        int k = (int) (t % perEpoch);
        if (epoch != shuffledEpoch && batch < training.length) {
            System.arraycopy(training, 0, order, 0, training.length);
            shuffle(order, rng);
        }
        shuffledEpoch = epoch;
        int from = k * batch, to = Math.min(from + batch, order.length);
        cachedStep = t;
        cachedCount = to - from;
        cachedRows = subset(Arrays.copyOfRange(order, from, to));
        return cachedRows;
    }

    /** The columns of the used data sets at these rows (from the table at once, or each copied on first use). */
    private Objective.Rows subset(int[] rows) {
        Map<String, Map<String, double[]>> cache = new HashMap<>();
        double[][] gathered = table == null ? null : gather(rows);
        return (d, c) -> {
            if (!used.contains(d)) return script.data.get(d).columns().get(c);
            Map<String, Integer> in = gathered == null ? null : tableIndex.get(d);
            Integer k = in == null ? null : in.get(c);
            if (k != null) return gathered[k];
            return cache.computeIfAbsent(d, x -> new HashMap<>()).computeIfAbsent(c, x -> {
                double[] src = script.data.get(d).columns().get(c), out = new double[rows.length];
                for (int i = 0; i < rows.length; i++) out[i] = src[rows[i]];
                return out;
            });
        };
    }

    /** The table's columns at these rows. */
    private double[][] gather(int[] rows) {
        double[][] cols = new double[width][rows.length];
        for (int i = 0; i < rows.length; i++) {
            int base = rows[i] * width;
            for (int c = 0; c < width; c++) cols[c][i] = table[base + c];
        }
        return cols;
    }

    /** The objective instantiated for this many rows of the used data (-1: the script as it is). */
    private Objective objective(int rows, boolean hessian, boolean training) {
        String key = rows + ":" + hessian + ":" + training;
        Objective o = objectives.get(key);
        if (o == null) {
            o = new Objective(instance(rows, training), hessian, engine);
            objectives.put(key, o);
        }
        o.random(rng);
        return o;
    }

    /** The objective's value alone, for evaluation (dropout off), on this many rows. */
    private Objective valueObjective(int rows) {
        String key = rows + ":value";
        Objective o = objectives.get(key);
        if (o == null) {
            o = Objective.valueOnly(instance(rows, false), engine);
            objectives.put(key, o);
        }
        return o;
    }

    /** The script seen with this many rows of the used data (-1: as it is), for training (dropout on) or not. */
    private Script instance(int rows, boolean training) {
        if (rows < 0 || (training == script.options.training() && rows == fullRows())) return script;
        Map<String, Integer> r = new HashMap<>();
        if (rows >= 0) for (String d : used) r.put(d, rows);
        return script.instance(training, r);
    }

    private int fullRows() {
        for (String d : used) return script.data.get(d).rows();
        return -1;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
    }

    /** The data sets whose columns the objective reads. */
    static void collectData(Node root, Set<String> out) {
        walk(root, n -> { if (n.op == Op.DATA) out.add(((Attr.Column) n.attr).data()); });
    }

    static boolean hasRandom(Node root) {
        boolean[] found = {false};
        walk(root, n -> found[0] |= n.op == Op.RANDOM);
        return found[0];
    }

    private static void walk(Node root, java.util.function.Consumer<Node> visit) {
        BitSet seen = new BitSet();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Node x = stack.pop();
            if (seen.get(x.id)) continue;
            seen.set(x.id);
            visit.accept(x);
            for (int i = 0; i < x.arity(); i++) stack.push(x.in(i));
        }
    }
}
