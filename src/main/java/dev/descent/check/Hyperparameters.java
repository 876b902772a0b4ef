package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.ir.Shape;
import dev.descent.syntax.Ast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer call's hyperparameters, bound for one optimize statement (its optimizer, each
 * optimizer of its chain, each optimizer its body uses): the arguments as written, the defaults,
 * and the settings for one parameter ({@code W2.lr = 0.02}), which make a hyperparameter a vector
 * over θ.
 */
final class Hyperparameters {
    private final Checker ck;
    private final Dag dag;
    private final Module script;
    private final int n;

    Hyperparameters(Checker ck, Dag dag, Module script, int n) {
        this.ck = ck;
        this.dag = dag;
        this.script = script;
        this.n = n;
    }

    /** Per optimizer (of a chain's, or the one named), its first per-parameter setting that uses a hyperparameter as a vector. */
    final Map<String, Ast.Arg> perParameterAt = new LinkedHashMap<>();

    /**
     * An optimizer's hyperparameters for a call: the arguments as written, evaluated in {@code scope}, or
     * the defaults (in the optimizer's own module). At an optimize statement ({@code shown} not null),
     * settings for one parameter, {@code W2.lr = 0.02}, make that hyperparameter a vector over θ: that
     * value on W2's elements, the optimizer's own elsewhere; {@code shown} gets the values without them.
     * Null when an error was reported.
     */
    Map<String, Node> bind(Ast.Call call, Module.OptimizerRef ref, Checker.Scope scope, Map<String, Node> onlyT, Map<String, Node> shown) {
        Ast.Optimizer decl = ref.decl();
        List<Ast.Arg> plain = new ArrayList<>(), per = new ArrayList<>();
        for (Ast.Arg a : call.args()) (a.param() == null ? plain : per).add(a);
        if (!per.isEmpty() && shown == null) {
            ck.elab.perParameterOnlyAtTop(call);
            return null;
        }
        Ast.Call c = per.isEmpty() ? call : new Ast.Call(call.pos(), call.name(), call.namePos(), plain);
        Map<String, Ast.Expr> bound = ck.bind(c, decl.hypers(), "optimizer '" + call.name() + "'", decl.namePos());
        if (bound == null) return null;
        Map<String, Node> hypers = new LinkedHashMap<>();
        for (Ast.Formal hf : decl.hypers()) {
            Ast.Expr given = bound.get(hf.name());
            Node v = given != null ? ck.expr(given, scope) : ck.expr(hf.defaultValue(), new Checker.Scope(ref.module(), Map.of(), onlyT, null));
            if (v == null) return null;
            hypers.put(hf.name(), v);
        }
        if (shown != null) for (Map.Entry<String, Node> e : hypers.entrySet()) shown.putIfAbsent(e.getKey(), e.getValue());
        if (per.isEmpty()) return hypers;
        // settings for one parameter: by hyperparameter, the parameters' values in the order written
        Map<String, Map<dev.descent.ir.Attr.Param, Node>> byHyper = new LinkedHashMap<>();
        boolean ok = true;
        for (Ast.Arg a : per) {
            dev.descent.ir.Attr.Param prm = parameter(a.param());
            if (prm == null) {
                List<String> names = parameterNames();
                String hint = Names.didYouMean(a.param(), names);
                ck.error(a.pos(), "'" + a.param() + "' is not a parameter of this script",
                        hint != null ? hint : names.isEmpty() ? null : "its parameters: " + String.join(", ", names));
                ok = false;
                continue;
            }
            if (!hypers.containsKey(a.name())) {
                String hint = Names.didYouMean(a.name(), hypers.keySet());
                ck.error(a.namePos(), "optimizer '" + call.name() + "' has no argument '" + a.name() + "'",
                        hint != null ? hint : hypers.isEmpty() ? "it takes no arguments" : "its arguments: " + String.join(", ", hypers.keySet()));
                ok = false;
                continue;
            }
            Node v = ck.expr(a.value(), scope);
            if (v == null) { ok = false; continue; }
            if (!v.shape.isScalar()) {
                ck.error(Checker.start(a.value()), "a setting for one parameter is one number, but this is " + Dag.describe(v.shape));
                ok = false;
                continue;
            }
            if (byHyper.computeIfAbsent(a.name(), k -> new LinkedHashMap<>()).put(prm, v) != null) {
                ck.error(a.pos(), "'" + a.param() + "." + a.name() + "' is given twice");
                ok = false;
            }
        }
        if (!ok) return null;
        for (Map.Entry<String, Map<dev.descent.ir.Attr.Param, Node>> e : byHyper.entrySet()) {
            Node v = hypers.get(e.getKey());
            if (!v.shape.isScalar()) {
                Ast.Arg first = per.stream().filter(a -> a.name().equals(e.getKey())).findFirst().orElseThrow();
                ck.error(first.pos(), "'" + e.getKey() + "' is " + Dag.describe(v.shape) + " already, so it cannot also be set for one parameter");
                return null;
            }
            for (Map.Entry<dev.descent.ir.Attr.Param, Node> pv : e.getValue().entrySet()) {
                double[] mask = new double[n];
                java.util.Arrays.fill(mask, pv.getKey().offset(), pv.getKey().offset() + pv.getKey().shape().size(), 1);
                v = dag.select(dag.constant(Shape.vector(n), mask), pv.getValue(), v);
            }
            hypers.put(e.getKey(), v);
        }
        perParameterAt.putIfAbsent(call.name(), per.getFirst());
        return hypers;
    }

    /** The script's parameter of this name, or null. */
    private dev.descent.ir.Attr.Param parameter(String name) {
        return script.globals.get(name) instanceof Module.Global.Value v && v.node().op == dev.descent.ir.Op.PARAM
                ? (dev.descent.ir.Attr.Param) v.node().attr : null;
    }

    private List<String> parameterNames() {
        List<String> out = new ArrayList<>();
        for (String k : script.globals.keySet()) if (parameter(k) != null) out.add(k);
        return out;
    }
}
