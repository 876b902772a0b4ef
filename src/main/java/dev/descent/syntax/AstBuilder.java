package dev.descent.syntax;

import dev.descent.syntax.gen.DescentLexer;
import dev.descent.syntax.gen.DescentParser;
import dev.descent.syntax.gen.DescentParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Parse tree to AST. Runs only on trees without syntax errors. Long left-associative
 * chains (a 100,000-term sum) are built with a loop, not recursion.
 */
final class AstBuilder {
    private final SourceFile source;
    private final List<Diagnostic> problems = new ArrayList<>();

    AstBuilder(SourceFile source) { this.source = source; }

    Ast.Program program(ProgramContext ctx) {
        List<Ast.Stmt> out = new ArrayList<>();
        boolean separated = true;
        for (int i = 0; i < ctx.getChildCount(); i++) {
            if (ctx.getChild(i) instanceof StatementContext s) {
                if (!separated) problems.add(Diagnostic.at(pos(s.getStart()),
                        "expected the end of the statement (a new line or ';') before " + SyntaxErrors.describe(s.getStart())));
                out.add(statement(s));
                separated = false;
            } else separated = true;
        }
        if (!problems.isEmpty()) throw new CompileError(problems);
        return new Ast.Program(source, out);
    }

    private Pos pos(Token t) {
        int len = t.getType() == Token.EOF ? 1 : Math.max(1, t.getText().codePointCount(0, t.getText().length()));
        return new Pos(source, t.getLine(), t.getCharPositionInLine() + 1, len);
    }

    private Pos pos(ParserRuleContext ctx) {
        Token a = ctx.getStart(), b = ctx.getStop();
        int len = 1;
        if (b != null && b.getLine() == a.getLine() && b.getStopIndex() >= a.getStartIndex()) {
            len = b.getCharPositionInLine() + b.getText().codePointCount(0, b.getText().length()) - a.getCharPositionInLine();
        }
        return new Pos(source, a.getLine(), a.getCharPositionInLine() + 1, Math.max(1, len));
    }

    private Pos pos(TerminalNode n) { return pos(n.getSymbol()); }

    private Pos pos(IdentContext n) { return pos(n.getStart()); }

    // ------------------------------------------------------------ statements

    private Ast.Stmt statement(StatementContext s) {
        Pos p = pos(s.getStart());
        return switch (s) {
            case ImportStmtContext c -> new Ast.Import(p, unquote(c.STRING().getText()), pos(c.STRING()));
            case SeedStmtContext c -> new Ast.Seed(p, expr(c.expr()));
            case ParamStmtContext c -> new Ast.Param(p, c.ident().getText(), pos(c.ident()), dims(c.dims()), expr(c.expr()), false);
            case ParamRandomStmtContext c -> new Ast.Param(p, c.ident().getText(), pos(c.ident()), dims(c.dims()), expr(c.expr()), true);
            case LetStmtContext c -> new Ast.Let(p, c.ident().getText(), pos(c.ident()), expr(c.expr()));
            case DefStmtContext c -> new Ast.Def(p, c.ident().getText(), pos(c.ident()), formals(c.formals()), expr(c.expr()));
            case ObjectiveStmtContext c -> new Ast.Objective(p, c.MAXIMIZE() != null, expr(c.expr()));
            case DataStmtContext c -> new Ast.Data(p, c.ident().getText(), pos(c.ident()), expr(c.expr()));
            case OptimizerStmtContext c -> new Ast.Optimizer(p, c.ident().getText(), pos(c.ident()), formals(c.formals()), body(c.body()));
            case OptimizeStmtContext c -> optimize(p, c);
            case ReportStmtContext c -> new Ast.Report(p, c.ident().getText(), pos(c.ident()), expr(c.expr()));
            default -> throw new IllegalStateException("unknown statement " + s.getClass());
        };
    }

    private Ast.Stmt optimize(Pos p, OptimizeStmtContext c) {
        Ast.Expr opt = expr(c.expr(0));
        Ast.Expr count = expr(c.expr(1));
        Ast.Unit unit = c.unit.getType() == DescentLexer.STEPS ? Ast.Unit.STEPS : Ast.Unit.EPOCHS;
        Ast.Expr batch = null, until = null, patience = null;
        for (ClauseContext cl : c.clause()) {
            switch (cl) {
                case BatchClauseContext b -> batch = once(batch, expr(b.expr()), b, "batch");
                case UntilClauseContext u -> until = once(until, expr(u.expr()), u, "until");
                case PatienceClauseContext q -> patience = once(patience, expr(q.expr()), q, "patience");
                default -> throw new IllegalStateException();
            }
        }
        if (!(opt instanceof Ast.Call) && !(opt instanceof Ast.Name))
            problems.add(Diagnostic.at(opt.pos(), "expected an optimizer, like adam(lr = 0.01), after 'optimize with'"));
        return new Ast.Optimize(p, opt, count, unit, batch, until, patience);
    }

    private Ast.Expr once(Ast.Expr previous, Ast.Expr now, ParserRuleContext ctx, String word) {
        if (previous != null) problems.add(Diagnostic.at(pos(ctx.getStart()), "'" + word + "' is given twice"));
        return now;
    }

    private List<Ast.Expr> dims(DimsContext d) {
        if (d == null) return List.of();
        List<Ast.Expr> out = new ArrayList<>();
        for (ExprContext e : d.expr()) out.add(expr(e));
        return out;
    }

    private List<Ast.Formal> formals(FormalsContext f) {
        if (f == null) return List.of();
        List<Ast.Formal> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (FormalContext x : f.formal()) {
            String name = x.ident().getText();
            if (seen.contains(name)) problems.add(Diagnostic.at(pos(x.ident()), "'" + name + "' is listed twice"));
            seen.add(name);
            out.add(new Ast.Formal(pos(x.ident()), name, x.expr() == null ? null : expr(x.expr())));
        }
        return out;
    }

    private List<Ast.BodyStmt> body(BodyContext b) {
        List<Ast.BodyStmt> out = new ArrayList<>();
        boolean separated = true;
        for (int i = 0; i < b.getChildCount(); i++) {
            if (!(b.getChild(i) instanceof BodyStmtContext s)) {
                separated = true;
                continue;
            }
            if (!separated) problems.add(Diagnostic.at(pos(s.getStart()),
                    "expected the end of the statement (a new line or ';') before " + SyntaxErrors.describe(s.getStart())));
            separated = false;
            switch (s) {
                case StateStmtContext c -> out.add(new Ast.State(pos(c.getStart()), c.ident().getText(), pos(c.ident()), expr(c.expr())));
                case AssignStmtContext c -> {
                    Ast.AssignOp op = switch (c.op.getText()) {
                        case "=" -> Ast.AssignOp.SET;
                        case "+=" -> Ast.AssignOp.ADD;
                        case "-=" -> Ast.AssignOp.SUB;
                        case "*=" -> Ast.AssignOp.MUL;
                        default -> Ast.AssignOp.DIV;
                    };
                    out.add(new Ast.Assign(pos(c.op), c.ident().getText(), pos(c.ident()), op, expr(c.expr())));
                }
                default -> throw new IllegalStateException();
            }
        }
        return out;
    }

    // ------------------------------------------------------------ expressions

    Ast.Expr expr(ExprContext e) {
        return switch (e) {
            case PrimaryExprContext c -> primary(c.primary());
            case CallExprContext c -> call(c);
            case IndexExprContext c -> {
                List<Ast.Expr> ix = new ArrayList<>();
                for (int i = 1; i < c.expr().size(); i++) ix.add(expr(c.expr(i)));
                yield new Ast.Index(pos(c.getChild(1) instanceof TerminalNode t ? t.getSymbol() : c.getStart()), expr(c.expr(0)), ix);
            }
            case MemberExprContext c -> new Ast.Member(pos(c.ident()), expr(c.expr()), c.ident().getText(), pos(c.ident()));
            case PowExprContext c -> new Ast.Binary(pos(c.op), Ast.BinaryOp.POW, expr(c.expr(0)), expr(c.expr(1)));
            case UnaryExprContext c -> new Ast.Unary(pos(c.op), c.op.getText().equals("-") ? Ast.UnaryOp.NEG : Ast.UnaryOp.PLUS, expr(c.expr()));
            case NotExprContext c -> new Ast.Unary(pos(c.NOT()), Ast.UnaryOp.NOT, expr(c.expr()));
            case IfExprContext c -> new Ast.If(pos(c.IF()), expr(c.expr(0)), expr(c.expr(1)), expr(c.expr(2)));
            case MulExprContext c -> chain(c);
            case AddExprContext c -> chain(c);
            case CmpExprContext c -> chain(c);
            case AndExprContext c -> chain(c);
            case OrExprContext c -> chain(c);
            default -> throw new IllegalStateException("unknown expression " + e.getClass());
        };
    }

    /** A left-associative chain a op b op c …, built with a loop. */
    private Ast.Expr chain(ExprContext top) {
        List<ExprContext> spine = new ArrayList<>();
        ExprContext cur = top;
        while (isBinary(cur)) {
            spine.add(cur);
            cur = cur.getRuleContext(ExprContext.class, 0);
        }
        Ast.Expr acc = expr(cur);
        for (int i = spine.size() - 1; i >= 0; i--) {
            ExprContext c = spine.get(i);
            Token op = ((TerminalNode) c.getChild(1)).getSymbol();
            Ast.BinaryOp bop = binaryOp(op.getText());
            Ast.Expr right = expr(c.getRuleContext(ExprContext.class, 1));
            if (isComparison(bop) && (acc instanceof Ast.Binary l && isComparison(l.op()) && !parenthesized(c.getRuleContext(ExprContext.class, 0))
                    || right instanceof Ast.Binary r && isComparison(r.op()) && !parenthesized(c.getRuleContext(ExprContext.class, 1)))) {
                problems.add(Diagnostic.at(pos(op), "comparisons do not chain",
                        "write 'a < b and b < c' instead of 'a < b < c'"));
            }
            acc = new Ast.Binary(pos(op), bop, acc, right);
        }
        return acc;
    }

    private static boolean parenthesized(ExprContext e) {
        return e instanceof PrimaryExprContext p && p.primary() instanceof ParensContext;
    }

    private static boolean isBinary(ExprContext c) {
        return c instanceof MulExprContext || c instanceof AddExprContext || c instanceof CmpExprContext
                || c instanceof AndExprContext || c instanceof OrExprContext;
    }

    private static boolean isComparison(Ast.BinaryOp op) {
        return switch (op) {
            case LT, LE, GT, GE, EQ, NE -> true;
            default -> false;
        };
    }

    private static Ast.BinaryOp binaryOp(String text) {
        return switch (text) {
            case "+" -> Ast.BinaryOp.ADD;
            case "-" -> Ast.BinaryOp.SUB;
            case "*" -> Ast.BinaryOp.MUL;
            case "/" -> Ast.BinaryOp.DIV;
            case "@" -> Ast.BinaryOp.MATMUL;
            case "<" -> Ast.BinaryOp.LT;
            case "<=" -> Ast.BinaryOp.LE;
            case ">" -> Ast.BinaryOp.GT;
            case ">=" -> Ast.BinaryOp.GE;
            case "==" -> Ast.BinaryOp.EQ;
            case "!=" -> Ast.BinaryOp.NE;
            case "and" -> Ast.BinaryOp.AND;
            case "or" -> Ast.BinaryOp.OR;
            default -> throw new IllegalStateException(text);
        };
    }

    private Ast.Expr call(CallExprContext c) {
        Ast.Expr callee = expr(c.expr());
        List<Ast.Arg> args = new ArrayList<>();
        if (c.args() != null) {
            boolean named = false;
            for (ArgContext a : c.args().arg()) {
                Ast.Expr v = expr(a.expr());
                if (a.ident() != null) {
                    named = true;
                    args.add(new Ast.Arg(pos(a.ident()), a.ident().getText(), v));
                } else {
                    if (named) problems.add(Diagnostic.at(v.pos(), "a positional argument cannot follow a named one"));
                    args.add(new Ast.Arg(v.pos(), null, v));
                }
            }
        }
        if (!(callee instanceof Ast.Name n)) {
            problems.add(Diagnostic.at(callee.pos(), "only a function's name can be called"));
            return new Ast.Call(callee.pos(), "?", callee.pos(), args);
        }
        return new Ast.Call(n.pos(), n.name(), n.pos(), args);
    }

    private Ast.Expr primary(PrimaryContext p) {
        return switch (p) {
            case NumberLitContext c -> number(c.NUMBER().getSymbol());
            case StringLitContext c -> new Ast.Str(pos(c.STRING()), unquote(c.STRING().getText()));
            case NameRefContext c -> new Ast.Name(pos(c.ident()), c.ident().getText());
            case ParensContext c -> expr(c.expr());
            case ArrayLitContext c -> {
                List<Ast.Expr> elems = new ArrayList<>();
                for (ExprContext e : c.expr()) elems.add(expr(e));
                yield new Ast.ArrayLit(pos(c.getStart()), elems);
            }
            default -> throw new IllegalStateException();
        };
    }

    private Ast.Expr number(Token t) {
        String text = t.getText();
        double v = Double.parseDouble(text);
        if (Double.isInfinite(v)) problems.add(Diagnostic.at(pos(t), "the number " + text + " is too large for a double", "write inf for infinity"));
        return new Ast.Num(pos(t), v, text);
    }

    private static String unquote(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() - 1) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else sb.append(c);
        }
        return sb.toString();
    }

    @SuppressWarnings("unused")
    private static final Class<?> PARSER = DescentParser.class;
}
