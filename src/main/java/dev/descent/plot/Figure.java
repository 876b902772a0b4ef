package dev.descent.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.jfree.svg.SVGUtils;

/**
 * A chart drawn once with Java2D, to SVG (JFreeSVG) or to a PNG (a BufferedImage): a title,
 * two axes with ticks, numeric labels and titles, contour lines, lines with markers, a start and
 * an end marker, and a legend. In the SVG, elements are grouped with their meaning in
 * attributes: {@code <g id="plot-area" data-x0 … data-bottom>} maps data to pixels, each contour
 * level is {@code <g class="contour" data-level="…">} with a {@code <title>}, each line
 * {@code <g class="trajectory|curve|loss|validation" data-run="…" data-points="…">} holding one
 * {@code <path>}, and the markers {@code <g class="start">} and {@code <g class="end">}.
 */
public final class Figure {
    public static final int WIDTH = 800, HEIGHT = 560;
    static final double RIGHT = WIDTH - 24, TOP = 48, BOTTOM = HEIGHT - 58;
    /** The plot area's left edge at the least: further right where the y axis' tick labels are wider. */
    static final double LEFT = 84;

    /** A contour level's lines. */
    public record Level(double value, List<Contours.Line> lines, Color color) {}

    /**
     * A line: {@code kind} is its class in the SVG; {@code markers} draws a dot per point;
     * {@code label} (null: none) is its legend entry.
     */
    public record Series(String kind, int run, String label, Color color, double[] x, double[] y, boolean markers, boolean dashed) {}

    final String title, xTitle, yTitle;
    final Axis x, y;
    final List<Level> levels = new ArrayList<>();
    String levelsLabel;
    int grid;
    final List<Series> series = new ArrayList<>();
    double[] start; // data coordinates, or null
    /** Where a run ended (data coordinates), marked by a square in its line's colour; one per compared run. */
    record End(int run, double x, double y, Color color) {}
    final List<End> ends = new ArrayList<>();
    private double left = LEFT;

    Figure(String title, String xTitle, String yTitle, Axis x, Axis y) {
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
        this.x = x;
        this.y = y;
    }

    double px(double v) { return left + x.fraction(v) * (RIGHT - left); }

    double py(double v) { return BOTTOM - y.fraction(v) * (BOTTOM - TOP); }

    /** The chart as an SVG document. */
    public String svg() {
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        g.setGeomDoubleConverter(SVGUtils.createDoubleConverter(2));
        draw(g);
        return g.getSVGDocument();
    }

    /** The chart as an image, {@code scale} times the SVG's size. */
    public BufferedImage image(double scale) {
        BufferedImage img = new BufferedImage((int) Math.round(WIDTH * scale), (int) Math.round(HEIGHT * scale), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.scale(scale, scale);
        draw(g);
        g.dispose();
        return img;
    }

    /** Opens an SVG group with these attributes (other Graphics2D refuse JFreeSVG's hints). */
    private static void begin(Graphics2D g, Map<String, String> attributes) {
        if (g instanceof SVGGraphics2D) g.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, attributes);
    }

    private static void end(Graphics2D g) {
        if (g instanceof SVGGraphics2D) g.setRenderingHint(SVGHints.KEY_END_GROUP, "true");
    }

    private static Map<String, String> attrs(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15), LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13),
            TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11), SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    static final Color GRID = new Color(0xE6E6E6), FRAME = new Color(0x555555), TEXT = new Color(0x222222);

    void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        List<Double> xTicks = x.ticks(), yTicks = y.ticks();
        List<String> xLabels = x.labels(), yLabels = y.labels();
        g.setFont(TICK);
        FontMetrics tm = g.getFontMetrics();
        double widest = 0;
        for (String l : yLabels) widest = Math.max(widest, tm.stringWidth(l));
        left = Math.max(LEFT, Math.ceil(widest) + 8 + 30); // the labels, 8 pixels from the frame, and room for the axis title
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        Rectangle2D area = new Rectangle2D.Double(left, TOP, RIGHT - left, BOTTOM - TOP);
        begin(g, attrs("id", "plot-area", "data-x0", str(x.lo()), "data-x1", str(x.hi()), "data-y0", str(y.lo()), "data-y1", str(y.hi()),
                "data-xlog", Boolean.toString(x.log()), "data-ylog", Boolean.toString(y.log()),
                "data-left", str(left), "data-right", str(RIGHT), "data-top", str(TOP), "data-bottom", str(BOTTOM)));
        // grid lines at the ticks
        g.setStroke(new BasicStroke(1f));
        g.setColor(GRID);
        for (double t : xTicks) g.draw(new Line2D.Double(px(t), TOP, px(t), BOTTOM));
        for (double t : yTicks) g.draw(new Line2D.Double(left, py(t), RIGHT, py(t)));
        end(g);

        if (!levels.isEmpty()) {
            begin(g, attrs("class", "contours", "data-grid", grid + "x" + grid));
            g.setStroke(new BasicStroke(1f));
            for (Level l : levels) {
                begin(g, attrs("class", "contour", "data-level", str(l.value())));
                if (g instanceof SVGGraphics2D) g.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, "f = " + Axis.number(l.value()));
                g.setColor(l.color());
                for (Contours.Line line : l.lines()) g.draw(path(line.x(), line.y()));
                end(g);
            }
            labelLevels(g);
            end(g);
        }

        for (Series s : series) {
            begin(g, attrs("class", s.kind(), "data-run", Integer.toString(s.run()), "data-points", Integer.toString(s.x().length)));
            g.setColor(s.color());
            g.setStroke(s.dashed() ? new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6, 4}, 0)
                    : new BasicStroke(s.kind().equals("curve") ? 2f : 1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(path(s.x(), s.y()));
            end(g);
            if (s.markers()) {
                begin(g, attrs("class", "markers", "data-run", Integer.toString(s.run())));
                double r = s.x().length > 400 ? 1.6 : 2.6;
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                    g.fill(new Ellipse2D.Double(px(s.x()[i]) - r, py(s.y()[i]) - r, 2 * r, 2 * r));
                }
                end(g);
            }
        }
        if (start != null) {
            begin(g, attrs("class", "start"));
            startMarker(g, px(start[0]), py(start[1]));
            end(g);
        }
        // runs that end at the same place: nested squares, the first drawn largest, so that each colour shows
        for (int k = 0; k < ends.size(); k++) {
            End e = ends.get(k);
            int under = 0;
            for (int j = k + 1; j < ends.size(); j++)
                if (Math.hypot(px(ends.get(j).x()) - px(e.x()), py(ends.get(j).y()) - py(e.y())) < 10) under++;
            begin(g, attrs("class", "end", "data-run", Integer.toString(e.run())));
            endMarker(g, px(e.x()), py(e.y()), e.color(), 5.5 + 3.5 * under);
            end(g);
        }

        // the frame, the ticks and their labels
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.draw(area);
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(TEXT);
        // every label where they fit side by side, else every 2nd, 3rd, … (the ticks stay)
        int every = 1;
        while (every < xTicks.size() && overlap(xTicks, xLabels, every, fm)) every++;
        begin(g, attrs("class", "tick-labels", "data-axis", "x"));
        for (int i = 0; i < xTicks.size(); i++) {
            double p = px(xTicks.get(i));
            g.draw(new Line2D.Double(p, BOTTOM, p, BOTTOM + 5));
            if (i % every != 0) continue;
            String s = xLabels.get(i);
            g.drawString(s, (float) (p - fm.stringWidth(s) / 2.0), (float) (BOTTOM + 7 + fm.getAscent()));
        }
        end(g);
        begin(g, attrs("class", "tick-labels", "data-axis", "y"));
        for (int i = 0; i < yTicks.size(); i++) {
            double p = py(yTicks.get(i));
            g.draw(new Line2D.Double(left - 5, p, left, p));
            String s = yLabels.get(i);
            g.drawString(s, (float) (left - 8 - fm.stringWidth(s)), (float) (p + fm.getAscent() / 2.0 - 1));
        }
        end(g);
        // axis titles and the title
        g.setFont(LABEL);
        fm = g.getFontMetrics();
        g.drawString(xTitle, (float) ((left + RIGHT) / 2 - fm.stringWidth(xTitle) / 2.0), (float) (HEIGHT - 14));
        AffineTransform saved = g.getTransform();
        g.translate(20, (TOP + BOTTOM) / 2);
        g.rotate(-Math.PI / 2);
        g.drawString(yTitle, (float) (-fm.stringWidth(yTitle) / 2.0), (float) (fm.getAscent() / 2.0));
        g.setTransform(saved);
        g.setFont(TITLE);
        fm = g.getFontMetrics();
        String t = fit(title, fm, WIDTH - 40);
        g.drawString(t, (float) (WIDTH / 2.0 - fm.stringWidth(t) / 2.0), 28f);
        legend(g);
    }

    private void startMarker(Graphics2D g, double cx, double cy) {
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(cx - 6, cy - 6, 12, 12));
        g.setColor(new Color(0x1A9641));
        g.setStroke(new BasicStroke(2.5f));
        g.draw(new Ellipse2D.Double(cx - 6, cy - 6, 12, 12));
    }

    /** A square filled with the run's colour, framed in black so that it stands out from its own line. */
    private void endMarker(Graphics2D g, double cx, double cy, Color fill, double half) {
        g.setColor(fill);
        g.fill(new Rectangle2D.Double(cx - half, cy - half, 2 * half, 2 * half));
        g.setColor(fill.equals(Color.BLACK) ? Color.WHITE : Color.BLACK);
        g.setStroke(new BasicStroke(1.4f));
        g.draw(new Rectangle2D.Double(cx - half, cy - half, 2 * half, 2 * half));
    }

    /** Whether the x labels drawn every {@code every}-th overlap (or come within 6 pixels of each other). */
    private boolean overlap(List<Double> ticks, List<String> labels, int every, FontMetrics fm) {
        double lastRight = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < ticks.size(); i += every) {
            double w = fm.stringWidth(labels.get(i)), c = px(ticks.get(i));
            if (c - w / 2 < lastRight + 6) return true;
            lastRight = c + w / 2;
        }
        return false;
    }

    /** Each level's value, once, on the middle of its longest line, over a white box. */
    private void labelLevels(Graphics2D g) {
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        List<Rectangle2D> taken = new ArrayList<>();
        for (Level l : levels) {
            Contours.Line best = null;
            for (Contours.Line line : l.lines()) if (best == null || line.size() > best.size()) best = line;
            if (best == null || best.size() < 8) continue;
            String s = Axis.number(l.value());
            double w = fm.stringWidth(s) + 4, h = fm.getAscent() + 2;
            // try points along the line, from its middle outwards, for a place that overlaps no other label
            for (int k = 0; k < best.size(); k++) {
                int i = best.size() / 2 + ((k % 2 == 0) ? k / 2 : -(k / 2 + 1));
                if (i < 0 || i >= best.size()) continue;
                double cx = px(best.x()[i]), cy = py(best.y()[i]);
                Rectangle2D box = new Rectangle2D.Double(cx - w / 2, cy - h / 2, w, h);
                if (box.getMinX() < left + 2 || box.getMaxX() > RIGHT - 2 || box.getMinY() < TOP + 2 || box.getMaxY() > BOTTOM - 2) continue;
                if (taken.stream().anyMatch(r -> r.intersects(box)) || covers(box)) continue;
                taken.add(box);
                g.setColor(new Color(255, 255, 255, 210));
                g.fill(box);
                g.setColor(l.color().darker());
                g.drawString(s, (float) (box.getX() + 2), (float) (box.getY() + fm.getAscent()));
                break;
            }
        }
    }

    /** Whether a line's point falls in the box (where a label would hide it). */
    private boolean covers(Rectangle2D box) {
        Rectangle2D wider = new Rectangle2D.Double(box.getX() - 3, box.getY() - 3, box.getWidth() + 6, box.getHeight() + 6);
        for (Series s : series)
            for (int i = 0; i < s.x().length; i++) if (wider.contains(px(s.x()[i]), py(s.y()[i]))) return true;
        return false;
    }

    /** The legend, in the corner of the plot area where it hides the fewest points. */
    private void legend(Graphics2D g) {
        record Item(String text, Series series, String special) {}
        List<Item> items = new ArrayList<>();
        for (Series s : series) if (s.label() != null) items.add(new Item(s.label(), s, null));
        if (start != null) items.add(new Item("start", null, "start"));
        if (!ends.isEmpty()) items.add(new Item(ends.size() > 1 ? "ends" : "end", null, "end"));
        if (levelsLabel != null) items.add(new Item(levelsLabel, null, "levels"));
        if (items.isEmpty()) return;
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        double row = 17, sample = 30, pad = 8;
        double w = 0;
        for (Item it : items) w = Math.max(w, fm.stringWidth(fit(it.text(), fm, 420)));
        w += sample + 3 * pad;
        double h = items.size() * row + pad;
        double[][] corners = {{RIGHT - w - 8, TOP + 8}, {left + 8, TOP + 8}, {RIGHT - w - 8, BOTTOM - h - 8}, {left + 8, BOTTOM - h - 8}};
        double[] at = corners[0];
        long fewest = Long.MAX_VALUE;
        for (double[] c : corners) {
            Rectangle2D r = new Rectangle2D.Double(c[0], c[1], w, h);
            long n = 0;
            for (Series s : series)
                for (int i = 0; i < s.x().length; i++) if (r.contains(px(s.x()[i]), py(s.y()[i]))) n++;
            if (n < fewest) { fewest = n; at = c; }
        }
        begin(g, attrs("class", "legend"));
        Rectangle2D box = new Rectangle2D.Double(at[0], at[1], w, h);
        g.setColor(new Color(255, 255, 255, 225));
        g.fill(box);
        g.setColor(new Color(0xBBBBBB));
        g.setStroke(new BasicStroke(1f));
        g.draw(box);
        for (int k = 0; k < items.size(); k++) {
            Item it = items.get(k);
            double cy = at[1] + pad / 2 + row * k + row / 2, x0 = at[0] + pad;
            if (it.series() != null) {
                Series s = it.series();
                g.setColor(s.color());
                g.setStroke(s.dashed() ? new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6, 4}, 0) : new BasicStroke(2f));
                g.draw(new Line2D.Double(x0, cy, x0 + sample, cy));
                if (s.markers()) g.fill(new Ellipse2D.Double(x0 + sample / 2 - 2.6, cy - 2.6, 5.2, 5.2));
            } else if (it.special().equals("start")) {
                startMarker(g, x0 + sample / 2, cy);
            } else if (it.special().equals("end")) {
                endMarker(g, x0 + sample / 2, cy, ends.size() == 1 ? ends.get(0).color() : Color.BLACK, 5.5);
            } else {
                g.setStroke(new BasicStroke(1.5f));
                for (int i = 0; i < 3; i++) {
                    g.setColor(viridis(i / 2.0));
                    g.draw(new Line2D.Double(x0 + i * sample / 3, cy, x0 + (i + 1) * sample / 3 - 2, cy));
                }
            }
            g.setColor(TEXT);
            g.drawString(fit(it.text(), fm, 420), (float) (x0 + sample + pad), (float) (cy + fm.getAscent() / 2.0 - 1));
        }
        end(g);
    }

    private Path2D path(double[] xs, double[] ys) {
        Path2D.Double p = new Path2D.Double();
        boolean pen = false;
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i])) { pen = false; continue; }
            if (pen) p.lineTo(px(xs[i]), py(ys[i]));
            else p.moveTo(px(xs[i]), py(ys[i]));
            pen = true;
        }
        return p;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        while (s.length() > 1 && fm.stringWidth(s + "…") > width) s = s.substring(0, s.length() - 1);
        return s + "…";
    }

    static String str(double v) { return Double.toString(v); }

    /** A colour from the viridis map, t from 0 (dark purple) to 1 (yellow-green; the yellow end is left out, unreadable on white). */
    static Color viridis(double t) {
        int[][] stops = {{0x44, 0x01, 0x54}, {0x3B, 0x52, 0x8B}, {0x21, 0x91, 0x8C}, {0x5E, 0xC9, 0x62}, {0xB5, 0xDE, 0x2B}};
        t = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min((int) t, stops.length - 2);
        double f = t - i;
        int[] a = stops[i], b = stops[i + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])), (int) Math.round(a[2] + f * (b[2] - a[2])));
    }
}
