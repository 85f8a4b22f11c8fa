package io.mtlsgateway.gateway.pki;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dev CA's bookkeeping, kept as text an operator can read and fix by hand:
 * {@code revoked.txt} (one {@code <serial hex> <revoked at, ISO-8601> [# subject]} line per revoked
 * certificate) and {@code crlnumber} (the number of the last CRL issued, in hex, as OpenSSL keeps it).
 */
final class RevocationLedger {
    static final String REVOKED_FILE = "revoked.txt";
    static final String CRL_NUMBER_FILE = "crlnumber";
    private static final String HEADER = "# Revoked by the mtls-gateway dev CA: serial (hex), revoked at, subject."
            + " Publish with `mtls-gateway pki crl`.\n";

    private final Path revokedFile;
    private final Path crlNumberFile;

    private RevocationLedger(Path dir) {
        this.revokedFile = dir.resolve(REVOKED_FILE);
        this.crlNumberFile = dir.resolve(CRL_NUMBER_FILE);
    }

    /** Writes an empty ledger whose last CRL number is {@code crlNumber}. */
    static RevocationLedger create(Path dir, BigInteger crlNumber) throws IOException {
        RevocationLedger ledger = new RevocationLedger(dir);
        writeAtomically(ledger.revokedFile, HEADER);
        ledger.recordCrlNumber(crlNumber);
        return ledger;
    }

    /** The ledger in {@code dir}; its files must exist. */
    static RevocationLedger open(Path dir) {
        return new RevocationLedger(dir);
    }

    /** Revoked serial to revocation time, in the order they were revoked. */
    Map<BigInteger, Instant> revocations() throws IOException {
        Map<BigInteger, Instant> result = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(revokedFile, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            try {
                result.putIfAbsent(new BigInteger(fields[0], 16),
                        fields.length > 1 && !fields[1].startsWith("#") ? Instant.parse(fields[1]) : Instant.EPOCH);
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IOException(revokedFile + ":" + (i + 1) + ": cannot read '" + line
                        + "' (expected: <serial hex> <revoked at, e.g. 2025-01-31T12:00:00Z>)", e);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    /** Adds a revocation; false if the serial was already revoked (the file is then left alone). */
    boolean revoke(BigInteger serial, Instant at, String subject) throws IOException {
        Map<BigInteger, Instant> current = revocations();
        if (current.containsKey(serial)) {
            return false;
        }
        String existing = Files.readString(revokedFile, StandardCharsets.UTF_8);
        if (!existing.isEmpty() && !existing.endsWith("\n")) {
            existing += "\n";
        }
        // The subject is only a comment for people; control characters are dropped so it stays on one line.
        String comment = subject.replaceAll("\\p{Cntrl}", "");
        writeAtomically(revokedFile, existing + serial.toString(16) + " " + at + " # " + comment + "\n");
        return true;
    }

    /** The number of the last CRL issued. */
    BigInteger lastCrlNumber() throws IOException {
        String text = Files.readString(crlNumberFile, StandardCharsets.US_ASCII).strip();
        try {
            return new BigInteger(text, 16);
        } catch (NumberFormatException e) {
            throw new IOException(crlNumberFile + ": '" + text + "' is not a hex CRL number", e);
        }
    }

    void recordCrlNumber(BigInteger number) throws IOException {
        writeAtomically(crlNumberFile, number.toString(16) + "\n");
    }

    List<Path> files() {
        return List.of(revokedFile, crlNumberFile);
    }

    /** Readers never see half a file, and a crash leaves the old version in place. */
    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            try (Writer writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                writer.write(text);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
