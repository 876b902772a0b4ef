package dev.descent.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.Cli.Result;
import dev.descent.cli.Cli;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** `descent run --plot`: the SVG parsed as XML, its points checked against the trace and the function. */
class PlotTest {
    @TempDir Path dir;

    static Result run(String... args) { return Cli.run(args); }

    Path script(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static Document parse(Path svg) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network for the DOCTYPE
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(svg))); // throws unless well-formed
    }

    static List<Element> groups(Document d, String cls) {
        List<Element> out = new ArrayList<>();
        NodeList gs = d.getElementsByTagName("g");
        for (int i = 0; i < gs.getLength(); i++) {
            Element g = (Element) gs.item(i);
            if (cls.equals(g.getAttribute("class"))) out.add(g);
        }
        return out;
    }

    static Element first(Element parent, String tag) { return (Element) parent.getElementsByTagName(tag).item(0); }

    /** The points of a path's d attribute (M and L only), in pixels. */
    static List<double[]> points(Element path) {
        List<double[]> out = new ArrayList<>();
        for (String part : path.getAttribute("d").split("(?=[ML])")) {
            if (part.isBlank()) continue;
            String[] xy = part.substring(1).split(",");
            out.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return out;
    }

    /** The plot area's mapping between data and pixels, read from the SVG. */
    record Frame(double x0, double x1, double y0, double y1, double left, double right, double top, double bottom, boolean ylog) {
        static Frame of(Document d) {
            Element g = d.getElementById("plot-area");
            if (g == null) {
                NodeList gs = d.getElementsByTagName("g");
                for (int i = 0; i < gs.getLength(); i++) if ("plot-area".equals(((Element) gs.item(i)).getAttribute("id"))) g = (Element) gs.item(i);
            }
            Element e = g;
            java.util.function.Function<String, Double> a = k -> Double.parseDouble(e.getAttribute(k));
            return new Frame(a.apply("data-x0"), a.apply("data-x1"), a.apply("data-y0"), a.apply("data-y1"), a.apply("data-left"),
                    a.apply("data-right"), a.apply("data-top"), a.apply("data-bottom"), Boolean.parseBoolean(e.getAttribute("data-ylog")));
        }

        double px(double x) { return left + (x - x0) / (x1 - x0) * (right - left); }

        double py(double y) { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }

        double[] data(double[] p) {
            return new double[] {x0 + (p[0] - left) / (right - left) * (x1 - x0), y0 + (bottom - p[1]) / (bottom - top) * (y1 - y0)};
        }

        /** Data units per pixel, the larger of the two axes. */
        double perPixel() { return Math.max((x1 - x0) / (right - left), (y1 - y0) / (bottom - top)); }
    }

    static final String BOWL = "param x1 = -5\nparam x2 = -2\nminimize x1^2 + 2*x2^2\noptimize with gd(lr = 0.1) for 20 steps\n";

    static double bowl(double a, double b) { return a * a + 2 * b * b; }

    @Test void theTrajectoryHasOnePointPerStepWhereTheTraceSaysAndIsMarkedAtBothEnds() throws Exception {
        Path s = script("bowl.dsc", BOWL), svg = dir.resolve("bowl.svg"), csv = dir.resolve("bowl.csv");
        Result r = run("run", s.toString(), "--plot", svg.toString(), "--trace", csv.toString());
        assertEquals(0, r.code(), r::err);
        Document d = parse(svg);
        Frame f = Frame.of(d);
        List<Element> t = groups(d, "trajectory");
        assertEquals(1, t.size());
        List<double[]> pts = points(first(t.get(0), "path"));
        List<String> rows = Files.readAllLines(csv);
        assertEquals("run,step,loss,grad_norm,lr,x1,x2", rows.get(0));
        assertEquals(21, rows.size() - 1, "the trace: the start and 20 steps");
        assertEquals(21, pts.size(), "one point per step and the start");
        assertEquals("21", t.get(0).getAttribute("data-points"));
        for (int i = 0; i < 21; i++) {
            String[] c = rows.get(i + 1).split(",");
            double x = Double.parseDouble(c[5]), y = Double.parseDouble(c[6]);
            assertEquals(f.px(x), pts.get(i)[0], 0.006, "point " + i);
            assertEquals(f.py(y), pts.get(i)[1], 0.006, "point " + i);
        }
        // one marker per point
        assertEquals(21, first(groups(d, "markers").get(0), "ellipse").getParentNode().getChildNodes().getLength());
        // the start: a circle on the first point; the end: a square on the last
        Element start = first(groups(d, "start").get(0), "ellipse");
        assertEquals(pts.get(0)[0], Double.parseDouble(start.getAttribute("cx")), 0.01);
        assertEquals(pts.get(0)[1], Double.parseDouble(start.getAttribute("cy")), 0.01);
        Element end = first(groups(d, "end").get(0), "rect");
        double ex = Double.parseDouble(end.getAttribute("x")) + Double.parseDouble(end.getAttribute("width")) / 2;
        double ey = Double.parseDouble(end.getAttribute("y")) + Double.parseDouble(end.getAttribute("height")) / 2;
        assertEquals(pts.get(20)[0], ex, 0.01);
        assertEquals(pts.get(20)[1], ey, 0.01);
        // the grid covers the trajectory with a margin
        for (double[] p : pts) {
            assertTrue(p[0] > f.left() + 10 && p[0] < f.right() - 10 && p[1] > f.top() + 10 && p[1] < f.bottom() - 10, "inside the plot area");
        }
        String text = Files.readString(svg);
        assertTrue(text.contains(">x1</text>") && text.contains(">x2</text>"), "axis titles are the parameters' names");
        assertTrue(text.contains("bowl.dsc: gd(lr = 0.1)"), "the title names the script and the optimizer");
    }

    /**
     * Every vertex of a contour path lies on an edge of the 100×100 grid, placed by linear
     * interpolation between the edge's ends; along an edge of length h, f = x1² + 2·x2² differs from
     * its linear interpolant by at most max|f''|·h²/8 (f'' is 2 along x1, 4 along x2). The SVG's
     * coordinates are rounded to 0.01 pixel, which moves f by at most |∇f|·0.005·(data per pixel)·√2.
     */
    @Test void theContourLevelsAreWhereTheFunctionSays() throws Exception {
        Path s = script("bowl.dsc", BOWL), svg = dir.resolve("bowl.svg");
        assertEquals(0, run("run", s.toString(), "--plot", svg.toString()).code());
        Document d = parse(svg);
        Frame f = Frame.of(d);
        List<Element> levels = groups(d, "contour");
        assertTrue(levels.size() >= 6, "enough levels: " + levels.size());
        assertEquals("100x100", groups(d, "contours").get(0).getAttribute("data-grid"));
        double hx = (f.x1() - f.x0()) / 99, hy = (f.y1() - f.y0()) / 99;
        double interpolation = Math.max(2 * hx * hx, 4 * hy * hy) / 8;
        int checked = 0;
        double previous = Double.NEGATIVE_INFINITY;
        for (Element g : levels) {
            double level = Double.parseDouble(g.getAttribute("data-level"));
            assertTrue(level > previous, "levels increase");
            previous = level;
            assertTrue(first(g, "title") != null && first(g, "title").getTextContent().startsWith("f = "), "a title names the level");
            NodeList paths = g.getElementsByTagName("path");
            assertTrue(paths.getLength() > 0, "level " + level + " has a line");
            for (int k = 0; k < paths.getLength(); k++) {
                for (double[] p : points((Element) paths.item(k))) {
                    double[] x = f.data(p);
                    double grad = Math.hypot(2 * x[0], 4 * x[1]);
                    double bound = interpolation + grad * 0.005 * Math.sqrt(2) * f.perPixel() + 1e-9 * level;
                    assertEquals(level, bowl(x[0], x[1]), bound, "level " + level + " at " + x[0] + ", " + x[1]);
                    checked++;
                }
            }
        }
        assertTrue(checked > 500, "checked " + checked + " points");
    }

    @Test void oneParameterDrawsTheCurveWithTheIteratesOnIt() throws Exception {
        Path s = script("halving.dsc", "param x = 3\nminimize x^2\noptimize with gd(lr = 0.25) for 3 steps\n"), svg = dir.resolve("h.svg");
        assertEquals(0, run("run", s.toString(), "--plot", svg.toString()).code());
        Document d = parse(svg);
        Frame f = Frame.of(d);
        List<double[]> curve = points(first(groups(d, "curve").get(0), "path"));
        assertEquals(400, curve.size());
        List<double[]> it = points(first(groups(d, "trajectory").get(0), "path"));
        assertEquals(4, it.size(), "the start and 3 steps");
        double[] xs = {3, 1.5, 0.75, 0.375};
        for (int i = 0; i < 4; i++) {
            double[] p = f.data(it.get(i));
            assertEquals(xs[i], p[0], 0.01 * f.perPixel() + 1e-12);
            assertEquals(xs[i] * xs[i], p[1], 0.01 * f.perPixel() + 1e-12, "on the curve");
        }
        // the curve covers the iterates with a margin
        double[] a = f.data(curve.get(0)), b = f.data(curve.get(399));
        assertTrue(a[0] < 0.375 && b[0] > 3);
    }

    @Test void manyParametersDrawTheLossAgainstTheStepOneLinePerRun() throws Exception {
        Path s = script("quad.dsc", "param v = [1, 2, 3]\nminimize sum(v^2) + 1\noptimize with gd(lr = 0.1) for 5 steps\noptimize with adam(lr = 0.1) for 7 steps\n");
        Path svg = dir.resolve("q.svg");
        assertEquals(0, run("run", s.toString(), "--plot", svg.toString()).code());
        Document d = parse(svg);
        List<Element> lines = groups(d, "loss");
        assertEquals(2, lines.size());
        assertEquals(6, points(first(lines.get(0), "path")).size());
        assertEquals(8, points(first(lines.get(1), "path")).size());
        Frame f = Frame.of(d);
        assertTrue(f.ylog(), "the loss is positive: a log scale");
        String text = Files.readString(svg);
        assertTrue(text.contains(">step</text>") && text.contains("loss (log scale)</text>"));
        assertTrue(text.contains("gd(lr = 0.1)") && text.contains("adam(lr = 0.1)"), "a legend entry per run");
    }

    @Test void aPngWhenTheNameEndsInPng() throws Exception {
        Path s = script("bowl.dsc", BOWL), png = dir.resolve("bowl.png");
        Files.writeString(png, "old");
        assertEquals(0, run("run", s.toString(), "--plot", png.toString()).code());
        var img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(Math.round(Figure.WIDTH * Plots.PNG_SCALE), img.getWidth());
        assertEquals(Math.round(Figure.HEIGHT * Plots.PNG_SCALE), img.getHeight());
    }

    /** A missing folder is an output that cannot be written (exit 1; it was a usage error, exit 2, before outputs had one rule). */
    @Test void aMissingFolderCannotBeWritten() throws Exception {
        Path s = script("bowl.dsc", BOWL);
        Path target = dir.resolve("no/such/p.svg");
        Result r = run("run", s.toString(), "--plot", target.toString());
        assertEquals(1, r.code());
        assertEquals("descent: cannot write " + target + ": the folder " + target.getParent() + " does not exist\n", r.err());
        assertEquals("", r.out(), "nothing runs");
    }

    @Test void svgTextIsUtf8() throws Exception {
        Path s = script("bowl.dsc", BOWL), svg = dir.resolve("b.svg");
        assertEquals(0, run("run", s.toString(), "--plot", svg.toString()).code());
        assertTrue(new String(Files.readAllBytes(svg), StandardCharsets.UTF_8).startsWith("<svg") || Files.readString(svg).startsWith("<?xml"));
    }

    /** The colour of the first stroke inside a group: rgb(r,g,b). */
    static String stroke(Element g) {
        NodeList all = g.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            var m = java.util.regex.Pattern.compile("stroke:(rgb\\([0-9,]+\\))").matcher(((Element) all.item(i)).getAttribute("style"));
            if (m.find()) return m.group(1);
        }
        throw new AssertionError("no stroke in " + g.getAttribute("class"));
    }

    static List<Element> texts(Element g) {
        List<Element> out = new ArrayList<>();
        NodeList ts = g.getElementsByTagName("text");
        for (int i = 0; i < ts.getLength(); i++) out.add((Element) ts.item(i));
        return out;
    }

    static Element axisLabels(Document d, String axis) {
        return groups(d, "tick-labels").stream().filter(g -> g.getAttribute("data-axis").equals(axis)).findFirst().orElseThrow();
    }

    /**
     * Each axis has at least three tick labels, distinct, numbers without float noise, that do not overlap
     * (widths measured with the figure's font, as Java2D lays them out for the SVG).
     */
    static void readableTicks(Document d, String what) {
        var fm = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(Figure.TICK);
        for (String axis : List.of("x", "y")) {
            List<Element> ts = texts(axisLabels(d, axis));
            List<String> labels = ts.stream().map(Element::getTextContent).toList();
            assertTrue(labels.size() >= 3, what + ": at least 3 labels on " + axis + ": " + labels);
            assertEquals(labels.size(), new java.util.HashSet<>(labels).size(), what + ": distinct labels on " + axis + ": " + labels);
            for (String l : labels) {
                assertTrue(l.matches(AxisTest.NUMBER), what + ": " + l);
                assertTrue(!l.contains("0000000000") && !l.contains("99999999"), what + ": float noise " + l);
            }
            for (int i = 1; i < ts.size(); i++) {
                double x0 = Double.parseDouble(ts.get(i - 1).getAttribute("x")), x1 = Double.parseDouble(ts.get(i).getAttribute("x"));
                double y0 = Double.parseDouble(ts.get(i - 1).getAttribute("y")), y1 = Double.parseDouble(ts.get(i).getAttribute("y"));
                if (axis.equals("x")) assertTrue(x0 + fm.stringWidth(labels.get(i - 1)) + 4 <= x1, what + ": x labels overlap: " + labels);
                else assertTrue(Math.abs(y1 - y0) >= fm.getAscent() + 2, what + ": y labels overlap: " + labels);
            }
            if (axis.equals("y")) // inside the figure, left of the frame
                for (Element t : ts) assertTrue(Double.parseDouble(t.getAttribute("x")) > 24, what + ": a y label off the left edge");
        }
    }

    Path digits() throws Exception {
        StringBuilder csv = new StringBuilder("a,b,c,y\n");
        Random r = new Random(1);
        for (int i = 0; i < 40; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian(), c = r.nextGaussian();
            csv.append(a).append(',').append(b).append(',').append(c).append(',').append(2 * a - b + 0.5 * c + 0.3 * r.nextGaussian()).append('\n');
        }
        Files.writeString(dir.resolve("rows.csv"), csv);
        return script("split.dsc", "seed 3\ndata d = csv(\"" + dir.resolve("rows.csv").toString().replace("\\", "/")
                + "\", validation = 0.5)\nparam w[3] = 0\nminimize mean((d.a*w[0] + d.b*w[1] + d.c*w[2] - d.y)^2)\noptimize with gd(lr = 0.1) for 8 epochs\n");
    }

    @Test void trainingAndValidationLossesInDifferentColoursWithALegend() throws Exception {
        Path s = digits(), svg = dir.resolve("split.svg");
        Result r = run("run", s.toString(), "--plot", svg.toString());
        assertEquals(0, r.code(), r::err);
        Document d = parse(svg);
        List<Element> train = groups(d, "loss"), val = groups(d, "validation");
        assertEquals(1, train.size());
        assertEquals(1, val.size());
        assertTrue(!stroke(train.get(0)).equals(stroke(val.get(0))), "two colours: " + stroke(train.get(0)));
        List<String> legend = texts(groups(d, "legend").get(0)).stream().map(Element::getTextContent).toList();
        assertEquals(List.of("gd(lr = 0.1), training", "gd(lr = 0.1), validation"), legend);
        readableTicks(d, "train and validation");
    }

    @Test void compareDrawsEachRunInItsOwnColourNamedAsCalled() throws Exception {
        Path s = digits(), svg = dir.resolve("cmp.svg");
        Result r = run("compare", s.toString(), "--with", "gd(lr = 0.1)", "--with", "adam(lr = 0.05)", "--with", "gd(lr = 0.02)", "--plot", svg.toString());
        assertEquals(0, r.code(), r::err);
        Document d = parse(svg);
        List<Element> lines = new ArrayList<>(groups(d, "loss"));
        lines.addAll(groups(d, "validation"));
        assertEquals(6, lines.size());
        assertEquals(6, lines.stream().map(PlotTest::stroke).distinct().count(), "every line its colour");
        List<String> legend = texts(groups(d, "legend").get(0)).stream().map(Element::getTextContent).toList();
        for (String call : List.of("gd(lr = 0.1)", "adam(lr = 0.05)", "gd(lr = 0.02)")) {
            assertTrue(legend.contains(call + ", training") && legend.contains(call + ", validation"), legend.toString());
        }
        readableTicks(d, "compare");
    }

    @Test void compareMarksEveryRunsEnd() throws Exception {
        Path s = script("bowl.dsc", BOWL), svg = dir.resolve("ends.svg");
        Result r = run("compare", s.toString(), "--with", "gd(lr = 0.1)", "--with", "adam(lr = 0.3)", "--with", "gd(lr = 0.01)", "--steps", "15",
                "--plot", svg.toString());
        assertEquals(0, r.code(), r::err);
        Document d = parse(svg);
        List<Element> t = groups(d, "trajectory"), ends = groups(d, "end");
        assertEquals(3, t.size());
        assertEquals(3, ends.size(), "one end marker per compared run");
        assertEquals(1, groups(d, "start").size(), "one start: they all start there");
        for (int k = 0; k < 3; k++) {
            assertEquals(t.get(k).getAttribute("data-run"), ends.get(k).getAttribute("data-run"));
            List<double[]> pts = points(first(t.get(k), "path"));
            double[] last = pts.get(pts.size() - 1);
            Element sq = first(ends.get(k), "rect");
            assertEquals(last[0], Double.parseDouble(sq.getAttribute("x")) + Double.parseDouble(sq.getAttribute("width")) / 2, 0.01);
            assertEquals(last[1], Double.parseDouble(sq.getAttribute("y")) + Double.parseDouble(sq.getAttribute("height")) / 2, 0.01);
        }
        readableTicks(d, "contours");
        // a run of several statements marks where the last one ended, once
        Path two = script("two.dsc", "param x1 = -5\nparam x2 = -2\nminimize x1^2 + 2*x2^2\noptimize with gd(lr = 0.1) for 5 steps\noptimize with adam(lr = 0.1) for 5 steps\n");
        assertEquals(0, run("run", two.toString(), "--plot", svg.toString()).code());
        assertEquals(1, groups(parse(svg), "end").size());
    }

    @Test void shortFlatAndDivergingRunsHaveReadableTicks() throws Exception {
        String[][] cases = {
            {"three", "param w[3] = [1, 2, 3]\nminimize sum(w^2) + 5\noptimize with gd(lr = 0.01) for 3 steps\n"},
            {"one", "param w[3] = [1, 2, 3]\nminimize sum(w^2) - 20\noptimize with gd(lr = 0.1) for 1 steps\n"},
            {"flat", "param w[3] = [1e-5, 2e-5, 3e-5]\nminimize sum(w^2) + 1\noptimize with gd(lr = 0.01) for 3 steps\n"},
            {"barely", "param w[3] = [1e-3, 2e-3, 3e-3]\nminimize sum(w^2) + 1\noptimize with gd(lr = 0.001) for 3 steps\n"},
            {"diverging", "param w[3] = [1, 2, 3]\nminimize sum(w^2)\noptimize with gd(lr = 1.5) for 200 steps\n"},
            {"long", "param w[3] = [1, 2, 3]\nminimize sum(w^2) + 0.5\noptimize with gd(lr = 0.0001) for 123456 steps\n"},
        };
        for (String[] c : cases) {
            Path s = script(c[0] + ".dsc", c[1]), svg = dir.resolve(c[0] + ".svg");
            Result r = run("run", s.toString(), "--plot", svg.toString());
            assertEquals(0, r.code(), r::err);
            Document d = parse(svg);
            readableTicks(d, c[0]);
            String text = Files.readString(svg);
            if (Frame.of(d).ylog()) assertTrue(text.contains(">loss (log scale)</text>"), c[0] + ": a log axis says so");
            else assertTrue(text.contains(">loss</text>"), c[0]);
        }
        List<String> steps = texts(axisLabels(parse(dir.resolve("three.svg")), "x")).stream().map(Element::getTextContent).toList();
        assertEquals(List.of("0", "1", "2", "3"), steps, "whole steps");
    }
}
