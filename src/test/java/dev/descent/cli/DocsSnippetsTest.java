package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.syntax.CompileError;
import dev.descent.syntax.Parser;
import dev.descent.syntax.SourceFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every snippet in docs/*.md is real.
 *
 * <ul>
 *   <li>A block fenced with {@code ```dsc} is a script: it must parse, and {@code check} must
 *       accept it, unless the line before the fence is {@code <!-- fragment -->} (then it must
 *       only parse).
 *   <li>{@code <!-- file: PATH -->} before any block writes the block to PATH in a folder
 *       for that page (before anything on the page runs), so later examples can import it,
 *       read it as data, or run it. {@code <!-- file: PATH, error -->} marks a script that
 *       is meant to fail: it is written but not checked.
 *   <li>A plain {@code ```} block whose first line is {@code $ descent ARGS} is a command and
 *       its output: the command is run in that folder and must print the rest of the block
 *       (stdout, or stderr when stdout is empty; both, in any line order, when both have
 *       text) and exit 0, or the code given by a {@code <!-- exit N -->} line before the fence.
 *       An argument that names a file of the folder, or ends in .csv, .svg or .dsc, is a path
 *       in that folder.
 *   <li>{@code <!-- written: PATH -->} before a plain block: after the commands above it ran,
 *       the file PATH of the folder holds exactly the block's text.
 * </ul>
 */
class DocsSnippetsTest {
    private static final Path DOCS = Path.of("docs");
    private static final Pattern MARK = Pattern.compile("<!--\\s*(.*?)\\s*-->");

    /** One fenced block of a page. */
    record Block(Path page, int line, String lang, String marker, String text) {
        String where() { return page.getFileName() + ":" + line; }

        String file() {
            if (marker == null || !marker.startsWith("file:")) return null;
            return marker.substring(5).replace(", error", "").trim();
        }

        boolean expectsError() { return marker != null && marker.startsWith("file:") && marker.endsWith(", error"); }

        boolean fragment() { return "fragment".equals(marker); }

        boolean isCommand() { return lang.isEmpty() && text.startsWith("$ descent "); }
    }

    static List<Block> blocks(Path page) {
        List<String> lines;
        try {
            lines = Files.readAllLines(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (!l.startsWith("```")) continue;
            String lang = l.substring(3).trim();
            String marker = null;
            for (int k = i - 1; k >= 0; k--) {
                if (lines.get(k).isBlank()) continue;
                Matcher m = MARK.matcher(lines.get(k).trim());
                if (m.matches()) marker = m.group(1);
                break;
            }
            StringBuilder sb = new StringBuilder();
            int start = i + 1;
            for (i = i + 1; i < lines.size() && !lines.get(i).startsWith("```"); i++) sb.append(lines.get(i)).append('\n');
            assertTrue(i < lines.size(), page + ":" + start + ": unclosed code block");
            out.add(new Block(page, start, lang, marker, sb.toString()));
        }
        return out;
    }

    static List<Path> pages() throws IOException {
        try (Stream<Path> s = Files.list(DOCS)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    @Test void theDocsHaveScripts() throws IOException {
        List<Path> pages = pages();
        assertTrue(pages.contains(DOCS.resolve("language.md")), "docs/language.md exists");
        assertTrue(pages.contains(DOCS.resolve("cli.md")), "docs/cli.md exists");
        long scripts = 0, commands = 0;
        for (Path p : pages) {
            for (Block b : blocks(p)) {
                if (b.lang().equals("dsc")) scripts++;
                if (b.isCommand()) commands++;
                assertTrue(b.lang().isEmpty() || b.lang().equals("dsc"), b.where() + ": use ```dsc for scripts and ``` for other text, not ```" + b.lang());
            }
        }
        assertTrue(scripts >= 20, "only " + scripts + " script blocks");
        assertTrue(commands >= 5, "only " + commands + " command blocks");
    }

    @TestFactory List<DynamicTest> everySnippet() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path page : pages()) {
            List<Block> blocks = blocks(page);
            Path dir = Files.createTempDirectory("descent-docs-");
            dir.toFile().deleteOnExit();
            for (Block b : blocks) if (b.file() != null) Cli.write(dir, b.file(), b.text());
            for (Block b : blocks) {
                if (b.lang().equals("dsc")) tests.add(DynamicTest.dynamicTest(b.where() + " script", () -> script(b, dir)));
                else if (b.isCommand()) tests.add(DynamicTest.dynamicTest(b.where() + " " + b.text().lines().findFirst().orElse(""), () -> command(b, dir)));
                else if (b.marker() != null && b.marker().startsWith("written:")) tests.add(DynamicTest.dynamicTest(b.where() + " " + b.marker(), () -> written(b, dir)));
            }
        }
        return tests;
    }

    private static void script(Block b, Path dir) {
        if (b.expectsError()) return;
        try {
            Parser.parse(SourceFile.ofString(b.where(), b.text()));
        } catch (CompileError e) {
            StringBuilder sb = new StringBuilder();
            e.diagnostics().forEach(d -> sb.append(d.render()));
            throw new AssertionError(b.where() + ": does not parse\n" + sb);
        }
        if (b.fragment()) return;
        String f = b.file() != null ? dir.resolve(b.file()).toString() : Cli.write(dir, "snippet-" + b.line() + ".dsc", b.text());
        Cli.Result r = Cli.run("check", f);
        assertEquals(0, r.code(), () -> b.where() + ": check fails (mark it <!-- fragment --> if it is not a whole script)\n" + b.text() + r);
    }

    private static void command(Block b, Path dir) {
        List<String> lines = new ArrayList<>(b.text().lines().toList());
        String cmd = lines.remove(0).substring("$ descent ".length()).trim();
        List<String> args = new ArrayList<>();
        for (String a : words(cmd)) {
            boolean path = !a.isEmpty() && !a.startsWith("-")
                    && (Files.exists(dir.resolve(a)) || a.matches("[\\w./-]+\\.(csv|svg|png|dsc|json|ckpt)"));
            // every file a snippet names is the temporary folder's: nothing is written into the checkout
            args.add(path ? dir.resolve(a).toString() : a);
        }
        int expectedCode = 0;
        if (b.marker() != null && b.marker().startsWith("exit ")) expectedCode = Integer.parseInt(b.marker().substring(5).trim());
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        String prefix = dir.toString() + "/";
        String out = r.out().replace(prefix, ""), err = r.err().replace(prefix, "");
        String expected = lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
        assertEquals(expectedCode, r.code(), () -> b.where() + ": $ descent " + cmd + "\n" + r);
        if (!out.isEmpty() && !err.isEmpty()) {
            String[] want = expected.split("\n"), got = (out + err).split("\n");
            Arrays.sort(want);
            Arrays.sort(got);
            assertEquals(String.join("\n", want), String.join("\n", got), () -> b.where() + ": $ descent " + cmd + "\n--- stdout\n" + out + "--- stderr\n" + err);
        } else {
            assertEquals(expected, out.isEmpty() ? err : out, () -> b.where() + ": $ descent " + cmd);
        }
        assertFalse((out + err).contains("\tat "), "no stack trace");
    }

    /**
     * The words of a command line as bash splits them, for the quoting the docs use: whitespace
     * outside single quotes separates words, and single quotes are removed. (That a command pastes
     * into bash at all, DocsCommandLineTest checks with bash -n.)
     */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false, any = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') { quoted = !quoted; any = true; }
            else if (!quoted && Character.isWhitespace(c)) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
            } else { w.append(c); any = true; }
        }
        assertFalse(quoted, () -> "unbalanced quote in: " + line);
        if (any) out.add(w.toString());
        return out;
    }

    private static void written(Block b, Path dir) throws IOException {
        Path f = dir.resolve(b.marker().substring("written:".length()).trim());
        assertTrue(Files.isRegularFile(f), () -> b.where() + ": no file " + f + " was written by the commands above");
        assertEquals(b.text(), Files.readString(f), () -> b.where() + ": " + f.getFileName());
    }
}
