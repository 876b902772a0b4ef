package dev.descent.check;

import dev.descent.ir.Node;
import dev.descent.syntax.Ast;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names one file declares: its defs, optimizers and top-level values, plus the
 * defs and optimizers it imports. A def's body resolves names in the module that
 * declares it (lexical scope), whatever file calls it.
 */
public final class Module {
    /**
     * A def, its name and the module it was declared in. The standard library's defs that a
     * script does not name are parsed only when first read here ({@link StandardLibrary}).
     */
    public record DefRef(Ast.Def def, Module module, String name) {
        public DefRef(Ast.Def def, Module module) { this(def, module, def.name()); }

        @Override public Ast.Def def() { return def != null ? def : StandardLibrary.whole().module().defs.get(name).def(); }

        /** Whether the declaration was parsed with its module (not read from the whole library when asked for). */
        boolean parsedHere() { return def != null; }
    }

    /**
     * An optimizer, its name and the module it was declared in. The standard library's
     * optimizers that a script does not name are parsed only when first read here.
     */
    public record OptimizerRef(Ast.Optimizer decl, Module module, String name) {
        public OptimizerRef(Ast.Optimizer decl, Module module) { this(decl, module, decl.name()); }

        @Override public Ast.Optimizer decl() { return decl != null ? decl : StandardLibrary.whole().module().optimizers.get(name).decl(); }

        /** Whether the declaration was parsed with its module (not read from the whole library when asked for). */
        boolean parsedHere() { return decl != null; }
    }

    /** A named value at the top level: a param, a let or a data set. */
    public sealed interface Global {
        Pos pos();

        record Value(Pos pos, Node node, String kind) implements Global {}

        record Data(Pos pos, DataSet data) implements Global {}
    }

    public final SourceFile source;
    public final Map<String, DefRef> defs = new LinkedHashMap<>();
    public final Map<String, OptimizerRef> optimizers = new LinkedHashMap<>();
    public final Map<String, Global> globals = new LinkedHashMap<>();
    /** Names declared later in the file than the point being checked: "declared later" instead of "unknown". */
    final Map<String, Pos> declaredLater = new LinkedHashMap<>();
    /** Names whose definition had an error (already reported): their uses stay quiet. */
    final java.util.Set<String> failed = new java.util.HashSet<>();

    Module(SourceFile source) { this.source = source; }

    public DefRef def(String name) { return defs.get(name); }

    public OptimizerRef optimizer(String name) { return optimizers.get(name); }
}
