package io.mtlsgateway.gateway.pipeline;

import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * HTTP/1.1 codecs with strict parsing set explicitly, so no system property can loosen them:
 * ambiguous framing (Content-Length with Transfer-Encoding, duplicate lengths, bare LF, bad chunk
 * sizes) fails decoding and is never forwarded.
 */
public final class HttpCodecs {
    public static final int MAX_INITIAL_LINE_LENGTH = 8192;
    public static final int MAX_HEADER_SIZE = 16 * 1024;
    private static final int MAX_CHUNK_SIZE = 16 * 1024;

    private HttpCodecs() {}

    // HttpDecoderConfig is mutable, so every codec gets its own.
    private static HttpDecoderConfig strict() {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
                .setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true)
                .setChunkedSupported(true)
                // Partial chunks let a large chunk stream through instead of being buffered whole.
                .setAllowPartialChunks(true);
    }

    /** The codec for a downstream (client-facing) connection; also refuses obs-fold and HTTP/0.9. */
    public static StrictServerCodec server() {
        return new StrictServerCodec(strict());
    }

    /** The codec for an upstream connection; a response missing at close is reported as a failure. */
    public static HttpClientCodec client() {
        return new HttpClientCodec(strict(), false, true);
    }
}
