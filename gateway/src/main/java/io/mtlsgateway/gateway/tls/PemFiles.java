package io.mtlsgateway.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

    /** Every certificate in a PEM (or DER) file, in file order; at least one. */
    public static List<X509Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends java.security.cert.Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> result = new ArrayList<>();
            for (var cert : certs) {
                result.add((X509Certificate) cert);
            }
            if (result.isEmpty()) {
                throw new IOException(file + ": no certificate found (expected: PEM blocks 'BEGIN CERTIFICATE')");
            }
            return List.copyOf(result);
        } catch (CertificateException e) {
            throw new IOException(file + ": not a valid certificate file: " + e.getMessage(), e);
        }
    }

    /** Every CRL in a PEM or DER file; at least one. */
    public static List<X509CRL> readCrls(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509CRL> result = new ArrayList<>();
            for (var crl : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                result.add((X509CRL) crl);
            }
            if (result.isEmpty()) {
                throw new IOException(file + ": no CRL found (expected: PEM 'BEGIN X509 CRL' or DER)");
            }
            return List.copyOf(result);
        } catch (java.security.cert.CRLException | CertificateException e) {
            throw new IOException(file + ": not a valid CRL file: " + e.getMessage(), e);
        }
    }

    /** The private key in a PEM file: PKCS#8 ({@code PRIVATE KEY}), {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY}. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        BouncyCastle.provider();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable private key: " + e.getMessage(), e);
        }
        throw new IOException(file + ": no private key found (expected: an unencrypted PEM 'BEGIN PRIVATE KEY',"
                + " 'BEGIN EC PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY')");
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
