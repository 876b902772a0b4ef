package dev.descent.check;

import java.util.Collection;

/** "Did you mean …?" for misspelt names. */
public final class Names {
    private Names() {}

    /** The closest candidate to {@code name}, or null when none is close enough to be a likely typo. */
    public static String closest(String name, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        if (name.length() > 64) return null; // a typo is not 64 letters long, and distance() is quadratic
        if (name.length() <= 1) { // every one-letter name is one edit from every other
            for (String c : candidates) if (c.equalsIgnoreCase(name) && !c.equals(name)) return c;
            return null;
        }
        int limit = Math.max(1, Math.min(3, name.length() / 3));
        for (String c : candidates) {
            if (c.equals(name) || Math.abs(c.length() - name.length()) > limit + 1) continue;
            int d = distance(name, c);
            if (d < bestD || d == bestD && best != null && c.compareTo(best) < 0) {
                bestD = d;
                best = c;
            }
        }
        if (best != null && (bestD <= limit || best.equalsIgnoreCase(name))) return best;
        return null;
    }

    /** A hint "did you mean 'x'?" or null. */
    public static String didYouMean(String name, Collection<String> candidates) {
        String c = closest(name, candidates);
        return c == null ? null : "did you mean '" + c + "'?";
    }

    /** Optimal string alignment distance (Levenshtein with transpositions), case-insensitive substitutions cost 0. */
    static int distance(String a, String b) {
        int n = a.length(), m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) d[i][0] = i;
        for (int j = 0; j <= m; j++) d[0][j] = j;
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                char x = a.charAt(i - 1), y = b.charAt(j - 1);
                int cost = x == y || Character.toLowerCase(x) == Character.toLowerCase(y) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && x == b.charAt(j - 2) && a.charAt(i - 2) == y) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
        return d[n][m];
    }
}
