package dev.descent.run;

import dev.descent.engine.Buffer;
import dev.descent.engine.Engine;
import dev.descent.engine.Program;
import dev.descent.ir.Attr;
import dev.descent.ir.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An engine program over a checked script's leaves, bound to resident buffers: each
 * parameter's leaf to its range of θ (a view: no copy), each data column's leaf to the buffer
 * of the rows it is to see, each dropout mask to a buffer redrawn before every run, and the
 * optimizer's inputs ({@code p}, {@code g}, {@code f}, {@code t}, {@code H}, the states, the
 * line searches' results) to whatever the caller binds by name.
 */
final class ScriptProgram {
    final Program program;
    private final List<Node> params = new ArrayList<>(), data = new ArrayList<>(), random = new ArrayList<>();
    private final Map<String, Node> inputs = new HashMap<>();
    private final Buffer[] masks;
    private Buffer boundTheta;
    private Rows boundRows;

    ScriptProgram(Engine engine, List<Node> outputs) {
        program = engine.compile(outputs);
        for (Node l : program.leaves())
            switch (l.op) {
                case PARAM -> params.add(l);
                case DATA -> data.add(l);
                case RANDOM -> random.add(l);
                case INPUT -> inputs.put(((Attr.Input) l.attr).name(), l);
                default -> throw new IllegalStateException("leaf " + l.op);
            }
        random.sort(Comparator.comparingInt(x -> x.id)); // masks are drawn in id order, as the engines always asked for them
        inPlace = new byte[program.outputs().size()];
        for (String name : inputs.keySet()) inputIndex.put(name, inputIndex.size());
        inputBuffer = new Buffer[inputIndex.size()];
        inputOffset = new int[inputIndex.size()];
        outputBuffer = new Buffer[program.outputs().size()];
        outputOffset = new int[program.outputs().size()];
        masks = new Buffer[random.size()];
        for (int i = 0; i < masks.length; i++) {
            masks[i] = engine.allocate(random.get(i).shape.size());
            program.bind(random.get(i), masks[i], 0);
        }
    }

    /** Whether the program reads the optimizer input of this name ("p", "g", "state:adam:m", …). */
    boolean reads(String input) { return inputs.containsKey(input); }

    /** The leaf of the optimizer input of this name, or null. */
    Node input(String name) { return inputs.get(name); }

    /** Binds the optimizer input of this name, if the program reads it. */
    void bind(String input, Buffer values, int offset) {
        Integer k = inputIndex.get(input);
        if (k == null || inputBuffer[k] == values && inputOffset[k] == offset) return;
        program.bind(inputs.get(input), values, offset);
        inputBuffer[k] = values;
        inputOffset[k] = offset;
    }

    /** Each parameter's leaf to its range of {@code theta} (nothing to do when it is bound there already). */
    void theta(Buffer theta) {
        if (theta == boundTheta) return;
        for (Node l : params) program.bind(l, theta, ((Attr.Param) l.attr).offset());
        boundTheta = theta;
    }

    /** Each data leaf to its column of these rows (the rows' buffers are refilled in place, so once per rows object). */
    void rows(Rows rows) {
        if (rows == boundRows) return;
        for (Node l : data) {
            Attr.Column c = (Attr.Column) l.attr;
            program.bind(l, rows.column(c.data(), c.column()), 0);
        }
        boundRows = rows;
    }

    boolean hasMasks() { return masks.length > 0; }

    /**
     * Program.writesInPlace, asked once per output (the answer depends on the plan only; callers
     * ask about one leaf per output: a state's new value over its old one, θ' over θ).
     */
    boolean writesInPlace(int output, Node leaf) {
        if (inPlace[output] == 0) inPlace[output] = (byte) (program.writesInPlace(output, leaf) ? 1 : 2);
        return inPlace[output] == 1;
    }

    private final byte[] inPlace;
    /** The buffer and offset each named input and each output was last bound to (a bind that changes nothing is skipped). */
    private final Map<String, Integer> inputIndex = new HashMap<>();
    private final Buffer[] inputBuffer;
    private final int[] inputOffset;
    private final Buffer[] outputBuffer;
    private final int[] outputOffset;

    /** Binds output {@code output} to {@code into} from {@code offset} (nothing to do when it is bound there already). */
    void bindOutput(int output, Buffer into, int offset) {
        if (outputBuffer[output] == into && outputOffset[output] == offset) return;
        program.bindOutput(output, into, offset);
        outputBuffer[output] = into;
        outputOffset[output] = offset;
    }

    /** Draws the dropout masks (each element kept with probability 1 - rate, then scaled by 1/(1 - rate)), then runs. */
    void run(java.util.random.RandomGenerator rng) {
        for (int i = 0; i < masks.length; i++) {
            if (rng == null) throw new IllegalStateException("no random generator for the dropout masks");
            Attr.Random r = (Attr.Random) random.get(i).attr;
            Buffer m = masks[i];
            double keep = 1 / (1 - r.rate());
            for (int k = 0, len = m.length(); k < len; k++) m.set(k, rng.nextDouble() < r.rate() ? 0 : keep);
        }
        program.run();
    }
}
