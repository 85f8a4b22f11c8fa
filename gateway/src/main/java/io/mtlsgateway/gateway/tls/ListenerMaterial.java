package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.identity.DnFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every file a listener's TLS settings point at, read and checked together: the server chain
 * (leaf first, each certificate signed by the next), the key (matching the leaf), the client CA
 * bundle (CA certificates only) and the CRLs (each signed by a CA of the bundle). Used by both
 * {@code run} (and every reload) and {@code check}, so they can never disagree about a file.
 *
 * @param clientCas empty when client auth is none
 */
public record ListenerMaterial(List<X509Certificate> serverChain, PrivateKey key, List<X509Certificate> clientCas,
        List<X509CRL> crls) {

    public ListenerMaterial {
        serverChain = List.copyOf(serverChain);
        clientCas = List.copyOf(clientCas);
        crls = List.copyOf(crls);
    }

    /** Files that cannot be used; every problem found, each naming its file. */
    public static final class MaterialException extends java.io.IOException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> problems;

        MaterialException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /**
     * Reads and cross-checks every file of {@code tls}.
     *
     * @throws MaterialException listing every problem, not just the first
     */
    public static ListenerMaterial load(TlsConfig tls) throws MaterialException {
        List<String> problems = new ArrayList<>();
        List<X509Certificate> chain = read(problems, () -> PemFiles.readCertificates(tls.certificate()));
        PrivateKey key = read(problems, () -> PemFiles.readPrivateKey(tls.privateKey()));
        if (chain != null) {
            checkChainOrder(tls.certificate(), chain, problems);
        }
        if (chain != null && key != null && !KeyPairCheck.matches(key, chain.get(0))) {
            problems.add(tls.privateKey() + ": the private key does not belong to the first certificate of "
                    + tls.certificate());
        }
        List<X509Certificate> cas = List.of();
        if (tls.clientAuth() != ClientAuthMode.NONE) {
            cas = read(problems, () -> PemFiles.readCertificates(tls.clientCa()));
            if (cas != null) {
                for (X509Certificate ca : cas) {
                    if (ca.getBasicConstraints() < 0) {
                        problems.add(tls.clientCa() + ": not a CA certificate: " + subject(ca)
                                + " (a client CA bundle must hold only CA certificates)");
                    }
                }
            }
        }
        List<X509CRL> crls = new ArrayList<>();
        for (Path file : tls.crl()) {
            List<X509CRL> read = read(problems, () -> PemFiles.readCrls(file));
            if (read != null) {
                for (X509CRL crl : read) {
                    checkCrlIssuer(file, crl, cas == null ? List.of() : cas, problems);
                }
                crls.addAll(read);
            }
        }
        if (!problems.isEmpty()) {
            throw new MaterialException(problems);
        }
        return new ListenerMaterial(chain, key, cas, crls);
    }

    /** When the server's own certificate expires. */
    public Instant serverNotAfter() {
        return serverChain.get(0).getNotAfter().toInstant();
    }

    /** The earliest expiry among the client CAs. */
    public Optional<Instant> earliestCaNotAfter() {
        return clientCas.stream().map(c -> c.getNotAfter().toInstant()).min(Comparator.naturalOrder());
    }

    /** The earliest nextUpdate among the CRLs: when the first of them goes stale. */
    public Optional<Instant> earliestCrlNextUpdate() {
        return crls.stream().filter(c -> c.getNextUpdate() != null).map(c -> c.getNextUpdate().toInstant())
                .min(Comparator.naturalOrder());
    }

    /** A certificate's subject as OpenSSL prints it ({@code -nameopt RFC2253}). */
    public static String subject(X509Certificate cert) {
        return DnFormat.rfc2253(cert.getSubjectX500Principal());
    }

    interface Reader<T> {
        T read() throws IOException;
    }

    static <T> T read(List<String> problems, Reader<T> reader) {
        try {
            return reader.read();
        } catch (IOException e) {
            // PemFiles' messages already start with the file.
            problems.add(e.getMessage());
            return null;
        }
    }

    static void checkChainOrder(Path file, List<X509Certificate> chain, List<String> problems) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate next = chain.get(i + 1);
            boolean issuedByNext = cert.getIssuerX500Principal().equals(next.getSubjectX500Principal());
            if (issuedByNext) {
                try {
                    cert.verify(next.getPublicKey());
                } catch (GeneralSecurityException e) {
                    issuedByNext = false;
                }
            }
            if (!issuedByNext) {
                problems.add(file + ": certificate " + (i + 1) + " (" + subject(cert) + ") is not signed by certificate "
                        + (i + 2) + " (" + subject(next) + "); expected: the leaf first, then each issuer in order");
            }
        }
    }

    /**
     * A CRL from a CA of the bundle must carry that CA's signature. A CRL from an intermediate the
     * bundle does not hold (clients send their intermediates) cannot be checked here: the verifier
     * checks it against the intermediate once a client's chain has proved that intermediate.
     */
    static void checkCrlIssuer(Path file, X509CRL crl, List<X509Certificate> cas, List<String> problems) {
        boolean issuerInBundle = false;
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                issuerInBundle = true;
                try {
                    crl.verify(ca.getPublicKey());
                    return;
                } catch (GeneralSecurityException e) {
                    // A CA of the same name with another key may follow (a rotation in progress).
                }
            }
        }
        if (issuerInBundle) {
            problems.add(file + ": CRL issued by " + DnFormat.rfc2253(crl.getIssuerX500Principal())
                    + " is not signed by that CA of the CA bundle");
        }
    }
}
