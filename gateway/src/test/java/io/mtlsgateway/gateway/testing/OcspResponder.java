package io.mtlsgateway.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.cert.ocsp.jcajce.JcaBasicOCSPRespBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A real OCSP responder over HTTP on 127.0.0.1 (the JDK's HTTP server, BouncyCastle responses),
 * signed by the issuing CA. Each serial gets an answer; unknown serials are answered "unknown".
 */
public final class OcspResponder implements AutoCloseable {
    /** What the responder says about a serial. */
    public enum Answer { GOOD, REVOKED, UNKNOWN, SLOW }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final IssuedCertificate issuer;
    private final Map<BigInteger, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    /** Holds SLOW answers until the responder closes. */
    private final CountDownLatch release = new CountDownLatch(1);

    private OcspResponder(IssuedCertificate issuer) throws IOException {
        this.issuer = issuer;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                byte[] response = respond(in.readAllBytes());
                exchange.getResponseHeaders().set("Content-Type", "application/ocsp-response");
                exchange.sendResponseHeaders(200, response.length);
                out.write(response);
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        server.start();
    }

    /** Starts a responder answering for certificates {@code issuer} issued. */
    public static OcspResponder start(IssuedCertificate issuer) throws IOException {
        return new OcspResponder(issuer);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp");
    }

    public OcspResponder answer(BigInteger serial, Answer answer) {
        answers.put(serial, answer);
        return this;
    }

    public int requests() {
        return requests.get();
    }

    private byte[] respond(byte[] body) throws Exception {
        OCSPReq request = new OCSPReq(body);
        var digests = new JcaDigestCalculatorProviderBuilder().build();
        var builder = new JcaBasicOCSPRespBuilder(issuer.certificate().getPublicKey(),
                digests.get(CertificateID.HASH_SHA1));
        Instant now = Instant.now();
        for (Req single : request.getRequestList()) {
            CertificateID id = single.getCertID();
            Answer answer = answers.getOrDefault(id.getSerialNumber(), Answer.UNKNOWN);
            if (answer == Answer.SLOW) {
                release.await(30, TimeUnit.SECONDS);
            }
            CertificateStatus status = switch (answer) {
                case GOOD, SLOW -> CertificateStatus.GOOD;
                case REVOKED -> new RevokedStatus(Date.from(now.minus(Duration.ofHours(1))), 1);
                case UNKNOWN -> new UnknownStatus();
            };
            builder.addResponse(id, status, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofHours(1))),
                    null);
        }
        String algorithm = issuer.privateKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        BasicOCSPResp basic = builder.build(new JcaContentSignerBuilder(algorithm).build(issuer.privateKey()), null,
                Date.from(now));
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
