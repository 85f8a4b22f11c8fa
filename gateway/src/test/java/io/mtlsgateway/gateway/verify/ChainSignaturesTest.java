package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import java.io.ByteArrayInputStream;
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

    /** The certificate with the last byte of its signature changed: still well-formed DER, no longer signed. */
    private static X509Certificate withAlteredSignature(X509Certificate cert) throws Exception {
        byte[] der = cert.getEncoded();
        der[der.length - 1] ^= 0x01;
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
