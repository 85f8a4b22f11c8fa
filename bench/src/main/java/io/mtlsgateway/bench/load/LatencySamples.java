package io.mtlsgateway.bench.load;

import java.util.Arrays;

/**
 * Every latency of the measurement window, in nanoseconds, kept exactly.
 *
 * <p>A run is bounded by {@code --max-requests}, so keeping each sample (8 bytes) is affordable and
 * percentiles need no histogram approximation. Not thread-safe: each {@link Slot} owns one.
 */
final class LatencySamples {
    private long[] values = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = nanos;
    }

    int size() {
        return size;
    }

    /** All samples of {@code parts}, sorted ascending. */
    static long[] sortedUnion(Iterable<LatencySamples> parts) {
        int total = 0;
        for (LatencySamples part : parts) {
            total += part.size;
        }
        long[] all = new long[total];
        int at = 0;
        for (LatencySamples part : parts) {
            System.arraycopy(part.values, 0, all, at, part.size);
            at += part.size;
        }
        Arrays.sort(all);
        return all;
    }

    /** Nearest-rank percentile of sorted samples, {@code 0 < p <= 1}; 0 when there are none. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
