package dev.descent.spark;

import dev.descent.check.Limits;
import dev.descent.check.Script;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import dev.descent.ir.Op;
import dev.descent.ir.Reach;
import dev.descent.run.DataParallel;
import dev.descent.run.PartitionEvaluator;
import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * A script's data read on Spark and the script checked for it: the data set's rows are read by
 * the executors ({@code csv("…")}: a CSV file or folder with a header row; {@code
 * parquet("…")}: Parquet, numeric columns), cut into blocks of {@link PartitionEvaluator#BLOCK_ROWS}
 * rows, kept by Spark in memory and on disk ({@link StorageLevel#MEMORY_AND_DISK}) and counted once;
 * only the column names and the count come to the driver, where the script is checked with the
 * data as columns without values. A path with a scheme ({@code hdfs://}, {@code s3a://},
 * {@code file:}) is given to Spark as it is; a plain path is relative to the script's folder.
 */
public final class SparkCluster implements DataParallel.Connection {
    private final SparkSession spark;
    private final boolean ownSession;
    private final Script script;
    private final SparkData data;
    private final JavaRDD<double[][]> blocks;
    private final String describe;

    private SparkCluster(SparkSession spark, boolean own, Script script, SparkData data, JavaRDD<double[][]> blocks, String describe) {
        this.spark = spark;
        this.ownSession = own;
        this.script = script;
        this.data = data;
        this.blocks = blocks;
        this.describe = describe;
    }

    @Override public Script script() { return script; }

    @Override public DataParallel data() { return data; }

    @Override public DataParallel.LocalRounds rounds() { return data; }

    @Override public String describe() { return describe; }

    @Override public void close() {
        blocks.unpersist(false);
        if (ownSession) spark.stop();
    }

    /** A session of its own on {@code master} (stopped by {@link #close}). */
    static SparkSession session(String master, String app) {
        SparkSession.Builder b = SparkSession.builder().master(master).appName(app).config("spark.ui.enabled", "false");
        // in local mode the driver and its executors are one JVM: bound to the loopback, whatever the host's name resolves to
        if (master.startsWith("local")) b = b.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1");
        return b.getOrCreate(); // its logging: off unless -Ddescent.spark.log=LEVEL (log4j2.properties)
    }

    /** Opens the script on a session of its own on {@code master}. */
    static SparkCluster open(String master, SourceFile source, Map<String, Double> settings, Limits limits, Consumer<String> notes) {
        Ast.Program program = Parser.parse(source); // syntax errors before Spark starts
        DataStatement ds = dataStatement(program);
        SparkSession s = session(master, "descent " + source.name());
        try {
            return open(s, true, source, program, ds, settings, limits, notes);
        } catch (RuntimeException e) {
            s.stop();
            throw e;
        }
    }

    /** Opens the script on an existing session (left running by {@link #close}): the Java API's way. */
    public static SparkCluster open(SparkSession spark, SourceFile source, Map<String, Double> settings, Limits limits, Consumer<String> notes) {
        Ast.Program program = Parser.parse(source);
        return open(spark, false, source, program, dataStatement(program), settings, limits, notes);
    }

    /** The script's one data statement: its name, its reader (csv or parquet) and its path, positioned. */
    private record DataStatement(Ast.Data stmt, String reader, Ast.Str path) {}

    private static DataStatement dataStatement(Ast.Program program) {
        List<Ast.Data> found = new ArrayList<>();
        for (Ast.Stmt st : program.statements()) if (st instanceof Ast.Data d) found.add(d);
        if (found.isEmpty())
            throw new CompileError(Diagnostic.at(new dev.descent.syntax.Pos(program.source(), 1, 1, 1),
                    "--spark runs a script over a data set, and this one has none", "declare it with data d = csv(\"rows.csv\") or data d = parquet(\"rows.parquet\")"));
        if (found.size() > 1)
            throw new CompileError(Diagnostic.at(found.get(1).pos(), "on Spark a script reads one data set; this is its second",
                    "put the columns in one table (one CSV or Parquet data set)"));
        Ast.Data d = found.get(0);
        if (!(d.source() instanceof Ast.Call c) || !(c.name().equals("csv") || c.name().equals("parquet")))
            throw new CompileError(Diagnostic.at(d.source().pos(), "on Spark a data set is read with csv(\"path\") or parquet(\"path\")"));
        Ast.Str path = null;
        for (Ast.Arg a : c.args()) {
            if (a.name() == null && path == null && a.value() instanceof Ast.Str str) path = str;
            else if (!"nonfinite".equals(a.name()) && !"validation".equals(a.name()) && !"test".equals(a.name()))
                throw new CompileError(Diagnostic.at(a.pos(), c.name() + " has no argument " + (a.name() == null ? "here" : "'" + a.name() + "'")));
        }
        if (path == null) throw new CompileError(Diagnostic.at(c.pos(), c.name() + " needs the data's path in double quotes: " + c.name() + "(\"path\")"));
        return new DataStatement(d, c.name(), path);
    }

    /** A path as Spark reads it: with a scheme as written, else relative to the script's folder. */
    static String resolve(SourceFile source, String path) {
        try {
            URI u = new URI(path);
            if (u.getScheme() != null && u.getScheme().length() > 1) return path; // a Windows drive letter is not a scheme
        } catch (java.net.URISyntaxException e) {
            // a plain path
        }
        Path base = source.path() == null ? Path.of("") : source.path().toAbsolutePath().getParent();
        return base.resolve(path).toAbsolutePath().normalize().toString();
    }

    private static SparkCluster open(SparkSession spark, boolean own, SourceFile source, Ast.Program program, DataStatement ds,
                                     Map<String, Double> settings, Limits limits, Consumer<String> notes) {
        String name = ds.stmt().name(), where = resolve(source, ds.path().value());
        Dataset<Row> table;
        List<String> columns = new ArrayList<>();
        try {
            if (ds.reader().equals("csv")) {
                // the header alone, for the names; then every column read as a double, failing on a cell that is not a number
                for (String c : spark.read().option("header", "true").csv(where).columns()) columns.add(c);
                List<StructField> fields = new ArrayList<>();
                for (String c : columns) fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, true));
                table = spark.read().option("header", "true").option("mode", "FAILFAST").schema(new StructType(fields.toArray(new StructField[0]))).csv(where);
            } else {
                Dataset<Row> pq = spark.read().parquet(where);
                List<org.apache.spark.sql.Column> cast = new ArrayList<>();
                for (StructField f : pq.schema().fields()) {
                    if (!(f.dataType() instanceof org.apache.spark.sql.types.NumericType) && !(f.dataType() instanceof org.apache.spark.sql.types.BooleanType)) continue;
                    columns.add(f.name());
                    cast.add(pq.col("`" + f.name() + "`").cast(DataTypes.DoubleType).as(f.name()));
                }
                table = pq.select(cast.toArray(new org.apache.spark.sql.Column[0]));
            }
        } catch (Exception e) { // Spark's AnalysisException is checked, though Scala throws it undeclared
            throw new CompileError(Diagnostic.at(ds.path().pos(), "Spark cannot read " + ds.reader() + " data at " + where + ": " + firstLine(e)));
        }
        int width = columns.size();
        String[] names = columns.toArray(new String[0]);
        JavaRDD<double[][]> blocks = table.javaRDD()
                .mapPartitions((Iterator<Row> rows) -> PartitionEvaluator.blocks(doubles(rows, names), width, PartitionEvaluator.BLOCK_ROWS))
                .persist(StorageLevel.MEMORY_AND_DISK());
        long n = 0;
        long[] offsets;
        try {
            // reads the rows once, into Spark's storage: each partition's rows, in partition order
            List<Long> counts = blocks.mapPartitions((Iterator<double[][]> it) -> {
                long c = 0;
                while (it.hasNext()) c += it.next()[0].length;
                return List.of(c).iterator();
            }).collect();
            offsets = new long[counts.size()];
            for (int p = 0; p < offsets.length; p++) {
                offsets[p] = n;
                n += counts.get(p);
            }
        } catch (Exception e) {
            blocks.unpersist(false);
            throw new CompileError(Diagnostic.at(ds.path().pos(), "reading " + where + " on Spark: " + firstLine(e)));
        }
        try {
            if (n == 0) throw new CompileError(Diagnostic.at(ds.path().pos(), where + " has no rows"));
            if (n > Integer.MAX_VALUE)
                throw new CompileError(Diagnostic.at(ds.path().pos(), where + " has " + n + " rows; a script's data set has at most " + Integer.MAX_VALUE + " rows for now"));
            Job job = new Job(source.name(), source.path() == null ? null : source.path().toString(), source.text(), settings, name, columns);
            Script script = job.check(true, (int) n, limits);
            checkRun(script, name);
            // a mean over the rows, tested on the first block of real rows (the only rows the driver sees)
            PartitionEvaluator local = job.evaluator();
            double[][] first = blocks.first();
            long seed = script.seed != null ? script.seed : 0;
            String why = local.checkDecomposes(first, script.initialTheta(seed), seed);
            if (why != null)
                throw new CompileError(Diagnostic.at(script.objectivePos, "on Spark the objective must be a mean over the rows (plus terms that do not read the data), "
                        + "so that the partitions' parts add up to it: " + why, "write mean(…) over the rows rather than sum(…), and keep functions such as sqrt, log or max outside the data's mean off the objective"));
            int parts = blocks.getNumPartitions();
            String describe = "on Spark " + spark.sparkContext().master() + ": " + n + " rows of " + where + " in " + parts
                    + (parts == 1 ? " partition" : " partitions") + ", one Spark job per evaluation";
            return new SparkCluster(spark, own, script, new SparkData(blocks, job, offsets, n, seed), blocks, describe);
        } catch (RuntimeException e) {
            blocks.unpersist(false);
            throw e;
        }
    }

    /** What the driver runs here: no dropout, the objective on the one data set. */
    private static void checkRun(Script script, String data) {
        if (script.objective == null) return; // said by run itself
        if (Reach.any(List.of(script.objective), x -> x.op == Op.RANDOM))
            throw new CompileError(Diagnostic.at(script.objectivePos, "on Spark the objective cannot use dropout yet (its masks are drawn on the driver, row by row)"));
        Set<String> sets = new TreeSet<>();
        List<Node> roots = new ArrayList<>(List.of(script.objective));
        for (Script.Report r : script.reports) roots.add(r.value());
        Reach.any(roots, x -> {
            if (x.op == Op.DATA && x.attr instanceof Attr.Column c) sets.add(c.data());
            return false;
        });
        sets.remove(data);
        if (!sets.isEmpty()) throw new IllegalStateException("the objective reads data sets " + sets + " besides " + data);
    }

    /** Each row as doubles, in the order of {@code names}; an empty cell is an error naming its column. */
    private static Iterator<double[]> doubles(Iterator<Row> rows, String[] names) {
        return new Iterator<>() {
            @Override public boolean hasNext() { return rows.hasNext(); }

            @Override public double[] next() {
                Row r = rows.next();
                double[] out = new double[names.length];
                for (int i = 0; i < out.length; i++) {
                    if (r.isNullAt(i)) throw new IllegalArgumentException("an empty cell in column '" + names[i] + "'");
                    out[i] = r.getDouble(i);
                }
                return out;
            }
        };
    }

    /** The first line of the innermost message: what Spark's wrapped exceptions say, without their stack. */
    static String firstLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
