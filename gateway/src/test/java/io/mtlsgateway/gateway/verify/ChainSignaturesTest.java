package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import java.io.ByteArrayInputStream;
import java.security.PublicKey;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import org.junit.jupiter.api.Test;

/**
 * Native signature checks where they apply, BouncyCastle for the rest, with the same decisions: the
 * native path is taken for ECDSA and RSA PKCS#1 chains (on the platforms this project builds and tests
 * on, Linux x86-64, the AWS-LC library of the Amazon Corretto Crypto Provider loads), a path with one RSASSA-PSS certificate goes to
 * BouncyCastle whole, and an altered signature is refused by either.
 */
class ChainSignaturesTest {
    private static final String NATIVE = AmazonCorrettoCryptoProvider.PROVIDER_NAME;
    private final IssuedCertificate root = new CertificateBuilder().subject("CN=sig root").ca(-1).selfSigned();
    private final IssuedCertificate rsaCa = new CertificateBuilder().subject("CN=sig rsa CA").keyType(KeyType.RSA_2048)
            .ca(0).signedBy(root);

    @Test
    void ecdsaAndRsaPathsAreCheckedNativelyAndPssPathsByBouncyCastle() {
        assertNull(AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError(), "the native library loads on the build platform");
        IssuedCertificate ecLeaf = new CertificateBuilder().subject("CN=ec").forClient().signedBy(root);
        IssuedCertificate rsaSigned = new CertificateBuilder().subject("CN=rsa").forClient().signedBy(rsaCa);
        IssuedCertificate pssSigned = new CertificateBuilder().subject("CN=pss").forClient()
                .signatureAlgorithm("SHA256withRSAandMGF1").signedBy(rsaCa);

        assertEquals(NATIVE, ChainSignatures.providerFor(List.of(ecLeaf.certificate())));
        assertEquals(NATIVE, ChainSignatures.providerFor(List.of(rsaSigned.certificate(), rsaCa.certificate())));
        assertEquals("BC", ChainSignatures.providerFor(List.of(pssSigned.certificate(), rsaCa.certificate())));
    }

    @Test
    void aLeafWhoseSignatureWasAlteredIsRefusedNativelyAndByBouncyCastle() throws Exception {
        ClientVerifier verifier = ClientVerifier.builder(List.of(root.certificate())).build();
        IssuedCertificate ecLeaf = new CertificateBuilder().subject("CN=tampered ec").forClient().signedBy(root);
        IssuedCertificate pssLeaf = new CertificateBuilder().subject("CN=tampered pss").forClient()
                .signatureAlgorithm("SHA256withRSAandMGF1").signedBy(rsaCa);
        X509Certificate ec = withAlteredSignature(ecLeaf.certificate());
        X509Certificate pss = withAlteredSignature(pssLeaf.certificate());
        assertEquals(NATIVE, ChainSignatures.providerFor(List.of(ec)));
        assertEquals("BC", ChainSignatures.providerFor(List.of(pss, rsaCa.certificate())));

        for (List<X509Certificate> chain : List.of(List.of(ec), List.of(pss, rsaCa.certificate()))) {
            Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verifier.verify(chain));
            assertEquals(HandshakeReason.UNTRUSTED, rejected.reason(), rejected.detail());
            assertTrue(rejected.detail().contains("does not verify"), rejected.detail());
        }
        // The untouched ones pass, so it is the signature that was refused.
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(List.of(ecLeaf.certificate())));
        assertInstanceOf(Verdict.Accepted.class, verifier.verify(List.of(pssLeaf.certificate(), rsaCa.certificate())));
    }

    /**
     * The native check keeps one engine per algorithm and thread and each issuer key converted once: a refused
     * signature must not leave the engine in a state that decides the next leaf, and neither may a leaf that
     * passed before the refused one. Uncached verifier, so every call checks the signature.
     */
    @Test
    void theReusedNativeEngineJudgesEveryLeafOnItsOwn() throws Exception {
        ClientVerifier verifier = ClientVerifier.builder(List.of(root.certificate())).cacheSize(0).build();
        X509Certificate good = new CertificateBuilder().subject("CN=good").forClient().signedBy(root).certificate();
        X509Certificate tampered = withAlteredSignature(
                new CertificateBuilder().subject("CN=tampered").forClient().signedBy(root).certificate());
        for (int round = 0; round < 3; round++) {
            assertInstanceOf(Verdict.Accepted.class, verifier.verify(List.of(good)));
            Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verifier.verify(List.of(tampered)));
            assertTrue(rejected.detail().contains("does not verify"), rejected.detail());
        }
    }

    /**
     * Engines are kept by the issuer key's encoding, never by the issuer's name: after the trusted CA's key checked
     * a leaf (and its engine was kept), a CA with the same name but another key is not taken for it, either way.
     * (Through the verifier such a leaf stops earlier, at the key identifiers; this checks the engines themselves.)
     */
    @Test
    void anEngineKeptForOneIssuerKeyNeverChecksWithAnother() throws Exception {
        IssuedCertificate impostor = new CertificateBuilder().subject("CN=sig root").ca(-1).selfSigned();
        X509Certificate good = new CertificateBuilder().subject("CN=good").forClient().signedBy(root).certificate();
        X509Certificate forged = new CertificateBuilder().subject("CN=good").forClient().signedBy(impostor)
                .certificate();
        PublicKey trusted = root.certificate().getPublicKey();
        PublicKey other = impostor.certificate().getPublicKey();

        for (int round = 0; round < 2; round++) {
            ChainSignatures.verifyNatively(good, trusted);
            assertThrows(SignatureException.class, () -> ChainSignatures.verifyNatively(forged, trusted));
            assertThrows(SignatureException.class, () -> ChainSignatures.verifyNatively(good, other));
            ChainSignatures.verifyNatively(forged, other);
        }
    }

    /** The certificate with the last byte of its signature changed: still well-formed DER, no longer signed. */
    private static X509Certificate withAlteredSignature(X509Certificate cert) throws Exception {
        byte[] der = cert.getEncoded();
        der[der.length - 1] ^= 0x01;
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
