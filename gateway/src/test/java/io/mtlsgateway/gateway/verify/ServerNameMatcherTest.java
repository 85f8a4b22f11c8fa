package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.ServerName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 9525 name matching, on a table of certificates and names the gateway might connect to. */
class ServerNameMatcherTest {
    /**
     * A certificate with these SANs (DNS:x, IP:x, space separated; "-" for none), a CN, the name
     * connected to, and whether it matches.
     */
    @ParameterizedTest(name = "[{0}] CN={1} vs {2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "DNS:api.example.com               | x                 | api.example.com       | true",
        "DNS:API.Example.COM               | x                 | api.example.com       | true",
        "DNS:api.example.com               | x                 | API.EXAMPLE.COM.      | true",
        "DNS:api.example.com               | x                 | www.example.com       | false",
        "DNS:api.example.com               | x                 | example.com           | false",
        "DNS:example.com                   | x                 | api.example.com       | false",
        "DNS:*.example.com                 | x                 | api.example.com       | true",
        "DNS:*.example.com                 | x                 | example.com           | false",
        "DNS:*.example.com                 | x                 | a.b.example.com       | false",
        "DNS:*.example.com                 | x                 | xn--bcher-kva.example.com | true",
        "DNS:*.com                         | x                 | example.com           | false",
        "DNS:f*.example.com                | x                 | foo.example.com       | false",
        "DNS:*oo.example.com               | x                 | foo.example.com       | false",
        "DNS:api.*.example.com             | x                 | api.eu.example.com    | false",
        "DNS:*.*.example.com               | x                 | a.b.example.com       | false",
        "DNS:*                             | x                 | localhost             | false",
        "DNS:api.example.com.              | x                 | api.example.com       | false",
        "-                                 | api.example.com   | api.example.com       | false",
        "DNS:other.example.com             | api.example.com   | api.example.com       | false",
        "DNS:127.0.0.1                     | x                 | 127.0.0.1             | false",
        "IP:127.0.0.1                      | x                 | 127.0.0.1             | true",
        "IP:127.0.0.1                      | x                 | 127.0.0.2             | false",
        "IP:127.0.0.1                      | 127.0.0.1         | localhost             | false",
        "IP:::1                            | x                 | ::1                   | true",
        "IP:::1                            | x                 | [::1]                 | true",
        "IP:::1                            | x                 | 0:0:0:0:0:0:0:1       | true",
        "IP:127.0.0.1                      | x                 | ::ffff:127.0.0.1      | false",
        "IP:10.0.0.1 DNS:localhost         | x                 | localhost             | true",
        "DNS:a.example.com DNS:b.example.com | x               | b.example.com         | true",
    })
    void matchesOnlyWhatRfc9525Allows(String sans, String commonName, String name, boolean expected) {
        X509Certificate leaf = leaf(commonName, sans);
        Verdict.Rejected mismatch = ServerNameMatcher.check(leaf, ServerName.parse(name));
        if (expected) {
            assertNull(mismatch, () -> mismatch.detail());
        } else {
            assertEquals(RejectionReason.NAME_MISMATCH, mismatch == null ? null : mismatch.reason());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-                   | the subject CN is never used",
        "DNS:a.example.com   | it is for DNS:a.example.com",
        "IP:10.1.2.3         | IP:10.1.2.3",
    })
    void saysWhatTheCertificateIsFor(String sans, String explains) {
        Verdict.Rejected mismatch = ServerNameMatcher.check(leaf("b.example.com", sans),
                ServerName.parse("b.example.com"));
        assertTrue(mismatch.detail().contains(explains), mismatch.detail());
    }

    static List<String> badNames() {
        return List.of("", "*.example.com", "a..b", "-a.example.com", "a-.example.com", "bücher.example",
                "1.2.3.4.5", "256.1.1.1", "[::g]", "a b", "x".repeat(64) + ".com");
    }

    @ParameterizedTest(name = "''{0}''")
    @MethodSource("badNames")
    void refusesNamesThatCannotBeConnectedTo(String name) {
        assertThrows(IllegalArgumentException.class, () -> ServerName.parse(name));
    }

    private static X509Certificate leaf(String commonName, String sans) {
        CertificateBuilder builder = new CertificateBuilder().subject("CN=" + commonName).forServer();
        for (String san : sans.trim().split(" +")) {
            if (san.startsWith("DNS:")) {
                builder.dns(san.substring(4));
            } else if (san.startsWith("IP:")) {
                builder.ip(san.substring(3));
            }
        }
        return builder.selfSigned().certificate();
    }
}
