package dev.descent.syntax;

import java.util.List;

/** The abstract syntax tree: what a script says, with source positions. Built by {@link AstBuilder}. */
public final class Ast {
    private Ast() {}

    /** A parsed file: its statements in order. */
    public record Program(SourceFile source, List<Stmt> statements) {}

    // ------------------------------------------------------------ statements

    public sealed interface Stmt { Pos pos(); }

    public record Import(Pos pos, String path, Pos pathPos) implements Stmt {}

    public record Seed(Pos pos, Expr value) implements Stmt {}

    /**
     * {@code param x = e}, {@code param W[3, 4] ~ normal(0, 0.1)}, {@code param b[4] = 0}.
     * {@code dims} is empty when no shape is written; {@code random} when the start is drawn ({@code ~}).
     */
    public record Param(Pos pos, String name, Pos namePos, List<Expr> dims, Expr init, boolean random) implements Stmt {}

    public record Let(Pos pos, String name, Pos namePos, Expr value) implements Stmt {}

    /** A formal parameter of a def or an optimizer, with an optional default. */
    public record Formal(Pos pos, String name, Expr defaultValue) {}

    public record Def(Pos pos, String name, Pos namePos, List<Formal> formals, Expr body) implements Stmt {}

    public record Objective(Pos pos, boolean maximize, Expr expr) implements Stmt {}

    public record Data(Pos pos, String name, Pos namePos, Expr source) implements Stmt {}

    public record Optimizer(Pos pos, String name, Pos namePos, List<Formal> hypers, List<BodyStmt> body) implements Stmt {}

    /** {@code report NAME = EXPR}: a metric, evaluated on each split at the end of a run. */
    public record Report(Pos pos, String name, Pos namePos, Expr value) implements Stmt {}

    public enum Unit { STEPS, EPOCHS }

    /**
     * {@code optimize with OPT for N steps|epochs [batch B] [until C] [patience P]}.
     * {@code optimizer} is a Call or a Name; the optional parts are null when absent.
     */
    public record Optimize(Pos pos, Expr optimizer, Expr count, Unit unit, Expr batch, Expr until, Expr patience)
            implements Stmt {}

    // ------------------------------------------------------------ optimizer bodies

    public sealed interface BodyStmt { Pos pos(); }

    public record State(Pos pos, String name, Pos namePos, Expr init) implements BodyStmt {}

    public enum AssignOp {
        SET("="), ADD("+="), SUB("-="), MUL("*="), DIV("/=");
        public final String text;
        AssignOp(String t) { text = t; }
    }

    public record Assign(Pos pos, String name, Pos namePos, AssignOp op, Expr value) implements BodyStmt {}

    /**
     * {@code clip_by_global_norm(max_norm)} as a statement of a body: the named optimizer's body
     * runs here, on this step's p and g, with its own hyperparameters and states (composition).
     */
    public record Use(Pos pos, Call call) implements BodyStmt {}

    // ------------------------------------------------------------ expressions

    public sealed interface Expr { Pos pos(); }

    public record Num(Pos pos, double value, String text) implements Expr {}

    public record Str(Pos pos, String value) implements Expr {}

    public record Name(Pos pos, String name) implements Expr {}

    /** {@code [a, b, c]} or {@code [[1, 2], [3, 4]]}. */
    public record ArrayLit(Pos pos, List<Expr> elements) implements Expr {}

    /**
     * An argument of a call: {@code name} is null for a positional one. {@code param} is the
     * parameter of a per-parameter setting {@code W2.lr = 0.02} (at {@code pos}; the setting's
     * name at {@code namePos}), else null.
     */
    public record Arg(Pos pos, String name, Expr value, String param, Pos namePos) {
        public Arg(Pos pos, String name, Expr value) { this(pos, name, value, null, pos); }
    }

    /** {@code f(a, b, k = 2)}: only a name can be called. */
    public record Call(Pos pos, String name, Pos namePos, List<Arg> args) implements Expr {}

    /** {@code x[0]}, {@code A[i, j]}. */
    public record Index(Pos pos, Expr target, List<Expr> indices) implements Expr {}

    /** {@code d.price}. */
    public record Member(Pos pos, Expr target, String field, Pos fieldPos) implements Expr {}

    public enum UnaryOp { NEG, PLUS, NOT }

    public record Unary(Pos pos, UnaryOp op, Expr operand) implements Expr {}

    public enum BinaryOp {
        ADD("+"), SUB("-"), MUL("*"), DIV("/"), MATMUL("@"), POW("^"),
        LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!="), AND("and"), OR("or");
        public final String text;
        BinaryOp(String t) { text = t; }
    }

    /** {@code pos} is the operator's position. */
    public record Binary(Pos pos, BinaryOp op, Expr left, Expr right) implements Expr {}

    public record If(Pos pos, Expr cond, Expr then, Expr otherwise) implements Expr {}
}
