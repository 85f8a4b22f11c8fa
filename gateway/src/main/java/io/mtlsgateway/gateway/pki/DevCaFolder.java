package io.mtlsgateway.gateway.pki;

import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The folder a {@link DevCa} lives in: where each of its files goes, the lock that keeps two
 * {@code pki} commands from interleaving their changes, and the writing of issued certificates
 * (key first, never outside the folder). {@link PemFiles} replaces every file atomically.
 */
final class DevCaFolder {
    static final String CA_CERT = "ca.pem";
    static final String CA_KEY = "ca.key";
    static final String CA_CRL = "ca.crl";
    private static final String LOCK_FILE = ".lock";
    /** Serialises changes by DevCa instances of this JVM; the file lock serialises processes. */
    private static final Object JVM_LOCK = new Object();

    private final Path dir;

    /** @param dir absolute and normalised */
    private DevCaFolder(Path dir) {
        this.dir = dir;
    }

    /** The folder of an existing CA; whether its files are there is for the caller to check. */
    static DevCaFolder of(Path dir) {
        return new DevCaFolder(dir.toAbsolutePath().normalize());
    }

    /**
     * The folder of a new CA: created owner-only if absent; refused if it holds a CA already.
     *
     * @throws FileAlreadyExistsException naming the first CA file found
     */
    static DevCaFolder create(Path dir) throws IOException {
        DevCaFolder folder = of(dir);
        folder.createPrivateDirectory();
        for (String name : List.of(CA_CERT, CA_KEY, CA_CRL, RevocationLedger.REVOKED_FILE,
                RevocationLedger.CRL_NUMBER_FILE)) {
            Path file = folder.dir.resolve(name);
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString(), null, "a dev CA already exists in "
                        + folder.dir + "; use it, choose another --dir, or delete the folder to start over");
            }
        }
        return folder;
    }

    Path dir() {
        return dir;
    }

    Path caCertificate() {
        return dir.resolve(CA_CERT);
    }

    Path caKey() {
        return dir.resolve(CA_KEY);
    }

    Path crl() {
        return dir.resolve(CA_CRL);
    }

    /**
     * Writes {@code <name>.key} (owner-only) and {@code <name>.pem}, replacing earlier ones.
     *
     * @return the certificate file
     */
    Path writeIssued(String name, IssuedCertificate issued) throws IOException {
        Path certFile = dir.resolve(name + ".pem");
        Path keyFile = dir.resolve(name + ".key");
        // Defence in depth behind NameChecks: issued files never land outside the CA folder.
        if (!dir.equals(certFile.getParent()) || !dir.equals(keyFile.getParent())) {
            throw new IllegalArgumentException("name: '" + name + "' would write outside " + dir);
        }
        return locked(() -> {
            // Key first, so a watcher that sees the new certificate can also load its key.
            PemFiles.writePrivateKey(keyFile, issued.privateKey());
            // The root signs leaves directly, so the chain a peer sends is the leaf alone.
            PemFiles.write(certFile, issued.chainWithoutRoot().toArray());
            return certFile;
        });
    }

    interface Change<T> {
        T run() throws IOException;
    }

    /** Two `pki` commands at once on one folder must not lose a revocation or reuse a CRL number. */
    <T> T locked(Change<T> change) throws IOException {
        synchronized (JVM_LOCK) {
            try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return change.run();
            }
        }
    }

    private void createPrivateDirectory() throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir.getParent());
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): its ACLs are the operator's to set.
            Files.createDirectory(dir);
        }
    }
}
