package io.mtlsgateway.gateway.tls;

import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.internal.tcnative.SSL;
import io.netty.util.ReferenceCounted;
import javax.net.ssl.SSLEngine;

/**
 * A listener's server context with {@code sessionTickets: false}: no session of this listener is
 * ever resumed. Netty clears BoringSSL's {@code SSL_OP_NO_TICKET} on every TLS 1.3 engine it creates
 * (BoringSSL resumes TLS 1.3 only through tickets) and offers no per-context switch, so this sets
 * it again on each engine of this context only, before its handshake starts: BoringSSL then neither
 * issues tickets nor accepts them. The session-ID cache (TLS 1.2 resumption) is switched off on
 * the context. Other listeners' contexts are untouched.
 *
 * <p>Reference counting is the wrapped context's: retaining or releasing this retains or releases it.
 */
final class TicketlessSslContext extends DelegatingSslContext implements ReferenceCounted {
    private final SslContext context;

    TicketlessSslContext(SslContext context) {
        super(context);
        if (!(context instanceof ReferenceCounted)) {
            throw new IllegalArgumentException("expected a reference-counted BoringSSL context");
        }
        this.context = context;
        ((OpenSslSessionContext) context.sessionContext()).setSessionCacheEnabled(false);
    }

    @Override
    protected void initEngine(SSLEngine engine) {
        if (!(engine instanceof ReferenceCountedOpenSslEngine openSsl)) {
            throw new IllegalStateException("expected a BoringSSL engine, got " + engine.getClass().getName());
        }
        SSL.setOptions(openSsl.sslPointer(), SSL.SSL_OP_NO_TICKET);
    }

    private ReferenceCounted counted() {
        return (ReferenceCounted) context;
    }

    @Override
    public int refCnt() {
        return counted().refCnt();
    }

    @Override
    public ReferenceCounted retain() {
        counted().retain();
        return this;
    }

    @Override
    public ReferenceCounted retain(int increment) {
        counted().retain(increment);
        return this;
    }

    @Override
    public ReferenceCounted touch() {
        counted().touch();
        return this;
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        counted().touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return counted().release();
    }

    @Override
    public boolean release(int decrement) {
        return counted().release(decrement);
    }
}
