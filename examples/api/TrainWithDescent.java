import dev.descent.api.Optimizer;
import java.util.Map;
import java.util.Random;

/**
 * Descent's optimizers in your own training loop: least squares y ≈ X·w + b on generated
 * data, the gradient computed here in plain Java, the update made by Descent's Adam on the
 * SIMD engine, in place on this program's own arrays.
 *
 * Run it from the repository, with the JDK 25 that bin/find-jdk finds (docs/api.md):
 *   JAVA_HOME="$(bin/find-jdk)" ./mvnw -q -B package -DskipTests
 *   "$(bin/find-jdk)/bin/java" --add-modules jdk.incubator.vector -cp target/descent.jar examples/api/TrainWithDescent.java
 */
public class TrainWithDescent {
    public static void main(String[] args) {
        int rows = 1000, features = 8, steps = 500;
        Random rng = new Random(1);
        double[][] x = new double[rows][features];
        double[] trueW = new double[features], y = new double[rows];
        for (int j = 0; j < features; j++) trueW[j] = rng.nextGaussian();
        for (int i = 0; i < rows; i++) {
            double s = 0.5; // the true intercept
            for (int j = 0; j < features; j++) s += (x[i][j] = rng.nextGaussian()) * trueW[j];
            y[i] = s + 0.01 * rng.nextGaussian();
        }

        // the parameters, in two arrays the optimizer treats as one vector
        double[] w = new double[features], b = new double[1];
        double[] gw = new double[features], gb = new double[1];
        double[][] params = {w, b}, grads = {gw, gb};
        Optimizer adam = Optimizer.standard("adam", Map.of("lr", 0.05));

        for (int step = 0; step <= steps; step++) {
            double loss = lossAndGradient(x, y, w, b, gw, gb);
            if (step % 100 == 0) System.out.printf("step %4d  loss %.6g%n", step, loss);
            if (step < steps) adam.step(params, grads);
        }
        System.out.printf("final loss %.6g%n", lossAndGradient(x, y, w, b, gw, gb));
    }

    /** Mean squared error of X·w + b against y; its gradient written into gw and gb. */
    static double lossAndGradient(double[][] x, double[] y, double[] w, double[] b, double[] gw, double[] gb) {
        int n = y.length;
        double loss = 0;
        java.util.Arrays.fill(gw, 0);
        gb[0] = 0;
        for (int i = 0; i < n; i++) {
            double r = b[0] - y[i];
            for (int j = 0; j < w.length; j++) r += x[i][j] * w[j];
            loss += r * r / n;
            for (int j = 0; j < w.length; j++) gw[j] += 2 * r * x[i][j] / n;
            gb[0] += 2 * r / n;
        }
        return loss;
    }
}
