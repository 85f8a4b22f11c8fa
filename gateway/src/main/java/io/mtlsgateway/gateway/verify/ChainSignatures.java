package io.mtlsgateway.gateway.verify;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import io.mtlsgateway.gateway.tls.BouncyCastle;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which JCA provider checks the signatures of a path during PKIX validation. The Amazon Corretto Crypto
 * Provider (AWS-LC, native code) for the algorithms certificates use most, ECDSA and RSA PKCS#1 v1.5 with SHA-2:
 * with BouncyCastle's pure-Java ECDSA a new client's leaf signature was most of what a verdict-cache miss cost
 * (bench: GatewayHandshakeBenchmark, clients=1000). BouncyCastle checks
 * every other algorithm (RSASSA-PSS, Ed25519, ...), and all of them where the native library cannot load
 * (platforms the jar carries no library for): the log says so once. Both providers are registered last, so no
 * JDK default changes and nothing asks them but this class.
 *
 * <p>Conscrypt did this job before; its last release (2.5.2, 2021) carries a BoringSSL of that year, while
 * AWS-LC is released and fixed continuously; the distinct-client handshake benchmark kept its ratio to a repeat
 * client across the change (docs/performance.md).
 */
final class ChainSignatures {
    private static final Logger LOG = Logger.getLogger(ChainSignatures.class.getName());
    /** Signature algorithm names as {@link X509Certificate#getSigAlgName()} gives them. */
    private static final Set<String> NATIVE_ALGORITHMS = Set.of("SHA256withECDSA", "SHA384withECDSA",
            "SHA512withECDSA", "SHA256withRSA", "SHA384withRSA", "SHA512withRSA");
    /** The native provider's name, or null when its library is not usable here. */
    private static final String NATIVE = registerNative();
    /** A native engine and the issuer key object it was initialised with, which it keeps in its own form. */
    private record Engine(Signature signature, PublicKey issuerKey) {}

    /** Which engine checks a signature: its algorithm and the issuer key's encoding (never the issuer's name). */
    private record EngineId(String algorithm, ByteBuffer issuerKey) {}

    /** Engines kept per thread: one per algorithm and issuer key, for the few intermediates clients present. */
    private static final int ENGINES_PER_THREAD = 64;
    private static final ThreadLocal<Map<EngineId, Engine>> ENGINES = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<EngineId, Engine> eldest) {
                    return size() > ENGINES_PER_THREAD;
                }
            });

    private ChainSignatures() {}

    /** The provider to check every signature of {@code path} with: one per path, as PKIX takes one. */
    static String providerFor(List<X509Certificate> path) {
        if (NATIVE != null) {
            boolean allNative = true;
            for (X509Certificate cert : path) {
                allNative &= NATIVE_ALGORITHMS.contains(cert.getSigAlgName());
            }
            if (allNative) {
                return NATIVE;
            }
        }
        return BouncyCastle.provider().getName();
    }

    /** Whether {@code provider} (as PKIX passes it) is the native one. */
    static boolean isNative(String provider) {
        return NATIVE != null && NATIVE.equals(provider);
    }

    /**
     * Checks {@code cert}'s signature with {@code issuerKey} in the native provider, as the JDK's certificate would,
     * with an engine of this thread kept for the algorithm and that issuer key. The provider converts a key when an
     * engine is initialised with another key object than last time; initialised again with the same object, the
     * engine keeps its converted key. So an engine is found by the key's encoding (the same encoding is the same
     * key) and always initialised with the key object it was made for.
     *
     * @throws SignatureException when the signature does not verify (or is malformed)
     */
    static void verifyNatively(X509Certificate cert, PublicKey issuerKey) throws NoSuchAlgorithmException,
            NoSuchProviderException, InvalidKeyException, SignatureException, CertificateEncodingException {
        if (!check(cert.getSigAlgName(), cert.getTBSCertificate(), cert.getSignature(), issuerKey)) {
            throw new SignatureException("Signature does not match.");
        }
    }

    /**
     * The same check over a certificate's parts ({@link FastPath}): the JCA name of its signature algorithm, the DER
     * of its TBSCertificate and its signature. False when the signature does not verify or cannot be checked.
     */
    static boolean verifiesNatively(String algorithm, byte[] tbs, byte[] signature, PublicKey issuerKey) {
        try {
            return NATIVE != null && check(algorithm, tbs, signature, issuerKey);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the native provider loaded here. */
    static boolean nativeAvailable() {
        return NATIVE != null;
    }

    private static boolean check(String algorithm, byte[] tbs, byte[] signatureBytes, PublicKey issuerKey)
            throws NoSuchAlgorithmException, NoSuchProviderException, InvalidKeyException, SignatureException {
        Map<EngineId, Engine> engines = ENGINES.get();
        EngineId id = new EngineId(algorithm, ByteBuffer.wrap(issuerKey.getEncoded()));
        Engine engine = engines.remove(id);
        if (engine == null) {
            engine = new Engine(Signature.getInstance(id.algorithm(), NATIVE), issuerKey);
        }
        Signature signature = engine.signature();
        signature.initVerify(engine.issuerKey());
        signature.update(tbs);
        boolean verified = signature.verify(signatureBytes);
        // Put back only after a complete check: an engine left mid-way by an exception is dropped.
        engines.put(id, engine);
        return verified;
    }

    private static String registerNative() {
        Provider provider;
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            if (accp.getLoadingError() != null) {
                throw accp.getLoadingError();
            }
            // Its self-tests of the algorithms used here; a failure makes it unusable rather than wrong.
            accp.assertHealthy();
            provider = accp;
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "the native signature provider (AWS-LC) cannot load on this platform ({0}):"
                    + " BouncyCastle checks client certificate signatures, several times slower for a new client",
                    e.toString());
            return null;
        }
        // Appended, never inserted first: AmazonCorrettoCryptoProvider.install() would make it every JCA
        // caller's default, which this class has no business deciding.
        if (Security.getProvider(provider.getName()) == null) {
            Security.addProvider(provider);
        }
        return provider.getName();
    }
}
