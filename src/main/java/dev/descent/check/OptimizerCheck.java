package dev.descent.check;

import dev.descent.syntax.Ast;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The checks of an optimizer's body that need no shapes: every name is a
 * hyperparameter, a step name (p, g, H, f, t), a state, a temporary assigned
 * earlier, or a top-level name; hyperparameters and f, t, H are read-only;
 * a state is declared once, before it is used.
 */
final class OptimizerCheck {
    private OptimizerCheck() {}

    static final Set<String> STEP = Set.of("p", "g", "H", "f", "t");
    static final Set<String> READ_ONLY = Set.of("H", "f", "t");

    /**
     * {@code NAME(args)} as a body statement: NAME is an optimizer (not this one), the arguments are
     * its hyperparameters, and the names they read are known here.
     */
    private static void use(Ast.Optimizer o, Ast.Call c, Module m, Set<String> known, Checker checker) {
        for (Ast.Arg a : c.args()) checker.nameCheck.names(a.value(), m, known, true);
        Module.OptimizerRef ref = m.optimizer(c.name());
        if (ref == null) {
            boolean function = m.defs.containsKey(c.name()) || Builtins.isFunction(c.name()) || OptimizerCalls.isBodyCall(c.name());
            if (function)
                checker.error(c.namePos(), c.name() + "(…) gives a value, but a statement of a body assigns a name or uses an optimizer",
                        "assign its value, e.g. x = " + c.name() + "(…)");
            else
                checker.error(c.namePos(), "unknown optimizer '" + c.name() + "'", Names.didYouMean(c.name(), m.optimizers.keySet()));
            return;
        }
        if (c.name().equals(o.name())) {
            checker.error(c.namePos(), "optimizer '" + c.name() + "' uses itself", "a body may use other optimizers, not itself");
            return;
        }
        for (Ast.Arg a : c.args()) if (a.param() != null) { checker.elab.perParameterOnlyAtTop(c); return; }
        checker.bind(c, ref.decl().hypers(), "optimizer '" + c.name() + "'", ref.decl().namePos());
    }

    static void check(Ast.Optimizer o, Module m, Checker checker) {
        Set<String> hypers = new LinkedHashSet<>();
        for (Ast.Formal f : o.hypers()) {
            if (STEP.contains(f.name()))
                checker.error(f.pos(), "'" + f.name() + "' is a name of every step (p, g, H, f, t) and cannot be a hyperparameter");
            hypers.add(f.name());
            if (f.defaultValue() != null) checker.nameCheck.names(f.defaultValue(), m, Set.of(), false);
        }
        Set<String> known = new HashSet<>(hypers);
        known.addAll(STEP);
        Set<String> states = new HashSet<>();
        for (Ast.BodyStmt st : o.body()) {
            switch (st) {
                case Ast.State s -> {
                    checker.nameCheck.names(s.init(), m, known, true);
                    if (STEP.contains(s.name()) || hypers.contains(s.name()))
                        checker.error(s.namePos(), "'" + s.name() + "' is already " + (hypers.contains(s.name()) ? "a hyperparameter" : "a name of every step")
                                + " and cannot be a state");
                    else if (s.name().equals(StepBuilder.P_FINAL))
                        checker.error(s.namePos(), "'" + s.name() + "' is the parameters the run ends with, assigned, not kept as a state",
                                "keep the average in a state and assign it: p_final = avg");
                    else if (!states.add(s.name()) || known.contains(s.name()))
                        checker.error(s.namePos(), "'" + s.name() + "' is already declared in this optimizer");
                    known.add(s.name());
                }
                case Ast.Assign a -> {
                    checker.nameCheck.names(a.value(), m, known, true);
                    if (hypers.contains(a.name())) {
                        checker.error(a.namePos(), "'" + a.name() + "' is a hyperparameter and cannot be assigned",
                                "copy it to a new name first: my_" + a.name() + " = " + a.name());
                    } else if (READ_ONLY.contains(a.name())) {
                        checker.error(a.namePos(), "'" + a.name() + "' cannot be assigned inside an optimizer (" + Elaborator.STEP_NAMES.get(a.name()) + ")");
                    } else if (a.op() != Ast.AssignOp.SET && !known.contains(a.name())) {
                        checker.error(a.namePos(), "'" + a.name() + "' " + a.op().text + " … needs '" + a.name() + "' to have a value first",
                                "declare it with 'state " + a.name() + " = 0' to keep it from step to step");
                    }
                    known.add(a.name());
                }
                case Ast.Use u -> use(o, u.call(), m, known, checker);
            }
        }
    }
}
