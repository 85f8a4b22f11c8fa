package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.upstream.PoolExhaustedException;
import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import io.mtlsgateway.gateway.verify.RejectionReason;
import io.netty.channel.ConnectTimeoutException;
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
     * The error of a connection that broke while in use before any response: a TLS alert from
     * the upstream (with TLS 1.3 the upstream judges the gateway's certificate after the
     * gateway's handshake is done, so a refusal arrives as the first read) or a plain reset.
     */
    static ProxyError closed(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return ProxyError.UPSTREAM_TLS_HANDSHAKE;
            }
        }
        return ProxyError.UPSTREAM_RESET;
    }

    /** The error of a verifier rejection of the upstream's certificate. */
    static ProxyError tls(RejectionReason reason) {
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
            // Not produced for upstreams (no OCSP, a TLS server always sends a certificate).
            case NO_CERTIFICATE, REVOCATION_UNKNOWN -> ProxyError.UPSTREAM_TLS_HANDSHAKE;
        };
    }
}
