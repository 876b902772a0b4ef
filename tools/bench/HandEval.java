import jdk.incubator.vector.*;

/**
 * The floor of {@code descent eval} on a script with {@code param p[N] = 0} and
 * {@code minimize sum(0.5*(p-3)^2)}: a hand-written program that allocates θ and the gradient
 * (float64), sweeps them once (the value and the gradient in one Vector API loop) and prints
 * the value. tools/bench/whole_process.py times it at N = 1e7 against N = 2, beside eval.
 * Usage: java --add-modules jdk.incubator.vector -cp target/bench-classes HandEval N
 */
public class HandEval {
  static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]);
    double[] p = new double[n], g = new double[n];
    java.util.Arrays.fill(p, 0);
    DoubleVector acc = DoubleVector.zero(S);
    int i = 0, ub = S.loopBound(n);
    for (; i < ub; i += S.length()) { DoubleVector x = DoubleVector.fromArray(S, p, i).sub(3); acc = acc.add(x.mul(x).mul(0.5)); x.intoArray(g, i); }
    double f = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) { double x = p[i] - 3; f += 0.5 * x * x; g[i] = x; }
    System.out.println("value " + f + " g0 " + g[0]);
  }
}
