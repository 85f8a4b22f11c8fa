package io.mtlsgateway.gateway.routing;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.gateway.identity.DistinguishedNameMatch;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Who may use a route: any of its allow rules, or any verified client when it has none. A caller
 * without a certificate (possible on {@code clientAuth: optional} listeners) passes only a route
 * without rules.
 */
public final class AccessPolicy {
    private final List<Predicate<PeerIdentity>> rules;

    private AccessPolicy(List<Predicate<PeerIdentity>> rules) {
        this.rules = rules;
    }

    /**
     * The policy of a route's allow list.
     *
     * @throws IllegalArgumentException for a subject that is not a distinguished name
     */
    public static AccessPolicy of(List<AllowRule> allow) {
        return new AccessPolicy(allow.stream().map(AccessPolicy::compile).toList());
    }

    /** Whether this caller may use the route; {@code identity} is null for a caller without a certificate. */
    public boolean allows(PeerIdentity identity) {
        if (rules.isEmpty()) {
            return true;
        }
        if (identity == null) {
            return false;
        }
        for (Predicate<PeerIdentity> rule : rules) {
            if (rule.test(identity)) {
                return true;
            }
        }
        return false;
    }

    private static Predicate<PeerIdentity> compile(AllowRule rule) {
        String value = rule.value();
        return switch (rule.kind()) {
            case SPIFFE -> spiffe(value);
            case SUBJECT -> subject(value);
            case SAN_DNS -> dnsName(value.toLowerCase(Locale.ROOT));
            case FINGERPRINT -> {
                String pinned = value.replace(":", "").toLowerCase(Locale.ROOT);
                yield identity -> identity.fingerprint().equals(pinned);
            }
        };
    }

    private static Predicate<PeerIdentity> spiffe(String value) {
        if (value.endsWith("/*")) {
            // A trust domain: every ID under it, never the bare domain or a look-alike prefix.
            String domainPrefix = value.substring(0, value.length() - 1);
            return identity -> identity.spiffe().filter(id -> id.startsWith(domainPrefix)
                    && id.length() > domainPrefix.length()).isPresent();
        }
        return identity -> identity.spiffe().filter(value::equals).isPresent();
    }

    private static Predicate<PeerIdentity> subject(String value) {
        // By meaning (RFC 4517 distinguishedNameMatch), not as strings: OpenSSL's and Java's
        // spellings, OIDs for names, case and insignificant spaces all compare equal.
        DistinguishedNameMatch wanted = DistinguishedNameMatch.of(value);
        return identity -> wanted.matches(identity.subject());
    }

    private static Predicate<PeerIdentity> dnsName(String pattern) {
        if (pattern.startsWith("*.")) {
            String suffix = pattern.substring(1);
            return identity -> identity.sanDns().stream().map(n -> n.toLowerCase(Locale.ROOT)).anyMatch(name ->
                    name.endsWith(suffix) && name.length() > suffix.length()
                            && name.indexOf('.') == name.length() - suffix.length());
        }
        return identity -> identity.sanDns().stream().anyMatch(pattern::equalsIgnoreCase);
    }
}
