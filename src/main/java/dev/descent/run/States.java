package dev.descent.run;

import dev.descent.check.Step;
import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import java.util.List;

/**
 * An optimizer's states as a run keeps them: one resident buffer each, of the engine's precision,
 * for the <em>live</em> states only. A state is live when the new parameters depend on it, directly
 * or through other live states (Adam's {@code v_max} with {@code amsgrad = 0} is not: the body
 * computes it, nothing reads it, so it is neither stored nor computed). A program updates a state
 * in place when it may ({@link dev.descent.engine.Program#writesInPlace}); otherwise into a second
 * buffer that then becomes the state ({@link #commit}).
 */
final class States {
    /** Indices into the step's states of the live ones, in order. */
    final int[] live;
    /** Each live state's input name ("state:adam:m"), its buffer, and the second buffer when some program needs one. */
    final String[] names;
    final Buffer[] cur, next;
    private final Engine engine;
    /** Per live state: the last run wrote it into {@link #next} (to become the state at {@link #commit}). */
    private final boolean[] pending;

    States(Step step, Engine engine, List<Node> roots) {
        this.engine = engine;
        this.live = step.liveStates(roots);
        names = new String[live.length];
        cur = new Buffer[live.length];
        next = new Buffer[live.length];
        pending = new boolean[live.length];
        sizes = new int[live.length];
        for (int i = 0; i < live.length; i++) {
            Node in = step.stateInputs().get(live[i]);
            names[i] = ((Attr.Input) in.attr).name();
            sizes[i] = in.shape.size();
        }
    }

    private final int[] sizes;

    /** Allocates the states' buffers (separate from construction, so that a run can start compiling its step first). */
    States allocate() {
        for (int i = 0; i < live.length; i++) if (cur[i] == null) cur[i] = engine.allocate(sizes[i]);
        return this;
    }

    int size() { return live.length; }

    /**
     * Binds state i's input of {@code prog} to its buffer and its output (output {@code output} of
     * the program) to the same buffer when the program may update it in place, else to the second
     * buffer (allocated on first need). Returns whether that run writes in place.
     */
    void bind(ScriptProgram prog, int i, int output) {
        Node in = prog.input(names[i]);
        if (in != null) prog.bind(names[i], cur[i], 0);
        boolean inPlace = in == null || prog.writesInPlace(output, in);
        if (inPlace) prog.bindOutput(output, cur[i], 0);
        else {
            if (next[i] == null) next[i] = engine.allocate(cur[i].length());
            prog.bindOutput(output, next[i], 0);
        }
        pending[i] = !inPlace;
    }

    /** After a run whose update is accepted: states written into their second buffer become the states. */
    void commit() {
        for (int i = 0; i < live.length; i++)
            if (pending[i]) {
                Buffer x = cur[i];
                cur[i] = next[i];
                next[i] = x;
                pending[i] = false;
            }
    }
}
