package io.mtlsgateway.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known word a misspelt one was probably meant to be ("did you mean"). */
final class Suggestions {
    private static final int MAX_DISTANCE = 2;

    private Suggestions() {}

    /** The closest candidate within a small edit distance, ignoring case, if any. */
    static Optional<String> closest(String word, Collection<String> candidates) {
        String lower = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(lower, candidate.toLowerCase(Locale.ROOT));
            // A short word is "close" to almost anything; only suggest when it is mostly right.
            int allowed = Math.min(MAX_DISTANCE, Math.max(candidate.length(), lower.length()) / 3);
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code "(did you mean 'x'? expected: ...)"}, or {@code "(expected: ...)"} when nothing is close. */
    static String expected(String word, Collection<String> candidates, String expected) {
        return "(" + closest(word, candidates).map(c -> "did you mean '" + c + "'? ").orElse("")
                + "expected: " + expected + ")";
    }

    /** Levenshtein distance, bounded in cost by the short keys it is used on. */
    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > MAX_DISTANCE || a.length() > 256 || b.length() > 256) {
            return Integer.MAX_VALUE;
        }
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
