package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.identity.PeerHeaders;
import io.mtlsgateway.gateway.jwt.RouteTokenPolicy;
import io.mtlsgateway.gateway.jwt.VerifiedToken;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Optional;

/**
 * The request head the upstream receives, written from a {@link RequestPlan.Forward}: hop-by-hop
 * headers dropped, the client's copies of identity headers stripped and then the trustworthy ones
 * set, the forwarding headers set, the target rewritten.
 */
final class ForwardedRequest {
    /** Our Via entry (RFC 9110 section 7.6.3): a pseudonym, never a host name or version. */
    static final String VIA = "1.1 mtls-gateway";
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private ForwardedRequest() {}

    /**
     * @param identity the verified client's headers from {@code identityHeaders} (with a null identity
     *     when it sent no certificate)
     * @param clientAddress the client's IP address, for X-Forwarded-For
     * @param xfccTrimmed run when the XFCC element had to leave out SAN pairs to fit its budget
     */
    static HttpRequest of(HttpRequest request, RequestPlan.Forward plan, IdentityHeaderWriter identityHeaders,
            PeerHeaders identity, String clientAddress, boolean via, Runnable xfccTrimmed) {
        // A copy, not the decoded headers rewritten in place: those validate every value set, and a
        // template such as "${jwt.sub} via ${spiffe}" renders with a leading space without a token,
        // which was always forwarded as it is (the recipient drops the whitespace).
        HttpHeaders headers = request.headers().copy();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String upgrade = plan.upgrade() ? headers.get(HttpHeaderNames.UPGRADE) : null;
        String host = headers.get(HttpHeaderNames.HOST);
        HopByHopHeaders.strip(headers);
        if (plan.upgrade()) {
            // The one hop-by-hop exchange we relay: the upstream must see the switch requested.
            headers.set(HttpHeaderNames.UPGRADE, upgrade);
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        if (via) {
            headers.add(HttpHeaderNames.VIA, VIA);
        }
        headers.remove(HttpHeaderNames.EXPECT);
        identityHeaders.strip(headers);
        if (identityHeaders.set(headers, identity, claim -> plan.token().flatMap(token -> token.text(claim)))) {
            xfccTrimmed.run();
        }
        plan.tokenPolicy().ifPresent(policy -> tokenHeaders(headers, policy, plan.token()));
        headers.set(X_FORWARDED_FOR, clientAddress);
        headers.set(X_FORWARDED_PROTO, HTTPS);
        headers.set(X_FORWARDED_HOST, host);
        HttpRequest upstream = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), plan.target(), headers);
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(upstream, true);
        }
        return upstream;
    }

    /**
     * Claim headers from the verified token only (the writer stripped the client's copies), and the
     * Authorization header removed when the issuer says not to forward the token.
     */
    private static void tokenHeaders(HttpHeaders headers, RouteTokenPolicy policy, Optional<VerifiedToken> token) {
        if (token.isPresent()) {
            policy.claimHeaders().forEach((header, claim) -> token.get().text(claim)
                    .ifPresent(value -> headers.set(header, value)));
        }
        if (!policy.forwardToken()) {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
        }
    }
}
