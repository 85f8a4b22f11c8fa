package io.mtlsgateway.gateway.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.AllowRule;
import io.mtlsgateway.config.AllowRule.Kind;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    static PeerIdentity mobile;

    @BeforeAll
    static void identity() {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=CA").ca(-1).selfSigned();
        mobile = PeerIdentity.of(List.of(new CertificateBuilder().subject("CN=MobileApp, O=Bank").forClient()
                .uri("spiffe://bank.example/ns/prod/sa/mobile").dns("app.internal.example").signedBy(ca).certificate()));
    }

    private static boolean allows(Kind kind, String value) {
        return AccessPolicy.of(List.of(new AllowRule(kind, value))).allows(mobile);
    }

    @Test
    void anEmptyAllowListAdmitsAnyVerifiedClientButNotAnAnonymousOne() {
        assertTrue(AccessPolicy.of(List.of()).allows(mobile));
        assertTrue(AccessPolicy.of(List.of()).allows(null));
        assertFalse(AccessPolicy.of(List.of(new AllowRule(Kind.SPIFFE, "spiffe://bank.example/*"))).allows(null));
    }

    @Test
    void matchesSpiffeIdsExactlyOrByTrustDomain() {
        assertTrue(allows(Kind.SPIFFE, "spiffe://bank.example/ns/prod/sa/mobile"));
        assertTrue(allows(Kind.SPIFFE, "spiffe://bank.example/*"));
        assertFalse(allows(Kind.SPIFFE, "spiffe://bank.example/ns/prod/sa/mobil"));
        assertFalse(allows(Kind.SPIFFE, "spiffe://bank.ex/*"));
        assertFalse(allows(Kind.SPIFFE, "spiffe://bank.example.evil/*"));
    }

    @Test
    void comparesSubjectsAsDistinguishedNamesNotStrings() {
        assertTrue(allows(Kind.SUBJECT, "CN=MobileApp,O=Bank"));
        assertTrue(allows(Kind.SUBJECT, "cn=mobileapp, o=bank"));
        assertFalse(allows(Kind.SUBJECT, "O=Bank,CN=MobileApp"));
        assertFalse(allows(Kind.SUBJECT, "CN=MobileApp"));
    }

    @Test
    void aSubjectRuleMatchesWhetherWrittenWithNamesOrOidsAsOpenSslOrJavaPrintIt() {
        IssuedCertificate ca = new CertificateBuilder().subject("CN=CA").ca(-1).selfSigned();
        var cert = new CertificateBuilder().subject("CN=app,EMAILADDRESS=ops@bank.example,SERIALNUMBER=7")
                .forClient().signedBy(ca).certificate();
        PeerIdentity identity = PeerIdentity.of(List.of(cert));
        assertEquals("CN=app,emailAddress=ops@bank.example,serialNumber=7", identity.subject());
        String javaForm = cert.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
        for (String rule : List.of(identity.subject(), javaForm, "CN=APP, E=OPS@bank.example, 2.5.4.5=7")) {
            assertTrue(AccessPolicy.of(List.of(new AllowRule(Kind.SUBJECT, rule))).allows(identity), rule);
        }
        assertFalse(AccessPolicy.of(List.of(new AllowRule(Kind.SUBJECT, "CN=app,emailAddress=ops@bank.example")))
                .allows(identity));
    }

    @Test
    void matchesDnsSansExactlyOrWithASingleLabelWildcard() {
        assertTrue(allows(Kind.SAN_DNS, "app.internal.example"));
        assertTrue(allows(Kind.SAN_DNS, "APP.internal.example"));
        assertTrue(allows(Kind.SAN_DNS, "*.internal.example"));
        assertFalse(allows(Kind.SAN_DNS, "*.example"));
        assertFalse(allows(Kind.SAN_DNS, "other.internal.example"));
    }

    @Test
    void pinsTheLeafFingerprintWithOrWithoutColons() {
        String hex = mobile.fingerprint();
        assertTrue(allows(Kind.FINGERPRINT, hex));
        assertTrue(allows(Kind.FINGERPRINT, hex.toUpperCase().replaceAll("(..)(?!$)", "$1:")));
        assertFalse(allows(Kind.FINGERPRINT, "0".repeat(64)));
    }

    @Test
    void admitsWhenAnyRuleMatches() {
        AccessPolicy policy = AccessPolicy.of(List.of(new AllowRule(Kind.SPIFFE, "spiffe://other/*"),
                new AllowRule(Kind.SAN_DNS, "*.internal.example")));
        assertTrue(policy.allows(mobile));
    }
}
