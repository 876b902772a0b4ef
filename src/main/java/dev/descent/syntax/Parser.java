package dev.descent.syntax;

import dev.descent.syntax.gen.DescentLexer;
import dev.descent.syntax.gen.DescentParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/** Text to AST. Every problem becomes a Diagnostic; nothing else escapes. */
public final class Parser {
    private Parser() {}

    /** Parses a whole script; throws {@link CompileError} with every syntax problem found. */
    public static Ast.Program parse(SourceFile source) {
        // Two stages, as ANTLR recommends: the fast SLL prediction, which succeeds on nearly every
        // valid script, and only when it fails the full LL parse with our error reporting.
        try {
            return fast(source);
        } catch (org.antlr.v4.runtime.misc.ParseCancellationException | CompileError e) {
            return full(source);
        }
    }

    private static String text(SourceFile source) {
        return source.text().indexOf('\r') < 0 ? source.text() : source.text().replace("\r\n", "\n").replace('\r', '\n');
    }

    private static Ast.Program fast(SourceFile source) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        DescentLexer lexer = new DescentLexer(CharStreams.fromString(text(source), source.name()));
        lexer.removeErrorListeners();
        DescentParser parser = new DescentParser(new CommonTokenStream(new LineJoiner(lexer, source, diagnostics)));
        parser.removeErrorListeners();
        parser.setErrorHandler(new org.antlr.v4.runtime.BailErrorStrategy());
        parser.getInterpreter().setPredictionMode(org.antlr.v4.runtime.atn.PredictionMode.SLL);
        DescentParser.ProgramContext tree;
        try {
            tree = parser.program();
        } catch (LineJoiner.TooDeep | StackOverflowError e) {
            throw new org.antlr.v4.runtime.misc.ParseCancellationException();
        }
        if (!diagnostics.isEmpty()) throw new org.antlr.v4.runtime.misc.ParseCancellationException();
        try {
            return new AstBuilder(source).program(tree);
        } catch (StackOverflowError e) {
            throw new org.antlr.v4.runtime.misc.ParseCancellationException();
        }
    }

    private static Ast.Program full(SourceFile source) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        // ANTLR counts lines by '\n' only; a bare '\r' ends a line too (as SourceFile.line() reads it)
        DescentLexer lexer = new DescentLexer(CharStreams.fromString(text(source), source.name()));
        lexer.removeErrorListeners(); // ERROR_CHAR catches every character the lexer cannot use
        LineJoiner joiner = new LineJoiner(lexer, source, diagnostics);
        DescentParser parser = new DescentParser(new CommonTokenStream(joiner));
        parser.removeErrorListeners();
        parser.addErrorListener(new BaseErrorListener()); // all reporting goes through SyntaxErrors
        parser.setErrorHandler(new SyntaxErrors(source, diagnostics));
        DescentParser.ProgramContext tree;
        try {
            tree = parser.program();
        } catch (LineJoiner.TooDeep e) {
            throw new CompileError(tooDeep(source, e.at));
        } catch (StackOverflowError e) {
            Token t = parser.getCurrentToken();
            throw new CompileError(tooDeep(source, t));
        }
        if (!diagnostics.isEmpty()) {
            diagnostics.sort(Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
            throw new CompileError(diagnostics);
        }
        try {
            return new AstBuilder(source).program(tree);
        } catch (StackOverflowError e) {
            throw new CompileError(new Diagnostic(source, 1, 1, 1, "this script is nested too deeply to process",
                    "split long expressions with let"));
        }
    }

    /**
     * Parses a text that is one expression and nothing else: an optimizer's call as the Java API
     * writes it ({@code adam(lr = 0.01)}). Throws {@link CompileError} with the problems found.
     */
    public static Ast.Expr parseExpression(SourceFile source) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        DescentLexer lexer = new DescentLexer(CharStreams.fromString(text(source), source.name()));
        lexer.removeErrorListeners();
        DescentParser parser = new DescentParser(new CommonTokenStream(new LineJoiner(lexer, source, diagnostics)));
        parser.removeErrorListeners();
        parser.addErrorListener(new BaseErrorListener());
        parser.setErrorHandler(new SyntaxErrors(source, diagnostics));
        DescentParser.ExprContext tree;
        try {
            tree = parser.expr();
        } catch (LineJoiner.TooDeep e) {
            throw new CompileError(tooDeep(source, e.at));
        } catch (StackOverflowError e) {
            throw new CompileError(tooDeep(source, parser.getCurrentToken()));
        }
        Token next = parser.getCurrentToken();
        while (diagnostics.isEmpty() && next.getType() == DescentLexer.NL) {
            parser.consume();
            next = parser.getCurrentToken();
        }
        if (diagnostics.isEmpty() && next.getType() != Token.EOF)
            diagnostics.add(new Diagnostic(source, next.getLine(), next.getCharPositionInLine() + 1, Math.max(1, next.getText().length()),
                    "expected the end of the expression here", null));
        if (!diagnostics.isEmpty()) {
            diagnostics.sort(Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
            throw new CompileError(diagnostics);
        }
        try {
            return new AstBuilder(source).expr(tree);
        } catch (StackOverflowError e) {
            throw new CompileError(new Diagnostic(source, 1, 1, 1, "this expression is nested too deeply to process", null));
        }
    }

    private static Diagnostic tooDeep(SourceFile source, Token t) {
        return new Diagnostic(source, t.getLine(), t.getCharPositionInLine() + 1, 1,
                "brackets are nested more than " + LineJoiner.MAX_NESTING + " deep", "split the expression with let");
    }
}
