package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;

/** A small generated PKI shared by the identity tests: a root and an intermediate, made once. */
final class TestCertificates {
    static final IssuedCertificate ROOT = new CertificateBuilder().subject("CN=Test Root,O=Bank").ca(-1).selfSigned();
    static final IssuedCertificate INTERMEDIATE =
            new CertificateBuilder().subject("CN=Clients CA,O=Bank").ca(0).signedBy(ROOT);

    private TestCertificates() {}

    /** A client certificate issued by the intermediate. */
    static CertificateBuilder client(String subject) {
        return new CertificateBuilder().subject(subject).forClient();
    }
}
