package io.mtlsgateway.gateway.tls;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Where one server connection's delegated TLS tasks run: the first on the connection's event loop, every later
 * one on the verification executor.
 *
 * <p>With {@code USE_TASKS} BoringSSL hands out a task for each callback. The first of every server handshake,
 * full or resumed, is Netty's certificate callback (choosing the server's key material; BoringSSL calls it on the
 * ClientHello, before it looks at the client's ticket or certificate); the engine then goes on with the handshake
 * on the thread that ran it. A resumed handshake has no other task (its re-check of the chain runs on the event
 * loop when the handshake completes), so sent to the executor it paid two thread hand-offs, and waited in the
 * executor's queue behind new clients' verifications, for work that never blocks and that any TLS server does
 * on its loop. Only the client-chain verification of a full handshake (a second task: up to a millisecond for a
 * new client, and OCSP) is worth moving off the loop, and it still is.
 *
 * <p>If a handshake's first task ever were the verification, it would run on the event loop, where the verifier
 * already behaves as it does when the bounded executor runs a task on its caller: cached OCSP answers only.
 *
 * <p>One instance per connection; {@link SslHandler} calls {@link #execute} only from the connection's event loop
 * (a later task is scheduled when the previous one completes, back on the loop).
 */
public final class HandshakeTaskExecutor implements Executor {
    /** Where a connection's executor is kept, so a handshake that runs out of time can say what was pending. */
    private static final AttributeKey<HandshakeTaskExecutor> KEY = AttributeKey.valueOf("handshake-task-executor");

    /**
     * How far the gateway's verification of the client's chain got: the handshake timeout counts the
     * gateway's own time too (a queue of verifications under load, a slow OCSP responder), so a
     * handshake that runs out of time must not be blamed on the client when the gateway was the one late.
     */
    public enum Verification {
        /** Not handed out yet: the client had not sent a chain to verify (or resumed without one). */
        NOT_STARTED,
        /** Waiting in the verification executor's queue for a thread. */
        QUEUED,
        /** Running (a slow OCSP responder, a machine short of CPU). */
        RUNNING,
        /** Finished: what was left was the client's, or the event loop's. */
        DONE
    }

    private final Executor verification;
    private boolean first = true;
    /** Written by the event loop and the verification thread, read by the event loop at a timeout. */
    private volatile Verification state = Verification.NOT_STARTED;

    private HandshakeTaskExecutor(Executor verification) {
        this.verification = verification;
    }

    /**
     * A server connection's TLS handler from {@code context}, its tasks run as described above; the
     * executor is kept on {@code channel} for {@link #verificationOf}.
     */
    public static SslHandler newHandler(SslContext context, Channel channel, Executor verification) {
        HandshakeTaskExecutor executor = new HandshakeTaskExecutor(verification);
        channel.attr(KEY).set(executor);
        return context.newHandler(channel.alloc(), executor);
    }

    /** How far the verification of {@code channel}'s client chain got; empty for a channel without this executor. */
    public static Optional<Verification> verificationOf(Channel channel) {
        return Optional.ofNullable(channel.attr(KEY).get()).map(executor -> executor.state);
    }

    /**
     * How many tasks wait in the queue of {@code channel}'s verification executor now, or -1 when it
     * has no queue to ask.
     */
    public static int queuedVerifications(Channel channel) {
        HandshakeTaskExecutor executor = channel.attr(KEY).get();
        return executor != null && executor.verification instanceof ThreadPoolExecutor pool ? pool.getQueue().size() : -1;
    }

    @Override
    public void execute(Runnable task) {
        if (first) {
            first = false;
            // Netty's task runner goes back to the event loop through its task queue when done, even when it
            // ran on the loop, so running it here re-enters nothing.
            task.run();
        } else {
            state = Verification.QUEUED;
            verification.execute(() -> {
                state = Verification.RUNNING;
                try {
                    task.run();
                } finally {
                    state = Verification.DONE;
                }
            });
        }
    }
}
