package dev.descent.check;

import dev.descent.syntax.Ast;
import dev.descent.syntax.Diagnostic;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The standard library (std.dsc) as a script sees it, parsed and checked once per process
 * for each set of declarations a script can reach, and only those: parsing the whole
 * library was most of what a short command did after the JVM started (ANTLR runs cold).
 *
 * <p>A script reaches the declarations whose names occur in its text as words (comments
 * included, so this over-approximates), and the declarations those reach in turn. They
 * are parsed from the library's text with every other declaration's lines blanked, so
 * positions are those of std.dsc. The others are in the module too, in the library's
 * order, as a {@link Module.DefRef} or {@link Module.OptimizerRef} whose declaration is
 * read from the whole library, parsed then, the first time anything asks for it: so
 * everything that reads the names (did-you-mean hints, "unknown optimizer" lists,
 * {@code descent grad}'s choice of fresh names) is unchanged, and anything that reads a
 * declaration gets it. The checker itself reads only the declarations a script names. A
 * script with {@code import} (its imports may reach more) gets the whole library.
 *
 * <p>Each module is shared: it holds only defs and optimizers, which refer to no DAG
 * (checked when it is made), and nothing changes a module once it is checked.
 */
final class StandardLibrary {
    /** A module of the standard library, and the problems checking it found (none, as shipped). */
    record Loaded(Module module, List<Diagnostic> diagnostics) {}

    /** One declaration of std.dsc: its lines [first, end). */
    private record Decl(boolean optimizer, String name, int first, int end) {}


    private static final class Holder {
        static final StandardLibrary STD = read();
    }

    private final String[] lines;
    private final List<Decl> decls;
    private final Map<BitSet, java.util.concurrent.CompletableFuture<Loaded>> modules = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicBoolean PREFETCHED = new java.util.concurrent.atomic.AtomicBoolean();

    private StandardLibrary(String[] lines, List<Decl> decls) {
        this.lines = lines;
        this.decls = decls;
    }

    /** The standard library for a script with this text. */
    static Loaded forScript(String text) {
        StandardLibrary std = Holder.STD;
        if (std == null) return new Loaded(null, List.of());
        Set<String> words = words(text);
        BitSet reached = new BitSet(std.decls.size());
        if (words.contains("import")) reached = std.every();
        else std.reach(words, reached);
        return std.module(reached);
    }

    /**
     * Starts making {@link #forScript}'s module for this text on another thread, the first
     * time in a process (later calls do nothing): the checker calls it before it parses the
     * script, so that the library is read, parsed and checked on the second core meanwhile
     * (both run cold in a short command, each a quarter of a {@code check}). Whatever it
     * makes, or fails to make, {@link #forScript} gives as it would have.
     */
    static void prefetch(String text) {
        if (!PREFETCHED.compareAndSet(false, true)) return;
        Thread t = new Thread(null, () -> {
            try {
                forScript(text);
            } catch (Throwable e) {
                // forScript on the checker's thread makes it again, or reports what failed
            }
        }, "descent-stdlib", 64L << 20);
        t.setDaemon(true);
        t.start();
    }

    /** The whole library, parsed and checked (once per process). */
    static Loaded whole() {
        StandardLibrary std = Holder.STD;
        return std.module(std.every());
    }

    /**
     * The module of these declarations, made once: by the first thread that asks, the others
     * waiting for it (not in computeIfAbsent: making one may read the whole library, another key).
     * One that failed is forgotten, so that the next to ask makes it again.
     */
    private Loaded module(BitSet reached) {
        java.util.concurrent.CompletableFuture<Loaded> f = modules.get(reached);
        if (f == null) {
            java.util.concurrent.CompletableFuture<Loaded> mine = new java.util.concurrent.CompletableFuture<>();
            f = modules.putIfAbsent(reached, mine);
            if (f == null) {
                try {
                    mine.complete(load(reached));
                } catch (Throwable e) {
                    modules.remove(reached, mine);
                    mine.completeExceptionally(e);
                    throw e;
                }
                return mine.join();
            }
        }
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private void reach(Set<String> words, BitSet reached) {
        List<Set<String>> todo = new ArrayList<>(List.of(words));
        while (!todo.isEmpty()) {
            Set<String> w = todo.removeLast();
            for (int i = 0; i < decls.size(); i++) {
                if (!reached.get(i) && w.contains(decls.get(i).name())) {
                    reached.set(i);
                    todo.add(words(decls.get(i)));
                }
            }
        }
    }

    private Loaded load(BitSet reached) {
        String[] text = lines.clone();
        for (int i = 0; i < decls.size(); i++) {
            if (reached.get(i)) continue;
            for (int l = decls.get(i).first(); l < decls.get(i).end(); l++) text[l] = "";
        }
        SourceFile src = SourceFile.ofString("<standard library>", String.join("\n", text));
        Module m = new Module(src);
        List<Diagnostic> diagnostics = Checker.checkLibrary(Parser.parse(src), m);
        if (reached.cardinality() < decls.size()) {
            // the names not parsed, in the library's order among the parsed ones
            Map<String, Module.DefRef> defs = new LinkedHashMap<>();
            Map<String, Module.OptimizerRef> optimizers = new LinkedHashMap<>();
            for (int i = 0; i < decls.size(); i++) {
                Decl d = decls.get(i);
                if (d.optimizer()) optimizers.put(d.name(), reached.get(i) ? m.optimizers.get(d.name()) : new Module.OptimizerRef(null, m, d.name()));
                else defs.put(d.name(), reached.get(i) ? m.defs.get(d.name()) : new Module.DefRef(null, m, d.name()));
            }
            if (defs.containsValue(null) || optimizers.containsValue(null) || !defs.keySet().containsAll(m.defs.keySet())
                    || !optimizers.keySet().containsAll(m.optimizers.keySet()))
                return load(every());   // the declarations were not where the scan found them: parse it all
            m.defs.clear();
            m.defs.putAll(defs);
            m.optimizers.clear();
            m.optimizers.putAll(optimizers);
        }
        return new Loaded(m, diagnostics);
    }

    private BitSet every() {
        BitSet b = new BitSet(decls.size());
        b.set(0, decls.size());
        return b;
    }

    private static StandardLibrary read() {
        byte[] bytes = fromJar();
        if (bytes == null) {
            try (InputStream in = Checker.class.getResourceAsStream(Checker.STDLIB_RESOURCE)) {
                if (in == null) return null;
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the standard library", e);
            }
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        List<int[]> starts = new ArrayList<>();   // {line, optimizer ? 1 : 0}
        List<String> names = new ArrayList<>();
        for (int l = 0; l < lines.length; l++) {
            // a declaration starts a line: optional blanks, "optimizer" or "def", blanks, its name
            List<String> w = leadingWords(lines[l], 2);
            if (w.size() == 2 && (w.get(0).equals("optimizer") || w.get(0).equals("def"))) {
                starts.add(new int[] {l, w.get(0).equals("optimizer") ? 1 : 0});
                names.add(w.get(1));
            }
        }
        List<Decl> decls = new ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            int first = starts.get(i)[0], end = i + 1 < starts.size() ? starts.get(i + 1)[0] : lines.length;
            decls.add(new Decl(starts.get(i)[1] == 1, names.get(i), first, end));
        }
        return new StandardLibrary(lines, List.copyOf(decls));
    }

    /**
     * The words in a declaration's lines but its own name: read when it is reached, not for
     * every declaration up front (scanning the whole library cold was a tenth of a short check).
     */
    private Set<String> words(Decl d) {
        Set<String> words = new HashSet<>();
        for (int l = d.first(); l < d.end(); l++) words.addAll(words(lines[l]));
        words.remove(d.name());
        return words;
    }

    /**
     * std.dsc read straight from the jar that holds this class, or null when the class is not
     * in a jar (the tests' target/classes) or anything fails: the class loader's way, through a
     * jar: URL, took 10-30 ms of a cold start, against 1-2 ms for the same bytes read here.
     */
    private static byte[] fromJar() {
        try {
            java.security.CodeSource cs = Checker.class.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null || !"file".equals(cs.getLocation().getProtocol())) return null;
            java.io.File jar = new java.io.File(cs.getLocation().toURI());
            if (!jar.isFile()) return null;
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar)) {
                java.util.zip.ZipEntry e = z.getEntry(Checker.STDLIB_RESOURCE.substring(1));
                if (e == null) return null;
                try (InputStream in = z.getInputStream(e)) {
                    return in.readAllBytes();
                }
            }
        } catch (IOException | RuntimeException | java.net.URISyntaxException e) {
            return null;
        }
    }

    /**
     * The words of a text as the lexer reads names: a letter or '_', then letters, digits
     * and '_' ([\p{L}_][\p{L}\p{Nd}_]*). A loop, not a regex: it runs cold, once per script.
     */
    static Set<String> words(String text) {
        Set<String> words = new HashSet<>();
        int n = text.length(), i = 0;
        while (i < n) {
            int c = text.codePointAt(i);
            if (!startsName(c)) {
                i += Character.charCount(c);
                continue;
            }
            int start = i;
            i += Character.charCount(c);
            while (i < n && partOfName(c = text.codePointAt(i))) i += Character.charCount(c);
            words.add(text.substring(start, i));
        }
        return words;
    }

    private static boolean startsName(int c) {
        return c < 128 ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' : Character.isLetter(c);
    }

    private static boolean partOfName(int c) {
        return c < 128 ? startsName(c) || (c >= '0' && c <= '9') : Character.isLetter(c) || Character.isDigit(c);
    }

    /** Up to {@code max} words at the start of a line, separated by blanks (spaces, tabs) only. */
    private static List<String> leadingWords(String line, int max) {
        List<String> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (out.size() < max) {
            int blanks = i;
            while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) i++;
            if (i == n || (out.size() > 0 && i == blanks) || !startsName(line.codePointAt(i))) break;
            int start = i;
            while (i < n && partOfName(line.codePointAt(i))) i += Character.charCount(line.codePointAt(i));
            out.add(line.substring(start, i));
        }
        return out;
    }
}
