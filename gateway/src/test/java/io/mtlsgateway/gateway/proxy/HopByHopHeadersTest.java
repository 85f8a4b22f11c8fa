package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** What a relayed message loses: the fixed hop-by-hop list and what Connection names, never the framing. */
class HopByHopHeadersTest {

    @Test
    void removesTheFixedListAndKeepsTheRest() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "keep-alive").add("Keep-Alive", "timeout=5").add("TE", "trailers")
                .add("Proxy-Connection", "keep-alive").add("Upgrade", "websocket").add("X-Kept", "1");
        HopByHopHeaders.strip(headers);
        assertEquals(1, headers.size());
        assertEquals("1", headers.get("x-kept"));
    }

    @Test
    void removesEveryHeaderConnectionNamesInAnyCaseAndSpacing() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "X-One ,,x-two,")
                .add("Connection", "X-THREE")
                .add("x-one", "a").add("X-Two", "b").add("x-three", "c").add("x-four", "d");
        HopByHopHeaders.strip(headers);
        assertFalse(headers.contains("x-one"));
        assertFalse(headers.contains("x-two"));
        assertFalse(headers.contains("x-three"));
        assertFalse(headers.contains("connection"));
        assertEquals("d", headers.get("x-four"));
    }

    @Test
    void neverRemovesTheFramingHeadersConnectionNames() {
        HttpHeaders headers = new DefaultHttpHeaders()
                .add("Connection", "Content-Length, HOST, trailer, close")
                .add("Content-Length", "3").add("Host", "api.example.com").add("Trailer", "x-sum");
        HopByHopHeaders.strip(headers);
        assertTrue(headers.contains("content-length"));
        assertTrue(headers.contains("host"));
        assertTrue(headers.contains("trailer"));
        assertFalse(headers.contains("connection"));
    }
}
