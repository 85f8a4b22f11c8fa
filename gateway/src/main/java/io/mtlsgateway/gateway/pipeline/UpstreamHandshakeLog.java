package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.logging.Logger;

/**
 * One WARN line per failed handshake with an upstream, with the reason the error metric counts
 * ({@code untrusted}, {@code name_mismatch}, ... or {@code handshake} when the upstream, not our
 * verifier, ended it) and the verifier's explanation. Leaves the pipeline once the handshake ends.
 */
final class UpstreamHandshakeLog extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(UpstreamHandshakeLog.class.getName());

    private final String upstream;
    private final HostPort endpoint;

    UpstreamHandshakeLog(String upstream, HostPort endpoint) {
        this.upstream = upstream;
        this.endpoint = endpoint;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                log(done.cause());
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void log(Throwable cause) {
        var rejected = ClientCertificateRejectedException.in(cause);
        String reason = rejected.map(r -> r.rejection().reason().label()).orElse("handshake");
        String detail = rejected.map(r -> r.rejection().detail()).orElseGet(() -> describe(cause));
        LOG.warning(() -> "upstream " + upstream + " " + endpoint + ": TLS refused (" + reason + "): " + detail
                + "; nothing was sent");
    }

    /** The innermost message: BoringSSL's words, such as an alert the upstream sent. */
    private static String describe(Throwable cause) {
        Throwable inner = cause;
        while (inner.getCause() != null && inner.getCause() != inner) {
            inner = inner.getCause();
        }
        return inner.getClass().getSimpleName() + ": " + inner.getMessage();
    }
}
