package io.mtlsgateway.gateway.testing;

import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A throwaway PKI for one test class, generated in the test (no checked-in certificates): a client
 * CA, a server certificate for localhost and 127.0.0.1, and files a route file can point at.
 */
public final class TestPki {
    public final IssuedCertificate clientCa;
    /** Signs server certificates; a rotated one from it stays trusted by the test clients. */
    public final IssuedCertificate serverCa;
    public final IssuedCertificate server;
    public final Path dir;
    public final Path serverCertificate;
    public final Path serverKey;
    public final Path clientCaFile;

    public TestPki(Path dir) throws IOException {
        this.dir = dir;
        this.serverCa = new CertificateBuilder().subject("CN=test server CA").ca(-1).selfSigned();
        this.server = new CertificateBuilder().subject("CN=gateway").forServer().dns("localhost").ip("127.0.0.1")
                .uri("spiffe://test.example/gateway").signedBy(serverCa);
        this.clientCa = new CertificateBuilder().subject("CN=test client CA,O=Test").ca(-1).selfSigned();
        this.serverCertificate = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server.key");
        this.clientCaFile = dir.resolve("clients-ca.pem");
        PemFiles.write(serverCertificate, server.chainWithoutRoot().toArray());
        PemFiles.writePrivateKey(serverKey, server.privateKey());
        PemFiles.write(clientCaFile, clientCa.certificate());
    }

    /** The CA that signed the server certificate, for clients to trust. */
    public IssuedCertificate serverRoot() {
        return new IssuedCertificate(server.root(), server.privateKey(), java.util.List.of());
    }

    /** A client certificate from the trusted client CA. */
    public IssuedCertificate client(String commonName, String spiffeId) {
        CertificateBuilder builder = new CertificateBuilder().subject("CN=" + commonName + ",O=Test").forClient();
        if (spiffeId != null) {
            builder.uri(spiffeId);
        }
        return builder.signedBy(clientCa);
    }
}
