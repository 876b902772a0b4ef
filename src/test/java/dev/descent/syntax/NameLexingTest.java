package dev.descent.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.syntax.gen.DescentLexer;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;

/**
 * Names are a letter or _, then letters, decimal digits and _, for any Unicode letter
 * (\p{L}) and decimal digit (\p{Nd}): the lexer reads non-ASCII characters by a predicate
 * ({@link Character#isLetter}, {@link Character#isDigit}) rather than by ANTLR's sets, which
 * were slow to unpack at start-up. Swept over every character below U+3400
 * and every 61st above: {@code a<c>} is one name exactly when c is a letter or a digit,
 * and {@code <c>a} exactly when c is a letter.
 */
class NameLexingTest {
    @Test
    void everyLetterAndDigitAndNothingElse() {
        List<Integer> cps = new ArrayList<>();
        for (int cp = 0x80; cp <= 0x10FFFF; cp += cp < 0x3400 ? 1 : 61) if (cp < 0xD800 || cp > 0xDFFF) cps.add(cp);
        StringBuilder sb = new StringBuilder();
        for (int cp : cps) sb.append('a').appendCodePoint(cp).append('\n').appendCodePoint(cp).append("a\n");
        DescentLexer lx = new DescentLexer(CharStreams.fromString(sb.toString()));
        List<List<Token>> lines = new ArrayList<>();
        List<Token> line = new ArrayList<>();
        for (Token k = lx.nextToken(); k.getType() != Token.EOF; k = lx.nextToken()) {
            if (k.getType() == DescentLexer.NL) {
                lines.add(line);
                line = new ArrayList<>();
            } else line.add(k);
        }
        assertEquals(2 * cps.size(), lines.size());
        int letters = 0;
        for (int i = 0; i < cps.size(); i++) {
            int cp = cps.get(i);
            String c = Character.toString(cp) + " (U+" + Integer.toHexString(cp) + ")";
            boolean part = Character.isLetter(cp) || Character.isDigit(cp), start = Character.isLetter(cp);
            if (start) letters++;
            List<Token> after = lines.get(2 * i), before = lines.get(2 * i + 1);
            assertEquals(part, after.size() == 1 && isName(after.get(0), 2), "a" + c);
            assertEquals(start, before.size() == 1 && isName(before.get(0), 2), c + "a");
        }
        assertEquals(true, letters > 5_000, letters + " letters");
        // the names of the contract, and characters that are not letters
        assertEquals(List.of("β", "η_2", "x١"), names("β + η_2 * x١"));
        assertEquals(List.of("x", "y"), names("x² × y"));
    }

    private static boolean isName(Token k, int codePoints) {
        return k.getType() == DescentLexer.NAME && k.getText().codePointCount(0, k.getText().length()) == codePoints;
    }

    private static List<String> names(String text) {
        List<String> out = new ArrayList<>();
        DescentLexer lx = new DescentLexer(CharStreams.fromString(text));
        for (Token k = lx.nextToken(); k.getType() != Token.EOF; k = lx.nextToken()) if (k.getType() == DescentLexer.NAME) out.add(k.getText());
        return out;
    }
}
