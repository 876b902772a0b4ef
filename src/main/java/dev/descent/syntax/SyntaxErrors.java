package dev.descent.syntax;

import dev.descent.syntax.gen.DescentLexer;
import dev.descent.syntax.gen.DescentParser;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Replaces ANTLR's messages ("mismatched input … expecting {…}") with ones in a
 * user's words: what was found, and what could have come there. At most one
 * syntax error is reported per line (the rest are usually echoes of the first).
 */
final class SyntaxErrors extends DefaultErrorStrategy {
    private static final int MAX_ERRORS = 20;

    private final SourceFile source;
    private final List<Diagnostic> diagnostics;

    SyntaxErrors(SourceFile source, List<Diagnostic> diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    @Override protected void reportNoViableAlternative(Parser p, NoViableAltException e) {
        report(p, e.getOffendingToken(), null);
    }

    @Override protected void reportInputMismatch(Parser p, InputMismatchException e) {
        report(p, e.getOffendingToken(), null);
    }

    @Override protected void reportFailedPredicate(Parser p, org.antlr.v4.runtime.FailedPredicateException e) {
        report(p, e.getOffendingToken(), null);
    }

    @Override protected void reportUnwantedToken(Parser p) {
        if (inErrorRecoveryMode(p)) return;
        beginErrorCondition(p);
        report(p, p.getCurrentToken(), null);
    }

    @Override protected void reportMissingToken(Parser p) {
        if (inErrorRecoveryMode(p)) return;
        beginErrorCondition(p);
        Token t = p.getCurrentToken();
        String expected = expected(p, p.getExpectedTokens());
        report(p, t, expected.isEmpty() ? "unexpected " + describe(t).replaceFirst("^the ", "") : "missing " + expected + " before " + describe(t));
    }

    private void report(Parser p, Token t, String message) {
        if (diagnostics.size() >= MAX_ERRORS) return;
        int line = t.getLine();
        for (Diagnostic d : diagnostics) if (d.line() == line) return;
        String hint = null;
        if (message == null) {
            IntervalSet exp;
            try {
                exp = p.getExpectedTokens();
            } catch (RuntimeException ex) {
                exp = new IntervalSet();
            }
            braceOpen = null;
            message = special(p, t);
            if (braceOpen != null) {
                // an optimizer's body runs into the next statement: its '{' was never closed
                Token open = braceOpen;
                for (Diagnostic d : diagnostics) if (d.line() == open.getLine()) return;
                diagnostics.add(new Diagnostic(source, open.getLine(), open.getCharPositionInLine() + 1, 1,
                        "this '{' is never closed", "an optimizer's body ends with '}' on a line of its own"));
                return;
            }
            if (message == null) {
                String what = expected(p, exp);
                if (what.isEmpty() && inExpression(p.getContext())) what = "an expression";
                message = what.isEmpty() ? "unexpected " + describe(t).replaceFirst("^the ", "") : "expected " + what + ", found " + describe(t);
            }
            hint = hintFor(p, t);
        }
        int col = t.getCharPositionInLine() + 1;
        int len = t.getType() == Token.EOF || t.getType() == DescentLexer.NL ? 1 : Math.max(1, t.getText().codePointCount(0, t.getText().length()));
        if (t.getType() == Token.EOF) {
            // point just past the last character of the file
            int[] end = endOfText();
            line = end[0];
            col = end[1];
        }
        diagnostics.add(new Diagnostic(source, line, col, len, message, hint));
    }

    private int[] endOfText() {
        String s = source.text();
        int line = 1, col = 1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') { line++; col = 1; } else col++;
        }
        if (col == 1 && line > 1) { line--; col = source.line(line).codePointCount(0, source.line(line).length()) + 1; }
        return new int[] {line, col};
    }

    /** Messages for mistakes common enough to deserve their own words. */
    private String special(Parser p, Token t) {
        int type = t.getType();
        if (type == DescentLexer.ERROR_CHAR) {
            String c = t.getText();
            int cp = c.codePointAt(0);
            String shown = Diagnostic.invisible(cp) ? String.format("U+%04X", cp) : "'" + c + "'";
            return "unexpected character " + shown;
        }
        if (type == DescentLexer.UNTERMINATED_STRING) return "this string is never closed";
        ParserRuleContext ctx = p.getContext();
        Token prev = previous(p, t);
        if (ctx instanceof DescentParser.StatementContext st && prev != null && prev.getType() != DescentLexer.NL) {
            Token first = st.getStart();
            String after = switch (first.getType()) {
                case DescentLexer.PARAM -> "'=', '~' or a shape like [3] after 'param NAME'";
                case DescentLexer.LET -> "'=' after 'let NAME'";
                case DescentLexer.DEF -> "'(' and the def's parameters after 'def NAME'";
                case DescentLexer.DATA -> "'=' after 'data NAME'";
                case DescentLexer.REPORT -> "'=' after 'report NAME'";
                case DescentLexer.OPTIMIZER -> "'(' or '{' after 'optimizer NAME'";
                default -> null;
            };
            if (after != null && prev != first) return "expected " + after + ", found " + describe(t);
        }
        if (isKeyword(type) && prev != null && (prev.getType() == DescentLexer.LET || prev.getType() == DescentLexer.PARAM
                || prev.getType() == DescentLexer.DEF || prev.getType() == DescentLexer.OPTIMIZER || prev.getType() == DescentLexer.DATA))
            return "expected a name after '" + prev.getText() + "', found the keyword '" + t.getText() + "'";
        if ((ctx instanceof DescentParser.BodyContext || ctx instanceof DescentParser.BodyStmtContext) && prev != null
                && (prev.getType() == DescentLexer.NAME || SOFT.contains(prev.getType())) && !startsStatement(type) && type != Token.EOF) {
            Token before = previous(p, prev);
            if (before == null || before.getType() == DescentLexer.NL || before.getText().equals(";") || before.getText().equals("{"))
                return "expected '=' (or +=, -=, *=, /=) after '" + prev.getText() + "', or '(' to use an optimizer, found " + describe(t);
        }
        for (ParserRuleContext c = ctx; c != null; c = c.getParent()) {
            if (c instanceof DescentParser.BodyContext body && (startsStatement(type) || type == Token.EOF)) {
                Token open = body.getStart();
                braceOpen = open;
                return null;
            }
        }
        if (ctx instanceof DescentParser.ProgramContext || ctx instanceof DescentParser.StatementContext) {
            if (type == DescentLexer.STATE)
                return "expected a statement, found 'state': a state declaration belongs inside an optimizer's body, optimizer NAME(…) { state v = 0 … }";
            if (type == DescentLexer.NAME) {
                return "expected a statement (param, let, def, minimize, maximize, data, optimizer, optimize, import, seed), found "
                        + describe(t);
            }
        }
        return null;
    }

    private Token braceOpen;

    private static Token previous(Parser p, Token t) {
        int i = t.getTokenIndex() - 1;
        while (i >= 0) {
            Token x = p.getInputStream().get(i);
            if (x.getChannel() == Token.DEFAULT_CHANNEL) return x;
            i--;
        }
        return null;
    }

    /** The token after t, reading ahead in the stream if it is not buffered yet. */
    private static Token following(Parser p, Token t) {
        org.antlr.v4.runtime.TokenStream ts = p.getInputStream();
        int k = t.getTokenIndex() + 1 - ts.index() + 1; // LT(1) is the token at ts.index()
        if (k >= 1) return ts.LT(k);
        return ts.get(t.getTokenIndex() + 1);
    }

    private static boolean inExpression(ParserRuleContext ctx) {
        return ctx instanceof DescentParser.ExprContext || ctx instanceof DescentParser.PrimaryContext
                || ctx instanceof DescentParser.ArgsContext || ctx instanceof DescentParser.ArgContext;
    }

    private String hintFor(Parser p, Token t) {
        int type = t.getType();
        String text = t.getText();
        if (type == DescentLexer.ERROR_CHAR) {
            return switch (text) {
                case "'" -> "strings are written in double quotes: \"file.dsc\"";
                case "{", "}" -> "braces only enclose an optimizer's body";
                case "!" -> "logical negation is written 'not'";
                case "&", "|" -> "logic is written 'and', 'or'";
                case ":" -> "slices are not supported; index one element, x[i]";
                default -> null;
            };
        }
        Token before = previous(p, t);
        if (isKeyword(type) && (p.getExpectedTokens().contains(DescentLexer.NAME) || before != null && (before.getType() == DescentLexer.LET
                || before.getType() == DescentLexer.PARAM || before.getType() == DescentLexer.DEF || before.getType() == DescentLexer.OPTIMIZER
                || before.getType() == DescentLexer.DATA)))
            return "'" + text + "' is a reserved word and cannot be used as a name";
        if ((p.getContext() instanceof DescentParser.ProgramContext || p.getContext() instanceof DescentParser.StatementContext) && type == DescentLexer.NAME) {
            Token next = following(p, t);
            if (next != null && "=".equals(next.getText())) return "to name a value, write 'let " + text + " = …'";
            if (next != null && next.getText().endsWith("=") && next.getText().length() == 2)
                return "assignments like '" + text + " " + next.getText() + " …' belong inside an optimizer's body";
        }
        if (type == DescentLexer.T__0 || "=".equals(text)) {
            ParserRuleContext ctx = p.getContext();
            if (ctx instanceof DescentParser.CmpExprContext || ctx instanceof DescentParser.ExprContext)
                if ("=".equals(text)) return "to compare, write '=='";
        }
        return null;
    }

    /** Reserved words (not the contextual keywords, which are names elsewhere). */
    static boolean isKeyword(int type) {
        return switch (type) {
            case DescentLexer.IMPORT, DescentLexer.PARAM, DescentLexer.LET, DescentLexer.DEF, DescentLexer.MINIMIZE,
                 DescentLexer.MAXIMIZE, DescentLexer.OPTIMIZER, DescentLexer.OPTIMIZE, DescentLexer.FOR, DescentLexer.IF,
                 DescentLexer.THEN, DescentLexer.ELSE, DescentLexer.AND, DescentLexer.OR, DescentLexer.NOT -> true;
            default -> false;
        };
    }

    /** A token in words: "the name 'x'", "the number 3", "the end of the line". */
    static String describe(Token t) {
        int type = t.getType();
        if (type == Token.EOF) return "the end of the file";
        if (type == DescentLexer.NL) return "the end of the line";
        String text = t.getText();
        if (text.length() > 40) text = text.substring(0, 37) + "...";
        if (type == DescentLexer.NAME) return "the name '" + text + "'";
        if (type == DescentLexer.NUMBER) return "the number " + text;
        if (type == DescentLexer.STRING) return "the string " + text;
        if (isKeyword(type)) return "the keyword '" + text + "'";
        return "'" + text + "'";
    }

    private static final Set<String> EXPRESSION_START = Set.of("'('", "'['", "'-'", "'+'", "a name", "a number",
            "a quoted path", "'if'", "'not'");
    private static final Set<String> OPERATOR_WORDS = Set.of("'^'", "'**'", "'*'", "'/'", "'@'", "'<'", "'<='",
            "'>'", "'>='", "'=='", "'!='", "'and'", "'or'", "'.'", "'+'", "'-'", "'('", "'['");

    /** The expected token set in words: "an expression", "')' or ','", "a name". */
    static String expected(Parser p, IntervalSet set) {
        if (set == null || set.isNil()) return "";
        LinkedHashSet<String> words = new LinkedHashSet<>();
        boolean end = false;
        boolean names = set.contains(DescentLexer.NAME);
        for (int type : set.toList()) {
            if (names && type != DescentLexer.NAME && SOFT.contains(type)) continue; // contextual keywords are names here
            if (type == Token.EOF || type == DescentLexer.NL || type == DescentLexer.T__0 || startsStatement(type)) end = true;
            else words.add(word(type));
        }
        List<String> parts = new ArrayList<>();
        if (set.contains(DescentLexer.NUMBER)) {
            parts.add("an expression");
            words.removeAll(EXPRESSION_START);
        }
        long operators = words.stream().filter(OPERATOR_WORDS::contains).count();
        if (operators >= 3) {
            words.removeAll(OPERATOR_WORDS);
            parts.add("an operator");
        }
        parts.addAll(words);
        if (end) parts.add("the end of the statement");
        if (parts.size() > 6) return "";
        if (parts.size() == 1) return parts.get(0);
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.get(parts.size() - 1);
    }

    private static final Set<Integer> SOFT = Set.of(DescentLexer.STEPS, DescentLexer.EPOCHS, DescentLexer.BATCH,
            DescentLexer.UNTIL, DescentLexer.PATIENCE, DescentLexer.STATE, DescentLexer.WITH, DescentLexer.SEED, DescentLexer.DATA, DescentLexer.REPORT);

    private static boolean startsStatement(int type) {
        return switch (type) {
            case DescentLexer.IMPORT, DescentLexer.SEED, DescentLexer.PARAM, DescentLexer.LET, DescentLexer.DEF,
                 DescentLexer.MINIMIZE, DescentLexer.MAXIMIZE, DescentLexer.DATA, DescentLexer.OPTIMIZER,
                 DescentLexer.OPTIMIZE, DescentLexer.REPORT -> true;
            default -> false;
        };
    }

    private static String word(int type) {
        if (type == Token.EOF) return "the end of the file";
        if (type == DescentLexer.NL) return "the end of the line";
        if (type == DescentLexer.NAME) return "a name";
        if (type == DescentLexer.NUMBER) return "a number";
        if (type == DescentLexer.STRING) return "a quoted path";
        if (type == DescentLexer.STEPS) return "'steps'";
        if (type == DescentLexer.EPOCHS) return "'epochs'";
        String lit = DescentParser.VOCABULARY.getLiteralName(type);
        return lit != null ? lit : DescentParser.VOCABULARY.getDisplayName(type);
    }
}
