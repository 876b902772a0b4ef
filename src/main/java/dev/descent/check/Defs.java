package dev.descent.check;

import dev.descent.ir.Dag;
import dev.descent.ir.Node;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Diagnostic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checking stage that expands calls of {@code def}s: a def's body is elaborated at each call
 * for the shapes of its arguments, once per distinct argument (the DAG is hash-consed, so a second
 * expansion would only find the same node); recursion, directly or through default values, is
 * an error at the call that closes the cycle; the expansions and the DAG are held to
 * {@link Limits#maxNodes}.
 */
final class Defs {
    private final Checker ck;

    Defs(Checker ck) { this.ck = ck; }

    /** After a rollback, whose diagnostics may include those of failed expansions: expand them again when called. */
    void forgetFailures() { failedInstances.clear(); }


    /** A def being expanded, by {@code call}: its body ({@code formal} null), or the default value of one of its formals. */
    private record Frame(Ast.Def def, Ast.Formal formal, Ast.Call call) {
        /** What identifies the frame: the def (its body) or the formal (its default), by identity. */
        Object key() { return formal != null ? formal : def; }
    }

    /** The frames being expanded, outermost first. */
    private final List<Frame> frames = new ArrayList<>();
    /** The keys of {@link #frames}, by identity (a def is a record: its equals walks the whole body). */
    private final Set<Object> active = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    /** What a def body's elaboration depends on besides the def: the module it resolves in, its arguments, the step names it sees. */
    private record Instance(Module module, List<Node> args, Map<String, Node> specials, StepBuilder step) {}

    /**
     * The nodes of the def bodies already elaborated, by def (identity) and instance. The DAG is
     * hash-consed, so elaborating the body again with the same argument nodes would only find the
     * same node again: a def is expanded once per distinct argument, and a chain of defs that
     * each call the one below twice ({@code def f1(x) = f0(x) + f0(x)}, …) checks in linear time.
     */
    private final Map<Ast.Def, Map<Instance, Node>> instances = new IdentityHashMap<>();
    /** The instances whose expansion failed (reported); forgotten at a {@link #rollback}, which forgets their ck.diagnostics. */
    private final Map<Ast.Def, Set<Instance>> failedInstances = new IdentityHashMap<>();
    /** Def bodies expanded so far (not counting the instances found already done). */
    private long expansions;
    /** Set once the DAG or the expansions went over {@link Limits#maxNodes} (reported once). */
    private boolean overNodes;

    Node expand(Module.DefRef ref, Ast.Call c, Checker.Scope caller) {
        Ast.Def d = ref.def();
        if (active.contains(d)) {
            recursion(d, c);
            return null;
        }
        Map<String, Ast.Expr> bound = ck.bind(c, d.formals(), "'" + d.name() + "'", d.namePos());
        if (bound == null) return null;
        Map<String, Node> locals = new HashMap<>();
        List<Node> args = new ArrayList<>(d.formals().size());
        for (Ast.Formal f : d.formals()) {
            Ast.Expr given = bound.get(f.name());
            Node v;
            if (given != null) v = ck.expr(given, caller);
            else {
                if (active.contains(f)) {
                    recursion(f, c);
                    return null;
                }
                enter(new Frame(d, f, c));
                try {
                    v = ck.expr(f.defaultValue(), new Checker.Scope(ref.module(), Map.of(), caller.specials(), null, caller.step()));
                } finally {
                    leave();
                }
            }
            if (v == null) return null;
            locals.put(f.name(), v);
            args.add(v);
        }
        Instance instance = new Instance(ref.module(), args, caller.specials(), caller.step());
        Map<Instance, Node> done = instances.computeIfAbsent(d, k -> new HashMap<>());
        Node known = done.get(instance);
        if (known != null) return known;
        Set<Instance> failed = failedInstances.get(d);
        if (failed != null && failed.contains(instance)) return null;
        if (!withinNodes(c)) return null;
        int dropoutsBefore = ck.dropouts;
        enter(new Frame(d, null, c));
        int before = ck.diagnostics.size();
        try {
            Node body = ck.expr(d.body(), new Checker.Scope(ref.module(), locals, caller.specials(), c, caller.step()));
            for (int k = before; k < ck.diagnostics.size(); k++) {
                Diagnostic dg = ck.diagnostics.get(k);
                if (dg.hint() == null && dg.source() == ref.module().source)
                    ck.diagnostics.set(k, dg.withHint("in the call of " + d.name() + " at " + c.pos()));
            }
            // a body that drew a dropout mask is expanded again at each call: each call draws its own mask
            if (body == null) failedInstances.computeIfAbsent(d, k -> new HashSet<>()).add(instance);
            else if (ck.dropouts == dropoutsBefore) done.put(instance, body);
            return body;
        } finally {
            leave();
        }
    }

    private void enter(Frame f) {
        frames.add(f);
        active.add(f.key());
    }

    private void leave() { active.remove(frames.removeLast().key()); }

    /**
     * Reports that expanding {@code again} (a def's body, or a formal's default value) at call
     * {@code c} needs that same expansion, which is under way: recursion, directly or through
     * other defs and default values. Positioned at the call that closes the cycle.
     */
    private void recursion(Object again, Ast.Call c) {
        int from = 0;
        while (frames.get(from).key() != again) from++;
        List<String> chain = new ArrayList<>();
        Frame viaDefault = null;
        for (int i = from; i < frames.size(); i++) {
            Frame f = frames.get(i);
            chain.add(f.def().name());
            if (f.formal() != null && viaDefault == null) viaDefault = f;
        }
        Frame first = frames.get(from);
        String name = first.def().name();
        chain.add(name);
        if (viaDefault == null) {
            ck.error(c.namePos(), "'" + name + "' calls itself (" + String.join(" → ", chain) + "); defs cannot be recursive");
            return;
        }
        String arg = viaDefault.formal().name(), owner = viaDefault.def().name();
        ck.error(c.namePos(), "'" + name + "' calls itself through the default value of " + (owner.equals(name) ? "its" : owner + "'s") + " argument '" + arg + "' ("
                        + String.join(" → ", chain) + "); defs cannot be recursive",
                "a default value is computed at each call that does not give the argument; give '" + arg + "' a default that does not call "
                        + owner + (chain.size() > 2 ? " (or the defs it calls)" : "") + ", or no default");
    }

    /**
     * Whether checking may expand one more def body: the DAG and the expansions so far within
     * {@link Limits#maxNodes}. Over it, reports once, at the outermost call being expanded (the
     * script's own line), and every expansion after that fails at once.
     */
    private boolean withinNodes(Ast.Call c) {
        if (overNodes) return false;
        expansions++;
        long made = ck.dag.size() + expansions;
        if (made <= ck.limits.maxNodes()) return true;
        overNodes = true;
        Ast.Call outer = frames.isEmpty() ? c : frames.getFirst().call();
        List<String> chain = new ArrayList<>();
        for (Frame f : frames) if (f.formal() == null && (chain.isEmpty() || !chain.getLast().equals(f.def().name()))) chain.add(f.def().name());
        if (chain.size() > 6) chain = List.of(chain.get(0), chain.get(1), chain.get(2), "…", chain.get(chain.size() - 2), chain.getLast());
        ck.error(outer.namePos(), "the defs called here expand to more than " + Dag.count(ck.limits.maxNodes()) + " nodes ("
                        + Dag.count(expansions) + " def expansions, " + Dag.count(ck.dag.size()) + " distinct nodes so far)",
                "a def is expanded once for each distinct argument it is called with"
                        + (chain.isEmpty() ? "" : ", and these calls (" + String.join(" → ", chain) + ") keep making new ones")
                        + "; raise the limit with --max-nodes N");
        return false;
    }
}
