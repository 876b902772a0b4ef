package dev.descent.cli;

import dev.descent.check.Script;
import dev.descent.ir.Attr;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Printer;
import dev.descent.ir.Shape;
import dev.descent.diff.Derivatives;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "grad", mixinStandardHelpOptions = true, description = "Print each parameter's simplified symbolic derivative, as lines that paste back into a script.")
final class GradCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The script.") String file;

    @Option(names = "--hessian", description = "Also print the Hessian over the flat parameter vector.") boolean hessian;

    @Option(names = "--json", description = "Print one JSON object.") boolean json;

    @Option(names = "--set", paramLabel = "NAME=VALUE", description = "Override a top-level let.") List<String> sets;

    @picocli.CommandLine.Mixin LimitOptions limitOptions = new LimitOptions();

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Script s = Common.load(file, sets, err, false, false, limitOptions.limits());
        if (s == null) return Main.SCRIPT_ERROR;
        if (s.objective == null) {
            err.println(file + ": error: there is nothing to differentiate: the script has no 'minimize' or 'maximize'");
            return Main.SCRIPT_ERROR;
        }
        if (hessian) Common.checkHessian(s, Common.GRAD_HESSIAN_LIMIT, "grad");
        // the derivatives as DAG nodes only: nothing is evaluated, so nothing of θ's size is allocated
        List<Node> params = new ArrayList<>();
        for (Script.Param p : s.params) params.add(p.node());
        List<Node> gradient = Derivatives.gradient(s.dag, s.objective, params);
        LinkedHashMap<String, Node> outputs = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>(s.module.globals.keySet());
        taken.addAll(s.module.defs.keySet());
        for (int i = 0; i < s.params.size(); i++) outputs.put(name("grad_" + s.params.get(i).name(), taken), gradient.get(i));
        String hessianName = null;
        if (hessian) {
            hessianName = name("hessian", taken);
            outputs.put(hessianName, hessianMatrix(s.dag, Derivatives.hessian(s.dag, s.objective, params), s.dimension()));
        }
        taken.addAll(outputs.keySet());
        Printer.Printed printed = Printer.printShared(outputs, taken);
        if (json) {
            try (Json j = new Json()) {
                j.g.writeStartObject();
                j.g.writeFieldName("lets");
                j.g.writeStartArray();
                for (Map.Entry<String, String> e : printed.lets()) {
                    j.g.writeStartObject();
                    j.g.writeStringField("name", e.getKey());
                    j.g.writeStringField("expr", e.getValue());
                    j.g.writeEndObject();
                }
                j.g.writeEndArray();
                j.g.writeFieldName("grad");
                j.g.writeStartObject();
                int i = 0;
                for (Map.Entry<String, String> e : printed.outputs().entrySet()) {
                    if (e.getKey().equals(hessianName)) continue;
                    j.g.writeStringField(s.params.get(i++).name(), e.getValue());
                }
                j.g.writeEndObject();
                if (hessianName != null) j.g.writeStringField("hessian", printed.outputs().get(hessianName));
                j.g.writeEndObject();
                j.g.flush();
                out.println(j.text());
            }
        } else {
            out.println("# d/dθ of the objective of " + file + (s.maximize ? " (the expression maximized)" : ""));
            if (hessianName != null)
                out.println("# " + hessianName + ": the Hessian over θ = (" + Text.names(Points.thetaNames(s), s.dimension() > Text.THRESHOLD) + ")");
            for (Map.Entry<String, String> e : printed.lets()) out.println("let " + e.getKey() + " = " + e.getValue());
            for (Map.Entry<String, String> e : printed.outputs().entrySet()) out.println("let " + e.getKey() + " = " + e.getValue());
        }
        out.flush();
        return Main.OK;
    }

    private static String name(String base, Set<String> taken) {
        String n = base;
        for (int k = 2; taken.contains(n); k++) n = base + k;
        return n;
    }

    /** The Hessian as one [n, n] matrix of scalar expressions. */
    static Node hessianMatrix(Dag dag, List<List<Node>> rows, int n) {
        List<Node> cells = new ArrayList<>(n * n);
        for (List<Node> row : rows) {
            for (Node block : row) {
                Shape sh = block.shape;
                for (int k = 0; k < sh.size(); k++) {
                    if (sh.isScalar()) cells.add(block);
                    else cells.add(dag.index(block, sh.isVector() ? Attr.Index.element(k) : Attr.Index.element(k / sh.cols(), k % sh.cols())));
                }
            }
        }
        if (n == 1) return cells.get(0);
        return dag.pack(Shape.matrix(n, n), cells);
    }
}
