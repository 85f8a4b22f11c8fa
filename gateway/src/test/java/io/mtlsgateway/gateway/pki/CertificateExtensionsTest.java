package io.mtlsgateway.gateway.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;

/** The extension values a built certificate gets by default. */
class CertificateExtensionsTest {
    @Test
    void aCaSignsCertificatesAndCrlsAnRsaLeafMayEncipherKeysAnEcLeafOnlySigns() {
        var ec = KeyType.EC_P256.generate().getPublic();
        var rsa = KeyType.RSA_2048.generate().getPublic();

        assertEquals(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature,
                CertificateExtensions.defaultKeyUsage(true, ec));
        assertEquals(KeyUsage.digitalSignature | KeyUsage.keyEncipherment, CertificateExtensions.defaultKeyUsage(false, rsa));
        assertEquals(KeyUsage.digitalSignature, CertificateExtensions.defaultKeyUsage(false, ec));
    }

    @Test
    void onlyACaCarriesCaTrueWithItsPathLengthIfLimited() {
        assertFalse(CertificateExtensions.basicConstraints(false, -1).isCA());
        assertTrue(CertificateExtensions.basicConstraints(true, -1).isCA());
        assertNull(CertificateExtensions.basicConstraints(true, -1).getPathLenConstraint());
        assertEquals(0, CertificateExtensions.basicConstraints(true, 0).getPathLenConstraint().intValue());
    }
}
