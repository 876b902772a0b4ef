package dev.descent.cli;

import java.util.Locale;

/**
 * The progress bar's line, as a pure function of the numbers and the terminal width:
 * {@code run 1/2 adam(lr = 0.05)  step 1200/2000 [######----] 60%  loss 0.001234  4.5k steps/s  0:02 left}.
 * The line is always shorter than the width, so that {@code \r} redraws it in place.
 * {@link ProgressBar} decides when to draw it.
 */
public final class Progress {
    private Progress() {}

    /** The fewest columns a line is drawn in; narrower terminals get a truncated line. */
    static final int MIN_WIDTH = 20;

    /**
     * One line of progress.
     *
     * @param run the optimize statement, from 1, of {@code runs}
     * @param call the optimizer call as written ("adam(lr = 0.05)")
     * @param step updates made so far in this run
     * @param total the updates the run will make at most, or a value below 1 when unknown
     * @param perEpoch steps per epoch when the run counts epochs, else 0
     * @param loss the current loss
     * @param rate steps per second so far in this run (NaN or 0 when unknown)
     * @param width the terminal's columns
     */
    public static String render(int run, int runs, String call, long step, long total, long perEpoch,
                                double loss, double rate, int width) {
        width = Math.max(MIN_WIDTH, width);
        int room = width - 1; // never write into the last column: some terminals wrap there
        String head = runs > 1 ? "run " + run + "/" + runs + " " : "";
        String counter;
        if (perEpoch > 0) {
            long epochs = total > 0 ? total / perEpoch : -1;
            long epoch = step / perEpoch + 1; // the epoch under way
            if (epochs > 0) epoch = Math.min(epoch, epochs);
            counter = "epoch " + epoch + (epochs > 0 ? "/" + epochs : "") + " (step " + step + (total > 0 ? "/" + total : "") + ")";
        } else {
            counter = "step " + step + (total > 0 ? "/" + total : "");
        }
        String tail = "  loss " + number(loss) + (rate > 0 && Double.isFinite(rate) ? "  " + rate(rate) + " steps/s" : "");
        String eta = total > 0 && rate > 0 && Double.isFinite(rate) ? "  " + duration((total - Math.min(step, total)) / rate) + " left" : "";
        String percent = total > 0 ? " " + (int) Math.floor(100.0 * Math.min(step, total) / total) + "%" : "";

        // the bar takes what is left, between 10 and 30 cells; without room it goes first,
        // then the call is shortened, then the time left goes, then the line is cut
        int fixed = head.length() + call.length() + 2 + counter.length() + percent.length() + tail.length() + eta.length();
        int cells = Math.min(30, room - fixed - 3);
        if (total > 0 && cells >= 10)
            return head + call + "  " + counter + " " + bar(cells, (double) Math.min(step, total) / total) + percent + tail + eta;
        for (String end : new String[] {percent + tail + eta, percent + tail}) {
            String rest = "  " + counter + end;
            int callRoom = room - head.length() - rest.length();
            if (callRoom >= Math.min(8, call.length())) return head + ellipsis(call, callRoom) + rest;
        }
        String line = head + counter + percent + tail;
        return line.length() <= room ? line : line.substring(0, room - 1) + "…";
    }

    /**
     * One line of a data file's loading:
     * {@code loading data/big.csv [######----] 60%  180/300 MB  90 MB/s  0:01 left}.
     *
     * @param file the file as the script names it
     * @param read bytes read so far
     * @param size the file's size in bytes (below 1: unknown)
     * @param rate bytes per second so far (NaN or 0 when unknown)
     * @param width the terminal's columns
     */
    public static String renderLoad(String file, long read, long size, double rate, int width) {
        width = Math.max(MIN_WIDTH, width);
        int room = width - 1;
        String head = "loading ";
        boolean known = size > 0;
        double fraction = known ? Math.min(1.0, (double) read / size) : 0;
        String percent = known ? " " + (int) Math.floor(100 * fraction) + "%" : "";
        String amount = "  " + (known ? bytes(Math.min(read, size), size) : bytes(read));
        boolean fast = rate > 0 && Double.isFinite(rate);
        String speed = fast ? "  " + bytes((long) rate) + "/s" : "";
        String eta = known && fast ? "  " + duration((size - Math.min(read, size)) / rate) + " left" : "";
        String tail = percent + amount + speed;
        // as for a run: the bar goes first, then the name is shortened, then the time left goes, then the line is cut
        int cells = Math.min(30, room - (head.length() + file.length() + 1 + tail.length() + eta.length()) - 2);
        if (known && cells >= 10) return head + file + " " + bar(cells, fraction) + tail + eta;
        for (String end : new String[] {tail + eta, tail}) {
            int nameRoom = room - head.length() - end.length();
            if (nameRoom >= Math.min(8, file.length())) return head + ellipsis(file, nameRoom) + end;
        }
        String line = head + file + tail;
        return line.length() <= room ? line : line.substring(0, room - 1) + "…";
    }

    /** Bytes, in powers of 1000: 512 B, 12.5 kB, 300 MB, 1.2 GB. */
    static String bytes(long n) {
        int u = unit(n);
        return inUnit(n, u) + " " + UNITS[u];
    }

    /** Bytes read of a size, in the size's unit: 180/300 MB. */
    static String bytes(long read, long size) {
        int u = unit(size);
        return inUnit(read, u) + "/" + inUnit(size, u) + " " + UNITS[u];
    }

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    private static int unit(long n) {
        int u = 0;
        for (long scale = 1000; u < UNITS.length - 1 && n >= scale; scale *= 1000) u++;
        return u;
    }

    private static String inUnit(long n, int u) {
        return u == 0 ? Long.toString(n) : number1(n / Math.pow(1000, u));
    }

    private static String number1(double v) {
        return v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
    }

    static String bar(int cells, double fraction) {
        int full = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * cells);
        return "[" + "#".repeat(full) + "-".repeat(cells - full) + "]";
    }

    private static String ellipsis(String s, int room) {
        return s.length() <= room ? s : s.substring(0, room - 1) + "…";
    }

    /** A loss in at most about 10 characters: 4 significant digits. */
    static String number(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) {
            String s = String.format(Locale.ROOT, "%.4g", v);
            if (s.contains("e")) return String.format(Locale.ROOT, "%.3e", v);
            return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /** Steps per second: 12.5, 840, 4.5k, 1.2M. */
    static String rate(double r) {
        if (r < 10) return String.format(Locale.ROOT, "%.1f", r);
        if (r < 1e3) return String.format(Locale.ROOT, "%.0f", r);
        if (r < 1e6) return String.format(Locale.ROOT, "%.1fk", r / 1e3);
        return String.format(Locale.ROOT, "%.1fM", r / 1e6);
    }

    /** Seconds as m:ss, or h:mm:ss from an hour. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds > 99 * 3600.0) return "?";
        long s = Math.round(Math.max(0, seconds));
        long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
