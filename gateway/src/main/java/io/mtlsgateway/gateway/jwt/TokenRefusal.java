package io.mtlsgateway.gateway.jwt;

import java.util.Objects;
import java.util.Optional;

/**
 * A request refused for its token, with what the answer and the one log line need.
 *
 * @param realm the RFC 6750 realm: the issuer's name in the route file
 * @param detail what exactly was wrong, for the log only
 */
public record TokenRefusal(JwtRejection reason, String realm, String detail, Optional<String> subject,
        Optional<String> id) {
    public TokenRefusal {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(realm, "realm");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(id, "id");
    }

    /**
     * The {@code WWW-Authenticate} value (RFC 6750 section 3): a bare challenge when no token was
     * sent, otherwise with {@code error} and a fixed {@code error_description}.
     */
    public String challenge() {
        StringBuilder out = new StringBuilder("Bearer realm=\"").append(realm).append('"');
        if (reason.errorCode() != null) {
            out.append(", error=\"").append(reason.errorCode()).append("\", error_description=\"")
                    .append(reason.description()).append('"');
        }
        return out.toString();
    }
}
