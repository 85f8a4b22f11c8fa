package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestCheckTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "api.example.com, api.example.com",
        "API.Example.COM:8443, api.example.com",
        "api.example.com., api.example.com",
        "api.example.com.:443, api.example.com",
        "[::1]:8443, [::1]",
        "127.0.0.1, 127.0.0.1",
        "api.example.com:65535, api.example.com",
    })
    void routesEverySpellingOfAHostTheSame(String header, String host) {
        assertEquals(host, RequestCheck.hostWithoutPort(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":8443", "a b", "host:port", "host:123456", "host:65536", "host:99999",
        "[::1]:70000", "host:\u0661", "[::1", "evil.com/x", "a..", "."})
    void refusesMalformedHosts(String header) {
        assertNull(RequestCheck.hostWithoutPort(header));
    }
}
