package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CertificateBuilder.Purpose;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import io.mtlsgateway.gateway.tls.PemFiles;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Client certificates for verifier tests, one per way a client can be refused, generated per test
 * class: a root CA (the only trust anchor), intermediates under it, CRLs (fresh for the root, fresh
 * DER for the intermediate, expired for a second intermediate) and the files a listener uses.
 */
public final class ClientChains {
    /** A client, what the verifier must say about it, and a phrase its explanation must contain. */
    public record Case(String name, IssuedCertificate client, HandshakeReason expected, String explains) {
        @Override
        public String toString() {
            return name;
        }
    }

    public final IssuedCertificate root = new CertificateBuilder().subject("CN=verify root CA,O=Test").ca(-1)
            .selfSigned();
    public final IssuedCertificate intermediate = new CertificateBuilder().subject("CN=verify intermediate CA,O=Test")
            .ca(0).signedBy(root);
    /** An intermediate whose CRL has expired. */
    public final IssuedCertificate staleCrlIntermediate = new CertificateBuilder()
            .subject("CN=stale CRL intermediate CA,O=Test").ca(0).signedBy(root);
    /** An intermediate the root has revoked. */
    public final IssuedCertificate revokedIntermediate = new CertificateBuilder()
            .subject("CN=revoked intermediate CA,O=Test").ca(0).signedBy(root);
    public final IssuedCertificate good = leaf("good").uri("spiffe://test.example/ns/prod/sa/good")
            .signedBy(intermediate);
    public final IssuedCertificate revoked = leaf("revoked").signedBy(intermediate);

    public final Path dir;
    public final Path clientCaFile;
    public final Path rootCrlFile;
    public final Path intermediateCrlFile;
    public final Path staleCrlFile;

    public ClientChains(Path dir) throws IOException, java.security.cert.CRLException {
        this.dir = dir;
        this.clientCaFile = dir.resolve("verify-ca.pem");
        this.rootCrlFile = dir.resolve("root.crl");
        this.intermediateCrlFile = dir.resolve("intermediate.crl.der");
        this.staleCrlFile = dir.resolve("stale.crl");
        Instant now = Instant.now();
        PemFiles.write(clientCaFile, root.certificate());
        PemFiles.write(rootCrlFile, CrlIssuer.issue(root, Set.of(revokedIntermediate.certificate().getSerialNumber()),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7))));
        // DER on purpose: both encodings must load.
        Files.write(intermediateCrlFile, CrlIssuer.issue(intermediate, Set.of(revoked.certificate().getSerialNumber(),
                BigInteger.valueOf(12345)), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7))).getEncoded());
        PemFiles.write(staleCrlFile, CrlIssuer.issue(staleCrlIntermediate, Set.of(),
                now.minus(Duration.ofDays(8)), now.minus(Duration.ofDays(1))));
    }

    public List<Path> crlFiles() {
        return List.of(rootCrlFile, intermediateCrlFile, staleCrlFile);
    }

    public static CertificateBuilder leaf(String name) {
        return new CertificateBuilder().subject("CN=" + name + ",O=Test").forClient();
    }

    /** The same certificate presented without its intermediates. */
    public static IssuedCertificate alone(IssuedCertificate cert) {
        return new IssuedCertificate(cert.certificate(), cert.privateKey(), List.of());
    }

    /** What a TLS client sends: leaf, then intermediates, without the root. */
    public static List<X509Certificate> sent(IssuedCertificate cert) {
        return cert.chainWithoutRoot();
    }

    /** Every way to be refused that needs no OCSP responder. */
    public List<Case> rejections() {
        Instant now = Instant.now();
        List<Case> cases = new ArrayList<>();
        IssuedCertificate otherRoot = new CertificateBuilder().subject("CN=other root CA").ca(-1).selfSigned();
        cases.add(new Case("client of another CA", leaf("stranger").signedBy(otherRoot),
                HandshakeReason.UNTRUSTED, "not a clientCa trust anchor"));
        cases.add(new Case("intermediate not sent", alone(leaf("lonely").signedBy(intermediate)),
                HandshakeReason.UNTRUSTED, "did not send it"));
        cases.add(new Case("self-signed client", leaf("selfie").selfSigned(), HandshakeReason.UNTRUSTED,
                "self-signed"));
        cases.add(new Case("expired", leaf("expired").validity(now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1))).signedBy(intermediate), HandshakeReason.EXPIRED, "expired at"));
        cases.add(new Case("not yet valid", leaf("future").validity(now.plus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30))).signedBy(intermediate), HandshakeReason.NOT_YET_VALID,
                "not valid before"));
        cases.add(new Case("revoked by CRL", revoked, HandshakeReason.REVOKED, "listed in the CRL"));
        cases.add(new Case("intermediate revoked by the root's CRL", leaf("child").signedBy(revokedIntermediate),
                HandshakeReason.REVOKED, "revoked intermediate CA"));
        cases.add(new Case("expired CRL", leaf("stale").signedBy(staleCrlIntermediate), HandshakeReason.CRL_EXPIRED,
                "stale.crl expired at"));
        cases.add(new Case("RSA-1024 key", leaf("rsa1024").keyType(KeyType.RSA_1024).signedBy(intermediate),
                HandshakeReason.WEAK_KEY, "1024-bit RSA"));
        IssuedCertificate rsaIntermediate = new CertificateBuilder().subject("CN=rsa intermediate CA,O=Test")
                .keyType(KeyType.RSA_2048).ca(0).signedBy(root);
        cases.add(new Case("SHA-1 signature", leaf("sha1").signatureAlgorithm("SHA1withRSA").signedBy(rsaIntermediate),
                HandshakeReason.WEAK_KEY, "SHA1withRSA"));
        cases.add(new Case("EKU serverAuth only", new CertificateBuilder().subject("CN=server-ish,O=Test").forServer()
                .signedBy(intermediate), HandshakeReason.BAD_USAGE, "without clientAuth"));
        IssuedCertificate serverOnlyCa = new CertificateBuilder().subject("CN=server-only intermediate CA,O=Test")
                .ca(0).purposes(Purpose.SERVER_AUTH).signedBy(root);
        cases.add(new Case("intermediate with EKU serverAuth only", leaf("via-server-ca").signedBy(serverOnlyCa),
                HandshakeReason.BAD_USAGE, "cannot issue client certificates"));
        cases.add(new Case("key usage without digitalSignature", leaf("no-ds")
                .keyUsage(CertificateBuilder.KEY_ENCIPHERMENT).signedBy(intermediate), HandshakeReason.BAD_USAGE,
                "digitalSignature"));
        cases.add(new Case("CA certificate as client", new CertificateBuilder().subject("CN=sub CA,O=Test").ca(-1)
                .signedBy(root), HandshakeReason.BAD_USAGE, "is a CA certificate"));
        cases.add(new Case("unknown critical extension", leaf("odd").unknownCriticalExtension("1.3.6.1.4.1.55555.1")
                .signedBy(intermediate), HandshakeReason.MALFORMED, "1.3.6.1.4.1.55555.1"));
        IssuedCertificate notCa = new CertificateBuilder().subject("CN=not a CA,O=Test").forClient().signedBy(root);
        cases.add(new Case("issuer is not a CA", leaf("child-of-leaf").signedBy(notCa), HandshakeReason.CONSTRAINTS,
                "not a CA"));
        IssuedCertificate deep = root;
        for (int i = 1; i <= 5; i++) {
            deep = new CertificateBuilder().subject("CN=level " + i + " CA,O=Test").ca(-1).signedBy(deep);
        }
        cases.add(new Case("deeper than verifyDepth", leaf("deep").signedBy(deep), HandshakeReason.DEPTH,
                "verifyDepth 4"));
        return cases;
    }
}
