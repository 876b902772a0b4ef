package dev.descent.engine.compiled;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_double;
import static java.lang.constant.ConstantDescs.CD_float;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;

import dev.descent.lower.KernelPlan;
import dev.descent.lower.Opcode;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.TypeKind;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.AccessFlag;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The compiling tier's code generator: one lowered pass ({@link KernelPlan.Pass}) to one
 * fused Vector API loop, in bytecode made with the JDK's ClassFile API and loaded as a hidden
 * class.
 *
 * <p>The loop runs block by block over the same partition as the interpreter. Within a block
 * one vector loop to {@code loopBound} loads each stream once per element, keeps every
 * register and every value loaded or stored in a local variable, folds the pass's reductions
 * into vector accumulators, and stores each result once; then one scalar tail does the same
 * per element. It assumes that no two of the pass's streams are one array ({@link #streams}:
 * the caller checks, and runs the interpreter when a written stream overlaps another that is
 * not a checked in-place update). Stream s is its array from element {@code offs[s]} on. Each block's reduction partial is its
 * accumulator's lanes added in lane order, then its tail: the interpreter's order. Every
 * operation is an {@code invokestatic} of {@link OpsF64}/{@link OpsF32}, generated from the
 * interpreter's own expressions, so a compiled pass gives the interpreter's results bit for bit.
 * The species is a {@code static final} field of the generated class; vectors live only in
 * the loop method's locals (a static method, which the interface method {@code run} calls).
 *
 * <p>A log-sum-exp reduction needs its block's maximum before its sum: the loop folds the
 * maximum in and keeps the block's values in a scratch array, and a second sweep over that
 * array ({@code lseSum}, the interpreter's own loop) adds exp(x - max).
 *
 * <p>Rejected (the pass stays on the interpreter): a pass whose method would exceed HotSpot's
 * huge-method limit (8000 bytes of bytecode, beyond which the JIT never compiles a method).
 */
public final class PassCompiler {
    private PassCompiler() {}

    /** HotSpot's HugeMethodLimit: a method with more bytecode than this is never JIT-compiled. */
    public static final int HUGE_METHOD_LIMIT = 8000;

    /** What compiling a pass gave: a kernel ({@link KernelF64} or {@link KernelF32}), or why not. */
    public record Outcome(Object kernel, String rejected, int bytecodeBytes, long nanos) {
        public boolean ok() { return kernel != null; }
    }

    private static final AtomicLong COMPILED = new AtomicLong(), REJECTED = new AtomicLong();
    private static final AtomicInteger SERIAL = new AtomicInteger();

    /** Passes compiled and passes rejected since start-up (for tests and --verbose). */
    public static long compiledCount() { return COMPILED.get(); }

    public static long rejectedCount() { return REJECTED.get(); }

    private static final ClassDesc CD_DV = ClassDesc.of("jdk.incubator.vector.DoubleVector");
    private static final ClassDesc CD_FV = ClassDesc.of("jdk.incubator.vector.FloatVector");
    private static final ClassDesc CD_SPECIES = ClassDesc.of("jdk.incubator.vector.VectorSpecies");
    private static final ClassDesc CD_OPS64 = ClassDesc.of(OpsF64.class.getName());
    private static final ClassDesc CD_OPS32 = ClassDesc.of(OpsF32.class.getName());
    private static final ClassDesc CD_K64 = ClassDesc.of(KernelF64.class.getName());
    private static final ClassDesc CD_K32 = ClassDesc.of(KernelF32.class.getName());
    private static final ClassDesc CD_MATH = ClassDesc.of("java.lang.Math");

    /** Compiles one pass for float32 or float64. Never throws for a valid pass: a failure is a rejection. */
    public static Outcome compile(KernelPlan.Pass pass, boolean f32) {
        long t0 = System.nanoTime();
        String why = rejection(pass);
        if (why != null) {
            REJECTED.incrementAndGet();
            return new Outcome(null, why, 0, System.nanoTime() - t0);
        }
        try {
            ClassDesc self = ClassDesc.of(PassCompiler.class.getPackageName() + ".Step" + SERIAL.incrementAndGet());
            byte[] bytes = new Gen(pass, f32, self).build();
            int size = codeSize(bytes);
            if (size > HUGE_METHOD_LIMIT) {
                REJECTED.incrementAndGet();
                return new Outcome(null, "its loop would be " + size + " bytes of bytecode, over the JIT's limit of "
                        + HUGE_METHOD_LIMIT, size, System.nanoTime() - t0);
            }
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes, true);
            Object kernel = hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
            COMPILED.incrementAndGet();
            return new Outcome(kernel, null, size, System.nanoTime() - t0);
        } catch (Throwable e) {
            if (e instanceof Error err && !(err instanceof LinkageError)) throw err; // a VerifyError or ClassFormatError is a rejection
            REJECTED.incrementAndGet();
            return new Outcome(null, "code generation failed: " + e, 0, System.nanoTime() - t0);
        }
    }

    /** The streams a pass reads or writes, ascending (a compiled pass needs them to be distinct arrays). */
    public static int[] streams(KernelPlan.Pass pass) {
        java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
        for (int i = 0; i < pass.count; i++) {
            int at = i * KernelPlan.STRIDE, op = pass.code[at];
            int reads = kind(op) == null ? 3 : kind(op).vectorReads();
            for (int j = 0; j < reads; j++) if (pass.code[at + 2 + j] < 0) used.add(-pass.code[at + 2 + j] - 1);
            if (!Opcode.isReduction(op) && pass.code[at + 1] < 0) used.add(-pass.code[at + 1] - 1);
        }
        return used.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Why a pass cannot be compiled, or null. */
    static String rejection(KernelPlan.Pass pass) {
        for (int i = 0; i < pass.count; i++) {
            int op = pass.code[i * KernelPlan.STRIDE];
            if (kind(op) == null) return "opcode " + Opcode.name(op) + " has no compiled form";
        }
        return null;
    }

    private static int codeSize(byte[] bytes) {
        ClassModel cm = ClassFile.of().parse(bytes);
        for (MethodModel m : cm.methods())
            if (m.methodName().equalsString("loop"))
                return m.findAttribute(java.lang.classfile.Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
        return 0;
    }

    // ------------------------------------------------------------------ opcodes

    private static Opcode.Form kind(int op) { return Opcode.form(op); }

    private static String method(int op) { return Opcode.method(op); }

    // ------------------------------------------------------------------ the generator

    private static final class Gen {
        final KernelPlan.Pass p;
        final boolean f32;
        final ClassDesc self, cdV, cdT, cdArr, ops;
        final TypeKind tk;
        final int lanes;
        // slots of loop's parameters (a static method: no this)
        static final int STREAMS = 0, OFFS = 1, SCAL = 2, PART = 3, BLOCKS = 4, N = 5, BLOCK = 6, FROM = 7, TO = 8;

        CodeBuilder cb;
        int[] streamArr, streamOff, scalarLocal, vreg, sreg, vcache, scache, acc, partial, scratch;
        boolean[] valid;
        int blk, start, len, ub, i, idx;

        Gen(KernelPlan.Pass p, boolean f32, ClassDesc self) {
            this.p = p;
            this.f32 = f32;
            this.self = self;
            this.cdV = f32 ? CD_FV : CD_DV;
            this.cdT = f32 ? CD_float : CD_double;
            this.cdArr = cdT.arrayType();
            this.tk = f32 ? TypeKind.FLOAT : TypeKind.DOUBLE;
            this.ops = f32 ? CD_OPS32 : CD_OPS64;
            this.lanes = f32 ? OpsF32.LANES : OpsF64.LANES;
        }

        byte[] build() {
            ClassLoader loader = PassCompiler.class.getClassLoader();
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(loader))));
            MethodTypeDesc run = MethodTypeDesc.of(CD_void, cdArr.arrayType(), CD_int.arrayType(), cdArr, CD_double.arrayType(),
                    CD_int, CD_int, CD_int, CD_int, CD_int);
            return cf.build(self, clb -> {
                clb.withFlags(AccessFlag.PUBLIC, AccessFlag.FINAL, AccessFlag.SYNTHETIC);
                clb.withInterfaceSymbols(f32 ? CD_K32 : CD_K64);
                clb.withField("S", CD_SPECIES, fb -> fb.withFlags(AccessFlag.PRIVATE, AccessFlag.STATIC, AccessFlag.FINAL));
                clb.withMethodBody("<clinit>", MethodTypeDesc.of(CD_void), ClassFile.ACC_STATIC, c -> c
                        .getstatic(ops, "S", CD_SPECIES).putstatic(self, "S", CD_SPECIES).return_());
                clb.withMethodBody("<init>", MethodTypeDesc.of(CD_void), ClassFile.ACC_PUBLIC, c -> c
                        .aload(0).invokespecial(CD_Object, "<init>", MethodTypeDesc.of(CD_void)).return_());
                // the loop is a static method, and the interface's run only calls it: measured (JMH,
                // sin·exp over 1e6 floats, two SVML calls per iteration) the same loop ran at 1.5 ms as
                // the instance method and at 0.95 ms, a hand-written loop's speed, as a static one
                clb.withMethodBody("loop", run, ClassFile.ACC_PRIVATE | ClassFile.ACC_STATIC, c -> {
                    cb = c;
                    body();
                });
                clb.withMethodBody("run", run, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, c -> c
                        .aload(1).aload(2).aload(3).aload(4).iload(5).iload(6).iload(7).iload(8).iload(9)
                        .invokestatic(self, "loop", run).return_());
            });
        }

        // ---- helpers over the current CodeBuilder

        MethodTypeDesc mt(ClassDesc ret, ClassDesc... params) { return MethodTypeDesc.of(ret, params); }

        void loadScalar(int index) {
            if (index >= 0) cb.loadLocal(tk, scalarLocal[index]);
            else if (f32) cb.fconst_0();
            else cb.dconst_0();
        }

        int vregSlot(int r) {
            if (vreg[r] < 0) vreg[r] = cb.allocateLocal(TypeKind.REFERENCE);
            return vreg[r];
        }

        int sregSlot(int r) {
            if (sreg[r] < 0) sreg[r] = cb.allocateLocal(tk);
            return sreg[r];
        }

        void loadV(int operand) {
            if (operand >= 0) {
                cb.aload(vregSlot(operand));
                return;
            }
            int s = -operand - 1;
            if (vcache[s] < 0) vcache[s] = cb.allocateLocal(TypeKind.REFERENCE);
            if (!valid[s]) {
                cb.getstatic(self, "S", CD_SPECIES).aload(streamArr[s]);
                index(s);
                cb.invokestatic(cdV, "fromArray", mt(cdV, CD_SPECIES, cdArr, CD_int))
                        .astore(vcache[s]);
                valid[s] = true;
            }
            cb.aload(vcache[s]);
        }

        void storeV(int d) {
            if (d >= 0) {
                cb.astore(vregSlot(d));
                return;
            }
            int s = -d - 1;
            if (vcache[s] < 0) vcache[s] = cb.allocateLocal(TypeKind.REFERENCE);
            cb.astore(vcache[s]);
            valid[s] = true;
            cb.aload(vcache[s]).aload(streamArr[s]);
            index(s);
            cb.invokevirtual(cdV, "intoArray", mt(CD_void, cdArr, CD_int));
        }

        /** Pushes stream s's index of the current element: idx plus the stream's offset. */
        void index(int s) {
            cb.iload(idx).iload(streamOff[s]).iadd();
        }

        void loadS(int operand) {
            if (operand >= 0) {
                cb.loadLocal(tk, sregSlot(operand));
                return;
            }
            int s = -operand - 1;
            if (scache[s] < 0) scache[s] = cb.allocateLocal(tk);
            if (!valid[s]) {
                cb.aload(streamArr[s]);
                index(s);
                cb.arrayLoad(tk).storeLocal(tk, scache[s]);
                valid[s] = true;
            }
            cb.loadLocal(tk, scache[s]);
        }

        void storeS(int d) {
            if (d >= 0) {
                cb.storeLocal(tk, sregSlot(d));
                return;
            }
            int s = -d - 1;
            if (scache[s] < 0) scache[s] = cb.allocateLocal(tk);
            cb.storeLocal(tk, scache[s]);
            valid[s] = true;
            cb.aload(streamArr[s]);
            index(s);
            cb.loadLocal(tk, scache[s]).arrayStore(tk);
        }

        // ---- the method

        void body() {
            int[] used = streams(p);
            int streams = used.length == 0 ? 0 : used[used.length - 1] + 1, regs = p.registers;
            streamArr = new int[streams];
            streamOff = new int[streams];
            Arrays.fill(streamArr, -1);
            Arrays.fill(streamOff, -1);
            vcache = new int[streams];
            scache = new int[streams];
            Arrays.fill(vcache, -1);
            Arrays.fill(scache, -1);
            valid = new boolean[streams];
            vreg = new int[regs];
            sreg = new int[regs];
            Arrays.fill(vreg, -1);
            Arrays.fill(sreg, -1);
            int reductions = p.reductionOp.length;
            acc = new int[reductions];
            partial = new int[reductions];
            scratch = new int[reductions];

            // streams used by the pass, loaded once
            for (int st : used) {
                streamArr[st] = cb.allocateLocal(TypeKind.REFERENCE);
                cb.aload(STREAMS).loadConstant(st).aaload().astore(streamArr[st]);
                streamOff[st] = cb.allocateLocal(TypeKind.INT);
                cb.aload(OFFS).loadConstant(st).iaload().istore(streamOff[st]);
            }
            scalarLocal = new int[p.scalarSlots.length];
            for (int k = 0; k < scalarLocal.length; k++) {
                scalarLocal[k] = cb.allocateLocal(tk);
                cb.aload(SCAL).loadConstant(k).arrayLoad(tk).storeLocal(tk, scalarLocal[k]);
            }
            // constant registers: a broadcast vector and a scalar
            for (int k = 0; k < p.constRegister.length; k++) {
                int r = p.constRegister[k];
                loadScalar(p.constScalar[k]);
                cb.invokestatic(ops, "fill", mt(cdV, cdT)).astore(vregSlot(r));
                loadScalar(p.constScalar[k]);
                cb.storeLocal(tk, sregSlot(r));
            }
            for (int r = 0; r < reductions; r++) {
                acc[r] = cb.allocateLocal(TypeKind.REFERENCE);
                partial[r] = cb.allocateLocal(sumLike(p.reductionOp[r]) ? TypeKind.DOUBLE : tk);
                if (p.reductionOp[r] == Opcode.R_LSE) { // a block's values, for the second sweep
                    scratch[r] = cb.allocateLocal(TypeKind.REFERENCE);
                    cb.iload(BLOCK).newarray(tk).astore(scratch[r]);
                }
            }
            blk = cb.allocateLocal(TypeKind.INT);
            start = cb.allocateLocal(TypeKind.INT);
            len = cb.allocateLocal(TypeKind.INT);
            ub = cb.allocateLocal(TypeKind.INT);
            i = cb.allocateLocal(TypeKind.INT);
            idx = cb.allocateLocal(TypeKind.INT);

            Label blkLoop = cb.newLabel(), end = cb.newLabel();
            cb.iload(FROM).istore(blk);
            cb.labelBinding(blkLoop);
            cb.iload(blk).iload(TO).if_icmpge(end);
            cb.iload(blk).iload(BLOCK).imul().istore(start);
            cb.iload(BLOCK).iload(N).iload(start).isub().invokestatic(CD_MATH, "min", mt(CD_int, CD_int, CD_int)).istore(len);
            cb.iload(len).loadConstant(-lanes).iand().istore(ub);
            for (int r = 0; r < reductions; r++) {
                String init = switch (p.reductionOp[r]) {
                    case Opcode.R_MAX, Opcode.R_LSE -> "negInf";
                    case Opcode.R_MIN -> "posInf";
                    default -> "zero";
                };
                cb.invokestatic(ops, init, mt(cdV)).astore(acc[r]);
            }
            // the vector loop
            Label vLoop = cb.newLabel(), vEnd = cb.newLabel();
            cb.iconst_0().istore(i);
            cb.labelBinding(vLoop);
            cb.iload(i).iload(ub).if_icmpge(vEnd);
            cb.iload(start).iload(i).iadd().istore(idx);
            Arrays.fill(valid, false);
            int red = 0;
            for (int k = 0; k < p.count; k++) {
                int at = k * KernelPlan.STRIDE;
                if (Opcode.isReduction(p.code[at])) vectorReduction(at, red++);
                else vectorInstruction(at);
            }
            cb.iinc(i, lanes).goto_(vLoop);
            cb.labelBinding(vEnd);
            for (int r = 0; r < reductions; r++) {
                int op = p.reductionOp[r];
                cb.aload(acc[r]);
                if (sumLike(op)) cb.invokestatic(ops, "sumLanes", mt(CD_double, cdV)).dstore(partial[r]);
                else cb.invokestatic(ops, op == Opcode.R_MIN ? "minLanes" : "maxLanes", mt(cdT, cdV)).storeLocal(tk, partial[r]);
            }
            // the scalar tail
            Label tLoop = cb.newLabel(), tEnd = cb.newLabel();
            cb.labelBinding(tLoop);
            cb.iload(i).iload(len).if_icmpge(tEnd);
            cb.iload(start).iload(i).iadd().istore(idx);
            Arrays.fill(valid, false);
            red = 0;
            for (int k = 0; k < p.count; k++) {
                int at = k * KernelPlan.STRIDE;
                if (Opcode.isReduction(p.code[at])) scalarReduction(at, red++);
                else scalarInstruction(at);
            }
            cb.iinc(i, 1).goto_(tLoop);
            cb.labelBinding(tEnd);
            for (int r = 0; r < reductions; r++) {
                cb.aload(PART).loadConstant(p.reductionPartial[r]).iload(BLOCKS).imul().iload(blk).iadd();
                if (sumLike(p.reductionOp[r])) cb.dload(partial[r]);
                else {
                    cb.loadLocal(tk, partial[r]);
                    if (f32) cb.f2d();
                }
                cb.dastore();
                if (p.reductionOp[r] == Opcode.R_LSE) {
                    cb.aload(PART).loadConstant(p.reductionPartial[r] + 1).iload(BLOCKS).imul().iload(blk).iadd();
                    cb.aload(scratch[r]).iload(len).loadLocal(tk, partial[r])
                            .invokestatic(ops, "lseSum", mt(CD_double, cdArr, CD_int, cdT)).dastore();
                }
            }
            cb.iinc(blk, 1).goto_(blkLoop);
            cb.labelBinding(end);
            cb.return_();
        }

        static boolean sumLike(int op) { return op != Opcode.R_MAX && op != Opcode.R_MIN && op != Opcode.R_LSE; }


        void vectorInstruction(int at) {
            int op = p.code[at], d = p.code[at + 1], a = p.code[at + 2], b = p.code[at + 3], c = p.code[at + 4];
            int s0 = p.code[at + 5], s1 = p.code[at + 6];
            String name = method(op);
            switch (kind(op)) {
                case COPY -> loadV(a);
                case FILL -> {
                    loadScalar(s0);
                    cb.invokestatic(ops, "fill", mt(cdV, cdT));
                }
                case V -> {
                    loadV(a);
                    cb.invokestatic(ops, name, mt(cdV, cdV));
                }
                case VV -> {
                    loadV(a);
                    loadV(b);
                    cb.invokestatic(ops, name, mt(cdV, cdV, cdV));
                }
                case VS -> {
                    loadV(a);
                    loadScalar(s0);
                    cb.invokestatic(ops, name, mt(cdV, cdV, cdT));
                }
                case VSS -> {
                    loadV(a);
                    loadScalar(s0);
                    loadScalar(s1);
                    cb.invokestatic(ops, name, mt(cdV, cdV, cdT, cdT));
                }
                case VVSS -> {
                    loadV(a);
                    loadV(b);
                    loadScalar(s0);
                    loadScalar(s1);
                    cb.invokestatic(ops, name, mt(cdV, cdV, cdV, cdT, cdT));
                }
                case VVVS -> {
                    loadV(a);
                    loadV(b);
                    loadV(c);
                    loadScalar(s0);
                    cb.invokestatic(ops, name, mt(cdV, cdV, cdV, cdV, cdT));
                }
                default -> throw new IllegalStateException("opcode " + op);
            }
            storeV(d);
        }

        void scalarInstruction(int at) {
            int op = p.code[at], d = p.code[at + 1], a = p.code[at + 2], b = p.code[at + 3], c = p.code[at + 4];
            int s0 = p.code[at + 5], s1 = p.code[at + 6];
            String name = method(op);
            switch (kind(op)) {
                case COPY -> loadS(a);
                case FILL -> loadScalar(s0);
                case V -> {
                    loadS(a);
                    cb.invokestatic(ops, name, mt(cdT, cdT));
                }
                case VV -> {
                    loadS(a);
                    loadS(b);
                    cb.invokestatic(ops, name, mt(cdT, cdT, cdT));
                }
                case VS -> {
                    loadS(a);
                    loadScalar(s0);
                    cb.invokestatic(ops, name, mt(cdT, cdT, cdT));
                }
                case VSS -> {
                    loadS(a);
                    loadScalar(s0);
                    loadScalar(s1);
                    cb.invokestatic(ops, name, mt(cdT, cdT, cdT, cdT));
                }
                case VVSS -> {
                    loadS(a);
                    loadS(b);
                    loadScalar(s0);
                    loadScalar(s1);
                    cb.invokestatic(ops, name, mt(cdT, cdT, cdT, cdT, cdT));
                }
                case VVVS -> {
                    loadS(a);
                    loadS(b);
                    loadS(c);
                    loadScalar(s0);
                    cb.invokestatic(ops, name, mt(cdT, cdT, cdT, cdT, cdT));
                }
                default -> throw new IllegalStateException("opcode " + op);
            }
            storeS(d);
        }

        void vectorReduction(int at, int r) {
            int op = p.code[at], a = p.code[at + 2], b = p.code[at + 3];
            cb.aload(acc[r]);
            loadV(a);
            switch (op) {
                case Opcode.R_SUM -> cb.invokestatic(ops, "accSum", mt(cdV, cdV, cdV));
                case Opcode.R_SUMSQ -> cb.invokestatic(ops, "accSumsq", mt(cdV, cdV, cdV));
                case Opcode.R_MAX -> cb.invokestatic(ops, "accMax", mt(cdV, cdV, cdV));
                case Opcode.R_MIN -> cb.invokestatic(ops, "accMin", mt(cdV, cdV, cdV));
                case Opcode.R_LSE -> {
                    cb.invokestatic(ops, "accMax", mt(cdV, cdV, cdV)).astore(acc[r]);
                    loadV(a);
                    cb.aload(scratch[r]).iload(i).invokevirtual(cdV, "intoArray", mt(CD_void, cdArr, CD_int));
                    return;
                }
                case Opcode.R_DOT -> {
                    loadV(b);
                    cb.invokestatic(ops, "accDot", mt(cdV, cdV, cdV, cdV));
                }
                default -> throw new IllegalStateException("opcode " + op);
            }
            cb.astore(acc[r]);
        }

        void scalarReduction(int at, int r) {
            int op = p.code[at], a = p.code[at + 2], b = p.code[at + 3];
            if (sumLike(op)) {
                cb.dload(partial[r]);
                loadS(a);
                switch (op) {
                    case Opcode.R_SUM -> cb.invokestatic(ops, "tailSum", mt(CD_double, CD_double, cdT));
                    case Opcode.R_SUMSQ -> cb.invokestatic(ops, "tailSumsq", mt(CD_double, CD_double, cdT));
                    case Opcode.R_DOT -> {
                        loadS(b);
                        cb.invokestatic(ops, "tailDot", mt(CD_double, CD_double, cdT, cdT));
                    }
                    default -> throw new IllegalStateException("opcode " + op);
                }
                cb.dstore(partial[r]);
            } else {
                cb.loadLocal(tk, partial[r]);
                loadS(a);
                cb.invokestatic(ops, op == Opcode.R_MIN ? "tailMin" : "tailMax", mt(cdT, cdT, cdT));
                cb.storeLocal(tk, partial[r]);
                if (op == Opcode.R_LSE) {
                    cb.aload(scratch[r]).iload(i);
                    loadS(a);
                    cb.arrayStore(tk);
                }
            }
        }
    }
}
