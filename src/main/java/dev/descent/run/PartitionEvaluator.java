package dev.descent.run;

import dev.descent.check.DataSet;
import dev.descent.check.Script;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The objective and the reports evaluated on some rows of the data, block after block: the part
 * of a {@link DataParallel} request that one worker (a Spark partition) computes. A block is a
 * few thousand rows of the data set the objective reads, column by column; each block is
 * evaluated by the same engine programs as a run over rows in memory (the script checked for the
 * block's number of rows, its objective, gradient, Hessian, H·v or reports), and the results are
 * summed, each weighted by its block's rows, in the order the blocks come. Dividing the sums of
 * all parts by the total number of rows gives the row-weighted average, which is the value on
 * all rows when the objective is a mean over the rows ({@link #checkDecomposes}).
 *
 * <p>Blocks have {@link #blockRows} rows, except the last ones of each part, which split what is
 * left into powers of two ({@link #blocks}): every part's blocks take at most log₂(block) + 1
 * sizes, so a worker checks the script for a handful of row counts, whatever the partitions.
 * The engine computes in float64.
 */
public final class PartitionEvaluator {
    private final Script script;
    private final String data;
    private final List<String> columns;
    private final Engine engine;
    private final int n;
    /** Instances and programs by block size and kind. */
    private final Map<Integer, Script> instances = new HashMap<>();
    private final Map<String, Object> programs = new HashMap<>();

    /**
     * @param script  the script, checked with {@code data} as a {@link #schema} (any number of rows)
     * @param data    the data set the objective reads
     * @param columns its columns, in the order of a block's arrays
     * @param engine  a float64 engine (one thread: the parts run side by side)
     */
    public PartitionEvaluator(Script script, String data, List<String> columns, Engine engine) {
        if (engine.precision() != Precision.F64) throw new IllegalArgumentException("data-parallel evaluation is in float64");
        this.script = script;
        this.data = data;
        this.columns = List.copyOf(columns);
        this.engine = engine;
        this.n = script.dimension();
    }

    /** The columns of a block of m rows, resident: each block is copied in, and the programs are bound to them once. */
    private final class Resident extends Rows {
        final double[][] values;
        private final Buffer[] buffers;

        Resident(Script instance, int m) {
            super(instance, m);
            values = new double[columns.size()][m];
            buffers = new Buffer[values.length];
            for (int c = 0; c < values.length; c++) buffers[c] = Buffer.of(values[c]);
        }

        @Override Buffer column(String set, String column) {
            int k = columns.indexOf(column);
            if (!set.equals(data) || k < 0) throw new IllegalStateException("no column " + set + "." + column + " in a block");
            return buffers[k];
        }
    }

    private final Map<Integer, Resident> resident = new HashMap<>();

    /** The rows in a full block. */
    public static final int BLOCK_ROWS = 4096;

    /** A data set of these columns and rows whose values are elsewhere: what a script is checked with on the driver and on a worker. */
    public static DataSet schema(String name, List<String> columns, int rows) { return DataSet.elsewhere(name, columns, rows); }

    /** The sums of one part: its rows, Σ m·value, then Σ m·(what the kind adds), over its blocks of m rows. */
    public double[] evaluate(DataParallel.Request r, Iterator<double[][]> blocks) {
        double[] sums = new double[2 + extra(r.kind())];
        while (blocks.hasNext()) {
            double[][] b = blocks.next();
            int m = b.length == 0 ? 0 : b[0].length;
            if (m == 0) continue;
            double[] out = evaluateInto(r, b, scratch(r.kind()));
            sums[0] += m;
            for (int i = 0; i < out.length; i++) sums[1 + i] += m * out[i];
        }
        return sums;
    }

    /**
     * The sums of one part whose first row is row {@code firstRow} of the data set: over the rows
     * of the request that fall in this part ({@link DataParallel.Request#rows}; all of its rows
     * when that is null), gathered into blocks of their own.
     */
    public double[] evaluate(DataParallel.Request r, Iterator<double[][]> blocks, long firstRow) {
        if (r.rows() == null) return evaluate(r, blocks);
        int[] idx = r.rows();
        int width = columns.size();
        int start = java.util.Arrays.binarySearch(idx, (int) Math.min(firstRow, Integer.MAX_VALUE));
        int first = start >= 0 ? start : -start - 1;
        Iterator<double[]> picked = new Iterator<>() {
            private int at = first;
            private long pos = firstRow; // the data set's index of the current block's first row
            private double[][] block;

            @Override public boolean hasNext() {
                while (at < idx.length) {
                    int m = block == null ? 0 : block[0].length;
                    if (block != null && idx[at] < pos + m) return true;
                    if (!blocks.hasNext()) return false;
                    pos += m;
                    block = blocks.next();
                }
                return false;
            }

            @Override public double[] next() {
                if (!hasNext()) throw new NoSuchElementException();
                int r = (int) (idx[at++] - pos);
                double[] row = new double[width];
                for (int c = 0; c < width; c++) row[c] = block[c][r];
                return row;
            }
        };
        return evaluate(r, blocks(picked, width, BLOCK_ROWS));
    }

    /** How many numbers a kind adds after the value. */
    private int extra(DataParallel.Kind kind) {
        return switch (kind) {
            case VALUE -> 0;
            case GRADIENT, HVP -> n;
            case HESSIAN -> n + n * n;
            case REPORTS -> script.reports.size();
        };
    }

    /** The request on one block's rows alone: the value, then what the kind adds (not weighted). */
    public double[] evaluateBlock(DataParallel.Request r, double[][] block) { return evaluateInto(r, block, new double[1 + extra(r.kind())]); }

    /** The results of a block, by kind, reused from block to block (what {@link #evaluate} adds up). */
    private final Map<DataParallel.Kind, double[]> scratch = new java.util.EnumMap<>(DataParallel.Kind.class);
    /** The gradient, Hessian and H·v buffers the programs write, one of each, bound once. */
    private Buffer gBuf, hBuf, hvBuf;

    private double[] scratch(DataParallel.Kind kind) { return scratch.computeIfAbsent(kind, k -> new double[1 + extra(k)]); }

    private double[] evaluateInto(DataParallel.Request r, double[][] block, double[] out) {
        if (block.length != columns.size()) throw new IllegalArgumentException("a block has " + block.length + " columns, not " + columns.size());
        int m = block[0].length;
        Script inst = instances.computeIfAbsent(m, k -> script.instance(false, Map.of(data, k)));
        // the block copied into this size's resident columns: the programs stay bound to them, block after block
        Resident rows = resident.computeIfAbsent(m, k -> new Resident(inst, k));
        for (int c = 0; c < block.length; c++) System.arraycopy(block[c], 0, rows.values[c], 0, m);
        Buffer theta = Buffer.of(r.theta());
        String key = m + ":" + r.kind() + ":" + r.sign();
        switch (r.kind()) {
            case VALUE -> {
                Objective o = (Objective) programs.computeIfAbsent(key, k -> Objective.valueOnly(inst, engine));
                o.rows(rows);
                o.theta(theta);
                out[0] = o.run();
            }
            case GRADIENT, HESSIAN -> {
                boolean h = r.kind() == DataParallel.Kind.HESSIAN;
                Objective o = (Objective) programs.computeIfAbsent(key, k -> new Objective(inst, true, h, engine, r.sign(), false));
                if (gBuf == null) gBuf = Buffer.of(new double[n]);
                Buffer g = gBuf;
                o.gradient(g);
                Buffer hb = null;
                if (h) {
                    if (hBuf == null) hBuf = Buffer.of(new double[n * n]);
                    o.hessian(hb = hBuf);
                }
                o.rows(rows);
                o.theta(theta);
                out[0] = o.run();
                g.read(0, out, 1, n);
                if (h) hb.read(0, out, 1 + n, n * n);
            }
            case HVP -> {
                HessianVector hv = (HessianVector) programs.computeIfAbsent(key, k -> new HessianVector(inst, engine, r.sign()));
                if (hvBuf == null) hvBuf = Buffer.of(new double[n]);
                Buffer res = hvBuf;
                hv.rows(rows);
                hv.bind(theta, Buffer.of(r.v()), res);
                hv.run(null);
                out[0] = Double.NaN;
                res.read(0, out, 1, n);
            }
            case REPORTS -> {
                ScriptProgram p = (ScriptProgram) programs.computeIfAbsent(key, k -> {
                    List<Node> nodes = new ArrayList<>();
                    nodes.add(inst.objective);
                    for (Script.Report rep : inst.reports) nodes.add(rep.value());
                    return new ScriptProgram(engine, nodes);
                });
                p.rows(rows);
                p.theta(theta);
                p.run(null);
                for (int i = 0; i < out.length; i++) out[i] = p.program.scalar(i);
            }
        }
        return out;
    }

    /**
     * The rows of one part as blocks: {@code blockRows} rows each, then what is left split into
     * powers of two, largest first. Each row is {@code width} numbers.
     */
    public static Iterator<double[][]> blocks(Iterator<double[]> rows, int width, int blockRows) {
        return new Iterator<>() {
            private final double[][] pending = new double[width][blockRows];
            private int have, from; // rows read into pending; the first of them not yet handed out
            private boolean done;

            private void fill() {
                if (from < have || done) return;
                have = from = 0;
                while (have < blockRows && rows.hasNext()) {
                    double[] row = rows.next();
                    for (int c = 0; c < width; c++) pending[c][have] = row[c];
                    have++;
                }
                if (have < blockRows) done = true;
            }

            @Override public boolean hasNext() {
                fill();
                return from < have;
            }

            @Override public double[][] next() {
                if (!hasNext()) throw new NoSuchElementException();
                int left = have - from;
                int m = left == blockRows ? blockRows : Integer.highestOneBit(left);
                double[][] b = new double[width][];
                for (int c = 0; c < width; c++) b[c] = java.util.Arrays.copyOfRange(pending[c], from, from + m);
                from += m;
                return b;
            }
        };
    }

    /**
     * Whether the parts' average is the value on all rows, tested on one block of real rows: the
     * objective (its value and gradient at θ and at a second point) and each report on the block
     * must be the row-weighted average of their values on its first third and on the rest, to
     * rounding. Null when they are; else what differs, in words. (A mean over the rows passes; a
     * sum over the rows, a square root of a mean, a maximum over the rows do not.)
     */
    public String checkDecomposes(double[][] block, double[] theta, long seed) {
        int m = block[0].length;
        if (m < 3) return null; // nothing to split: too few rows to tell
        int h = m / 3;
        double[][] a = new double[block.length][], b = new double[block.length][];
        for (int c = 0; c < block.length; c++) {
            a[c] = java.util.Arrays.copyOfRange(block[c], 0, h);
            b[c] = java.util.Arrays.copyOfRange(block[c], h, m);
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        double[] other = theta.clone();
        for (int i = 0; i < other.length; i++) other[i] += 0.1 * (rnd.nextDouble() - 0.5) * Math.max(1, Math.abs(other[i]));
        for (double[] at : List.of(theta, other)) {
            for (DataParallel.Kind kind : script.reports.isEmpty() ? List.of(DataParallel.Kind.GRADIENT) : List.of(DataParallel.Kind.GRADIENT, DataParallel.Kind.REPORTS)) {
                DataParallel.Request r = new DataParallel.Request(kind, 1, at, null);
                double[] all = evaluateBlock(r, block), pa = evaluateBlock(r, a), pb = evaluateBlock(r, b);
                double scale = 0;
                for (double v : all) if (Double.isFinite(v)) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < all.length; i++) {
                    double avg = (h * pa[i] + (m - h) * pb[i]) / m;
                    if (!(Math.abs(avg - all[i]) <= 1e-9 * Math.max(scale, 1e-300)) && !(Double.isNaN(avg) && Double.isNaN(all[i]))) {
                        String what = i == 0 ? "the objective" : kind == DataParallel.Kind.REPORTS ? "report '" + script.reports.get(i - 1).name() + "'"
                                : "the gradient";
                        return what + " on " + m + " rows is " + all[i] + ", but the row-weighted average of its values on the first " + h
                                + " rows and on the other " + (m - h) + " is " + avg;
                    }
                }
            }
        }
        return null;
    }
}
