package io.mtlsgateway.gateway.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading CRLs: what is refused at startup, and how issuers and several CRLs are matched. */
class CrlIndexTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.now();
    private final IssuedCertificate root = new CertificateBuilder().subject("CN=crl root").ca(-1).selfSigned();
    private final IssuedCertificate intermediate = new CertificateBuilder().subject("CN=crl intermediate").ca(0)
            .signedBy(root);
    private final IssuedCertificate leaf = new CertificateBuilder().subject("CN=crl leaf").forClient()
            .signedBy(intermediate);

    private X509CRL crl(Extension extra) throws Exception {
        X509v2CRLBuilder builder = new JcaX509v2CRLBuilder(root.certificate().getSubjectX500Principal(),
                Date.from(now.minusSeconds(60)));
        builder.setNextUpdate(Date.from(now.plus(Duration.ofDays(1))));
        builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.TWO));
        builder.addExtension(extra);
        return new JcaX509CRLConverter().getCRL(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(root.privateKey())));
    }

    private Path write(String name, Object... crls) throws IOException {
        Path file = dir.resolve(name);
        PemFiles.write(file, crls);
        return file;
    }

    @Test
    void refusesADeltaCrlAtLoadNamingTheFile() throws Exception {
        Path file = write("delta.crl", crl(new Extension(Extension.deltaCRLIndicator, true,
                new CRLNumber(BigInteger.ONE).getEncoded())));
        IOException e = assertThrows(IOException.class,
                () -> CrlIndex.load(List.of(file), List.of(root.certificate())));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains("delta CRL"), e.getMessage());
    }

    @Test
    void refusesAnIndirectCrlAtLoad() throws Exception {
        Path file = write("indirect.crl", crl(new Extension(Extension.issuingDistributionPoint, true,
                new IssuingDistributionPoint(null, false, false, null, true, false).getEncoded())));
        IOException e = assertThrows(IOException.class,
                () -> CrlIndex.load(List.of(file), List.of(root.certificate())));
        assertTrue(e.getMessage().contains("indirect"), e.getMessage());
    }

    @Test
    void refusesAPartitionedCrlAtLoad() throws Exception {
        // A shard of a distribution point: the index keeps the newest CRL per issuer, so accepting
        // shards would hide the serials revoked in an older one.
        GeneralNames shard = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier,
                "http://crl.example/1.crl"));
        Path file = write("shard.crl", crl(new Extension(Extension.issuingDistributionPoint, true,
                new IssuingDistributionPoint(new DistributionPointName(shard), false, false, null, false, false)
                        .getEncoded())));
        IOException e = assertThrows(IOException.class,
                () -> CrlIndex.load(List.of(file), List.of(root.certificate())));
        assertTrue(e.getMessage().contains("partitioned"), e.getMessage());
        Path userOnly = write("user-only.crl", crl(new Extension(Extension.issuingDistributionPoint, true,
                new IssuingDistributionPoint(null, true, false, null, false, false).getEncoded())));
        assertThrows(IOException.class, () -> CrlIndex.load(List.of(userOnly), List.of(root.certificate())));
    }

    @Test
    void refusesACrlNotSignedByTheKnownIssuerOfThatName() throws Exception {
        IssuedCertificate impostor = new CertificateBuilder().subject("CN=crl root").ca(-1).selfSigned();
        Path file = write("forged.crl", CrlIssuer.issue(impostor, Set.of(), now, now.plus(Duration.ofDays(1))));
        IOException e = assertThrows(IOException.class,
                () -> CrlIndex.load(List.of(file), List.of(root.certificate())));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
    }

    @Test
    void loadsSeveralIssuersFromOneFileAndChecksEach() throws Exception {
        Path file = write("both.crl",
                CrlIssuer.issue(root, Set.of(), now.minusSeconds(60), now.plus(Duration.ofDays(1))),
                CrlIssuer.issue(intermediate, Set.of(leaf.certificate().getSerialNumber()), now.minusSeconds(60),
                        now.plus(Duration.ofDays(1))));
        CrlIndex index = CrlIndex.load(List.of(file), List.of(root.certificate()));
        assertNull(index.check(intermediate.certificate(), root.certificate(), now));
        assertEquals(HandshakeReason.REVOKED, index.check(leaf.certificate(), intermediate.certificate(), now).reason());
    }

    @Test
    void usesTheNewestOfSeveralCrlsOfOneIssuer() throws Exception {
        X509CRL older = CrlIssuer.issue(intermediate, Set.of(leaf.certificate().getSerialNumber()),
                now.minus(Duration.ofHours(2)), now.plus(Duration.ofDays(1)));
        X509CRL newer = CrlIssuer.issue(intermediate, Set.of(), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)));
        CrlIndex index = CrlIndex.of(List.of(older, newer), List.of(root.certificate()), "memory");
        assertNull(index.check(leaf.certificate(), intermediate.certificate(), now));
    }

    @Test
    void aCrlOfAnIntermediateSignedByAnotherKeyLeavesRevocationUnknown() throws Exception {
        IssuedCertificate impostor = new CertificateBuilder().subject("CN=crl intermediate").ca(0).signedBy(root);
        CrlIndex index = CrlIndex.of(List.of(CrlIssuer.issue(impostor, Set.of(), now.minusSeconds(60),
                now.plus(Duration.ofDays(1)))), List.of(root.certificate()), "memory");
        assertEquals(HandshakeReason.REVOCATION_UNKNOWN,
                index.check(leaf.certificate(), intermediate.certificate(), now).reason());
    }

    @Test
    void judgesCrlExpiryAtTheValidationTime() throws Exception {
        CrlIndex index = CrlIndex.of(List.of(CrlIssuer.issue(intermediate, Set.of(), now.minusSeconds(60),
                now.plus(Duration.ofDays(1)))), List.of(root.certificate()), "memory");
        assertNull(index.check(leaf.certificate(), intermediate.certificate(), now));
        assertEquals(HandshakeReason.CRL_EXPIRED,
                index.check(leaf.certificate(), intermediate.certificate(), now.plus(Duration.ofDays(2))).reason());
        assertEquals(HandshakeReason.REVOCATION_UNKNOWN,
                index.check(leaf.certificate(), intermediate.certificate(), now.minus(Duration.ofDays(1))).reason());
    }
}
