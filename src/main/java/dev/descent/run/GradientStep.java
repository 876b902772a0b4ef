package dev.descent.run;

import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Precision;
import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer's update driven by gradients its caller computes: the Java API's
 * {@code Optimizer.step(params, grads)}, and what {@code descent bench --n} times. It is the
 * driver's own update ({@link StepProgram#update}, {@link States}): the parameters are read and
 * updated in place in the caller's buffer when the program allows it (as it does for every
 * standard optimizer), the live states are resident buffers updated in place, nothing is
 * allocated or converted per step. t starts at 1 and advances by one per {@link #step}.
 *
 * <p>A step that reads the objective's value f or its Hessian, or that searches along a line,
 * needs the objective itself and is refused ({@link Step#needsObjective}).
 */
public final class GradientStep {
    private final Step step;
    private final Engine engine;
    private final int n;
    private final States states;
    private final StepProgram update;
    private final ScriptProgram init;
    private final double[] tCell = {1}, fCell, one = {1};
    private Buffer scratch;
    private long t;

    /**
     * The update of {@code step} (its nodes in {@code dag}, for θ of {@code step.p()}'s length) on this engine.
     * {@code f}: the value its input f holds (the API refuses steps that read it; bench gives 1).
     */
    public GradientStep(Dag dag, Step step, Engine engine, double f) {
        String why = step.needsObjective();
        if (why != null) throw new IllegalArgumentException(why);
        this.step = step;
        this.engine = engine;
        this.n = step.p().shape.size();
        this.fCell = new double[] {f};
        List<Node> roots = new ArrayList<>();
        roots.add(step.pOutput());
        states = new States(step, engine, roots).allocate();
        update = StepProgram.update(dag, step, states, engine);
        update.prog.bind("t", Buffer.of(tCell), 0);
        update.prog.bind("f", Buffer.of(fCell), 0);
        List<Node> inits = new ArrayList<>();
        for (int i : states.live) inits.add(step.stateInits().get(i));
        if (inits.isEmpty()) init = null;
        else {
            init = new ScriptProgram(engine, inits);
            init.bind("t", Buffer.of(one), 0);
            init.bind("f", Buffer.of(fCell), 0);
            for (int i = 0; i < states.size(); i++) init.program.bindOutput(i, states.cur[i], 0);
        }
    }

    public Precision precision() { return engine.precision(); }

    /** Elements of θ. */
    public int size() { return n; }

    /** Steps taken: the next runs with t = {@code steps() + 1}. */
    public long steps() { return t; }

    /** Arrays of θ's length the update reads (p, g, the live array states) and writes (the new p and states). */
    public int arraysRead() {
        int k = 0;
        for (Node l : update.prog.program.leaves()) if (l.shape.size() > 1) k++;
        return k;
    }

    public int arraysWritten() {
        int k = 0;
        for (int i = 0; i < 1 + states.size(); i++) if (update.prog.program.outputs().get(i).shape.size() > 1) k++;
        return k;
    }

    /**
     * One step: {@code params} (of the engine's precision) updated in place from {@code grads}.
     * The first step also starts the states (t = 1, from these p and g).
     */
    public void step(Buffer params, Buffer grads) {
        if (params.length() != n || grads.length() != n)
            throw new IllegalArgumentException("the step is for " + n + " elements, not " + params.length() + " and " + grads.length());
        if (t == 0 && init != null) {
            init.bind("p", params, 0);
            init.bind("g", grads, 0);
            init.run(null);
        }
        tCell[0] = t + 1;
        update.prog.bind("g", grads, 0);
        boolean inPlace = update.thetaInPlace();
        if (!inPlace && scratch == null) scratch = engine.allocate(n);
        update.bind(params, scratch, inPlace);
        update.prog.run(null);
        states.commit();
        if (!inPlace) params.copy(0, scratch, 0, n);
        t++;
    }

    /** How the engine runs the update (for --verbose and bench). */
    public String describe() { return update.prog.program.describe(); }
}
