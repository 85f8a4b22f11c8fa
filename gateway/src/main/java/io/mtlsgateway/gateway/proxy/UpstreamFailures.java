package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.upstream.PoolExhaustedException;
import io.mtlsgateway.gateway.upstream.UpstreamAlpnException;
import io.mtlsgateway.gateway.upstream.UpstreamStreamException;
import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import javax.net.ssl.SSLException;

/** Which error a failure to get an upstream connection is: overload, timeout, TLS (by reason) or unavailable. */
final class UpstreamFailures {
    private UpstreamFailures() {}

    static ProxyError classify(Throwable cause) {
        if (cause instanceof PoolExhaustedException) {
            return ProxyError.UPSTREAM_OVERLOADED;
        }
        if (cause instanceof ConnectTimeoutException || cause instanceof SslHandshakeTimeoutException) {
            return ProxyError.UPSTREAM_CONNECT_TIMEOUT;
        }
        if (cause instanceof UpstreamAlpnException) {
            return ProxyError.UPSTREAM_TLS_NO_H2;
        }
        var rejected = ClientCertificateRejectedException.in(cause);
        if (rejected.isPresent()) {
            return tls(rejected.get().rejection().reason());
        }
        if (cause instanceof SSLException) {
            return ProxyError.UPSTREAM_TLS_HANDSHAKE;
        }
        return ProxyError.UPSTREAM_UNAVAILABLE;
    }

    /**
     * The error of a connection (or h2 stream) that broke while in use before any response: a TLS alert from
     * the upstream (with TLS 1.3 the upstream judges the gateway's certificate after the
     * gateway's handshake is done, so a refusal arrives as the first read) or a plain reset.
     */
    static ProxyError closed(Throwable cause) {
        if (cause instanceof UpstreamStreamException stream) {
            // An h2 stream reset, or left out by a GOAWAY: unprocessed, the upstream did not take it.
            return stream.unprocessed() ? ProxyError.UPSTREAM_UNAVAILABLE : ProxyError.UPSTREAM_RESET;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Http2Exception) {
                // The h2 upstream sent something Netty's decoder refused (a malformed response head).
                return ProxyError.UPSTREAM_PROTOCOL_ERROR;
            }
            if (t instanceof SSLException) {
                return ProxyError.UPSTREAM_TLS_HANDSHAKE;
            }
        }
        return ProxyError.UPSTREAM_RESET;
    }

    /** The error of a verifier rejection of the upstream's certificate. */
    static ProxyError tls(HandshakeReason reason) {
        return switch (reason) {
            case UNTRUSTED -> ProxyError.UPSTREAM_TLS_UNTRUSTED;
            case EXPIRED -> ProxyError.UPSTREAM_TLS_EXPIRED;
            case NOT_YET_VALID -> ProxyError.UPSTREAM_TLS_NOT_YET_VALID;
            case REVOKED -> ProxyError.UPSTREAM_TLS_REVOKED;
            case CRL_EXPIRED -> ProxyError.UPSTREAM_TLS_CRL_EXPIRED;
            case BAD_USAGE -> ProxyError.UPSTREAM_TLS_BAD_USAGE;
            case CONSTRAINTS -> ProxyError.UPSTREAM_TLS_CONSTRAINTS;
            case WEAK_KEY -> ProxyError.UPSTREAM_TLS_WEAK_KEY;
            case MALFORMED -> ProxyError.UPSTREAM_TLS_MALFORMED;
            case DEPTH -> ProxyError.UPSTREAM_TLS_DEPTH;
            case NAME_MISMATCH -> ProxyError.UPSTREAM_TLS_NAME_MISMATCH;
            case PIN_MISMATCH -> ProxyError.UPSTREAM_TLS_PIN_MISMATCH;
            // Not produced for upstreams (no OCSP, a TLS server always sends a certificate), and
            // handshake outcomes that are not a verdict on a certificate.
            case NO_CERTIFICATE, REVOCATION_UNKNOWN, NONE, TIMEOUT, CLOSED, PROTOCOL, OTHER, UNKNOWN_SNI ->
                    ProxyError.UPSTREAM_TLS_HANDSHAKE;
        };
    }
}
