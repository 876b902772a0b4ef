package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A checked script: its parameters, its objective as a DAG node, its data, and the
 * statements that later stages run. Made by {@link Checker}.
 */
public final class Script {

    /** How a parameter starts: one value for every element, given values, or drawn from a distribution. */
    public sealed interface Init {
        /**
         * Writes the start of a parameter of {@code count} elements into {@code into[at …
         * at + count)}. A random start draws its {@code count} numbers from {@code rng}, in
         * order; the others do not touch it.
         */
        void write(double[] into, int at, int count, SplittableRandom rng);

        /** Every element {@code value}: {@code param p[N] = c} (nothing of the parameter's size is stored). */
        record Fill(double value) implements Init {
            @Override public void write(double[] into, int at, int count, SplittableRandom rng) {
                java.util.Arrays.fill(into, at, at + count, value);
            }
        }

        /** The given values, row-major: {@code param x = [1, 2]}. */
        record Values(double[] values) implements Init {
            @Override public void write(double[] into, int at, int count, SplittableRandom rng) {
                System.arraycopy(values, 0, into, at, count);
            }
        }

        record Normal(double mean, double std) implements Init {
            @Override public void write(double[] into, int at, int count, SplittableRandom rng) {
                for (int i = 0; i < count; i++) into[at + i] = mean + std * rng.nextGaussian();
            }
        }

        record Uniform(double low, double high) implements Init {
            @Override public void write(double[] into, int at, int count, SplittableRandom rng) {
                for (int i = 0; i < count; i++) into[at + i] = low + (high - low) * rng.nextDouble();
            }
        }
    }

    /** A parameter: name, shape, offset in the flat θ, its leaf node, how it starts. */
    public record Param(String name, Pos pos, Shape shape, int offset, Node node, Init init) {}

    /** {@code report NAME = EXPR}: a metric (a scalar), evaluated without dropout on each split at the end of a run. */
    public record Report(String name, Pos pos, Node value) {}

    /** A top-level let: its name and value. */
    public record Let(String name, Pos pos, Node value) {}

    public final SourceFile source;
    public final Dag dag;
    public final List<Param> params;
    public final List<Let> lets;
    /** The objective as written (for maximize, the expression maximized); null when the script has none. */
    public final Node objective;
    public final boolean maximize;
    public final Pos objectivePos;
    /** The script's seed, or null when none is given. */
    public final Long seed;
    public final Map<String, DataSet> data;
    /** The module (definitions, optimizers, imports) the script's names resolve in. */
    public final Module module;
    /** The optimize statements, in order. */
    public final List<Ast.Optimize> runs;
    /** The optimize statements, checked and elaborated: what the driver runs. */
    public final List<Step> steps;
    /** The --set values and options it was checked with (to instantiate it again for other data rows). */
    public final Map<String, Double> settings;
    public final Checker.Options options;
    /** The report statements, in order. */
    public final List<Report> reports;

    /**
     * This script again, with its data seen as other numbers of rows (batches, splits), or for
     * evaluation rather than training. Made once per (training, rows): every batch of a size, and
     * every run of this script, shares it (a script, like its DAG, is used by one thread at a time).
     */
    public Script instance(boolean training, Map<String, Integer> rows) {
        InstanceKey key = new InstanceKey(training, Map.copyOf(rows));
        synchronized (instances) {
            Script s = instances.get(key);
            if (s == null) {
                s = Checker.check(program, settings, new Checker.Options(training, data, key.rows(), LoadProgress.NONE, options.limits()));
                instances.put(key, s);
            }
            return s;
        }
    }

    private record InstanceKey(boolean training, Map<String, Integer> rows) {}

    /** The instances made so far ({@link #instance}). */
    private final Map<InstanceKey, Script> instances = new java.util.HashMap<>();

    /** The script as parsed (shared by its instances, so each is checked without parsing it again). */
    private final Ast.Program program;

    /** The checker that made it: its DAG, diagnostics and stages, to elaborate a step again ({@link OptimizerStep}). */
    final Checker checker;

    Script(Checker checker, SourceFile source, Ast.Program program, Dag dag, List<Param> params, List<Let> lets, Node objective, boolean maximize, Pos objectivePos,
           Long seed, Map<String, DataSet> data, Module module, List<Ast.Optimize> runs, List<Step> steps,
           Map<String, Double> settings, Checker.Options options, List<Report> reports) {
        this.checker = checker;
        this.reports = reports;
        this.settings = settings;
        this.options = options;
        this.source = source;
        this.program = program;
        this.dag = dag;
        this.params = params;
        this.lets = lets;
        this.objective = objective;
        this.maximize = maximize;
        this.objectivePos = objectivePos;
        this.seed = seed;
        this.data = data;
        this.module = module;
        this.runs = runs;
        this.steps = steps;
    }

    /** Total number of scalar parameters: the length of θ. */
    public int dimension() {
        int n = 0;
        for (Param p : params) n += p.shape().size();
        return n;
    }

    public Param param(String name) {
        for (Param p : params) if (p.name().equals(name)) return p;
        return null;
    }

    /**
     * The starting point θ0, flat. Random starts draw, in declaration order, from one
     * {@link SplittableRandom} seeded with {@code seed}: the same seed, the same start.
     */
    public double[] initialTheta(long seed) {
        double[] theta = new double[dimension()];
        initialTheta(seed, theta, 0);
        return theta;
    }

    /**
     * Writes θ0, as {@link #initialTheta(long)} makes it, into {@code into[at … at +
     * dimension())}, allocating nothing of θ's size: for a caller that fills its own buffer.
     */
    public void initialTheta(long seed, double[] into, int at) {
        if (at < 0 || into.length - at < dimension())
            throw new IllegalArgumentException("θ has " + dimension() + " elements; they do not fit at " + at + " in an array of " + into.length);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Param p : params) p.init().write(into, at + p.offset(), p.shape().size(), rng);
    }

    /** True when some parameter starts at a random point (so the seed matters). */
    public boolean hasRandomStart() {
        for (Param p : params) if (p.init() instanceof Init.Normal || p.init() instanceof Init.Uniform) return true;
        return false;
    }
}
