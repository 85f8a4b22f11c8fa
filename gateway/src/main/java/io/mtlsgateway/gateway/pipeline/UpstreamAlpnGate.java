package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.gateway.upstream.UpstreamAlpnException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.logging.Logger;

/**
 * Holds the place of the HTTP/2 stages of a {@code protocol: h2} upstream connection until the TLS
 * handshake is done, then puts them in its place if the upstream chose {@code h2} in ALPN. An
 * upstream that chose nothing (or anything else) is refused: one WARN line, and the connection
 * fails with an {@link UpstreamAlpnException}, so its requests get 502 and the error is counted.
 * Nothing of HTTP/2 is written before that, so such an upstream never sees an h2 preface.
 */
final class UpstreamAlpnGate extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(UpstreamAlpnGate.class.getName());

    private final String upstream;
    private final HostPort endpoint;

    UpstreamAlpnGate(String upstream, HostPort endpoint) {
        this.upstream = upstream;
        this.endpoint = endpoint;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
            String chosen = ctx.pipeline().get(SslHandler.class).applicationProtocol();
            if (ApplicationProtocolNames.HTTP_2.equals(chosen)) {
                ctx.fireUserEventTriggered(evt);
                ChannelPipeline pipeline = ctx.pipeline();
                pipeline.remove(this);
                UpstreamHttp2.install(pipeline);
                return;
            }
            String what = chosen == null ? "no protocol" : "'" + chosen + "'";
            LOG.warning(() -> "upstream " + upstream + " " + endpoint + ": refused: protocol h2 is configured but"
                    + " the upstream chose " + what + " in ALPN; nothing was sent");
            ctx.fireUserEventTriggered(evt);
            ctx.fireExceptionCaught(new UpstreamAlpnException(upstream, endpoint, chosen));
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
