package io.mtlsgateway.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time (user + system) of other processes, read from {@code /proc/PID/stat}.
 *
 * <p>On a shared machine the wall-clock throughput of a proxy depends on what else runs; the CPU time it burns
 * per request does much less, so the load client samples the proxy's processes at the edges of the measurement
 * window. Linux only; a process that cannot be read makes the figure unavailable rather than wrong.
 */
final class ProcessCpu {
    private ProcessCpu() {}

    /** Summed CPU nanoseconds of {@code pids}, or -1 if any of them cannot be read (or none are given). */
    static long nanos(List<Long> pids, int clockTicks) {
        if (pids.isEmpty()) {
            return -1;
        }
        long ticks = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                // After the name: state is field 3, so utime (14) and stime (15) are at indices 11 and 12.
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return ticks * 1_000_000_000L / clockTicks;
    }
}
