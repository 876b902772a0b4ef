package dev.descent.check;

import dev.descent.syntax.Ast;
import dev.descent.syntax.CompileError;
import dev.descent.syntax.InputFiles;
import dev.descent.syntax.Parser;
import dev.descent.syntax.Pos;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checking stage that resolves {@code import}s into {@link Module}s: each imported file read
 * once (by its real path), import cycles reported with the chain, names imported twice from
 * different files reported, and the declarations of a file hoisted (defs and optimizers usable
 * before their line; other names noted as declared later).
 */
final class Imports {
    private final Checker ck;
    private final Map<Path, Module> loaded = new HashMap<>();
    private final Deque<Path> importing = new ArrayDeque<>();

    Imports(Checker ck) { this.ck = ck; }

    /** The checked script itself is being imported from now on (a file importing it is a cycle). */
    void enter(Path script) { importing.push(canonical(script)); }

    void exit() { importing.pop(); }

    /** Whether no file was imported. */
    boolean loadedNone() { return loaded.isEmpty(); }

    static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    void importInto(Ast.Import im, Module into) {
        Path base = into.source.path() == null ? Path.of("") : into.source.path().toAbsolutePath().getParent();
        Path target;
        try {
            target = base.resolve(im.path()).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            ck.error(im.pathPos(), "\"" + ck.printable(im.path()) + "\" is not a valid file path");
            return;
        }
        String kind;
        try {
            kind = InputFiles.notRegular(target);
        } catch (IOException e) {
            ck.error(im.pathPos(), "cannot import \"" + im.path() + "\": no such file",
                    "import paths are relative to the importing file's folder (looked for " + target + ")");
            return;
        }
        if (kind != null) {
            ck.error(im.pathPos(), "cannot import " + im.path() + ": not a regular file", InputFiles.notRegularHint(kind));
            return;
        }
        if (!im.path().toLowerCase(java.util.Locale.ROOT).endsWith(".dsc")) {
            // not read at all: the diagnostics about a file that is not a script would quote its lines
            ck.error(im.pathPos(), "cannot import " + im.path() + ": an imported file is a script, whose name ends in .dsc",
                    "import \"lib.dsc\" makes the defs and optimizers of lib.dsc usable; data is read with csv(\"…\")");
            return;
        }
        Path key = canonical(target);
        if (importing.contains(key)) {
            List<String> cycle = new ArrayList<>();
            boolean on = false;
            List<Path> stack = new ArrayList<>(importing);
            java.util.Collections.reverse(stack);
            for (Path p : stack) {
                if (p.equals(key)) on = true;
                if (on) cycle.add(p.getFileName().toString());
            }
            cycle.add(key.getFileName().toString());
            ck.error(im.pathPos(), "import cycle: " + String.join(" → ", cycle));
            return;
        }
        Module m = loaded.get(key);
        if (m == null) {
            SourceFile src;
            try {
                src = SourceFile.readNamed(target, displayPath(into.source, im.path()));
            } catch (CompileError e) {
                ck.diagnostics.addAll(e.diagnostics());
                return;
            }
            m = new Module(src);
            if (ck.stdlib != null) {
                m.defs.putAll(ck.stdlib.defs);
                m.optimizers.putAll(ck.stdlib.optimizers);
            }
            importing.push(key);
            try {
                ck.library(Parser.parse(src), m);
            } catch (CompileError e) {
                ck.diagnostics.addAll(e.diagnostics());
            } finally {
                importing.pop();
            }
            loaded.put(key, m);
        }
        for (var e : m.defs.entrySet()) {
            Module.DefRef mine = into.defs.get(e.getKey());
            if (mine != null && mine.module() != into && mine.module() != ck.stdlib && mine.module() != e.getValue().module())
                ck.error(im.pos(), "'" + e.getKey() + "' is defined both in " + mine.module().source.name() + " and in " + m.source.name());
            else if (mine == null || mine.module() == ck.stdlib) into.defs.put(e.getKey(), e.getValue());
        }
        for (var e : m.optimizers.entrySet()) {
            Module.OptimizerRef mine = into.optimizers.get(e.getKey());
            if (mine != null && mine.module() != into && mine.module() != ck.stdlib && mine.module() != e.getValue().module())
                ck.error(im.pos(), "optimizer '" + e.getKey() + "' is defined both in " + mine.module().source.name() + " and in " + m.source.name());
            else if (mine == null || mine.module() == ck.stdlib) into.optimizers.put(e.getKey(), e.getValue());
        }
    }

    static String displayPath(SourceFile from, String rel) {
        if (from.path() == null) return rel;
        Path parent = Path.of(from.name()).getParent();
        return parent == null ? rel : parent.resolve(rel).normalize().toString();
    }

    /** Hoists defs and optimizers (usable before their line), and notes the names declared later. */
    void declare(Ast.Program program, Module m) {
        Map<String, Pos> seen = new HashMap<>();
        for (Ast.Stmt st : program.statements()) {
            String name = null;
            Pos at = null;
            switch (st) {
                case Ast.Def d -> { name = d.name(); at = d.namePos(); }
                case Ast.Optimizer o -> { name = o.name(); at = o.namePos(); }
                case Ast.Let l -> { name = l.name(); at = l.namePos(); }
                case Ast.Param p -> { name = p.name(); at = p.namePos(); }
                case Ast.Data d -> { name = d.name(); at = d.namePos(); }
                default -> {}
            }
            if (name == null) continue;
            Pos before = seen.get(name);
            if (before != null) {
                ck.error(at, "'" + name + "' is already defined, at line " + before.line());
                continue;
            }
            seen.put(name, at);
            switch (st) {
                case Ast.Def d -> m.defs.put(d.name(), new Module.DefRef(d, m));
                case Ast.Optimizer o -> m.optimizers.put(o.name(), new Module.OptimizerRef(o, m));
                default -> m.declaredLater.put(name, at);
            }
        }
    }
}
