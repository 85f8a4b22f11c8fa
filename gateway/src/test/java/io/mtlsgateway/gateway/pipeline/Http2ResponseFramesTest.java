package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A response head's and trailers' h2 fields are Netty's translation's ({@link HttpConversionUtil}),
 * field for field and in order, for heads of every shape its rules treat apart: names as an
 * HTTP/1.1 upstream spells them, connection-specific fields, the Connection field's own tokens, TE,
 * Cookie, Netty's x-http2-* names.
 */
class Http2ResponseFramesTest {
    private static final List<Consumer<HttpHeaders>> SHAPES = List.of(
            h -> { },
            h -> h.add(AsciiString.of("Server"), "nginx").add(AsciiString.of("Date"), "Tue, 01 Dec 2026 00:00:00 GMT")
                    .add("content-type", "text/plain").add("Content-Length", "3").add("ETag", "\"a\""),
            h -> h.add("Set-Cookie", "a=1").add("Set-Cookie", "b=2").add("Via", "1.1 mtls-gateway")
                    .add("x-empty", ""),
            h -> h.add("Transfer-Encoding", "chunked").add("Keep-Alive", "timeout=5").add("Proxy-Connection", "x")
                    .add("Host", "api.test").add("Upgrade", "h2c").add("x-kept", "1"),
            h -> h.add("x-http2-stream-id", "3").add("X-Http2-Scheme", "https").add("x-http2-path", "/")
                    .add("x-http2-protocol", "websocket").add("x-http2-stream-weight", "16"),
            h -> h.add("Connection", "close, X-Hop").add("X-Hop", "1").add("x-kept", "2"),
            h -> h.add("TE", "trailers, deflate").add("x-kept", "3"),
            h -> h.add("te", "gzip"),
            h -> h.add("Cookie", "a=1; b=2").add("cookie", "c=3;d=4"),
            h -> h.add("grpc-status", "0").add("grpc-message", "ok"));

    @Test
    void aResponseHeadIsNettysTranslation() {
        int compared = 0;
        for (Consumer<HttpHeaders> shape : SHAPES) {
            for (HttpResponseStatus status : List.of(HttpResponseStatus.OK, HttpResponseStatus.NOT_FOUND,
                    HttpResponseStatus.valueOf(299))) {
                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
                shape.accept(response.headers());
                assertEquals(fields(HttpConversionUtil.toHttp2Headers(response, true)),
                        fields(Http2ResponseFrames.headOf(response)), response.toString());
                compared++;
            }
        }
        assertTrue(compared >= 30);
    }

    @Test
    void trailersAreNettysTranslation() {
        for (Consumer<HttpHeaders> shape : SHAPES) {
            HttpHeaders trailers = new DefaultHttpHeaders();
            shape.accept(trailers);
            if (trailers.isEmpty()) {
                continue;
            }
            assertEquals(fields(HttpConversionUtil.toHttp2Headers(trailers, true)),
                    fields(Http2ResponseFrames.trailersOf(trailers)), trailers.toString());
        }
    }

    private static List<Map.Entry<String, String>> fields(Http2Headers headers) {
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        headers.forEach(field -> fields.add(Map.entry(field.getKey().toString(), field.getValue().toString())));
        return fields;
    }
}
