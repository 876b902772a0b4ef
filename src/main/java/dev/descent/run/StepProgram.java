package dev.descent.run;

import dev.descent.check.Script;
import dev.descent.check.Step;
import dev.descent.diff.Derivatives;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's update as one engine program over resident buffers. Its outputs: the new p
 * (output 0), the new value of each live state (outputs 1 … k), then what the run reads of it:
 * a flag that is NaN when some new parameter is not finite ({@code sum(0 · p')}: the divergence
 * check folded into the same pass), and, when fused, the objective and the squared norm of the
 * gradient and the {@code until} condition.
 *
 * <p><b>Fused</b> ({@link #fused}): the objective's value, its gradient and the update in one
 * program: the step's inputs g, f and p are replaced by the gradient's node, the objective's node
 * and the parameter's leaf ({@link Dag#substitute}: the same operations in the same order as the
 * two programs it replaces, so the same bits), and the engine lowers all of it together, which for
 * an elementwise update is one pass over the elements with the loss reduction folded in, as a
 * hand-written loop does it. θ is read from one buffer and the new θ written to another (so that
 * a step the run does not accept, because the loss is not finite or {@code until} holds, leaves θ
 * as it was); states are updated in place where the program allows.
 *
 * <p><b>Update</b> ({@link #update}): the step's own program, reading p, g, f, t (and H, the
 * line searches' results) from the buffers the run binds, after the objective's program wrote g.
 */
final class StepProgram {
    final ScriptProgram prog;
    final boolean fused;
    /** Outputs read by the run (-1: absent). */
    final int flagOut, lossOut, gradNormOut, untilOut;
    private final States states;
    /** The leaf θ is read through in the update program (INPUT p), or null when fused (the parameter's leaf). */
    private final Node pInput;

    private StepProgram(ScriptProgram prog, boolean fused, States states, Node pInput, int flag, int loss, int gradNorm, int until) {
        this.prog = prog;
        this.fused = fused;
        this.states = states;
        this.pInput = pInput;
        this.flagOut = flag;
        this.lossOut = loss;
        this.gradNormOut = gradNorm;
        this.untilOut = until;
    }

    /** The step's own update program: reads p, g, f, t, H, the states and the line searches' results. */
    static StepProgram update(Script script, Step step, States states, Engine engine) {
        return update(script.dag, step, states, engine);
    }

    /** As above, for a step whose nodes are in {@code dag} (an optimizer elaborated on its own). */
    static StepProgram update(Dag dag, Step step, States states, Engine engine) {
        List<Node> outs = new ArrayList<>();
        outs.add(step.pOutput());
        for (int i : states.live) outs.add(step.stateOutputs().get(i));
        int flag = outs.size();
        outs.add(dag.sum(dag.mul(dag.constant(0), step.pOutput())));
        ScriptProgram prog = new ScriptProgram(engine, outs);
        return new StepProgram(prog, false, states, prog.input("p"), flag, -1, -1, -1);
    }

    /**
     * Whether a step can be fused with the objective of {@code script}: one parameter, a vector
     * (θ is that vector), no Hessian, no line search, and state starts that do not read g or f
     * (which exist only once the objective has been evaluated).
     */
    static boolean fusable(Script script, Step step, boolean usesH, boolean initReadsGradient) {
        if (usesH || !step.searches().isEmpty() || !step.hvps().isEmpty() || !step.gradAts().isEmpty() || initReadsGradient || script.objective == null) return false;
        if (script.params.size() != 1) return false;
        Script.Param p = script.params.get(0);
        return p.shape().isVector() && p.shape().equals(step.p().shape);
    }

    /**
     * The step of statement {@code index} (from 0) of {@code instance} (the script checked for the
     * rows this program sees) fused with its objective. {@code sign}: −1 when the script maximizes.
     */
    static StepProgram fused(Script instance, int index, States states, Engine engine, double sign, boolean gradNorm) {
        return fused(instance, index, states, engine, sign, gradNorm, false);
    }

    /**
     * As above; with {@code onlyOverTheta}, null when the fused program would loop over another
     * shape than θ's (a model over data rows whose parameters are few: its update would then be
     * evaluated beside the loop, in float64 on the host, and give other bits in float32 than the
     * update's own program, which loops over θ; fusing such a step saves nothing anyway).
     */
    static StepProgram fused(Script instance, int index, States states, Engine engine, double sign, boolean gradNorm, boolean onlyOverTheta) {
        Dag dag = instance.dag;
        Step step = instance.steps.get(index);
        Node param = instance.params.get(0).node();
        Node objective = instance.objective;
        Node grad = Derivatives.gradient(dag, objective, List.of(param)).get(0);
        Node f = sign < 0 ? dag.neg(objective) : objective;
        Node g = sign < 0 ? dag.neg(grad) : grad;
        List<Node> roots = new ArrayList<>();
        roots.add(step.pOutput());
        for (int i : states.live) roots.add(step.stateOutputs().get(i));
        if (step.until() != null) roots.add(step.until());
        Map<Node, Node> replace = new IdentityHashMap<>();
        replace.put(step.p(), param);
        replace.put(step.g(), g);
        replace.put(step.f(), f);
        List<Node> outs = new ArrayList<>(dag.substitute(roots, replace));
        Node until = step.until() != null ? outs.remove(outs.size() - 1) : null;
        int flag = outs.size();
        outs.add(dag.sum(dag.mul(dag.constant(0), outs.get(0))));
        int loss = outs.size();
        outs.add(objective);
        int norm = -1;
        if (gradNorm) {
            norm = outs.size();
            outs.add(dag.sum(dag.mul(g, g)));
        }
        int u = -1;
        if (until != null) {
            u = outs.size();
            outs.add(until);
        }
        if (onlyOverTheta && !param.shape.equals(dev.descent.lower.Lowering.loopShape(outs))) return null;
        return new StepProgram(new ScriptProgram(engine, outs), true, states, null, flag, loss, norm, u);
    }

    /**
     * Binds a run: θ read from {@code theta}, the new θ written to {@code next} (or to
     * {@code theta} itself when the update program may update it in place: see
     * {@link #thetaInPlace}), the states (in place where allowed), and the cells t (and f).
     */
    void bind(Buffer theta, Buffer next, boolean inPlace) {
        prog.theta(theta);
        if (pInput != null) prog.bind("p", theta, 0);
        prog.bindOutput(0, inPlace ? theta : next, 0);
        for (int i = 0; i < states.size(); i++) states.bind(prog, i, 1 + i);
    }

    /** Whether the update program may write the new θ over θ (never for a fused one: see the class comment). */
    boolean thetaInPlace() { return !fused && (pInput == null || prog.writesInPlace(0, pInput)); }

    double scalar(int output) { return prog.program.scalar(output); }
}
