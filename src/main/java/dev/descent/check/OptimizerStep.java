package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An optimizer and its arguments, elaborated on their own for a parameter vector of any
 * length: the step of {@code optimize with CALL}, apart from any objective. The update of a
 * step depends on the objective only through the number of parameters, so the same call is
 * elaborated, by the same checker (its DAG, its module, its names), for θ of {@code n}
 * elements. What the Java API's {@code Optimizer} steps and {@code descent bench --n} times.
 *
 * <p>Made from a call resolved in the standard library and a library text
 * ({@link #of(SourceFile, SourceFile)}), or from a checked script's optimize statement
 * ({@link #of(Script, int)}).
 */
public final class OptimizerStep {
    private final Checker checker;
    private final Dag dag;
    private final Module module;
    private final Ast.Optimize statement;
    /** The step at the length it was first elaborated for. */
    private final Step first;

    private OptimizerStep(Checker checker, Dag dag, Module module, Ast.Optimize statement, Step first) {
        this.checker = checker;
        this.dag = dag;
        this.module = module;
        this.statement = statement;
        this.first = first;
    }

    /**
     * The {@code index}-th checked optimize statement of {@code script} (from 0), to elaborate
     * again for other lengths of θ.
     */
    public static OptimizerStep of(Script script, int index) {
        return new OptimizerStep(script.checker, script.dag, script.module, script.steps.get(index).statement(), script.steps.get(index));
    }

    /**
     * {@code call}: a text that is one optimizer call as written after {@code optimize with}
     * ({@code adam(lr = 0.01)}, {@code sgd}), whose arguments are expressions (numbers, or
     * schedules of t). It resolves in the standard library and in {@code library}, a text of
     * imports, lets, defs and optimizers (null for none). Checked for θ of one element; throws
     * {@link CompileError} with every problem found, positioned in {@code call} or {@code library}.
     */
    public static OptimizerStep of(SourceFile library, SourceFile call) {
        return of(library, call, Limits.DEFAULT);
    }

    /** As {@link #of(SourceFile, SourceFile)}, with these limits on what the optimizer may ask for. */
    public static OptimizerStep of(SourceFile library, SourceFile call, Limits limits) {
        Ast.Expr written = Parser.parseExpression(call);
        if (!(written instanceof Ast.Call) && !(written instanceof Ast.Name))
            throw new CompileError(List.of(Diagnostic.at(written.pos(), "expected an optimizer's call, e.g. adam(lr = 0.01)", null)));
        Ast.Program program = library == null ? null : Parser.parse(library);
        if (program != null) {
            List<Diagnostic> others = new ArrayList<>();
            for (Ast.Stmt st : program.statements())
                if (!(st instanceof Ast.Import || st instanceof Ast.Let || st instanceof Ast.Def || st instanceof Ast.Optimizer))
                    others.add(Diagnostic.at(st.pos(), "an optimizer's text may only hold import, let, def and optimizer statements",
                            "what a script runs (param, minimize, optimize, data, seed, report) belongs in a script: run it with Descent.load(…).run()"));
            if (!others.isEmpty()) throw new CompileError(others);
        }

        Checker ck = new Checker(Map.of(), Checker.Options.TRAINING.withLimits(limits));
        StandardLibrary.Loaded std = StandardLibrary.forScript((library == null ? "" : library.text()) + "\n" + call.text());
        ck.stdlib = std.module();
        ck.diagnostics.addAll(std.diagnostics());
        Module m = new Module(library != null ? library : call);
        if (ck.stdlib != null) {
            m.defs.putAll(ck.stdlib.defs);
            m.optimizers.putAll(ck.stdlib.optimizers);
        }
        if (library != null && library.path() != null) ck.imports.enter(library.path());
        if (program != null) ck.library(program, m);
        if (library != null && library.path() != null) ck.imports.exit();

        // the statement `optimize with CALL for 1 step`, made here rather than written: its count is never read
        Ast.Optimize stmt = new Ast.Optimize(written.pos(), written, new Ast.Num(written.pos(), 1, "1"), Ast.Unit.STEPS, null, null, null);
        ck.nameCheck.optimize(stmt, m);
        Step step = null;
        if (ck.diagnostics.isEmpty()) step = ck.elaborateStep(m, stmt, 1);
        if (!ck.diagnostics.isEmpty() || step == null) {
            if (ck.diagnostics.isEmpty()) throw new IllegalStateException("the step of " + call.text() + " failed without a diagnostic");
            throw new CompileError(Checker.sorted(ck.diagnostics));
        }
        return new OptimizerStep(ck, ck.dag, m, stmt, step);
    }

    /** The DAG the steps' nodes live in. */
    public Dag dag() { return dag; }

    /** The call as it runs, e.g. {@code adam(lr = 0.01)}. */
    public String call() { return first.call(); }

    /** The step at the length it was made for: the script's θ, or one element for a call on its own. */
    public Step first() { return first; }

    /**
     * The step elaborated for θ of {@code n} elements: inputs p and g of shape [n], states shaped
     * as the body makes them. Throws IllegalArgumentException when the body cannot be elaborated
     * at that size (it is written for another number of parameters).
     */
    public Step step(int n) {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1, not " + n);
        if (n == first.p().shape.size()) return first;
        int mark = checker.mark();
        Step s = checker.elaborateStep(module, statement, n);
        if (s == null || checker.mark() > mark) {
            checker.rollback(mark);
            throw new IllegalArgumentException("the step of " + first.call() + " cannot be elaborated for " + n
                    + " parameters (its body is written for θ of " + first.p().shape.size() + ")");
        }
        return s;
    }
}
