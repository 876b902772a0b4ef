import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one table of Descent's elementwise operations and the kernel instructions made of them,
 * and the generator of everything that follows from it:
 *
 * <ul>
 *   <li>{@code ir/ScalarMath.java}: what each elementwise operation of the DAG means on one
 *       float64 value (the scalar engine evaluates with it, the Dag folds constants with it);</li>
 *   <li>{@code lower/Opcode.java}: the instructions (opcodes, operand forms, names, listing
 *       formats) and the lowering's maps from the DAG's operations to them;</li>
 *   <li>{@code engine/simd/KernelsF64.java}, {@code KernelsF32.java}: the block interpreter,
 *       one Vector API loop per instruction and a scalar tail;</li>
 *   <li>{@code engine/compiled/OpsF64.java}, {@code OpsF32.java}: the compiled tier's vector and
 *       scalar method per instruction, from the same expressions, so that both tiers compute the
 *       same operations in the same order.</li>
 * </ul>
 *
 * A row of {@link #TABLE} is an instruction: its opcode, its operand form, its method name, its
 * vector expression (the Vector API: {@code x} or {@code a, b, c} vectors, {@code s0, s1}
 * scalars, {@code Z} a zero vector, {@code S} the species, {@code V} the vector class), its
 * scalar expression ({@code R(…)} rounds a float64 function's result to the precision), its
 * listing format, and the DAG operation it evaluates. Expressions are written once for both
 * precisions: a decimal literal becomes a {@code float} literal in float32.
 *
 * <pre>
 *   java tools/OpTable.java           # regenerates the files
 *   java tools/OpTable.java --check   # exits 1, naming each file that differs (GeneratedSourcesTest)
 * </pre>
 *
 * docs/adding-a-builtin.md walks through a new function end to end.
 */
public class OpTable {
    /** Operand forms of an instruction: vector operands (V), scalar operands (S). */
    enum Form { V, VV, VS, VSS, VVSS, VVVS, FILL, COPY, RED, RED2 }

    /**
     * One instruction. {@code ir}: the DAG operation it evaluates on vector operands (null for
     * a superinstruction); {@code vs}, {@code sv}: the DAG operation it evaluates with a scalar
     * second (vs) or first (sv) operand; {@code vector} null: no vector form (a lane-by-lane loop);
     * {@code vectorBody}: statements instead of an expression (for the kernels, ending in
     * {@code intoArray(d, dOff + i)}; for the compiled tier, the same with {@code return}).
     */
    record Instr(String code, int value, Form form, String method, String vector, String scalar, String format,
                 boolean superinstruction, String ir, String vs, String sv, String doc, String vectorBody, String opsBody) {
        Instr with(String field, String v) {
            return switch (field) {
                case "vs" -> new Instr(code, value, form, method, vector, scalar, format, superinstruction, ir, v, sv, doc, vectorBody, opsBody);
                case "sv" -> new Instr(code, value, form, method, vector, scalar, format, superinstruction, ir, vs, v, doc, vectorBody, opsBody);
                case "doc" -> new Instr(code, value, form, method, vector, scalar, format, superinstruction, ir, vs, sv, v, vectorBody, opsBody);
                case "ir" -> new Instr(code, value, form, method, vector, scalar, format, superinstruction, v, vs, sv, doc, vectorBody, opsBody);
                default -> throw new IllegalArgumentException(field);
            };
        }
    }

    static Instr unary(String code, int value, String method, String vector, String scalar) {
        return new Instr(code, value, Form.V, method, vector, scalar, null, false, code, null, null, null, null, null);
    }

    static Instr binary(String code, int value, String method, String vector, String scalar, String format) {
        return new Instr(code, value, Form.VV, method, vector, scalar, format, false, code, null, null, null, null, null);
    }

    static Instr instr(String code, int value, Form form, String method, String vector, String scalar, String format, boolean sup) {
        return new Instr(code, value, form, method, vector, scalar, format, sup, null, null, null, null, null, null);
    }

    /** The table. Rows are emitted in this order (opcodes are fixed numbers, kept stable). */
    static final List<Instr> TABLE = List.of(
            // ---- one vector operand a (x in the expressions)
            unary("NEG", 0, "neg", "x.neg()", "-x"),
            unary("ABS", 1, "abs", "x.abs()", "Math.abs(x)"),
            unary("SIGN", 2, "sign", "x.blend(1.0, x.compare(GT, 0.0)).blend(-1.0, x.compare(LT, 0.0))", "Math.signum(x)"),
            unary("SQRT", 3, "sqrt", "x.sqrt()", "R(Math.sqrt(x))"),
            unary("EXP", 4, "exp", "x.lanewise(EXP)", "R(Math.exp(x))"),
            unary("LOG", 5, "log", "x.lanewise(LOG)", "R(Math.log(x))"),
            unary("LOG1P", 6, "log1p", "x.lanewise(LOG1P)", "R(Math.log1p(x))"),
            unary("EXPM1", 7, "expm1", "x.lanewise(EXPM1)", "R(Math.expm1(x))"),
            unary("SIN", 8, "sin", "x.lanewise(SIN)", "R(Math.sin(x))"),
            unary("COS", 9, "cos", "x.lanewise(COS)", "R(Math.cos(x))"),
            unary("TAN", 10, "tan", "x.lanewise(TAN)", "R(Math.tan(x))"),
            unary("ASIN", 11, "asin", "x.lanewise(ASIN)", "R(Math.asin(x))"),
            unary("ACOS", 12, "acos", "x.lanewise(ACOS)", "R(Math.acos(x))"),
            unary("ATAN", 13, "atan", "x.lanewise(ATAN)", "R(Math.atan(x))"),
            unary("SINH", 14, "sinh", "x.lanewise(SINH)", "R(Math.sinh(x))"),
            unary("COSH", 15, "cosh", "x.lanewise(COSH)", "R(Math.cosh(x))"),
            unary("TANH", 16, "tanh", "x.lanewise(TANH)", "R(Math.tanh(x))"),
            // 1/(1+exp(-x)) for x >= 0, exp(x)/(1+exp(x)) below: both are e = exp(-|x|) (ScalarMath.sigmoid)
            new Instr("SIGMOID", 17, Form.V, "sigmoid", null, "R(ScalarMath.sigmoid(x))", null, false, "SIGMOID", null, null, null,
                    "V e = x.abs().neg().lanewise(EXP);\nV den = e.add(1.0);\ne.div(den).blend(V.broadcast(S, 1.0).div(den), x.compare(GE, 0.0)).intoArray(d, dOff + i);",
                    "V e = x.abs().neg().lanewise(EXP);\nV den = e.add(1.0);\nreturn e.div(den).blend(V.broadcast(S, 1.0).div(den), x.compare(GE, 0.0));"),
            unary("RELU", 18, "relu", "x.blend(0.0, x.compare(LE, 0.0))", "R(ScalarMath.relu(x))"),
            unary("SOFTPLUS", 19, "softplus", "x.max(0.0).add(x.abs().neg().lanewise(EXP).lanewise(LOG1P))", "R(ScalarMath.softplus(x))"),
            unary("NOT", 23, "not", "Z.blend(1.0, x.compare(EQ, 0.0))", "(x == 0 ? 1 : 0)"),
            instr("SQUARE", 24, Form.V, "square", "x.mul(x)", "x * x", "{d} = {a}*{a}", true).with("doc", "d = a*a (x^2, as the scalar engine computes it)."),
            // scalar-only (no vector rounding op): a plain loop, which the JIT compiles to roundsd/roundss
            unary("FLOOR", 20, "floor", null, "R(Math.floor(x))"),
            unary("CEIL", 21, "ceil", null, "R(Math.ceil(x))"),
            unary("ROUND", 22, "round", null, "R(Math.rint(x))"),
            instr("COPY", 25, Form.COPY, "copy", null, null, "{d} = {a}", false),
            instr("FILL", 26, Form.FILL, "fill", null, null, "{d} = {s0}", false).with("doc", "d = s0 in every lane."),
            // ---- two vector operands a, b
            binary("ADD", 30, "add", "a.add(b)", "a + b", "{d} = {a} + {b}"),
            binary("SUB", 31, "sub", "a.sub(b)", "a - b", "{d} = {a} - {b}"),
            binary("MUL", 32, "mul", "a.mul(b)", "a * b", "{d} = {a} * {b}"),
            binary("DIV", 33, "div", "a.div(b)", "a / b", "{d} = {a} / {b}"),
            binary("POW", 34, "pow", "a.lanewise(POW, b).blend(a, b.compare(EQ, 1.0)).blend(a.mul(a), b.compare(EQ, 2.0))", "R(ScalarMath.pow(a, b))", null),
            binary("MIN", 35, "min", "a.min(b)", "Math.min(a, b)", null),
            binary("MAX", 36, "max", "a.max(b)", "Math.max(a, b)", null),
            binary("ATAN2", 37, "atan2", "a.lanewise(ATAN2, b)", "R(Math.atan2(a, b))", null),
            binary("LT", 38, "lt", "Z.blend(1.0, a.compare(LT, b))", "(a < b ? 1 : 0)", null),
            binary("LE", 39, "le", "Z.blend(1.0, a.compare(LE, b))", "(a <= b ? 1 : 0)", null),
            binary("GT", 40, "gt", "Z.blend(1.0, a.compare(GT, b))", "(a > b ? 1 : 0)", null),
            binary("GE", 41, "ge", "Z.blend(1.0, a.compare(GE, b))", "(a >= b ? 1 : 0)", null),
            binary("EQ", 42, "eq", "Z.blend(1.0, a.compare(EQ, b))", "(a == b ? 1 : 0)", null),
            binary("NE", 43, "ne", "Z.blend(1.0, a.compare(NE, b))", "(a != b ? 1 : 0)", null),
            binary("AND", 44, "and", "Z.blend(1.0, a.compare(NE, 0.0).and(b.compare(NE, 0.0)))", "(a != 0 && b != 0 ? 1 : 0)", null),
            binary("OR", 45, "or", "Z.blend(1.0, a.compare(NE, 0.0).or(b.compare(NE, 0.0)))", "(a != 0 || b != 0 ? 1 : 0)", null),
            // ---- a vector and scalars: d = a op s0 (vs), or d = s0 op a (sv)
            instr("ADD_VS", 50, Form.VSS, "addVS", "a.add(s0)", "a + s0", "{d} = {a} + {s0}", false).with("vs", "ADD").with("sv", "ADD"),
            instr("SUB_VS", 51, Form.VSS, "subVS", "a.sub(s0)", "a - s0", "{d} = {a} - {s0}", false).with("vs", "SUB"),
            instr("MUL_VS", 52, Form.VSS, "mulVS", "a.mul(s0)", "s0 * a", "{d} = {s0} * {a}", false).with("vs", "MUL").with("sv", "MUL"),
            instr("DIV_VS", 53, Form.VSS, "divVS", "a.div(s0)", "a / s0", "{d} = {a} / {s0}", false).with("vs", "DIV"),
            instr("MIN_VS", 55, Form.VSS, "minVS", "a.min(s0)", "Math.min(a, s0)", "{d} = min({a}, {s0})", false).with("vs", "MIN").with("sv", "MIN"),
            instr("MAX_VS", 56, Form.VSS, "maxVS", "a.max(s0)", "Math.max(a, s0)", "{d} = max({a}, {s0})", false).with("vs", "MAX").with("sv", "MAX"),
            instr("SUB_SV", 57, Form.VSS, "subSV", "V.broadcast(S, s0).sub(a)", "s0 - a", "{d} = {s0} - {a}", false).with("sv", "SUB"),
            instr("DIV_SV", 58, Form.VSS, "divSV", "V.broadcast(S, s0).div(a)", "s0 / a", "{d} = {s0} / {a}", false).with("sv", "DIV"),
            instr("CLIP_VSS", 62, Form.VSS, "clipVSS", "a.max(s0).min(s1)", "Math.min(Math.max(a, s0), s1)", "{d} = clip({a}, {s0}, {s1})", false)
                    .with("doc", "d = min(max(a, s0), s1)."),
            instr("SQRT_DIV_ADD", 74, Form.VSS, "sqrtDivAdd", "a.sqrt().div(s0).add(s1)", "R(Math.sqrt(a)) / s0 + s1", "{d} = sqrt({a})/{s0} + {s1}", true)
                    .with("doc", "d = sqrt(a)/s0 + s1 (Adam's denominator)."),
            instr("SQRT_ADD", 75, Form.VSS, "sqrtAdd", "a.sqrt().add(s0)", "R(Math.sqrt(a)) + s0", "{d} = sqrt({a}) + {s0}", true)
                    .with("doc", "d = sqrt(a) + s0 (AdaGrad's and RMSprop's denominator)."),
            instr("AFFINE", 78, Form.VSS, "affine", "a.mul(s0).add(s1)", "s0 * a + s1", "{d} = {s0}*{a} + {s1}", true).with("doc", "d = s0*a + s1 (an affine map)."),
            // x^s0: x*x for 2, x for 1, else lanewise POW (its methods are written out below, with COPY and FILL)
            instr("POW_VS", 54, Form.VS, "powVS", null, null, "{d} = {a}^{s0}", false).with("vs", "POW"),
            // ---- two vectors and scalars
            instr("AXPY", 70, Form.VVSS, "axpy", "a.add(b.mul(s0))", "a + s0 * b", "{d} = {a} + {s0}*{b}", true).with("doc", "d = a + s0*b (also g + weight_decay*p)."),
            instr("XMSY", 71, Form.VVSS, "xmsy", "a.sub(b.mul(s0))", "a - s0 * b", "{d} = {a} - {s0}*{b}", true).with("doc", "d = a - s0*b (p -= lr*g)."),
            instr("LIN2", 72, Form.VVSS, "lin2", "a.mul(s0).add(b.mul(s1))", "s0 * a + s1 * b", "{d} = {s0}*{a} + {s1}*{b}", true)
                    .with("doc", "d = s0*a + s1*b (moving averages: beta*m + (1-beta)*g)."),
            instr("LIN2SQ", 73, Form.VVSS, "lin2sq", "a.mul(s0).add(b.mul(b).mul(s1))", "s0 * a + s1 * (b * b)", "{d} = {s0}*{a} + {s1}*{b}^2", true)
                    .with("doc", "d = s0*a + s1*(b*b) (second moments: beta2*v + (1-beta2)*g^2)."),
            instr("SMUL_DIV", 76, Form.VVSS, "smulDiv", "a.mul(s0).div(b)", "s0 * a / b", "{d} = {s0}*{a}/{b}", true).with("doc", "d = (s0*a)/b."),
            // ---- three vectors (and a scalar)
            new Instr("SELECT", 60, Form.VVVS, "select", "c.blend(b, a.compare(NE, 0.0))", "(a != 0 ? b : c)", "{d} = if {a} then {b} else {c}", false,
                    "SELECT", null, null, "d = a != 0 ? b : c.", null, null),
            new Instr("CLIP", 61, Form.VVVS, "clip", "a.max(b).min(c)", "Math.min(Math.max(a, b), c)", "{d} = clip({a}, {b}, {c})", false,
                    "CLIP", null, null, "d = min(max(a, b), c).", null, null),
            instr("XM_SMUL_DIV", 77, Form.VVVS, "xmSmulDiv", "a.sub(b.mul(s0).div(c))", "a - s0 * b / c", "{d} = {a} - {s0}*{b}/{c}", true)
                    .with("doc", "d = a - (s0*b)/c (the adaptive update p -= lr*m/denom)."),
            // ---- fused reductions: one partial per block (d is the reduction's partial index); their loops are written out below
            instr("R_SUM", 90, Form.RED, "sum", null, null, "{d} += sum({a})", false).with("ir", "SUM"),
            instr("R_SUMSQ", 91, Form.RED, "sumsq", null, null, "{d} += sum({a}^2)", true),
            instr("R_DOT", 92, Form.RED2, "dot", null, null, "{d} += dot({a}, {b})", true),
            instr("R_MAX", 93, Form.RED, "maxall", null, null, "{d} += maxall({a})", false).with("ir", "MAX_ALL"),
            instr("R_MIN", 94, Form.RED, "minall", null, null, "{d} += minall({a})", false).with("ir", "MIN_ALL"),
            instr("R_LSE", 95, Form.RED, "logsumexp", null, null, "{d} += logsumexp({a})", false).with("ir", "LSE"));

    // ---------------------------------------------------------------- rendering

    /** One precision's names. */
    record Prec(boolean f64) {
        String t() { return f64 ? "double" : "float"; }

        String vec() { return f64 ? "DoubleVector" : "FloatVector"; }

        String box() { return f64 ? "Double" : "Float"; }

        String suffix() { return f64 ? "F64" : "F32"; }
    }

    static final Map<String, String> UNARY_NAMES = Map.of();
    static final Map<String, String> OPERANDS = Map.of("a", "a_", "b", "b_", "c", "c_");

    /**
     * An expression (or statements) of the table in one precision, token by token: an identifier
     * of {@code names} is renamed, {@code V} becomes the vector class, {@code R(e)} becomes
     * {@code (e)} in float64 and {@code (float) (e)} in float32 (rounding a float64 function's
     * result), and a decimal literal gets an {@code f} in float32.
     */
    static String render(String e, Prec p, Map<String, String> names) {
        StringBuilder out = new StringBuilder();
        int i = 0, n = e.length();
        while (i < n) {
            char ch = e.charAt(i);
            if (Character.isJavaIdentifierStart(ch)) {
                int j = i;
                while (j < n && Character.isJavaIdentifierPart(e.charAt(j))) j++;
                String id = e.substring(i, j);
                boolean member = i > 0 && e.charAt(i - 1) == '.';
                if (id.equals("R") && j < n && e.charAt(j) == '(' && !member) out.append(p.f64() ? "" : "(float) ");
                else if (id.equals("V") && !member) out.append(p.vec());
                else if (!member && names.containsKey(id)) out.append(names.get(id));
                else out.append(id);
                i = j;
            } else if (Character.isDigit(ch) && (i == 0 || !Character.isJavaIdentifierPart(e.charAt(i - 1)) && e.charAt(i - 1) != '.')) {
                int j = i;
                while (j < n && Character.isDigit(e.charAt(j))) j++;
                boolean decimal = j + 1 < n && e.charAt(j) == '.' && Character.isDigit(e.charAt(j + 1));
                if (decimal) {
                    j++;
                    while (j < n && Character.isDigit(e.charAt(j))) j++;
                }
                out.append(e, i, j);
                if (decimal && !p.f64()) out.append('f');
                i = j;
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString();
    }

    /** The fixed parts of a generated file in one precision: its placeholders filled. */
    static String fill(String template, Prec p) {
        return template.replace("@PREC@", p.f64() ? "float64" : "float32").replace("@CLS@", "Kernels" + p.suffix())
                .replace("@SUF@", p.suffix()).replace("@BOX@", p.box()).replace("@V@", p.vec()).replace("@T@", p.t())
                .replace("@CAST@", p.f64() ? "" : "(float) ");
    }

    static String indent(String lines, int spaces) {
        String pad = " ".repeat(spaces);
        StringBuilder sb = new StringBuilder();
        for (String l : lines.split("\n", -1)) {
            if (sb.length() > 0) sb.append('\n');
            sb.append(pad).append(l);
        }
        return sb.toString();
    }

    static boolean hasVector(Instr r) { return r.vector() != null || r.vectorBody() != null; }

    /** Rows that are one elementwise kernel method (not copy, fill, pow_vs or a reduction). */
    static boolean isMethod(Instr r) {
        return switch (r.form()) {
            case V, VV, VSS, VVSS, VVVS -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------- the interpreter's kernels

    static String kernels(Prec p) {
        List<String> cases = new ArrayList<>(), methods = new ArrayList<>();
        String t = p.t(), v = p.vec();
        for (Instr r : TABLE) {
            if (!isMethod(r)) continue;
            Map<String, String> names = r.form() == Form.V ? Map.of() : OPERANDS;
            String tail = render("R(" + r.scalar() + ")", p, names);
            List<String> m = new ArrayList<>();
            switch (r.form()) {
                case V -> {
                    String params = t + "[] a, int ao, " + t + "[] d, int dOff, int len";
                    if (!hasVector(r)) {
                        methods.add("\n    static void " + r.method() + "(" + params + ") {\n        for (int i = 0; i < len; i++) {\n            "
                                + t + " x = a[ao + i];\n            d[dOff + i] = " + tail + ";\n        }\n    }");
                    } else {
                        m.add("\n    static void " + r.method() + "(" + params + ") {");
                        m.add("        int i = 0, ub = S.loopBound(len);");
                        if (r.vector() != null && r.vector().contains("Z.")) m.add("        " + v + " Z = " + v + ".zero(S);");
                        m.add("        for (; i < ub; i += LANES) {");
                        m.add("            " + v + " x = " + v + ".fromArray(S, a, ao + i);");
                        m.add(r.vectorBody() != null ? indent(render(r.vectorBody(), p, names), 12)
                                : "            (" + render(r.vector(), p, names) + ").intoArray(d, dOff + i);");
                        m.add("        }");
                        m.add("        for (; i < len; i++) {");
                        m.add("            " + t + " x = a[ao + i];");
                        m.add("            d[dOff + i] = " + tail + ";");
                        m.add("        }");
                        m.add("    }");
                        methods.add(String.join("\n", m));
                    }
                    cases.add("                    case Opcode." + r.code() + " -> " + r.method() + "(a, ao, dd, dOff, len);");
                }
                case VV, VSS, VVSS, VVVS -> {
                    String params, load, scalars, call;
                    switch (r.form()) {
                        case VV -> {
                            params = t + "[] a, int ao, " + t + "[] b, int bo, " + t + "[] d, int dOff, int len";
                            load = v + " a_ = " + v + ".fromArray(S, a, ao + i), b_ = " + v + ".fromArray(S, b, bo + i);";
                            scalars = t + " a_ = a[ao + i], b_ = b[bo + i];";
                            call = "(a, ao, b, bo, dd, dOff, len)";
                        }
                        case VSS -> {
                            params = t + "[] a, int ao, " + t + "[] d, int dOff, int len, " + t + " s0, " + t + " s1";
                            load = v + " a_ = " + v + ".fromArray(S, a, ao + i);";
                            scalars = t + " a_ = a[ao + i];";
                            call = "(a, ao, dd, dOff, len, s0, s1)";
                        }
                        case VVSS -> {
                            params = t + "[] a, int ao, " + t + "[] b, int bo, " + t + "[] d, int dOff, int len, " + t + " s0, " + t + " s1";
                            load = v + " a_ = " + v + ".fromArray(S, a, ao + i), b_ = " + v + ".fromArray(S, b, bo + i);";
                            scalars = t + " a_ = a[ao + i], b_ = b[bo + i];";
                            call = "(a, ao, b, bo, dd, dOff, len, s0, s1)";
                        }
                        default -> {
                            params = t + "[] a, int ao, " + t + "[] b, int bo, " + t + "[] c, int co, " + t + "[] d, int dOff, int len, " + t + " s0";
                            load = v + " a_ = " + v + ".fromArray(S, a, ao + i), b_ = " + v + ".fromArray(S, b, bo + i), c_ = " + v + ".fromArray(S, c, co + i);";
                            scalars = t + " a_ = a[ao + i], b_ = b[bo + i], c_ = c[co + i];";
                            call = "(a, ao, b, bo, c, co, dd, dOff, len, s0)";
                        }
                    }
                    m.add("\n    static void " + r.method() + "(" + params + ") {");
                    m.add("        int i = 0, ub = S.loopBound(len);");
                    if (r.vector().contains("Z.")) m.add("        " + v + " Z = " + v + ".zero(S);");
                    m.add("        for (; i < ub; i += LANES) {");
                    m.add("            " + load);
                    m.add("            (" + render(r.vector(), p, names) + ").intoArray(d, dOff + i);");
                    m.add("        }");
                    m.add("        for (; i < len; i++) {");
                    m.add("            " + scalars);
                    m.add("            d[dOff + i] = " + tail + ";");
                    m.add("        }");
                    m.add("    }");
                    methods.add(String.join("\n", m));
                    cases.add("                    case Opcode." + r.code() + " -> " + r.method() + call + ";");
                }
                default -> throw new IllegalStateException();
            }
            if (r.code().equals("AFFINE")) // x^s0 with an exponent other than 1 and 2 (POW_VS; its case is in the template)
                methods.add(fill("\n    static void powVS(@T@[] a, int ao, @T@[] d, int dOff, int len, @T@ s0) {\n"
                        + "        int i = 0, ub = S.loopBound(len);\n"
                        + "        for (; i < ub; i += LANES) @V@.fromArray(S, a, ao + i).lanewise(POW, s0).intoArray(d, dOff + i);\n"
                        + "        for (; i < len; i++) d[dOff + i] = @CAST@(Math.pow(a[ao + i], s0));\n"
                        + "    }", p));
        }
        return fill(KERNELS.replace("@CASES@", String.join("\n", cases)).replace("@METHODS@", String.join("\n", methods)), p);
    }

    // ---------------------------------------------------------------- the compiled tier's operations

    static String ops(Prec p) {
        List<String> methods = new ArrayList<>();
        String t = p.t(), v = p.vec();
        for (Instr r : TABLE) {
            if (!isMethod(r)) continue;
            Map<String, String> names = r.form() == Form.V ? Map.of() : OPERANDS;
            String vparams, sparams;
            switch (r.form()) {
                case V -> { vparams = v + " x"; sparams = t + " x"; }
                case VV -> { vparams = v + " a_, " + v + " b_"; sparams = t + " a_, " + t + " b_"; }
                case VSS -> { vparams = v + " a_, " + t + " s0, " + t + " s1"; sparams = t + " a_, " + t + " s0, " + t + " s1"; }
                case VVSS -> { vparams = v + " a_, " + v + " b_, " + t + " s0, " + t + " s1"; sparams = t + " a_, " + t + " b_, " + t + " s0, " + t + " s1"; }
                default -> { vparams = v + " a_, " + v + " b_, " + v + " c_, " + t + " s0"; sparams = t + " a_, " + t + " b_, " + t + " c_, " + t + " s0"; }
            }
            String vbody;
            if (r.opsBody() != null) vbody = indent(render(r.opsBody(), p, names), 8);
            else if (!hasVector(r))
                vbody = "        " + t + "[] t = new " + t + "[LANES];\n        x.intoArray(t, 0);\n        for (int l = 0; l < LANES; l++) t[l] = "
                        + r.method() + "(t[l]);\n        return " + v + ".fromArray(S, t, 0);";
            else vbody = (r.vector().contains("Z.") ? "        " + v + " Z = " + v + ".zero(S);\n" : "") + "        return " + render(r.vector(), p, names) + ";";
            methods.add("\n    public static " + v + " " + r.method() + "(" + vparams + ") {\n" + vbody + "\n    }");
            methods.add("\n    public static " + t + " " + r.method() + "(" + sparams + ") {\n        return " + render("R(" + r.scalar() + ")", p, names) + ";\n    }");
        }
        return fill(OPS.replace("@METHODS@", String.join("\n", methods)), p);
    }

    static final String KERNELS = """
package dev.descent.engine.simd;

// GENERATED by tools/OpTable.java from its table of operations, for float64 and float32: edit the
// table or the generator there, not this file (GeneratedSourcesTest fails on any difference).

import static jdk.incubator.vector.VectorOperators.*;

import dev.descent.ir.ScalarMath;
import dev.descent.lower.Opcode;
import java.util.Arrays;
import jdk.incubator.vector.@V@;
import jdk.incubator.vector.VectorSpecies;

/**
 * The @PREC@ block interpreter: {@link #run} executes a pass's instructions over blocks, one
 * {@code switch} per instruction per block, each case one tight Vector API loop over the block
 * to {@code loopBound} and then a scalar tail. Vectors live only inside these methods' loops.
 * The scalar tails compute what the scalar engine computes ({@link ScalarMath}'s formulas);
 * the vector bodies compute the same operations in the same order, except that
 * transcendentals are the Vector API's (SVML on x86: within about 1 ulp of {@link Math}).
 * Reductions leave one partial per block: a block's sum is its vector accumulator's lanes
 * added in lane order, then its tail, so it never depends on which thread ran the block.
 */
final class @CLS@ {
    private @CLS@() {}

    static final VectorSpecies<@BOX@> S = @V@.SPECIES_PREFERRED;
    static final int LANES = S.length();

    /**
     * Runs {@code count} instructions of {@code code} over blocks {@code from} (inclusive) to
     * {@code to} (exclusive) of a loop of {@code n} elements in blocks of {@code block}.
     * Register r is {@code regs[r]}; stream s (operand {@code -(s+1)}) is {@code streams[s]}
     * from element {@code offs[s]} on (a view of a larger array), read and written at the block's
     * offset. Reduction partial p of block k goes to
     * {@code part[p * blocks + k]}. {@code lanes} is scratch of at least {@link #LANES} elements.
     */
    static void run(int[] code, int count, @T@[][] regs, @T@[][] streams, int[] offs, @T@[] scal, double[] part, int blocks,
                    int n, int block, int from, int to, @T@[] lanes) {
        for (int blk = from; blk < to; blk++) {
            int start = blk * block;
            int len = Math.min(block, n - start);
            for (int at = 0, end = count * 8; at < end; at += 8) {
                int op = code[at], d = code[at + 1], ia = code[at + 2], ib = code[at + 3], ic = code[at + 4];
                int i0 = code[at + 5], i1 = code[at + 6];
                @T@ s0 = i0 >= 0 ? scal[i0] : 0, s1 = i1 >= 0 ? scal[i1] : 0;
                @T@[] a = ia >= 0 ? regs[ia] : streams[-ia - 1];
                int ao = ia >= 0 ? 0 : start + offs[-ia - 1];
                @T@[] b = ib >= 0 ? regs[ib] : streams[-ib - 1];
                int bo = ib >= 0 ? 0 : start + offs[-ib - 1];
                @T@[] c = ic >= 0 ? regs[ic] : streams[-ic - 1];
                int co = ic >= 0 ? 0 : start + offs[-ic - 1];
                if (op >= Opcode.R_SUM) {
                    int p = d * blocks + blk;
                    switch (op) {
                        case Opcode.R_SUM -> part[p] = rsum(a, ao, len, lanes);
                        case Opcode.R_SUMSQ -> part[p] = rsumsq(a, ao, len, lanes);
                        case Opcode.R_DOT -> part[p] = rdot(a, ao, b, bo, len, lanes);
                        case Opcode.R_MAX -> part[p] = rmax(a, ao, len, lanes);
                        case Opcode.R_MIN -> part[p] = rmin(a, ao, len, lanes);
                        case Opcode.R_LSE -> {
                            @T@ m = rmax(a, ao, len, lanes);
                            part[p] = m;
                            part[p + blocks] = Double.isFinite(m) ? rsumexp(a, ao, len, m, lanes) : 0;
                        }
                        default -> throw new IllegalStateException("opcode " + op);
                    }
                    continue;
                }
                @T@[] dd = d >= 0 ? regs[d] : streams[-d - 1];
                int dOff = d >= 0 ? 0 : start + offs[-d - 1];
                switch (op) {
@CASES@
                    case Opcode.COPY -> System.arraycopy(a, ao, dd, dOff, len);
                    case Opcode.FILL -> Arrays.fill(dd, dOff, dOff + len, s0);
                    case Opcode.POW_VS -> {
                        if (s0 == 2) square(a, ao, dd, dOff, len);
                        else if (s0 == 1) System.arraycopy(a, ao, dd, dOff, len);
                        else powVS(a, ao, dd, dOff, len, s0);
                    }
                    default -> throw new IllegalStateException("opcode " + op);
                }
            }
        }
    }
@METHODS@
    // ---------------------------------------------------------------- reductions

    static double rsum(@T@[] a, int ao, int len, @T@[] lanes) {
        @V@ acc = @V@.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(@V@.fromArray(S, a, ao + i));
        return lanesThenTail(acc, lanes, a, ao, i, len);
    }

    static double rsumsq(@T@[] a, int ao, int len, @T@[] lanes) {
        @V@ acc = @V@.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) {
            @V@ x = @V@.fromArray(S, a, ao + i);
            acc = acc.add(x.mul(x));
        }
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += (double) (a[ao + i] * a[ao + i]);
        return s;
    }

    static double rdot(@T@[] a, int ao, @T@[] b, int bo, int len, @T@[] lanes) {
        @V@ acc = @V@.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(@V@.fromArray(S, a, ao + i).mul(@V@.fromArray(S, b, bo + i)));
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += (double) (a[ao + i] * b[bo + i]);
        return s;
    }

    private static double lanesThenTail(@V@ acc, @T@[] lanes, @T@[] a, int ao, int i, int len) {
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += a[ao + i];
        return s;
    }

    static @T@ rmax(@T@[] a, int ao, int len, @T@[] lanes) {
        @V@ acc = @V@.broadcast(S, @BOX@.NEGATIVE_INFINITY);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.max(@V@.fromArray(S, a, ao + i));
        acc.intoArray(lanes, 0);
        @T@ m = @BOX@.NEGATIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.max(m, lanes[l]);
        for (; i < len; i++) m = Math.max(m, a[ao + i]);
        return m;
    }

    static @T@ rmin(@T@[] a, int ao, int len, @T@[] lanes) {
        @V@ acc = @V@.broadcast(S, @BOX@.POSITIVE_INFINITY);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.min(@V@.fromArray(S, a, ao + i));
        acc.intoArray(lanes, 0);
        @T@ m = @BOX@.POSITIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.min(m, lanes[l]);
        for (; i < len; i++) m = Math.min(m, a[ao + i]);
        return m;
    }

    /** Sum of exp(x - m) over the block (m its finite maximum). */
    static double rsumexp(@T@[] a, int ao, int len, @T@ m, @T@[] lanes) {
        @V@ acc = @V@.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(@V@.fromArray(S, a, ao + i).sub(m).lanewise(EXP));
        acc.intoArray(lanes, 0);
        double s = 0;
        for (int l = 0; l < LANES; l++) s += lanes[l];
        for (; i < len; i++) s += Math.exp(a[ao + i] - m);
        return s;
    }
}
""";

    static final String OPS = """
package dev.descent.engine.compiled;

// GENERATED by tools/OpTable.java from the same table as engine/simd/Kernels@SUF@: edit the
// table or the generator there, not this file (GeneratedSourcesTest fails on any difference).

import static jdk.incubator.vector.VectorOperators.*;

import dev.descent.ir.ScalarMath;
import jdk.incubator.vector.@V@;
import jdk.incubator.vector.VectorSpecies;

/**
 * The @PREC@ operations of the compiled tier, one vector and one scalar method per opcode,
 * generated from the same expressions as the interpreter's loops (engine/simd/Kernels@SUF@),
 * so a compiled step computes exactly what the interpreter computes, bit for bit. Generated
 * step classes call these with {@code invokestatic}; each is a few bytecodes, inlined by C2
 * into the step's loop, so vectors never leave the compiled method. Public only because
 * hidden classes outside this class's nest must be able to link against it.
 */
public final class Ops@SUF@ {
    private Ops@SUF@() {}

    public static final VectorSpecies<@BOX@> S = @V@.SPECIES_PREFERRED;
    public static final int LANES = S.length();
@METHODS@

    // ---------------------------------------------------------------- copies, fills, powers

    public static @V@ copy(@V@ x) { return x; }

    public static @T@ copy(@T@ x) { return x; }

    public static @V@ fill(@T@ s0) { return @V@.broadcast(S, s0); }

    public static @T@ fillS(@T@ s0) { return s0; }

    /** x^s0 as the interpreter's POW_VS: x*x for 2, x for 1, else lanewise POW. */
    public static @V@ powVS(@V@ x, @T@ s0) {
        if (s0 == 2) return x.mul(x);
        if (s0 == 1) return x;
        return x.lanewise(POW, s0);
    }

    public static @T@ powVS(@T@ x, @T@ s0) {
        if (s0 == 2) return x * x;
        if (s0 == 1) return x;
        return @CAST@(Math.pow(x, s0));
    }

    // ---------------------------------------------------------------- reductions

    public static @V@ zero() { return @V@.zero(S); }

    public static @V@ negInf() { return @V@.broadcast(S, @BOX@.NEGATIVE_INFINITY); }

    public static @V@ posInf() { return @V@.broadcast(S, @BOX@.POSITIVE_INFINITY); }

    public static @V@ accSum(@V@ acc, @V@ x) { return acc.add(x); }

    public static @V@ accSumsq(@V@ acc, @V@ x) { return acc.add(x.mul(x)); }

    public static @V@ accDot(@V@ acc, @V@ a, @V@ b) { return acc.add(a.mul(b)); }

    public static @V@ accMax(@V@ acc, @V@ x) { return acc.max(x); }

    public static @V@ accMin(@V@ acc, @V@ x) { return acc.min(x); }

    /** The lanes added in lane order from 0, as the interpreter's partial sums. */
    public static double sumLanes(@V@ acc) {
        double s = 0;
        for (int l = 0; l < LANES; l++) s += acc.lane(l);
        return s;
    }

    public static @T@ maxLanes(@V@ acc) {
        @T@ m = @BOX@.NEGATIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.max(m, acc.lane(l));
        return m;
    }

    public static @T@ minLanes(@V@ acc) {
        @T@ m = @BOX@.POSITIVE_INFINITY;
        for (int l = 0; l < LANES; l++) m = Math.min(m, acc.lane(l));
        return m;
    }

    /**
     * The second sweep of a log-sum-exp partial: the sum of exp(x - m) over a block's values
     * (m their maximum), 0 when m is not finite, exactly as the interpreter's rsumexp.
     */
    public static double lseSum(@T@[] a, int len, @T@ m) {
        if (!Double.isFinite(m)) return 0;
        @V@ acc = @V@.zero(S);
        int i = 0, ub = S.loopBound(len);
        for (; i < ub; i += LANES) acc = acc.add(@V@.fromArray(S, a, i).sub(m).lanewise(EXP));
        double s = 0;
        for (int l = 0; l < LANES; l++) s += acc.lane(l);
        for (; i < len; i++) s += Math.exp(a[i] - m);
        return s;
    }

    public static double tailSum(double s, @T@ x) { return s + x; }

    public static double tailSumsq(double s, @T@ x) { return s + (double) (x * x); }

    public static double tailDot(double s, @T@ a, @T@ b) { return s + (double) (a * b); }

    public static @T@ tailMax(@T@ m, @T@ x) { return Math.max(m, x); }

    public static @T@ tailMin(@T@ m, @T@ x) { return Math.min(m, x); }
}
""";

    // ---------------------------------------------------------------- the instruction set

    static String opcode() {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                package dev.descent.lower;

                // GENERATED by tools/OpTable.java from its table of operations: edit the table there, not this
                // file (GeneratedSourcesTest fails on any difference).

                import dev.descent.ir.Op;

                /**
                 * The instruction set of a kernel pass: int opcodes, so that an interpreter dispatches
                 * with one {@code switch} per instruction per block. Operands: {@code d} the destination,
                 * {@code a, b, c} vector operands (a register or a stream), {@code s0, s1} scalar operands
                 * (indices into the pass's scalar table, broadcast to every lane).
                 *
                 * <p>Every opcode computes exactly the float64 operations of the DAG nodes it stands for,
                 * in the same order (no fused multiply-add, no reciprocal in place of a division), so in
                 * float64 the interpreter agrees with the scalar engine bit for bit except where a
                 * transcendental's vector implementation (SVML) differs from {@link Math} by an ulp.
                 *
                 * <p>Everything here, and the kernels of both tiers, comes from one table
                 * (tools/OpTable.java): an instruction's opcode, its operand {@link Form}, its method in
                 * the kernels, its listing format, and the DAG operation it evaluates ({@link #of},
                 * {@link #vectorScalar}, {@link #scalarVector}).
                 */
                public final class Opcode {
                    private Opcode() {}

                    /** Operand forms: vector operands (V) and scalar operands (S), in the order the kernels take them. */
                    public enum Form {
                        V, VV, VS, VSS, VVSS, VVVS, FILL, COPY, RED, RED2;

                        /** Vector operands (a, b, c, in that order) an instruction of this form reads. */
                        public int vectorReads() {
                            return switch (this) {
                                case V, VS, VSS, COPY, RED -> 1;
                                case VV, VVSS, RED2 -> 2;
                                case VVVS -> 3;
                                case FILL -> 0;
                            };
                        }
                    }

                """);
        for (Instr r : TABLE.stream().sorted(java.util.Comparator.comparingInt(Instr::value)).toList()) {
            if (r.doc() != null) sb.append("    /** ").append(r.doc()).append(" */\n");
            sb.append("    public static final int ").append(r.code()).append(" = ").append(r.value()).append(";\n");
        }
        int firstReduction = TABLE.stream().filter(r -> r.form() == Form.RED || r.form() == Form.RED2).mapToInt(Instr::value).min().orElseThrow();
        for (Instr r : TABLE)
            if ((r.form() == Form.RED || r.form() == Form.RED2) != (r.value() >= firstReduction))
                throw new IllegalStateException("reductions must have the highest opcodes: " + r.code());
        sb.append("\n    /** Every opcode, ascending. */\n    public static final int[] ALL = {");
        sb.append(String.join(", ", TABLE.stream().sorted(java.util.Comparator.comparingInt(Instr::value)).map(Instr::code).toList())).append("};\n");
        sb.append("\n    public static boolean isReduction(int op) { return op >= ").append(TABLE.stream().filter(r -> r.value() == firstReduction).findFirst().orElseThrow().code()).append("; }\n");
        sb.append("""

                    /** Partials per block a reduction keeps (LSE keeps the block's max and its sum of exp(x - max)). */
                    public static int partials(int op) { return op == R_LSE ? 2 : 1; }

                """);
        switchOn(sb, "Whether the instruction is a superinstruction (several DAG nodes in one).", "boolean", "isSuper", "false",
                r -> r.superinstruction() ? "true" : null);
        switchOn(sb, "The instruction's name (its method in the kernels, lower case).", "String", "name", "\"op\" + op",
                r -> "\"" + r.method().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase().replace("_vs", ".vs").replace("_sv", ".sv").replace("_vss", ".vss") + "\"");
        switchOn(sb, "The instruction's operand form, or null for an unknown opcode.", "Form", "form", "null", r -> "Form." + r.form());
        switchOn(sb, "The name of the instruction's methods in the kernels (engine/simd/Kernels*, engine/compiled/Ops*).", "String", "method", "null",
                r -> "\"" + r.method() + "\"");
        sb.append("""
                    /** Human form of an instruction, given its operands already named. */
                    public static String format(int op, String d, String a, String b, String c, String s0, String s1) {
                        return switch (op) {
                """);
        for (Instr r : TABLE) {
            if (r.format() == null) continue;
            String f = "\"" + r.format() + "\"";
            for (String x : new String[] {"d", "a", "b", "c", "s0", "s1"}) f = f.replace("{" + x + "}", "\" + " + x + " + \"");
            f = f.replace(" + \"\"", "").replace("\"\" + ", "");
            sb.append("            case ").append(r.code()).append(" -> ").append(f).append(";\n");
        }
        sb.append("""
                            default -> form(op) == Form.VV ? d + " = " + name(op) + "(" + a + ", " + b + ")" : d + " = " + name(op) + "(" + a + ")";
                        };
                    }

                """);
        mapOf(sb, "The instruction that evaluates DAG operation {@code op} on vector operands (a reduction: its partial), or -1.", "of", Instr::ir);
        mapOf(sb, "The instruction that evaluates {@code op} with a scalar second operand ({@code a op s0}), or -1.", "vectorScalar", Instr::vs);
        mapOf(sb, "The instruction that evaluates {@code op} with a scalar first operand ({@code s0 op a}), or -1.", "scalarVector", Instr::sv);
        sb.setLength(sb.length() - 1);
        sb.append("}\n");
        return sb.toString();
    }

    static void switchOn(StringBuilder sb, String doc, String type, String name, String otherwise, java.util.function.Function<Instr, String> value) {
        sb.append("    /** ").append(doc).append(" */\n");
        sb.append("    public static ").append(type).append(' ').append(name).append("(int op) {\n        return switch (op) {\n");
        Map<String, List<String>> byValue = new LinkedHashMap<>();
        for (Instr r : TABLE) {
            String v = value.apply(r);
            if (v != null) byValue.computeIfAbsent(v, k -> new ArrayList<>()).add(r.code());
        }
        for (Map.Entry<String, List<String>> e : byValue.entrySet())
            sb.append("            case ").append(String.join(", ", e.getValue())).append(" -> ").append(e.getKey()).append(";\n");
        sb.append("            default -> ").append(otherwise).append(";\n        };\n    }\n\n");
    }

    static void mapOf(StringBuilder sb, String doc, String name, java.util.function.Function<Instr, String> op) {
        sb.append("    /** ").append(doc).append(" */\n");
        sb.append("    public static int ").append(name).append("(Op op) {\n        return switch (op) {\n");
        for (Instr r : TABLE) if (op.apply(r) != null) sb.append("            case ").append(op.apply(r)).append(" -> ").append(r.code()).append(";\n");
        sb.append("            default -> -1;\n        };\n    }\n\n");
    }

    // ---------------------------------------------------------------- the meaning of each operation

    static String scalarMath() {
        Prec p = new Prec(true);
        StringBuilder u = new StringBuilder(), b = new StringBuilder(), t = new StringBuilder();
        for (Instr r : TABLE) {
            if (r.ir() == null || r.scalar() == null) continue;
            String e = render(r.scalar(), p, Map.of());
            StringBuilder into = switch (r.form()) {
                case V -> u;
                case VV -> b;
                case VVVS -> t;
                default -> throw new IllegalStateException(r.code());
            };
            into.append("            case ").append(r.ir()).append(" -> ").append(e).append(";\n");
        }
        return """
                package dev.descent.ir;

                // GENERATED by tools/OpTable.java from its table of operations (each row's scalar expression):
                // edit the table there, not this file (GeneratedSourcesTest fails on any difference).

                /**
                 * The meaning of every elementwise operation on one float64 value. The scalar engine
                 * evaluates with these, and the Dag folds constants with them, so folding never
                 * changes a value. The kernels' scalar tails (engine/simd, engine/compiled) are the same
                 * expressions, from the same table.
                 */
                public final class ScalarMath {
                    private ScalarMath() {}

                    public static double unary(Op op, double x) {
                        return switch (op) {
                @UNARY@            default -> throw notA(op, "unary");
                        };
                    }

                    public static double binary(Op op, double a, double b) {
                        return switch (op) {
                @BINARY@            default -> throw notA(op, "binary");
                        };
                    }

                    public static double ternary(Op op, double a, double b, double c) {
                        return switch (op) {
                @TERNARY@            default -> throw notA(op, "ternary");
                        };
                    }

                    private static IllegalArgumentException notA(Op op, String kind) { return new IllegalArgumentException(op + " is not " + kind); }

                    /** max(x, 0), NaN kept (kept out of unary() so that it stays small enough for the JIT to inline into loops). */
                    public static double relu(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }

                    /** 1 / (1 + exp(-x)), without overflow for large |x|. */
                    public static double sigmoid(double x) {
                        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
                        double e = Math.exp(x);
                        return e / (1.0 + e);
                    }

                    /** log(1 + exp(x)), without overflow: max(x, 0) + log1p(exp(-|x|)). */
                    public static double softplus(double x) {
                        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
                    }

                    /** x^y; x^2 as x*x (as PyTorch and the optimizers' formulas do), x^1 as x. */
                    public static double pow(double x, double y) {
                        if (y == 2.0) return x * x;
                        if (y == 1.0) return x;
                        return Math.pow(x, y);
                    }
                }
                """.replace("@UNARY@", u).replace("@BINARY@", b).replace("@TERNARY@", t);
    }

    // ---------------------------------------------------------------- the files

    static Map<String, String> files() {
        Map<Integer, String> values = new LinkedHashMap<>();
        Map<String, String> codes = new LinkedHashMap<>();
        for (Instr r : TABLE) {
            String twin = values.put(r.value(), r.code());
            if (twin != null) throw new IllegalStateException("opcode " + r.value() + " is both " + twin + " and " + r.code());
            if (codes.put(r.code(), r.code()) != null) throw new IllegalStateException("two rows named " + r.code());
        }
        Map<String, String> out = new LinkedHashMap<>();
        out.put("src/main/java/dev/descent/ir/ScalarMath.java", scalarMath());
        out.put("src/main/java/dev/descent/lower/Opcode.java", opcode());
        for (boolean f64 : new boolean[] {true, false}) {
            Prec p = new Prec(f64);
            out.put("src/main/java/dev/descent/engine/simd/Kernels" + p.suffix() + ".java", kernels(p));
            out.put("src/main/java/dev/descent/engine/compiled/Ops" + p.suffix() + ".java", ops(p));
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        boolean check = args.length > 0 && args[0].equals("--check");
        Path root = Path.of(args.length > 1 ? args[1] : ".");
        List<String> differ = new ArrayList<>();
        for (Map.Entry<String, String> f : files().entrySet()) {
            Path path = root.resolve(f.getKey());
            String now = Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : null;
            if (f.getValue().equals(now)) continue;
            if (check) differ.add(f.getKey());
            else {
                Files.writeString(path, f.getValue(), StandardCharsets.UTF_8);
                System.out.println("wrote " + f.getKey());
            }
        }
        if (check && !differ.isEmpty()) {
            System.err.println("these files differ from what tools/OpTable.java generates (edit its table, not them, and run java tools/OpTable.java):");
            for (String f : differ) System.err.println("  " + f);
            System.exit(1);
        }
    }
}
