package dev.descent.check;

import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The checking stage that needs no shapes: every name in every def and optimizer body, and in
 * each {@code optimize with} statement (the optimizer, its arguments, counts, batch, patience,
 * until), is resolved and reported when unknown, called or not; def bodies themselves are
 * elaborated later, at each call, for the shapes they are given.
 */
final class NameCheck {
    private final Checker ck;

    NameCheck(Checker ck) { this.ck = ck; }


    /**
     * Def bodies are elaborated at each call (so a def works on any shape), but every
     * name in every def and optimizer body is checked here, called or not.
     */
    void definitions(Module m) {
        for (Module.DefRef d : m.defs.values()) {
            if (d.module() != m) continue;
            Set<String> locals = new HashSet<>();
            for (Ast.Formal f : d.def().formals()) {
                locals.add(f.name());
                if (f.defaultValue() != null) names(f.defaultValue(), m, Set.of(), false);
            }
            locals.add("t");
            locals.addAll(Step.RUN_NAMES); // known where t is, outside optimizer bodies
            names(d.def().body(), m, locals, false);
        }
        for (Module.OptimizerRef o : m.optimizers.values()) {
            if (o.module() != m) continue;
            OptimizerCheck.check(o.decl(), m, ck);
        }
    }

    /**
     * An optimizer named in an optimize statement (or in a chain there), {@code name(args)}: the
     * optimizer exists, each argument is one of its hyperparameters (or, as {@code W2.lr = 0.02}, one
     * of them for one parameter of the script), those without defaults are given, and the arguments'
     * names are known.
     */
    private void optimizerCall(String name, List<Ast.Arg> args, Pos at, Pos callPos, Module m, Set<String> stepNames) {
        Module.OptimizerRef ref = m.optimizer(name);
        if (ref == null) {
            ck.error(at, "unknown optimizer '" + name + "'", Names.didYouMean(name, m.optimizers.keySet()));
        } else {
            Set<String> hypers = new LinkedHashSet<>();
            for (Ast.Formal f : ref.decl().hypers()) hypers.add(f.name());
            int positional = 0;
            for (Ast.Arg a : args) {
                if (a.param() != null) {
                    if (!(m.globals.get(a.param()) instanceof Module.Global.Value v && v.node().op == dev.descent.ir.Op.PARAM)
                            && !m.failed.contains(a.param())) {
                        java.util.List<String> params = new java.util.ArrayList<>();
                        for (var e : m.globals.entrySet())
                            if (e.getValue() instanceof Module.Global.Value v && v.node().op == dev.descent.ir.Op.PARAM) params.add(e.getKey());
                        String hint = Names.didYouMean(a.param(), params);
                        ck.error(a.pos(), "'" + a.param() + "' is not a parameter of this script",
                                hint != null ? hint : params.isEmpty() ? null : "its parameters: " + String.join(", ", params));
                    }
                    if (!hypers.contains(a.name())) {
                        String hint = Names.didYouMean(a.name(), hypers);
                        ck.error(a.namePos(), "optimizer '" + name + "' has no argument '" + a.name() + "'",
                                hint != null ? hint : hypers.isEmpty() ? "it takes no arguments" : "its arguments: " + String.join(", ", hypers));
                    }
                } else if (a.name() == null) {
                    if (positional++ >= hypers.size())
                        ck.error(a.pos(), "optimizer '" + name + "' takes " + hypers.size() + " argument" + (hypers.size() == 1 ? "" : "s"));
                } else if (!hypers.contains(a.name())) {
                    String hint = Names.didYouMean(a.name(), hypers);
                    ck.error(a.pos(), "optimizer '" + name + "' has no argument '" + a.name() + "'",
                            hint != null ? hint : hypers.isEmpty() ? "it takes no arguments" : "its arguments: " + String.join(", ", hypers));
                }
            }
            final int given = positional;
            for (Ast.Formal f : ref.decl().hypers())
                if (f.defaultValue() == null && args.stream().noneMatch(a -> a.param() == null && f.name().equals(a.name())) && given <= ref.decl().hypers().indexOf(f))
                    ck.error(callPos, "optimizer '" + name + "' needs a value for '" + f.name() + "'", "write " + name + "(" + f.name() + " = …)");
        }
        for (Ast.Arg a : args) names(a.value(), m, stepNames, false);
    }

    /** Reports unknown names and functions in e, without elaborating it. */
    void names(Ast.Expr e, Module m, Set<String> locals, boolean inOptimizer) {
        Deque<Ast.Expr> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty()) {
            Ast.Expr x = todo.pop();
            switch (x) {
                case Ast.Name n -> {
                    if (locals.contains(n.name()) || m.globals.containsKey(n.name()) || m.declaredLater.containsKey(n.name()) || m.failed.contains(n.name())
                            || Checker.CONSTANTS.containsKey(n.name())) continue;
                    ck.unknownName(n, m, locals);
                }
                case Ast.Call c -> {
                    if (!m.defs.containsKey(c.name()) && !Builtins.isFunction(c.name()) && !(inOptimizer && OptimizerCalls.isBodyCall(c.name())))
                        ck.unknownFunction(c, m);
                    for (Ast.Arg a : c.args()) todo.push(a.value());
                }
                case Ast.Binary b -> { todo.push(b.right()); todo.push(b.left()); }
                case Ast.Unary u -> todo.push(u.operand());
                case Ast.If i -> { todo.push(i.otherwise()); todo.push(i.then()); todo.push(i.cond()); }
                case Ast.Index i -> { i.indices().forEach(todo::push); todo.push(i.target()); }
                case Ast.Member mb -> todo.push(mb.target());
                case Ast.ArrayLit a -> a.elements().forEach(todo::push);
                default -> {}
            }
        }
    }

    void optimize(Ast.Optimize o, Module m) {
        Set<String> stepNames = new HashSet<>(Set.of("t", "g", "f", "p"));
        stepNames.addAll(Step.RUN_NAMES);
        if (o.optimizer() instanceof Ast.Call c && c.name().equals("chain") && m.optimizer("chain") == null) {
            // chain(a(…), b(…)): the optimizers' bodies one after another
            if (c.args().isEmpty())
                ck.error(c.namePos(), "chain(…) needs the optimizers it runs, in order", "e.g. chain(clip_by_global_norm(1), adam(lr = 0.01))");
            for (Ast.Arg a : c.args()) {
                if (a.name() != null) {
                    ck.error(a.pos(), "chain(…) takes optimizers, not named arguments", "e.g. chain(clip_by_global_norm(1), adam(lr = 0.01))");
                    continue;
                }
                if (a.value() instanceof Ast.Call e) optimizerCall(e.name(), e.args(), e.namePos(), e.pos(), m, stepNames);
                else if (a.value() instanceof Ast.Name e) optimizerCall(e.name(), List.of(), e.pos(), e.pos(), m, stepNames);
                else ck.error(Checker.start(a.value()), "chain(…) takes optimizers, such as adam(lr = 0.01), not values");
            }
        } else if (o.optimizer() instanceof Ast.Call c) optimizerCall(c.name(), c.args(), c.namePos(), o.optimizer().pos(), m, stepNames);
        else if (o.optimizer() instanceof Ast.Name n) optimizerCall(n.name(), List.of(), n.pos(), o.optimizer().pos(), m, stepNames);
        else return;
        ck.count(o.count(), m, o.unit() == Ast.Unit.STEPS ? "the number of steps" : "the number of epochs", true);
        if (o.batch() != null) ck.count(o.batch(), m, "the batch size", false);
        if (o.patience() != null) ck.count(o.patience(), m, "the patience", false);
        if (o.until() != null) names(o.until(), m, stepNames, false);
        boolean noData = m.globals.values().stream().noneMatch(g -> g instanceof Module.Global.Data) && !ck.hasFailedData(m);
        if (o.unit() == Ast.Unit.EPOCHS && noData)
            ck.error(o.count().pos(), "epochs count passes over data, but this script has no data", "without data, write 'for N steps'");
        if (o.batch() != null && noData)
            ck.error(o.batch().pos(), "a batch samples rows of data, but this script has no data");
        if (o.patience() != null && !ck.hasFailedData(m)
                && m.globals.values().stream().noneMatch(g -> g instanceof Module.Global.Data d && d.data().hasValidation()))
            ck.error(o.patience().pos(), "patience (early stopping) watches the validation loss, but no data set holds rows out for validation",
                    "write data d = csv(\"file.csv\", validation = 0.2) to hold out a fifth of the rows");
    }
}
