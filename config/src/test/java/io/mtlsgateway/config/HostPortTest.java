package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostPortTest {
    @Test
    void parsesNamesIpv4AndBracketedIpv6() {
        assertEquals(new HostPort("api.example.com", 443), HostPort.parse("api.example.com:443"));
        assertEquals(new HostPort("0.0.0.0", 0), HostPort.parse("0.0.0.0:0"));
        assertEquals(new HostPort("::1", 8443), HostPort.parse("[::1]:8443"));
        assertEquals(new HostPort("fe80::1%eth0", 80), HostPort.parse("[fe80::1%eth0]:80"));
    }

    @Test
    void printsIpv6BackInBracketsSoParseAndToStringRoundTrip() {
        assertEquals("[::1]:8443", HostPort.parse("[::1]:8443").toString());
    }

    @Test
    void rejectsTextThatIsNotHostColonPortWithTheReason() {
        assertEquals("'example.com' has no port (expected: host:port, IPv6 in brackets as [::1]:8443)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("example.com")).getMessage());
        assertEquals("'::1:80' (expected: an IPv6 address in brackets, as [::1]:8443)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:80")).getMessage());
        assertEquals("':80' has a bad host (expected: host:port, IPv6 in brackets as [::1]:8443)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse(":80")).getMessage());
        assertEquals("'a b:80' has a bad host (expected: host:port, IPv6 in brackets as [::1]:8443)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("a b:80")).getMessage());
        assertEquals("'[::1]8443' (expected: host:port, IPv6 in brackets as [::1]:8443)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[::1]8443")).getMessage());
        assertEquals("'[host]:80' has a bad IPv6 address (expected: host:port, IPv6 in brackets as [::1]:8443)",
                assertThrows(IllegalArgumentException.class, () -> HostPort.parse("[host]:80")).getMessage());
    }

    @Test
    void rejectsPortsOutsideZeroTo65535AndNonDigits() {
        for (String text : new String[] {"h:65536", "h:-1", "h:", "h:80a", "h:99999999999"}) {
            assertEquals("'" + text + "' has a bad port (expected: 0..65535)",
                    assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text)).getMessage());
        }
    }
}
