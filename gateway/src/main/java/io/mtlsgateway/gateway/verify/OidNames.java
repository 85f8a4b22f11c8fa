package io.mtlsgateway.gateway.verify;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Names for the OIDs a verification message mentions (extended key usages, extensions), the short
 * names OpenSSL prints, so a message says {@code serverAuth} where the certificate says
 * {@code 1.3.6.1.5.5.7.3.1}. An OID without a name here is shown dotted.
 */
final class OidNames {
    private static final Map<String, String> NAMES = Map.ofEntries(
            // Extended key usages (RFC 5280 4.2.1.12 and others in common use).
            Map.entry("1.3.6.1.5.5.7.3.1", "serverAuth"),
            Map.entry("1.3.6.1.5.5.7.3.2", "clientAuth"),
            Map.entry("1.3.6.1.5.5.7.3.3", "codeSigning"),
            Map.entry("1.3.6.1.5.5.7.3.4", "emailProtection"),
            Map.entry("1.3.6.1.5.5.7.3.5", "ipsecEndSystem"),
            Map.entry("1.3.6.1.5.5.7.3.6", "ipsecTunnel"),
            Map.entry("1.3.6.1.5.5.7.3.7", "ipsecUser"),
            Map.entry("1.3.6.1.5.5.7.3.8", "timeStamping"),
            Map.entry("1.3.6.1.5.5.7.3.9", "OCSPSigning"),
            Map.entry("1.3.6.1.5.5.7.3.17", "ipsecIKE"),
            Map.entry("1.3.6.1.5.5.7.3.21", "secureShellClient"),
            Map.entry("1.3.6.1.5.5.7.3.22", "secureShellServer"),
            Map.entry("1.3.6.1.4.1.311.20.2.2", "msSmartcardLogin"),
            Map.entry("1.3.6.1.4.1.311.10.3.4", "msEFS"),
            Map.entry("2.5.29.37.0", "anyExtendedKeyUsage"),
            // Certificate and CRL extensions.
            Map.entry("1.3.6.1.5.5.7.1.1", "authorityInfoAccess"),
            Map.entry("1.3.6.1.5.5.7.1.3", "qcStatements"),
            Map.entry("1.3.6.1.5.5.7.1.11", "subjectInfoAccess"),
            Map.entry("1.3.6.1.5.5.7.1.24", "tlsfeature"),
            Map.entry("2.5.29.9", "subjectDirectoryAttributes"),
            Map.entry("2.5.29.14", "subjectKeyIdentifier"),
            Map.entry("2.5.29.15", "keyUsage"),
            Map.entry("2.5.29.16", "privateKeyUsagePeriod"),
            Map.entry("2.5.29.17", "subjectAltName"),
            Map.entry("2.5.29.18", "issuerAltName"),
            Map.entry("2.5.29.19", "basicConstraints"),
            Map.entry("2.5.29.20", "crlNumber"),
            Map.entry("2.5.29.21", "CRLReason"),
            Map.entry("2.5.29.24", "invalidityDate"),
            Map.entry("2.5.29.27", "deltaCRL"),
            Map.entry("2.5.29.28", "issuingDistributionPoint"),
            Map.entry("2.5.29.29", "certificateIssuer"),
            Map.entry("2.5.29.30", "nameConstraints"),
            Map.entry("2.5.29.31", "crlDistributionPoints"),
            Map.entry("2.5.29.32", "certificatePolicies"),
            Map.entry("2.5.29.33", "policyMappings"),
            Map.entry("2.5.29.35", "authorityKeyIdentifier"),
            Map.entry("2.5.29.36", "policyConstraints"),
            Map.entry("2.5.29.37", "extendedKeyUsage"),
            Map.entry("2.5.29.46", "freshestCRL"),
            Map.entry("2.5.29.54", "inhibitAnyPolicy"));

    private OidNames() {}

    /** The name of an OID, or the OID itself when it has none here. */
    static String name(String oid) {
        return NAMES.getOrDefault(oid, oid);
    }

    /** The names of several OIDs, sorted, comma-separated: {@code serverAuth, 1.2.3.4}. */
    static String names(Collection<String> oids) {
        return oids == null ? "" : oids.stream().map(OidNames::name).sorted().collect(Collectors.joining(", "));
    }

    /** As {@link #names(Collection)}, keeping the order given. */
    static String inOrder(List<String> oids) {
        return oids.stream().map(OidNames::name).collect(Collectors.joining(", "));
    }
}
