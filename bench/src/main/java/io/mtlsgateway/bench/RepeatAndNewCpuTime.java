package io.mtlsgateway.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Server CPU time of {@link GatewayHandshakeBenchmark}'s handshakes split by what the verifier saw: a repeat
 * client (verdict cache hit) or a new one (miss). Divide each {@code ...ServerCpuNanos} by its
 * {@code ...Handshakes}. In the {@code alternating} case both kinds run interleaved, one by one, in the same JVM,
 * so their ratio is free of what differs between two separate runs on a shared machine (load, JIT progress,
 * caches): that ratio is the one to read for "a new client costs N times a repeat client".
 *
 * <p>Not final: JMH generates a subclass of every state.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class RepeatAndNewCpuTime {
    /** Server CPU nanoseconds of handshakes by the repeat client. */
    public long repeatServerCpuNanos;
    /** Handshakes by the repeat client. */
    public long repeatHandshakes;
    /** Server CPU nanoseconds of handshakes by clients the verifier had not cached. */
    public long newServerCpuNanos;
    /** Handshakes by such clients. */
    public long newHandshakes;

    @Setup(Level.Iteration)
    public void reset() {
        repeatServerCpuNanos = 0;
        repeatHandshakes = 0;
        newServerCpuNanos = 0;
        newHandshakes = 0;
    }
}
