package dev.descent.syntax;

import dev.descent.syntax.gen.DescentLexer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * Sits between the lexer and the parser and decides which newlines end a statement.
 * A newline is dropped inside ( ) and [ ], after a binary operator, ',' or a keyword
 * that needs more, and where it would be blank. When a new line inside open brackets
 * starts with a statement keyword, the bracket was surely never closed: that is
 * reported at the bracket, and the newline kept so the next statement parses.
 * Brackets nested deeper than {@link #MAX_NESTING} are reported rather than parsed
 * (deep recursion would overflow the stack).
 */
final class LineJoiner implements TokenSource {
    static final int MAX_NESTING = 1000;

    /** Thrown when brackets nest too deeply; the parser driver reports it. */
    static final class TooDeep extends RuntimeException {
        final Token at;
        TooDeep(Token at) { super(null, null, false, false); this.at = at; }
    }

    private final DescentLexer lexer;
    private final SourceFile source;
    private final List<Diagnostic> diagnostics;
    private final Deque<Token> open = new ArrayDeque<>();
    private final Deque<Token> pending = new ArrayDeque<>();
    private int last = -1;

    LineJoiner(DescentLexer lexer, SourceFile source, List<Diagnostic> diagnostics) {
        this.lexer = lexer;
        this.source = source;
        this.diagnostics = diagnostics;
    }

    private Token fetch() { return pending.isEmpty() ? lexer.nextToken() : pending.poll(); }

    @Override public Token nextToken() {
        while (true) {
            Token t = fetch();
            int type = t.getType();
            switch (type) {
                case DescentLexer.NL -> {
                    if (!open.isEmpty()) {
                        Token next = fetch();
                        pending.addFirst(next);
                        if (!startsStatement(next.getType())) continue;
                        Token opener = open.peek();
                        unclosed(opener);
                        open.clear();
                    } else if (last == -1 || last == DescentLexer.NL) {
                        continue;
                    } else if (continues(last)) {
                        // a line ending in an operator goes on, unless the next line starts a statement:
                        // then the operator is missing its operand, and the parser says so at the line's end
                        Token next = fetch();
                        pending.addFirst(next);
                        if (!startsStatement(next.getType())) continue;
                    }
                }
                case DescentLexer.EOF -> {
                    if (!open.isEmpty()) {
                        unclosed(open.peekLast());
                        open.clear();
                    }
                }
                default -> {
                    String text = t.getText();
                    if ("(".equals(text) || "[".equals(text)) {
                        open.push(t);
                        if (open.size() > MAX_NESTING) throw new TooDeep(t);
                    } else if ((")".equals(text) || "]".equals(text)) && !open.isEmpty()) {
                        open.pop();
                    }
                }
            }
            last = type;
            return t;
        }
    }

    private void unclosed(Token opener) {
        String c = opener.getText();
        String close = "(".equals(c) ? ")" : "]";
        diagnostics.add(new Diagnostic(source, opener.getLine(), opener.getCharPositionInLine() + 1, 1,
                "this '" + c + "' is never closed", "add the matching '" + close + "'"));
    }

    private static boolean startsStatement(int type) {
        return switch (type) {
            case DescentLexer.IMPORT, DescentLexer.PARAM, DescentLexer.LET, DescentLexer.DEF,
                 DescentLexer.MINIMIZE, DescentLexer.MAXIMIZE, DescentLexer.OPTIMIZER, DescentLexer.OPTIMIZE -> true;
            default -> false;
        };
    }

    /** Tokens after which a line obviously goes on. */
    private static boolean continues(int type) {
        return switch (type) {
            // only reserved words: a contextual keyword (steps, batch, …) may end a line as a name
            case DescentLexer.FOR, DescentLexer.IF, DescentLexer.THEN, DescentLexer.ELSE, DescentLexer.AND, DescentLexer.OR,
                 DescentLexer.NOT -> true;
            default -> {
                String lit = DescentLexer.VOCABULARY.getLiteralName(type);
                yield lit != null && OPERATORS.contains(lit);
            }
        };
    }

    private static final List<String> OPERATORS = new ArrayList<>(List.of(
            "'+'", "'-'", "'*'", "'/'", "'@'", "'^'", "'**'", "'<'", "'<='", "'>'", "'>='", "'=='", "'!='",
            "','", "'='", "'+='", "'-='", "'*='", "'/='", "'~'", "'{'"));

    @Override public int getLine() { return lexer.getLine(); }

    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }

    @Override public CharStream getInputStream() { return lexer.getInputStream(); }

    @Override public String getSourceName() { return lexer.getSourceName(); }

    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }

    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
