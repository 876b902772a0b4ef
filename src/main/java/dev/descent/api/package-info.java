/**
 * Descent from Java: load a script and run it, evaluate an objective and its gradient, or
 * drive one of Descent's optimizers from your own training loop. The rest of the jar (the
 * command line, the checker, the engines) is internal and may change.
 *
 * <ul>
 *   <li>{@link dev.descent.api.Descent}: {@code load(Path)} and {@code parse(name, text)}, a
 *       script, checked, as a {@link dev.descent.api.Model};</li>
 *   <li>{@link dev.descent.api.Model}: {@code run()} as {@code descent run} does, giving a
 *       {@link dev.descent.api.Result}; {@code evaluate(theta, gradOut)} as {@code descent eval};</li>
 *   <li>{@link dev.descent.api.Options}: the command line's {@code --engine},
 *       {@code --precision}, {@code --threads}, {@code --seed} and {@code --set};</li>
 *   <li>{@link dev.descent.api.Optimizer}: a standard or scripted optimizer, stepped on your
 *       arrays in place;</li>
 *   <li>{@link dev.descent.api.DescentException}: a script's problems, as the command line
 *       prints them.</li>
 * </ul>
 *
 * <pre>{@code
 * Model model = Descent.load(Path.of("examples/rosenbrock/adam.dsc"));
 * Result r = model.run();
 * System.out.println(r.loss() + " " + Arrays.toString(r.param("x")));
 * }</pre>
 *
 * <p>The SIMD engines use the incubating module {@code jdk.incubator.vector}: start the JVM
 * with {@code --add-modules jdk.incubator.vector}. Without it, everything runs on the scalar
 * engine in float64 (the same results to about an ulp), said once on stderr; float32 then
 * throws an {@link java.lang.IllegalArgumentException} saying to add the module. The
 * repository's docs/api.md says more, with the Maven coordinates.
 */
package dev.descent.api;
