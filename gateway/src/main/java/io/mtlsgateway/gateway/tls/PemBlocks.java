package io.mtlsgateway.gateway.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PEM blocks of a file, in file order, with the line each starts on, so that a file can be
 * read by what it holds (a certificate and its key together, as HAProxy and nginx allow) and a
 * refused file can be described ("holds a PRIVATE KEY block but no CERTIFICATE"). Text outside
 * blocks (OpenSSL's "Bag Attributes", comments) is ignored, as OpenSSL does.
 */
final class PemBlocks {
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    /**
     * One block.
     *
     * @param type the label, e.g. {@code CERTIFICATE}, {@code PRIVATE KEY}
     * @param line the 1-based line of its BEGIN
     * @param der the decoded body
     * @param encrypted whether it has RFC 1421 headers ({@code Proc-Type: 4,ENCRYPTED}): a legacy encrypted key
     */
    record Block(String type, int line, byte[] der, boolean encrypted) {}

    private PemBlocks() {}

    /** Whether the bytes look like PEM text (any BEGIN line) rather than DER. */
    static boolean isPem(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains(BEGIN);
    }

    /**
     * Every block of the file.
     *
     * @throws IOException naming the file and line of a block that is not closed or not base64
     */
    static List<Block> read(Path file, byte[] bytes) throws IOException {
        List<Block> blocks = new ArrayList<>();
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.startsWith(BEGIN) || !line.endsWith(DASHES) || line.length() < BEGIN.length() + DASHES.length()) {
                continue;
            }
            String type = line.substring(BEGIN.length(), line.length() - DASHES.length());
            int start = i + 1;
            StringBuilder body = new StringBuilder();
            boolean headers = false;
            int j = i + 1;
            for (; j < lines.length; j++) {
                String content = lines[j].strip();
                if (content.startsWith(END)) {
                    if (!content.equals(END + type + DASHES)) {
                        throw new IOException(file + ": line " + (j + 1) + ": '" + content + "' closes the block '"
                                + type + "' of line " + start);
                    }
                    break;
                }
                if (content.contains(":")) {
                    headers = true; // Proc-Type / DEK-Info of a legacy encrypted key
                } else {
                    body.append(content);
                }
            }
            if (j == lines.length) {
                throw new IOException(file + ": line " + start + ": the block '" + type + "' has no END line");
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(body.toString());
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": line " + start + ": the block '" + type + "' is not valid base64");
            }
            blocks.add(new Block(type, start, der, headers));
            i = j;
        }
        return blocks;
    }

    /** What the blocks are, for a message: {@code a PRIVATE KEY block}, {@code 2 CERTIFICATE blocks and an X509 CRL block}. */
    static String describe(List<Block> blocks) {
        if (blocks.isEmpty()) {
            return "no PEM block";
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Block block : blocks) {
            counts.merge(block.type(), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((type, n) -> parts.add(n == 1 ? article(type) + " " + type + " block" : n + " " + type + " blocks"));
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    private static String article(String type) {
        // Labels are acronyms or words: "an RSA PRIVATE KEY", "an X509 CRL", "an EC PRIVATE KEY".
        return "AEIORX".indexOf(type.charAt(0)) >= 0 ? "an" : "a";
    }
}
