package io.mtlsgateway.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.gateway.demo.EchoUpstream;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.GatewayFixture;
import io.mtlsgateway.gateway.testing.GatewayStack;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 200 MB upload on one h2 stream, without a content-length, to an HTTP/1.1 upstream (chunked
 * there): it arrives byte for byte. The test JVM's heap and direct memory are capped well below
 * 200 MB (the surefire argLine), so a gateway that buffered the body instead of streaming it with
 * h2 flow control would fail here with an OutOfMemoryError.
 */
class Http2UploadTest {
    @RegisterExtension
    static final GatewayStack stack = new GatewayStack();

    static final long SIZE = 200L * 1024 * 1024;

    @Test
    void streamsA200MegabyteUploadOverOneStream() throws Exception {
        EchoUpstream echo = stack.keep(EchoUpstream.start(0));
        stack.start(GatewayFixture.config(stack.pki(), ClientAuthMode.REQUIRE,
                List.of(GatewayFixture.route("api", "/api", "echo")),
                List.of(GatewayFixture.upstream("echo", Duration.ofSeconds(60), echo.port()))));
        IssuedCertificate client = stack.pki().client("uploader", "spiffe://test.example/ns/prod/sa/uploader");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(sslContext(stack.pki().server.root(), client)).build();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        HttpRequest upload = HttpRequest.newBuilder(URI.create("https://localhost:" + stack.address().getPort()
                        + "/api/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Generated(SIZE, sent)))
                .build();
        HttpResponse<String> response = http.send(upload, HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"bodyBytes\": " + SIZE), response.body());
        assertTrue(response.body().contains(HexFormat.of().formatHex(sent.digest())), response.body());
        assertTrue(response.body().toLowerCase(java.util.Locale.ROOT).contains("chunked"), response.body());
    }

    /** {@code size} bytes of varying content, made as they are read and hashed into {@code digest}. */
    private static final class Generated extends InputStream {
        private final byte[] block = new byte[64 * 1024];
        private final MessageDigest digest;
        private long left;
        private int position = block.length;

        Generated(long size, MessageDigest digest) {
            this.left = size;
            this.digest = digest;
            new Random(42).nextBytes(block);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (left == 0) {
                return -1;
            }
            if (position == block.length) {
                block[0]++; // vary the content so a reordered block changes the hash
                position = 0;
            }
            int n = (int) Math.min(Math.min(length, block.length - position), left);
            System.arraycopy(block, position, into, offset, n);
            digest.update(block, position, n);
            position += n;
            left -= n;
            return n;
        }
    }

    private static SSLContext sslContext(X509Certificate serverRoot, IssuedCertificate client) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", client.privateKey(), new char[0],
                client.chainWithoutRoot().toArray(X509Certificate[]::new));
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, new char[0]);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server-root", serverRoot);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }
}
