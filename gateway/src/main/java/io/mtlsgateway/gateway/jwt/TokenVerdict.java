package io.mtlsgateway.gateway.jwt;

import java.util.Objects;
import java.util.Optional;

/** The validator's answer about one token. */
public sealed interface TokenVerdict permits TokenVerdict.Accepted, TokenVerdict.Refused {

    /** The token is valid for this issuer and this connection. */
    record Accepted(VerifiedToken token) implements TokenVerdict {
        public Accepted {
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * The token is refused.
     *
     * @param reason bounded, for the metric and the answer
     * @param detail for the log: what exactly is wrong; never the token, never a whole claim set
     * @param subject the token's {@code sub}, once its signature verified (for the log line)
     * @param id the token's {@code jti}, once its signature verified
     * @param keyId the {@code kid} a token named that the key set lacks, for {@link JwtRejection#UNKNOWN_KEY}
     */
    record Refused(JwtRejection reason, String detail, Optional<String> subject, Optional<String> id,
            Optional<String> keyId) implements TokenVerdict {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(keyId, "keyId");
        }

        /** A refusal before anything in the token could be trusted. */
        static Refused of(JwtRejection reason, String detail) {
            return new Refused(reason, detail, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }
}
