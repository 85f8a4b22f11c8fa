package io.mtlsgateway.gateway.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.Executor;

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
    private final Executor verification;
    private boolean first = true;

    private HandshakeTaskExecutor(Executor verification) {
        this.verification = verification;
    }

    /** A server connection's TLS handler from {@code context}, its tasks run as described above. */
    public static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, Executor verification) {
        return context.newHandler(alloc, new HandshakeTaskExecutor(verification));
    }

    @Override
    public void execute(Runnable task) {
        if (first) {
            first = false;
            // Netty's task runner goes back to the event loop through its task queue when done, even when it
            // ran on the loop, so running it here re-enters nothing.
            task.run();
        } else {
            verification.execute(task);
        }
    }
}
