package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.tls.BouncyCastle;
import java.security.Provider;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.conscrypt.Conscrypt;

/**
 * Which JCA provider checks the signatures of a path during PKIX validation. Conscrypt (BoringSSL,
 * native code) for the algorithms certificates use most, ECDSA and RSA PKCS#1 v1.5 with SHA-2: with
 * BouncyCastle's pure-Java ECDSA a new client's leaf signature was most of what a verdict-cache miss
 * cost (bench: GatewayHandshakeBenchmark, clients=1000). BouncyCastle checks every other algorithm (RSASSA-PSS,
 * Ed25519, ...), and all of them where Conscrypt's native library cannot load (platforms its jar
 * carries no library for): the log says so once. Both providers are registered last, so no JDK
 * default changes.
 */
final class ChainSignatures {
    private static final Logger LOG = Logger.getLogger(ChainSignatures.class.getName());
    /** Signature algorithm names as {@link X509Certificate#getSigAlgName()} gives them. */
    private static final Set<String> NATIVE_ALGORITHMS = Set.of("SHA256withECDSA", "SHA384withECDSA",
            "SHA512withECDSA", "SHA256withRSA", "SHA384withRSA", "SHA512withRSA");
    /** Conscrypt's provider name, or null when its native library is not usable here. */
    private static final String NATIVE = registerConscrypt();

    private ChainSignatures() {}

    /** The provider to check every signature of {@code path} with: one per path, as PKIX takes one. */
    static String providerFor(List<X509Certificate> path) {
        if (NATIVE != null && path.stream().allMatch(cert -> NATIVE_ALGORITHMS.contains(cert.getSigAlgName()))) {
            return NATIVE;
        }
        return BouncyCastle.provider().getName();
    }

    private static String registerConscrypt() {
        try {
            Conscrypt.checkAvailability();
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "Conscrypt''s native library cannot load on this platform ({0}): BouncyCastle "
                    + "checks client certificate signatures, several times slower for a new client", e.toString());
            return null;
        }
        Provider existing = Security.getProvider("Conscrypt");
        if (existing != null) {
            return existing.getName();
        }
        Provider provider = Conscrypt.newProvider();
        Security.addProvider(provider);
        return provider.getName();
    }
}
