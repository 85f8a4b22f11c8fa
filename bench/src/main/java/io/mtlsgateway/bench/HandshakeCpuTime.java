package io.mtlsgateway.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CPU time of the benchmark thread, summed over the measured iterations of a handshake benchmark; divide by
 * {@link #handshakes}. Each reading is a system call (well under a microsecond), small next to a handshake.
 * On a shared machine CPU time per handshake is far steadier than wall time, which counts time descheduled.
 *
 * <p>Shared by the handshake benchmarks so their secondary metrics have the same names and meaning.
 * Not final: JMH generates a subclass of every state.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class HandshakeCpuTime {
    /** CPU nanoseconds of whole handshakes (both engines, engine creation and release). */
    public long cpuNanos;
    /** CPU nanoseconds inside server {@code beginHandshake}/{@code wrap}/{@code unwrap} and its delegated tasks. */
    public long serverCpuNanos;
    /** Handshakes completed. */
    public long handshakes;

    @Setup(Level.Iteration)
    public void reset() {
        cpuNanos = 0;
        serverCpuNanos = 0;
        handshakes = 0;
    }
}
