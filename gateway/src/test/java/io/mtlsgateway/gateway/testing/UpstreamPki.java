package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The other side of upstream TLS, generated per test class: the CA the upstream's certificate
 * comes from, an upstream server certificate for 127.0.0.1 and localhost (with a SPIFFE ID), and
 * the CA and client certificate the gateway presents to the upstream. Written where a route file
 * can point at them.
 */
public final class UpstreamPki {
    public static final String UPSTREAM_SPIFFE = "spiffe://upstream.example/ns/prod/sa/ledger";

    public final IssuedCertificate upstreamCa = new CertificateBuilder().subject("CN=upstream CA,O=Test").ca(-1)
            .selfSigned();
    public final IssuedCertificate server = server("ledger").signedBy(upstreamCa);
    public final IssuedCertificate gatewayClientCa = new CertificateBuilder().subject("CN=gateway client CA,O=Test")
            .ca(-1).selfSigned();
    public final IssuedCertificate gatewayClient = gatewayClient("gateway-client");
    public final Path upstreamCaFile;
    public final Path clientCertificate;
    public final Path clientKey;

    public UpstreamPki(Path dir) throws IOException {
        upstreamCaFile = dir.resolve("upstream-ca.pem");
        clientCertificate = dir.resolve("gw-client.pem");
        clientKey = dir.resolve("gw-client.key");
        PemFiles.write(upstreamCaFile, upstreamCa.certificate());
        writeClient(gatewayClient);
    }

    /** A server certificate builder for the upstream: EKU serverAuth, 127.0.0.1, localhost and a SPIFFE ID. */
    public static CertificateBuilder server(String name) {
        return new CertificateBuilder().subject("CN=" + name + ",O=Test").forServer().dns("localhost")
                .ip("127.0.0.1").uri(UPSTREAM_SPIFFE);
    }

    /** A client certificate for the gateway, from the CA the upstream trusts. */
    public IssuedCertificate gatewayClient(String name) {
        return new CertificateBuilder().subject("CN=" + name + ",O=Test").forClient().signedBy(gatewayClientCa);
    }

    /** Replaces the gateway's client certificate and key files (key first, as a careless operator might). */
    public void writeClient(IssuedCertificate client) throws IOException {
        PemFiles.writePrivateKey(clientKey, client.privateKey());
        PemFiles.write(clientCertificate, client.chainWithoutRoot().toArray());
    }

    /** The {@code tls:} block of an upstream using these files, indented for an upstream entry. */
    public String tlsBlock(String extra) {
        return "    tls:\n"
                + "      ca: " + upstreamCaFile + "\n"
                + "      certificate: " + clientCertificate + "\n"
                + "      privateKey: " + clientKey + "\n"
                + extra;
    }
}
