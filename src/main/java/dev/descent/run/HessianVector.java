package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * The Hessian-vector product H·v of a script's objective, without forming H: symbolically, the
 * gradient of ⟨∇f, v⟩ with v an input (forward-over-reverse as a second reverse pass over the
 * gradient's expression, {@link Derivatives#hessianVector}); one engine program, bound to θ, to v
 * (each parameter's leaf to its range of a v buffer) and to the rows, writing H·v into an out buffer.
 */
final class HessianVector {
    /** The name of v's leaf for parameter {@code name} in the objective's DAG. */
    static String vName(String name) { return "hvp-v:" + name; }

    private final ScriptProgram prog;
    private final Script script;

    /** @param sign H of sign × the objective (−1 where the optimizer minimizes −F) */
    HessianVector(Script script, Engine engine, double sign) {
        this.script = script;
        Dag dag = script.dag;
        List<Node> params = new ArrayList<>(), vs = new ArrayList<>();
        for (Script.Param p : script.params) {
            params.add(p.node());
            vs.add(dag.input(vName(p.name()), p.node().shape));
        }
        List<Node> hv = Derivatives.hessianVector(dag, script.objective, params, vs);
        if (sign < 0) hv.replaceAll(dag::neg);
        prog = new ScriptProgram(engine, hv);
    }

    /** Binds θ, v and the output H·v (each parameter's range of the three buffers). */
    void bind(Buffer theta, Buffer v, Buffer out) {
        prog.theta(theta);
        for (int k = 0; k < script.params.size(); k++) {
            Script.Param p = script.params.get(k);
            prog.bind(vName(p.name()), v, p.offset());
            prog.bindOutput(k, out, p.offset());
        }
    }

    void rows(Rows rows) { prog.rows(rows); }

    void run(java.util.random.RandomGenerator rng) { prog.run(rng); }
}
