package io.mtlsgateway.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Drives a client and a server {@link SSLEngine} through a handshake in memory, on the calling thread, and
 * charges the CPU time spent inside the server engine to {@link HandshakeCpuTime#serverCpuNanos}.
 *
 * <p>Delegated tasks are run inline as soon as an engine asks for them: with {@code USE_TASKS} the OpenSSL
 * engine hands out the client-certificate verification as such a task, and running it here is what puts
 * the verifier's CPU time into the server's share. The network buffers are reused from one handshake to
 * the next, so one instance serves one benchmark thread.
 */
final class InMemoryHandshake {
    // A handshake flight can hold several records and wrap() insists on a whole packet of free space,
    // so each direction gets room for many packets.
    private static final int NETWORK_BUFFER_BYTES = 256 * 1024;
    private static final int APPLICATION_BUFFER_BYTES = 64 * 1024;
    // A TLS 1.2 or 1.3 handshake needs 2-3 round trips; anything far beyond that is a stuck state machine.
    private static final int MAX_ROUNDS = 32;
    private static final int MAX_STEPS_PER_TURN = 64;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final ByteBuffer clientToServer;
    private final ByteBuffer serverToClient;
    private final ByteBuffer applicationData;

    /**
     * @param direct direct buffers, as {@code SslHandler} hands the OpenSSL engine; heap buffers for the JDK one
     */
    InMemoryHandshake(boolean direct) {
        clientToServer = allocate(NETWORK_BUFFER_BYTES, direct);
        serverToClient = allocate(NETWORK_BUFFER_BYTES, direct);
        applicationData = allocate(APPLICATION_BUFFER_BYTES, direct);
    }

    /** Fails fast where the CPU-time counters would silently read zero. */
    static void requireThreadCpuTime() {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time");
        }
    }

    /** CPU nanoseconds the calling thread has used so far. */
    static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** Runs the handshake to completion and returns the bytes exchanged; throws if it cannot complete. */
    int run(SSLEngine client, SSLEngine server, HandshakeCpuTime time) throws SSLException {
        clientToServer.clear();
        serverToClient.clear();
        client.beginHandshake();
        long start = threadCpuNanos();
        server.beginHandshake();
        time.serverCpuNanos += threadCpuNanos() - start;

        boolean clientFinished = false;
        boolean serverFinished = false;
        int bytes = 0;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            bytes -= clientToServer.position();
            clientFinished |= takeTurn(client, serverToClient, clientToServer);
            bytes += clientToServer.position();

            bytes -= serverToClient.position();
            start = threadCpuNanos();
            serverFinished |= takeTurn(server, clientToServer, serverToClient);
            time.serverCpuNanos += threadCpuNanos() - start;
            bytes += serverToClient.position();

            if (clientFinished && serverFinished && isEstablished(client) && isEstablished(server)) {
                return bytes;
            }
        }
        throw new IllegalStateException("handshake did not complete in " + MAX_ROUNDS + " rounds: client "
                + client.getHandshakeStatus() + " finished=" + clientFinished + ", server "
                + server.getHandshakeStatus() + " finished=" + serverFinished);
    }

    private static boolean isEstablished(SSLEngine engine) {
        // A failed engine also stops handshaking, but it has closed at least one direction.
        return engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                && !engine.isInboundDone() && !engine.isOutboundDone();
    }

    /**
     * Lets one engine work until it waits for its peer. {@code in} and {@code out} are in write mode.
     *
     * @return whether it finished its handshake
     */
    private boolean takeTurn(SSLEngine engine, ByteBuffer in, ByteBuffer out) throws SSLException {
        boolean finished = false;
        // Whether the engine may have buffered work that only an unwrap call (even an empty one) advances.
        boolean mayAdvance = false;
        for (int step = 0; step < MAX_STEPS_PER_TURN; step++) {
            SSLEngineResult result;
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                    mayAdvance = true;
                    continue;
                }
                case NEED_WRAP -> result = engine.wrap(EMPTY, out);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    // The OpenSSL engine resumes its state machine only inside unwrap: after delegated tasks, and
                    // (TLS 1.2 client) after the record carrying the server's Finished was consumed. So it is
                    // called once more without new input before concluding that it waits for its peer.
                    if (in.position() == 0 && !mayAdvance) {
                        return finished;
                    }
                    in.flip();
                    try {
                        result = engine.unwrap(in, applicationData);
                    } finally {
                        in.compact();
                        applicationData.clear();
                    }
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || result.bytesConsumed() == 0 && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP) {
                        return finished; // no whole record left; the peer has not written the rest yet
                    }
                    mayAdvance = result.bytesConsumed() > 0;
                }
                default -> {
                    // NOT_HANDSHAKING after beginHandshake means done. Only a wrap/unwrap result can say FINISHED,
                    // and the OpenSSL engine may complete inside a delegated task, so this is the other signal.
                    return true;
                }
            }
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                throw new IllegalStateException("unexpected " + result + " from " + engine.getClass().getSimpleName());
            }
            finished |= result.getHandshakeStatus() == HandshakeStatus.FINISHED;
        }
        throw new IllegalStateException("engine made no handshake progress in " + MAX_STEPS_PER_TURN + " steps");
    }

    private static ByteBuffer allocate(int bytes, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
    }
}
