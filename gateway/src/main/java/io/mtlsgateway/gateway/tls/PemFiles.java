package io.mtlsgateway.gateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * Reads and writes the PEM files a route file points at. Errors name the file and say what was
 * expected; nothing here logs key material.
 */
public final class PemFiles {
    private PemFiles() {}

    /** Labels OpenSSL and others use for certificates. */
    private static final Set<String> CERTIFICATE_TYPES = Set.of("CERTIFICATE", "X509 CERTIFICATE");
    /** Labels of private keys, unencrypted and encrypted. */
    private static final Set<String> KEY_TYPES = Set.of("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY",
            "DSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY");

    /**
     * Every certificate in a PEM (or DER) file, in file order; at least one. Blocks of other kinds
     * are skipped, so a file holding the certificate chain and its key together (HAProxy's form)
     * serves as the certificate file, and as the key file when {@code privateKey} names it too.
     *
     * @throws IOException naming the file and saying what it holds instead
     */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        byte[] bytes = readBytes(file);
        if (!PemBlocks.isPem(bytes)) {
            return der(file, bytes);
        }
        List<PemBlocks.Block> blocks = PemBlocks.read(file, bytes);
        List<X509Certificate> result = new ArrayList<>();
        CertificateFactory factory = x509Factory();
        for (PemBlocks.Block block : blocks) {
            if (CERTIFICATE_TYPES.contains(block.type())) {
                try {
                    result.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                } catch (CertificateException | RuntimeException e) {
                    throw new UnparseableCertificateException(file + ": line " + block.line()
                            + ": the CERTIFICATE block is not a valid X.509 certificate");
                }
            }
        }
        if (result.isEmpty()) {
            throw new IOException(file + ": holds " + PemBlocks.describe(blocks)
                    + " but no CERTIFICATE (expected: PEM blocks 'BEGIN CERTIFICATE')");
        }
        return List.copyOf(result);
    }

    private static List<X509Certificate> der(Path file, byte[] bytes) throws IOException {
        try {
            List<X509Certificate> result = new ArrayList<>();
            for (var cert : x509Factory().generateCertificates(new ByteArrayInputStream(bytes))) {
                result.add((X509Certificate) cert);
            }
            if (!result.isEmpty()) {
                return List.copyOf(result);
            }
        } catch (CertificateException | RuntimeException e) {
            // Reported below in words: the JDK's parser messages ("signed fields invalid") help nobody.
        }
        throw new IOException(file + ": " + (bytes.length == 0 ? "empty" : "neither PEM nor a DER certificate")
                + " (expected: PEM blocks 'BEGIN CERTIFICATE')");
    }

    /** Every CRL in a PEM or DER file; at least one. */
    public static List<X509CRL> readCrls(Path file) throws IOException {
        byte[] bytes = readBytes(file);
        List<X509CRL> result = new ArrayList<>();
        CertificateFactory factory = x509Factory();
        if (!PemBlocks.isPem(bytes)) {
            try {
                for (var crl : factory.generateCRLs(new ByteArrayInputStream(bytes))) {
                    result.add((X509CRL) crl);
                }
            } catch (CRLException | RuntimeException e) {
                // Reported below.
            }
            if (result.isEmpty()) {
                throw new IOException(file + ": " + (bytes.length == 0 ? "empty" : "neither PEM nor a DER CRL")
                        + " (expected: PEM 'BEGIN X509 CRL' or DER)");
            }
            return List.copyOf(result);
        }
        List<PemBlocks.Block> blocks = PemBlocks.read(file, bytes);
        for (PemBlocks.Block block : blocks) {
            if (block.type().equals("X509 CRL")) {
                try {
                    result.add((X509CRL) factory.generateCRL(new ByteArrayInputStream(block.der())));
                } catch (CRLException | RuntimeException e) {
                    throw new IOException(file + ": line " + block.line() + ": the X509 CRL block is not a valid CRL");
                }
            }
        }
        if (result.isEmpty()) {
            throw new IOException(file + ": holds " + PemBlocks.describe(blocks)
                    + " but no X509 CRL (expected: PEM 'BEGIN X509 CRL' or DER)");
        }
        return List.copyOf(result);
    }

    /**
     * The private key in a PEM file: PKCS#8 ({@code PRIVATE KEY}), {@code EC PRIVATE KEY} or
     * {@code RSA PRIVATE KEY}, alone or next to the certificates it belongs to.
     *
     * @throws IOException naming the file and saying what it holds instead
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] bytes = readBytes(file);
        List<PemBlocks.Block> blocks = PemBlocks.isPem(bytes) ? PemBlocks.read(file, bytes) : List.of();
        List<PemBlocks.Block> keys = blocks.stream().filter(b -> KEY_TYPES.contains(b.type())).toList();
        String expected = " (expected: an unencrypted PEM 'BEGIN PRIVATE KEY', 'BEGIN EC PRIVATE KEY' or"
                + " 'BEGIN RSA PRIVATE KEY')";
        if (keys.isEmpty()) {
            String holds = bytes.length == 0 ? "empty" : !PemBlocks.isPem(bytes) ? "not PEM text"
                    : "holds " + PemBlocks.describe(blocks) + " but no private key";
            throw new IOException(file + ": " + holds + expected);
        }
        if (keys.size() > 1) {
            throw new IOException(file + ": holds " + keys.size() + " private keys (lines "
                    + keys.stream().map(k -> String.valueOf(k.line())).collect(Collectors.joining(", "))
                    + "; expected: exactly one, the key of the certificate)");
        }
        PemBlocks.Block key = keys.get(0);
        if (key.type().equals("ENCRYPTED PRIVATE KEY") || key.encrypted()) {
            throw new IOException(file + ": line " + key.line() + ": the private key is encrypted (expected: an"
                    + " unencrypted key; decrypt it with: openssl pkey -in " + file + " -out KEY.pem)");
        }
        return privateKey(file, key, expected);
    }

    private static PrivateKey privateKey(Path file, PemBlocks.Block key, String expected) throws IOException {
        // The JDK's key factories convert the parsed key (JcaPEMKeyConverter asks the installed
        // providers); registering BouncyCastle's provider here would cost a start ~100 ms for nothing.
        String pem = "-----BEGIN " + key.type() + "-----\n" + Base64.getMimeEncoder().encodeToString(key.der())
                + "\n-----END " + key.type() + "-----\n";
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException | RuntimeException e) {
            // Reported below in words; BouncyCastle's parser messages name its own classes.
        }
        throw new IOException(file + ": line " + key.line() + ": the " + key.type()
                + " block is not a readable private key" + expected);
    }

    /**
     * The file's bytes; a failure says in words what is wrong (the JDK's message for a missing or
     * forbidden file is just the path). The exception types stay, for callers that tell a missing
     * file from a bad one.
     */
    private static byte[] readBytes(Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "not found");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(file.toString(), null, "permission denied (the gateway runs as "
                    + System.getProperty("user.name") + ")");
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            // A folder, a device error: the JDK's message ("Is a directory") does not name the file.
            throw new IOException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static CertificateFactory x509Factory() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("X.509 is required of every Java platform", e);
        }
    }

    /** PEM text of certificates, CRLs or keys. */
    public static String toPem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode PEM", e);
        }
        return out.toString();
    }

    /** Writes certificates or CRLs as PEM, replacing the file atomically. */
    public static void write(Path file, Object... objects) throws IOException {
        writeAtomically(file, toPem(objects), false);
    }

    /** Writes a private key as PKCS#8 PEM, readable by the owner only, replacing the file atomically. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        writeAtomically(file, toPem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate()),
                true);
    }

    private static void writeAtomically(Path file, String text, boolean ownerOnly) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            // Temporary files start owner-only; certificates and CRLs are public and must stay
            // readable by a gateway running as another user.
            setPermissions(tmp, ownerOnly ? "rw-------" : "rw-r--r--");
            try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(text);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void setPermissions(Path file, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): its ACLs are the operator's to set.
        }
    }
}
