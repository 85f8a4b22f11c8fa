package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The one log line per refused token: route, reason, the client certificate's subject, the token's
 * {@code sub} and {@code jti} (once its signature verified), and what was wrong. Never the token.
 */
public final class TokenRefusalLog {
    private static final Logger LOG = Logger.getLogger(TokenRefusalLog.class.getName());

    private TokenRefusalLog() {}

    public static void log(String route, PeerIdentity identity, TokenRefusal refusal) {
        LOG.info(() -> line(route, identity, refusal));
    }

    static String line(String route, PeerIdentity identity, TokenRefusal refusal) {
        return "token refused: route=" + route + " reason=" + refusal.reason().label()
                + " cert_subject=" + (identity == null ? "-" : quoted(identity.subject()))
                + " sub=" + shown(refusal.subject()) + " jti=" + shown(refusal.id())
                + " detail=\"" + KeySet.printable(refusal.detail(), 400).replace("\"", "'") + "\"";
    }

    private static String shown(Optional<String> value) {
        return value.map(TokenRefusalLog::quoted).orElse("-");
    }

    /** Quoted, printable, cut: a claim is the client's text and must not forge log lines. */
    private static String quoted(String text) {
        return "\"" + KeySet.printable(text).replace("\"", "'") + "\"";
    }
}
