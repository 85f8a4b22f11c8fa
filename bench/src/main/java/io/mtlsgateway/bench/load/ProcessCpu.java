package io.mtlsgateway.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

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
                ticks += ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return ticks * 1_000_000_000L / clockTicks;
    }

    /**
     * CPU nanoseconds of the JIT compiler threads ({@code C1/C2 CompilerThread}) of {@code pids}, which only JVMs
     * have: compiling is warm-up work, not the cost of a request, and on a busy machine a JVM is still compiling
     * long after its priming. -1 if a process cannot be read. A compiler thread that exits takes its time out of
     * this sum (not out of {@link #nanos}), so the figure without the JIT is an upper bound.
     */
    static long jitNanos(List<Long> pids, int clockTicks) {
        if (pids.isEmpty()) {
            return -1;
        }
        long ticks = 0;
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException gone) {
                        continue; // the thread ended between the listing and the read
                    }
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                        ticks += ticks(stat);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return ticks * 1_000_000_000L / clockTicks;
    }

    // utime + stime of one stat line. The command name (field 2) is in parentheses and may hold spaces: count
    // fields after the last ')'. After the name, state is field 3, so utime (14) and stime (15) are at 11 and 12.
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
