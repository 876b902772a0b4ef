/**
 * Descent: optimization scripts, their symbolic derivatives, optimizers written as text, and a
 * Vector API engine. The public API is {@link dev.descent.api}; the other packages are the
 * tool's own. Requires {@code jdk.incubator.vector}, so that on the module path the SIMD engines
 * need no {@code --add-modules} (on the class path this descriptor is ignored, and without the
 * module the library runs on its scalar engine).
 */
module dev.descent {
    requires jdk.incubator.vector;
    requires java.desktop;           // the plots' PNG (java.awt.image, javax.imageio)
    requires jdk.unsupported;        // sun.misc.Signal: the command line stops cleanly on Ctrl-C
    requires org.antlr.antlr4.runtime;
    requires com.fasterxml.jackson.core;
    requires org.jfree.svg;

    exports dev.descent.api;

    // run --spark finds the Spark module (spark/) this way; it runs with the core on the class
    // path, as spark-submit puts it, where this descriptor is ignored
    uses dev.descent.run.DataParallel.Provider;
}
