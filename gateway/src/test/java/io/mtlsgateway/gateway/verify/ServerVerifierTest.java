package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.ServerName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.CertificateBuilder.Purpose;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.pki.KeyType;
import io.mtlsgateway.gateway.testing.V1Certificates;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier with server purpose (an upstream's chain and name), and the strictness both
 * purposes share: no X.509 v1, no anyExtendedKeyUsage standing in for the purpose on a leaf.
 */
class ServerVerifierTest {
    @TempDir
    static Path dir;

    static IssuedCertificate root;
    static IssuedCertificate intermediate;
    static IssuedCertificate revoked;
    static ServerVerifier verifier;
    static ClientVerifier serverChains;

    record Case(String name, IssuedCertificate server, RejectionReason expected, String explains) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        root = new CertificateBuilder().subject("CN=upstream root CA").ca(-1).selfSigned();
        intermediate = new CertificateBuilder().subject("CN=upstream intermediate CA").ca(0).signedBy(root);
        revoked = server("revoked").dns("ledger.internal").signedBy(intermediate);
        Path crl = dir.resolve("intermediate.crl");
        Instant now = Instant.now();
        PemFiles.write(crl, CrlIssuer.issue(intermediate, Set.of(revoked.certificate().getSerialNumber()),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1))));
        serverChains = ClientVerifier.builder(List.of(root.certificate())).purpose(
                io.mtlsgateway.gateway.verify.Purpose.SERVER).crlFiles(List.of(crl)).build();
        verifier = ServerVerifier.checkingNames(serverChains);
    }

    static CertificateBuilder server(String name) {
        return new CertificateBuilder().subject("CN=" + name).forServer();
    }

    static Verdict verify(IssuedCertificate server, String name) {
        return verifier.verify(server.chainWithoutRoot(), ServerName.parse(name));
    }

    @Test
    void acceptsAServerCertificateForTheName() {
        IssuedCertificate good = server("ledger").dns("ledger.internal").ip("10.0.0.7").signedBy(intermediate);
        assertInstanceOf(Verdict.Accepted.class, verify(good, "ledger.internal"));
        assertInstanceOf(Verdict.Accepted.class, verify(good, "10.0.0.7"));
    }

    static List<Case> rejections() {
        Instant now = Instant.now();
        IssuedCertificate otherRoot = new CertificateBuilder().subject("CN=other root").ca(-1).selfSigned();
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("another CA", server("x").dns("ledger.internal").signedBy(otherRoot),
                RejectionReason.UNTRUSTED, "tls.ca trust anchor"));
        cases.add(new Case("expired", server("x").dns("ledger.internal").validity(now.minus(Duration.ofDays(9)),
                now.minus(Duration.ofDays(1))).signedBy(intermediate), RejectionReason.EXPIRED, "server certificate"));
        cases.add(new Case("revoked", revoked, RejectionReason.REVOKED, "revoked"));
        cases.add(new Case("name mismatch", server("ledger.internal").dns("other.internal").signedBy(intermediate),
                RejectionReason.NAME_MISMATCH, "is not for 'ledger.internal'"));
        cases.add(new Case("CN only", server("ledger.internal").signedBy(intermediate),
                RejectionReason.NAME_MISMATCH, "never used"));
        cases.add(new Case("EKU clientAuth only", new CertificateBuilder().subject("CN=x").forClient()
                .dns("ledger.internal").signedBy(intermediate), RejectionReason.BAD_USAGE, "without serverAuth"));
        cases.add(new Case("no EKU", new CertificateBuilder().subject("CN=x").dns("ledger.internal")
                .signedBy(intermediate), RejectionReason.BAD_USAGE, "no extended key usage"));
        cases.add(new Case("anyExtendedKeyUsage only", new CertificateBuilder().subject("CN=x").purposes(Purpose.ANY)
                .dns("ledger.internal").signedBy(intermediate), RejectionReason.BAD_USAGE, "anyExtendedKeyUsage"));
        cases.add(new Case("serverAuth with anyExtendedKeyUsage", server("x").purposes(Purpose.ANY)
                .dns("ledger.internal").signedBy(intermediate), RejectionReason.BAD_USAGE, "CA/Browser Forum"));
        IssuedCertificate clientOnlyCa = new CertificateBuilder().subject("CN=client-only CA").ca(0)
                .purposes(Purpose.CLIENT_AUTH).signedBy(root);
        cases.add(new Case("intermediate restricted to clientAuth", server("x").dns("ledger.internal")
                .signedBy(clientOnlyCa), RejectionReason.BAD_USAGE, "cannot issue server certificates"));
        cases.add(new Case("CA certificate as server", new CertificateBuilder().subject("CN=sub CA").ca(-1)
                .forServer().dns("ledger.internal").signedBy(root), RejectionReason.BAD_USAGE, "is a CA certificate"));
        cases.add(new Case("RSA-1024", server("x").keyType(KeyType.RSA_1024).dns("ledger.internal")
                .signedBy(intermediate), RejectionReason.WEAK_KEY, "1024-bit RSA"));
        cases.add(new Case("key usage without digitalSignature", server("x").keyUsage(CertificateBuilder.KEY_ENCIPHERMENT)
                .dns("ledger.internal").signedBy(intermediate), RejectionReason.BAD_USAGE, "digitalSignature"));
        cases.add(new Case("X.509 v1 leaf", V1Certificates.signedBy("CN=ledger.internal", intermediate),
                RejectionReason.BAD_USAGE, "X.509 v1"));
        IssuedCertificate v1Ca = V1Certificates.signedBy("CN=v1 intermediate", root);
        cases.add(new Case("X.509 v1 intermediate", server("x").dns("ledger.internal").signedBy(v1Ca),
                RejectionReason.CONSTRAINTS, "v1 intermediate"));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejectsWithTheReasonAndSaysWhy(Case rejection) {
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, verify(rejection.server(),
                "ledger.internal"), rejection.name());
        assertEquals(rejection.expected(), rejected.reason(), rejected.detail());
        assertTrue(rejected.detail().contains(rejection.explains()), rejected.detail());
    }

    @Test
    void pinsReplaceTheNameCheck() {
        IssuedCertificate svid = server("ledger").uri("spiffe://bank.example/ns/prod/sa/ledger").signedBy(intermediate);
        ServerVerifier pinned = ServerVerifier.pinned(serverChains, new ServerVerifier.Pins(
                id -> id.spiffe().filter("spiffe://bank.example/ns/prod/sa/ledger"::equals).isPresent(),
                "spiffe: spiffe://bank.example/ns/prod/sa/ledger"));
        assertInstanceOf(Verdict.Accepted.class, pinned.verify(svid.chainWithoutRoot(), ServerName.parse("10.1.1.1")));
        IssuedCertificate impostor = server("ledger").dns("10.1.1.1").uri("spiffe://bank.example/ns/prod/sa/teller")
                .ip("10.1.1.1").signedBy(intermediate);
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class,
                pinned.verify(impostor.chainWithoutRoot(), ServerName.parse("10.1.1.1")));
        assertEquals(RejectionReason.PIN_MISMATCH, rejected.reason());
        assertTrue(rejected.detail().contains("spiffe://bank.example/ns/prod/sa/teller"), rejected.detail());
    }

    @Test
    void refusesAV1TrustAnchor() {
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class,
                () -> ClientVerifier.builder(List.of(V1Certificates.selfSigned("CN=v1 root").certificate())).build());
        assertTrue(e.getMessage().contains("X.509 v1"), e.getMessage());
    }

    @Test
    void clientPurposeRefusesV1LeavesAndAnyEkuAloneButAcceptsNoEku() throws Exception {
        ClientVerifier clients = ClientVerifier.builder(List.of(root.certificate())).build();
        Verdict.Rejected v1 = assertInstanceOf(Verdict.Rejected.class,
                clients.verify(V1Certificates.signedBy("CN=old client", intermediate).chainWithoutRoot()));
        assertEquals(RejectionReason.BAD_USAGE, v1.reason(), v1.detail());
        IssuedCertificate anyOnly = new CertificateBuilder().subject("CN=any").purposes(Purpose.ANY)
                .signedBy(intermediate);
        Verdict.Rejected any = assertInstanceOf(Verdict.Rejected.class, clients.verify(anyOnly.chainWithoutRoot()));
        assertTrue(any.detail().contains("anyExtendedKeyUsage alone"), any.detail());
        IssuedCertificate anyAndClient = new CertificateBuilder().subject("CN=any and client")
                .purposes(Purpose.ANY, Purpose.CLIENT_AUTH).signedBy(intermediate);
        assertInstanceOf(Verdict.Accepted.class, clients.verify(anyAndClient.chainWithoutRoot()));
        IssuedCertificate noEku = new CertificateBuilder().subject("CN=no eku").signedBy(intermediate);
        assertInstanceOf(Verdict.Accepted.class, clients.verify(noEku.chainWithoutRoot()));
    }

    @Test
    void requireEkuRefusesAClientLeafWithoutOne() throws Exception {
        ClientVerifier strict = ClientVerifier.builder(List.of(root.certificate())).requireEku(true).build();
        IssuedCertificate noEku = new CertificateBuilder().subject("CN=no eku").signedBy(intermediate);
        Verdict.Rejected rejected = assertInstanceOf(Verdict.Rejected.class, strict.verify(noEku.chainWithoutRoot()));
        assertEquals(RejectionReason.BAD_USAGE, rejected.reason());
        assertTrue(rejected.detail().contains("requireEku: true"), rejected.detail());
        IssuedCertificate withEku = new CertificateBuilder().subject("CN=with eku").forClient().signedBy(intermediate);
        assertInstanceOf(Verdict.Accepted.class, strict.verify(withEku.chainWithoutRoot()));
    }

    @Test
    void aServerVerifierNeedsServerPurpose() throws Exception {
        ClientVerifier clients = ClientVerifier.builder(List.of(root.certificate())).build();
        assertThrows(IllegalArgumentException.class, () -> ServerVerifier.checkingNames(clients));
    }
}
