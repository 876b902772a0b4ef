package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.ir.Node;
import dev.descent.run.Driver.Split;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objective's and the reports' programs on each split, built once and evaluated at any θ
 * (dropout off). Its rows are its own (the splits are drawn from the seed alone), and it is
 * handed a generator of its own, never drawn from: evaluating never moves the run's random
 * stream.
 */
final class SplitEvaluator {
    private final List<String> names = new ArrayList<>();
    private final List<Evaluation> objectives = new ArrayList<>();
    private final List<ScriptProgram> reports = new ArrayList<>();
    private final List<Script> scripts = new ArrayList<>();

    SplitEvaluator(Driver d, Step step) {
        Engine engine = d.engine;
        Batches b = new Batches(d.script, step, new Rng(d.seed), d.seed, engine.precision(), d.converted, d.parallel != null);
        for (String name : List.of("train", "validation", "test")) {
            Rows rows = b.split(name);
            if (rows == null) continue;
            names.add(name);
            Evaluation o = d.evaluation(rows.script, false, false, 1, false);
            o.rows(rows);
            objectives.add(o);
            scripts.add(rows.script);
            ScriptProgram p = null;
            if (!rows.script.reports.isEmpty() && d.parallel == null) {
                List<Node> nodes = new ArrayList<>();
                for (Script.Report r : rows.script.reports) nodes.add(r.value());
                p = new ScriptProgram(engine, nodes);
                p.rows(rows);
            }
            reports.add(p);
        }
    }

    List<Split> evaluate(Buffer theta) {
        List<Split> out = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            Evaluation o = objectives.get(k);
            o.theta(theta);
            double loss = o.run();
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (o instanceof Evaluation.Remote remote && !scripts.get(k).reports.isEmpty()) { // the reports on the split's rows, as averages of the parts'
                double[] r = remote.request(DataParallel.Kind.REPORTS, theta, null);
                List<Script.Report> rs = scripts.get(k).reports;
                for (int i = 0; i < rs.size(); i++) metrics.put(rs.get(i).name(), r[1 + i]);
            }
            ScriptProgram p = reports.get(k);
            if (p != null) {
                p.theta(theta);
                p.run(null); // evaluated: no dropout masks to draw
                List<Script.Report> rs = scripts.get(k).reports;
                for (int i = 0; i < rs.size(); i++) metrics.put(rs.get(i).name(), p.program.scalar(i));
            }
            out.add(new Split(names.get(k), loss, metrics));
        }
        return out;
    }
}
