package io.mtlsgateway.gateway.identity;

import static io.mtlsgateway.gateway.identity.TestCertificates.INTERMEDIATE;
import static io.mtlsgateway.gateway.identity.TestCertificates.client;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.IdentityTemplate;
import io.mtlsgateway.config.XfccMode;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IdentityHeaderWriterTest {

    private static final String XFCC = IdentityHeaderWriter.X_FORWARDED_CLIENT_CERT;
    private static final Optional<String> BY = Optional.of("spiffe://bank.example/gateway/edge");
    private static final IssuedCertificate LEAF = client("CN=Smith\\, John \\\"JJ\\\",O=Bank")
            .uri("spiffe://bank.example/ns/prod/sa/mobile-app", "https://bank.example/app")
            .dns("a.example", "b.example")
            .signedBy(INTERMEDIATE);
    private static final PeerIdentity ID = PeerIdentity.of(LEAF.chainWithoutRoot());
    /** The element this gateway adds for ID: Envoy's key order, Subject quoted with \ escapes. */
    private static final String ELEMENT = "By=spiffe://bank.example/gateway/edge;Hash=" + ID.fingerprint()
            + ";Subject=\"CN=Smith\\\\, John \\\\\\\"JJ\\\\\\\",O=Bank\""
            + ";URI=spiffe://bank.example/ns/prod/sa/mobile-app;URI=https://bank.example/app"
            + ";DNS=a.example;DNS=b.example";

    private static IdentityHeaderWriter writer(XfccMode mode) {
        Map<String, IdentityTemplate> templates = new LinkedHashMap<>();
        templates.put("X-Client-Subject", IdentityTemplate.parse("${subject}"));
        templates.put("X-Client-Spiffe-Id", IdentityTemplate.parse("${spiffe}"));
        return new IdentityHeaderWriter(templates, mode, true, BY);
    }

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    private static HttpHeaders stripAndSet(IdentityHeaderWriter writer, HttpHeaders headers, PeerIdentity identity) {
        writer.strip(headers);
        writer.set(headers, identity);
        return headers;
    }

    // --- the element's exact text ---

    @Test
    void elementEscapesQuoteAndBackslashInsideTheQuotedSubject() {
        assertEquals("CN=Smith\\, John \\\"JJ\\\",O=Bank", ID.subject());
        assertEquals(ELEMENT, XfccElement.of(ID, BY));
    }

    @Test
    void elementLeavesOutByWithoutAServerUriAndSendsAnEmptyUriWithoutAClientUriAsEnvoyDoes() {
        PeerIdentity bare = PeerIdentity.of(List.of(client("CN=a").signedBy(INTERMEDIATE).certificate()));

        assertEquals("Hash=" + bare.fingerprint() + ";Subject=\"CN=a\";URI=", XfccElement.of(bare, Optional.empty()));
    }

    @Test
    void elementQuotesUriValuesHoldingXfccDelimiters() {
        PeerIdentity id = PeerIdentity.of(List.of(client("CN=a").uri("https://a.example/?x=1;y=2")
                .signedBy(INTERMEDIATE).certificate()));

        assertTrue(XfccElement.of(id, Optional.empty()).endsWith(";URI=\"https://a.example/?x=1;y=2\""));
    }

    // --- XFCC modes ---

    @Test
    void sanitizeRemovesClientXfccAndSendsNone() {
        HttpHeaders h = stripAndSet(writer(XfccMode.SANITIZE), headers(XFCC, "Hash=spoofed"), ID);

        assertFalse(h.contains(XFCC));
    }

    @Test
    void sanitizeSetReplacesClientXfccWithOurs() {
        HttpHeaders h = stripAndSet(writer(XfccMode.SANITIZE_SET),
                headers(XFCC, "Hash=spoofed", "x-forwarded-client-cert", "Hash=again"), ID);

        assertEquals(List.of(ELEMENT), h.getAll(XFCC));
    }

    @Test
    void appendForwardKeepsEveryClientElementAndAppendsOursAfterAComma() {
        HttpHeaders h = stripAndSet(writer(XfccMode.APPEND_FORWARD),
                headers(XFCC, "By=spiffe://a;Hash=11", "x-forwarded-client-cert", "By=spiffe://b;Hash=22"), ID);

        assertEquals(List.of("By=spiffe://a;Hash=11,By=spiffe://b;Hash=22," + ELEMENT), h.getAll(XFCC));
    }

    @Test
    void appendForwardWithoutClientXfccSendsOnlyOurs() {
        HttpHeaders h = stripAndSet(writer(XfccMode.APPEND_FORWARD), headers(), ID);

        assertEquals(List.of(ELEMENT), h.getAll(XFCC));
    }

    @Test
    void forwardOnlyKeepsClientXfccUnchanged() {
        HttpHeaders h = stripAndSet(writer(XfccMode.FORWARD_ONLY), headers(XFCC, "By=spiffe://a;Hash=11"), ID);

        assertEquals(List.of("By=spiffe://a;Hash=11"), h.getAll(XFCC));
    }

    @Test
    void forwardingModesStillStripUnderscoreSpellingsOfXfcc() {
        for (XfccMode mode : List.of(XfccMode.APPEND_FORWARD, XfccMode.FORWARD_ONLY)) {
            HttpHeaders h = headers(XFCC, "Hash=11", "X_Forwarded_Client_Cert", "Hash=spoofed");

            writer(mode).strip(h);

            assertEquals(List.of("Hash=11"), h.getAll(XFCC), mode.name());
            assertFalse(h.contains("X_Forwarded_Client_Cert"), mode.name());
        }
    }

    @Test
    void forwardingModesDropClientXfccWhenThePeerPresentedNoCertificate() {
        for (XfccMode mode : List.of(XfccMode.APPEND_FORWARD, XfccMode.FORWARD_ONLY)) {
            HttpHeaders h = stripAndSet(writer(mode), headers(XFCC, "Hash=spoofed"), null);

            assertFalse(h.contains(XFCC), mode.name());
        }
    }

    // --- templated headers and RFC 9440 ---

    @Test
    void setsTemplatedHeadersAndLeavesOutThoseThatRenderEmpty() {
        PeerIdentity noSpiffe = PeerIdentity.of(List.of(client("CN=a").signedBy(INTERMEDIATE).certificate()));

        HttpHeaders h = stripAndSet(writer(XfccMode.SANITIZE), headers("X-Client-Spiffe-Id", "spoofed"), noSpiffe);

        assertEquals("CN=a", h.get("X-Client-Subject"));
        assertFalse(h.contains("X-Client-Spiffe-Id"), "empty value is omitted, and the spoofed copy is gone");
    }

    @Test
    void setsNothingWithoutAClientCertificateButStillStrips() {
        HttpHeaders h = stripAndSet(writer(XfccMode.SANITIZE_SET),
                headers("X-Client-Subject", "CN=admin", "Client-Cert", ":AAAA:", XFCC, "Hash=1", "Accept", "*/*"), null);

        assertEquals(List.of("Accept"), List.copyOf(h.names()));
    }

    @Test
    void rfc9440FieldsDecodeBackToTheDerOfLeafAndIntermediates() throws Exception {
        HttpHeaders h = stripAndSet(writer(XfccMode.SANITIZE), headers(), ID);

        assertArrayEquals(LEAF.certificate().getEncoded(), byteSequence(h.get("Client-Cert")));
        String[] chain = h.get("Client-Cert-Chain").split(", ");
        assertEquals(1, chain.length);
        assertArrayEquals(INTERMEDIATE.certificate().getEncoded(), byteSequence(chain[0]));
    }

    @Test
    void rfc9440ChainIsLeftOutWhenTheClientSentOnlyItsLeaf() {
        HttpHeaders h = stripAndSet(writer(XfccMode.SANITIZE), headers("Client-Cert-Chain", ":AAAA:"),
                PeerIdentity.of(List.of(LEAF.certificate())));

        assertTrue(h.contains("Client-Cert"));
        assertFalse(h.contains("Client-Cert-Chain"));
    }

    @Test
    void rfc9440FieldsAreNotSentWhenTheListenerDisablesThemButClientCopiesAreStillStripped() {
        IdentityHeaderWriter writer = new IdentityHeaderWriter(Map.of(), XfccMode.SANITIZE, false, Optional.empty());

        HttpHeaders h = stripAndSet(writer, headers("client-cert", ":AAAA:", "CLIENT_CERT_CHAIN", ":AAAA:"), ID);

        assertTrue(h.isEmpty());
    }

    // --- stripping ---

    @Test
    void stripRemovesEverySpellingAndEveryCopyOfAConfiguredHeader() {
        HttpHeaders h = headers(
                "x-client-subject", "CN=admin",
                "X-CLIENT-SUBJECT", "CN=admin",
                "X_Client_Subject", "CN=admin",
                "x_client-SUBJECT", "CN=admin",
                "X-Client-Subject", "CN=again");

        writer(XfccMode.SANITIZE).strip(h);

        assertTrue(h.isEmpty(), () -> "left: " + h.names());
    }

    @Test
    void stripRemovesForwardingAndRfc9440HeadersTheGatewaySetsItself() {
        HttpHeaders h = headers("X-Forwarded-For", "10.0.0.1", "x_forwarded_proto", "http",
                "X-Forwarded-Host", "admin.internal", "Forwarded", "for=10.0.0.1", "Client-Cert", ":AAAA:",
                "client_cert_chain", ":AAAA:");

        writer(XfccMode.SANITIZE).strip(h);

        assertTrue(h.isEmpty(), () -> "left: " + h.names());
    }

    @Test
    void stripKeepsUnrelatedHeadersIncludingOnesSharingAPrefix() {
        HttpHeaders h = headers("X-Client-Subjective", "keep", "X-Client-Subjec", "keep", "X-Client", "keep",
                "Host", "api.example", "Content-Length", "0", "X-Client-Subject", "drop");

        writer(XfccMode.SANITIZE).strip(h);

        assertEquals(List.of("X-Client-Subjective", "X-Client-Subjec", "X-Client", "Host", "Content-Length"),
                List.copyOf(h.names()));
        assertEquals("keep", h.get("X-Client-Subjective"));
    }

    @Test
    void stripWorksOnRequestTrailers() {
        LastHttpContent last = new DefaultLastHttpContent();
        try {
            last.trailingHeaders().add("X_Client_Subject", "CN=admin").add("x-client-subject", "CN=admin")
                    .add("X-Checksum", "abc");

            writer(XfccMode.SANITIZE).strip(last.trailingHeaders());

            assertEquals(List.of("X-Checksum"), List.copyOf(last.trailingHeaders().names()));
        } finally {
            last.release();
        }
    }

    @Test
    void stripTrailersRemovesXfccEvenInForwardingModes() {
        HttpHeaders trailers = headers(XFCC, "Hash=spoofed", "X-Client-Subject", "CN=admin", "X-Checksum", "abc");

        writer(XfccMode.APPEND_FORWARD).stripTrailers(trailers);

        assertEquals(List.of("X-Checksum"), List.copyOf(trailers.names()));
    }

    @Test
    void stripOnEmptyHeadersDoesNothing() {
        writer(XfccMode.SANITIZE).strip(LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders());
        assertNull(LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders().get("X-Client-Subject"));
    }

    // --- construction ---

    @Test
    void rejectsHeaderNamesThatAreReservedDuplicatedOrNotTokensListingEveryProblem() {
        Map<String, IdentityTemplate> templates = new LinkedHashMap<>();
        templates.put("X-Forwarded-Client-Cert", IdentityTemplate.parse("${subject}"));
        templates.put("Content_Length", IdentityTemplate.parse("${subject}"));
        templates.put("X-Id", IdentityTemplate.parse("${subject}"));
        templates.put("x_id", IdentityTemplate.parse("${serial}"));
        templates.put("Bad Name", IdentityTemplate.parse("${serial}"));
        templates.put("X-Text", IdentityTemplate.parse("a\r\nb${serial}"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IdentityHeaderWriter(templates, XfccMode.SANITIZE, false, Optional.empty()));

        for (String name : List.of("X-Forwarded-Client-Cert", "Content_Length", "x_id", "Bad Name", "X-Text")) {
            assertTrue(e.getMessage().contains("identityHeaders." + name + ":"), () -> name + " in " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("identityHeaders.X-Id:"), e.getMessage());
    }

    private static byte[] byteSequence(String field) {
        assertTrue(field.startsWith(":") && field.endsWith(":"), field);
        return Base64.getDecoder().decode(field.substring(1, field.length() - 1));
    }
    // --- rendered once per connection ---

    @Test
    void headersRenderedOnceForAConnectionAreTheSameOnEveryRequestAndTokenVariablesFollowEachRequest() {
        Map<String, IdentityTemplate> templates = new LinkedHashMap<>();
        templates.put("X-Client-Subject", IdentityTemplate.parse("${subject}"));
        templates.put("X-Caller", IdentityTemplate.parse("${jwt.sub}@${sanDns}"));
        templates.put("X-Client-Spiffe-Id", IdentityTemplate.parse("${spiffe}"));
        IdentityHeaderWriter writer = new IdentityHeaderWriter(templates, XfccMode.APPEND_FORWARD, true, BY);
        PeerHeaders once = writer.forPeer(ID);
        for (String subject : List.of("alice", "bob")) {
            HttpHeaders perRequest = headers(XFCC, "By=spiffe://front;Hash=00");
            HttpHeaders fromConnection = headers(XFCC, "By=spiffe://front;Hash=00");
            writer.set(perRequest, ID, claim -> claim.equals("sub") ? Optional.of(subject) : Optional.empty());
            writer.set(fromConnection, once, claim -> claim.equals("sub") ? Optional.of(subject) : Optional.empty());
            assertEquals(perRequest.entries().toString(), fromConnection.entries().toString());
            assertEquals(subject + "@a.example,b.example", fromConnection.get("X-Caller"));
            assertEquals("By=spiffe://front;Hash=00," + ELEMENT, fromConnection.get(XFCC));
        }
    }

    @Test
    void aConnectionWithoutACertificateSetsNothingAndDropsAForwardedXfcc() {
        IdentityHeaderWriter writer = writer(XfccMode.APPEND_FORWARD);
        HttpHeaders headers = headers(XFCC, "By=spiffe://front;Hash=00", "Accept", "*/*");
        assertFalse(writer.set(headers, writer.forPeer(null), IdentityTemplateRenderer.NO_CLAIMS));
        assertEquals("[Accept=*/*]", headers.entries().toString());
    }
}
