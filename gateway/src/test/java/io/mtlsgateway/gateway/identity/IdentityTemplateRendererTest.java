package io.mtlsgateway.gateway.identity;

import static io.mtlsgateway.gateway.identity.TestCertificates.INTERMEDIATE;
import static io.mtlsgateway.gateway.identity.TestCertificates.client;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mtlsgateway.config.IdentityTemplate;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class IdentityTemplateRendererTest {

    private static final PeerIdentity ID = PeerIdentity.of(List.of(client("CN=mobile-app,O=Bank")
            .serial(BigInteger.valueOf(0xbeef))
            .validity(Instant.parse("2025-01-02T03:04:05.678Z"), Instant.parse("2026-01-02T03:04:05Z"))
            .dns("a.example", "b.example")
            .uri("spiffe://bank.example/ns/prod/sa/mobile-app", "https://bank.example/x")
            .email("ops@bank.example", "sec@bank.example")
            .signedBy(INTERMEDIATE)
            .certificate()));

    private static String render(String template, PeerIdentity identity) {
        return IdentityTemplateRenderer.render(IdentityTemplate.parse(template), identity);
    }

    @Test
    void rendersEveryVariable() {
        assertEquals("CN=mobile-app,O=Bank", render("${subject}", ID));
        assertEquals("CN=Clients CA,O=Bank", render("${issuer}", ID));
        assertEquals("beef", render("${serial}", ID));
        assertEquals(ID.fingerprint(), render("${fingerprint}", ID));
        assertEquals("spiffe://bank.example/ns/prod/sa/mobile-app", render("${spiffe}", ID));
        assertEquals("a.example,b.example", render("${sanDns}", ID));
        assertEquals("spiffe://bank.example/ns/prod/sa/mobile-app,https://bank.example/x", render("${sanUri}", ID));
        assertEquals("ops@bank.example,sec@bank.example", render("${sanEmail}", ID));
        // Certificates hold whole seconds; RFC 3339 in UTC.
        assertEquals("2025-01-02T03:04:05Z", render("${notBefore}", ID));
        assertEquals("2026-01-02T03:04:05Z", render("${notAfter}", ID));
    }

    @Test
    void certIsTheUrlEncodedLeafPemAsEnvoyAndNginxSendIt() {
        String cert = render("${cert}", ID);

        assertEquals(ID.leafPem(), URLDecoder.decode(cert, StandardCharsets.US_ASCII));
        assertEquals(true, cert.startsWith("-----BEGIN%20CERTIFICATE-----%0A"));
        assertEquals(true, cert.endsWith("%0A-----END%20CERTIFICATE-----%0A"));
        assertEquals(true, cert.matches("[A-Za-z0-9%\\-]+"), "only unreserved characters and %XX: " + cert);
    }

    @Test
    void literalTextAndSeveralVariablesAreConcatenated() {
        assertEquals("spiffe=spiffe://bank.example/ns/prod/sa/mobile-app; serial=beef",
                render("spiffe=${spiffe}; serial=${serial}", ID));
    }

    @Test
    void missingValuesRenderEmpty() {
        PeerIdentity bare = PeerIdentity.of(List.of(client("CN=a").signedBy(INTERMEDIATE).certificate()));

        assertEquals("", render("${spiffe}", bare));
        assertEquals("", render("${sanDns}${sanUri}${sanEmail}", bare));
    }

    @Test
    void controlCharactersInSubjectCannotInjectAHeader() {
        // A CA can sign any DN; a CN with CR LF must not become a second header line.
        PeerIdentity evil = PeerIdentity.of(List.of(client("CN=a\r\nX-Evil: 1\u0000z,O=Bank")
                .signedBy(INTERMEDIATE).certificate()));

        String subject = render("${subject}", evil);

        assertEquals("CN=a\\0D\\0AX-Evil: 1\\00z,O=Bank", subject);
        assertHeaderSafe(subject);
        // The escaped form is still RFC 4514: it names the same principal.
        assertEquals(new X500Principal(evil.subject()), new X500Principal(subject));
    }

    @Test
    void controlCharactersInSansArePercentEncoded() {
        // The JDK parses a DNS SAN with CR LF but drops the whole SAN extension when a URI or e-mail
        // SAN holds one, so build the identity directly to cover every variable.
        PeerIdentity evil = new PeerIdentity(ID.subject(), ID.issuer(), ID.serial(), ID.fingerprint(),
                Optional.of("spiffe://td/x\r\nX-Evil: 1"), List.of("a.example\r\nX-Evil: 1", " b.example\t"),
                List.of("spiffe://td/x\r\nX-Evil: 1"), List.of("a@b\u0000"),
                ID.notBefore(), ID.notAfter(), ID.leafPem(), ID.chainPem());

        assertEquals("a.example%0D%0AX-Evil: 1,%20b.example%09", render("${sanDns}", evil));
        assertEquals("spiffe://td/x%0D%0AX-Evil: 1", render("${spiffe}", evil));
        assertEquals("a@b%00", render("${sanEmail}", evil));
        for (String variable : IdentityTemplate.VARIABLES) {
            assertHeaderSafe(render("${" + variable + "}", evil));
        }
    }

    @Test
    void controlCharactersInADnsSanOfARealCertificateArePercentEncoded() {
        PeerIdentity id = PeerIdentity.of(List.of(client("CN=a").dns("a.example\r\nX-Evil: 1")
                .signedBy(INTERMEDIATE).certificate()));

        assertEquals(List.of("a.example\r\nX-Evil: 1"), id.sanDns());
        assertEquals("a.example%0D%0AX-Evil: 1", render("${sanDns}", id));
    }

    @Test
    void nonAsciiSubjectIsWrittenAsUtf8HexPairsLikeOpenSsl() {
        PeerIdentity id = PeerIdentity.of(List.of(client("CN=J\u00fcrgen,O=Bank").signedBy(INTERMEDIATE).certificate()));

        assertEquals("CN=J\\C3\\BCrgen,O=Bank", render("${subject}", id));
    }

    private static void assertHeaderSafe(String value) {
        for (char c : value.toCharArray()) {
            assertFalse(c < 0x20 || c >= 0x7F, () -> "unsafe character " + (int) c + " in " + value);
        }
    }
}
