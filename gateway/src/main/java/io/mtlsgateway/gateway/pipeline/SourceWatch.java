package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.ssl.SslHandler;

/**
 * Tells the per-source limits ({@link SourceGate}) how the TLS start of a connection went, for a
 * stage that chooses the TLS handler itself ({@link HostSelectionHandler}).
 */
interface SourceWatch {
    SourceWatch NONE = new SourceWatch() {
        @Override
        public void tls(SslHandler tls) {}

        @Override
        public void endedWithoutTls(boolean counts) {}
    };

    /** The TLS handler the connection continues with: its handshake is watched from here. */
    void tls(SslHandler tls);

    /** No TLS handler came: refused ({@code counts}) or the client left before its ClientHello. */
    void endedWithoutTls(boolean counts);
}
