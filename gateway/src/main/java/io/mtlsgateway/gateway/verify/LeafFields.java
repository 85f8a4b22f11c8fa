package io.mtlsgateway.gateway.verify;

import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A client leaf read from its DER by {@link DerReader}, for {@link FastPath}, without the JDK's certificate parse.
 * Only a leaf of the plainest shape is read, each part at least as strictly as the JDK's parser reads it: strict
 * DER; X.509 v3 without unique identifiers; a signature algorithm {@link ChainSignatures} checks natively, the same
 * in the certificate and its TBS part; validity in RFC 5280's exact time forms; a non-empty subject; an ECDSA P-256 or
 * P-384 key as an uncompressed point; and only these extensions, each at most once: basicConstraints saying "not a
 * CA", keyUsage with digitalSignature, extendedKeyUsage, subjectAltName of DNS, URI, e-mail and IP entries whose text
 * the JDK's own parser accepts, the key identifiers (not critical), and, not critical and not read (the JDK's
 * validation does not read them either, its revocation checking being off), CRL distribution points and authority
 * information access. Anything else gives null: the leaf is then the JDK's to judge, as every leaf was before. Null
 * is never a rejection, so this class may refuse whatever it is not sure of.
 */
final class LeafFields {
    private static final int BOOLEAN = 0x01;
    private static final int INTEGER = 0x02;
    private static final int BIT_STRING = 0x03;
    private static final int OCTET_STRING = 0x04;
    private static final int OID = 0x06;
    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final HexFormat HEX = HexFormat.of();
    /** [0] EXPLICIT INTEGER 2: X.509 v3. */
    private static final byte[] V3 = HEX.parseHex("020102");
    /** The signature AlgorithmIdentifiers {@link ChainSignatures} checks natively, as DER, with their JCA names. */
    private static final Map<ByteBuffer, String> NATIVE_SIGNATURES = Map.of(
            der("300a06082a8648ce3d040302"), "SHA256withECDSA",
            der("300a06082a8648ce3d040303"), "SHA384withECDSA",
            der("300a06082a8648ce3d040304"), "SHA512withECDSA",
            der("300d06092a864886f70d01010b0500"), "SHA256withRSA",
            der("300d06092a864886f70d01010c0500"), "SHA384withRSA",
            der("300d06092a864886f70d01010d0500"), "SHA512withRSA");
    /** The key AlgorithmIdentifiers accepted (EC on P-256, P-384), with the length of an uncompressed point. */
    private static final Map<ByteBuffer, Integer> EC_KEYS = Map.of(
            der("301306072a8648ce3d020106082a8648ce3d030107"), 65,
            der("301006072a8648ce3d020106052b81040022"), 97);
    private static final byte[] BASIC_CONSTRAINTS = HEX.parseHex("551d13");
    private static final byte[] KEY_USAGE = HEX.parseHex("551d0f");
    private static final byte[] EXTENDED_KEY_USAGE = HEX.parseHex("551d25");
    private static final byte[] SUBJECT_ALT_NAME = HEX.parseHex("551d11");
    private static final byte[] SUBJECT_KEY_ID = HEX.parseHex("551d0e");
    private static final byte[] AUTHORITY_KEY_ID = HEX.parseHex("551d23");
    private static final byte[] CRL_DISTRIBUTION_POINTS = HEX.parseHex("551d1f");
    private static final byte[] AUTHORITY_INFO_ACCESS = HEX.parseHex("2b06010505070101");
    private static final byte[] CLIENT_AUTH = HEX.parseHex("2b06010505070302");
    /** Characters of an e-mail address's local part accepted here (RFC 5322's atext and the dot). */
    private static final String EMAIL_LOCAL = ".!#$%&'*+/=?^_`{|}~-";
    /** Characters of a URI path segment accepted here besides letters and digits (no '%', '?' or '#'). */
    private static final String URI_PATH = "-._~!$&'()*+,;=:@";

    final byte[] der;
    final byte[] tbs;
    final byte[] signature;
    /** JCA name of the signature algorithm. */
    final String signatureAlgorithm;
    /** DER of the signature's AlgorithmIdentifier and of the key's: part of a {@link KnownShapes} key. */
    final byte[] signatureAlgorithmId;
    final byte[] keyAlgorithmId;
    /** DER of the issuer and subject names. */
    final byte[] issuer;
    final byte[] subject;
    final BigInteger serial;
    /** The serial in lowercase hex without leading zeros, as {@code BigInteger.toString(16)} writes it. */
    final String serialHex;
    final Instant notBefore;
    final Instant notAfter;
    /** The authority key identifier, or null. */
    final byte[] authorityKeyId;
    /** Whether the leaf has an extendedKeyUsage, and whether it names clientAuth. */
    final boolean hasExtendedKeyUsage;
    final boolean clientAuth;
    final List<String> sanDns;
    final List<String> sanUri;
    final List<String> sanEmail;

    private LeafFields(Builder b) {
        this.der = b.der;
        this.tbs = b.tbs;
        this.signature = b.signature;
        this.signatureAlgorithm = b.signatureAlgorithm;
        this.signatureAlgorithmId = b.signatureAlgorithmId;
        this.keyAlgorithmId = b.keyAlgorithmId;
        this.issuer = b.issuer;
        this.subject = b.subject;
        this.serial = b.serial;
        this.serialHex = b.serialHex;
        this.notBefore = b.notBefore;
        this.notAfter = b.notAfter;
        this.authorityKeyId = b.authorityKeyId;
        this.hasExtendedKeyUsage = b.hasExtendedKeyUsage;
        this.clientAuth = b.clientAuth;
        this.sanDns = List.copyOf(b.sanDns);
        this.sanUri = List.copyOf(b.sanUri);
        this.sanEmail = List.copyOf(b.sanEmail);
    }

    private static final class Builder {
        byte[] der;
        byte[] tbs;
        byte[] signature;
        String signatureAlgorithm;
        byte[] signatureAlgorithmId;
        byte[] keyAlgorithmId;
        byte[] issuer;
        byte[] subject;
        BigInteger serial;
        String serialHex;
        Instant notBefore;
        Instant notAfter;
        byte[] authorityKeyId;
        boolean hasExtendedKeyUsage;
        boolean clientAuth;
        /** Which extensions were seen, one bit each: none may come twice. */
        int seen;
        final List<String> sanDns = new ArrayList<>(2);
        final List<String> sanUri = new ArrayList<>(2);
        final List<String> sanEmail = new ArrayList<>(1);
    }

    /** The leaf's fields, or null when it is not of the shape read here (never a judgement on the leaf). */
    static LeafFields parse(byte[] der) {
        try {
            return read(der);
        } catch (DerReader.Malformed | RuntimeException e) {
            return null;
        }
    }

    private static LeafFields read(byte[] der) throws DerReader.Malformed {
        Builder b = new Builder();
        b.der = der;
        DerReader outer = new DerReader(der, 0, der.length);
        DerReader cert = outer.next(SEQUENCE).contents();
        outer.end();
        int at = cert.position();
        b.tbs = cert.next(SEQUENCE).element(at);
        DerReader tbs = cert.contents();
        at = cert.position();
        b.signatureAlgorithmId = cert.next(SEQUENCE).element(at);
        b.signatureAlgorithm = NATIVE_SIGNATURES.get(ByteBuffer.wrap(b.signatureAlgorithmId));
        cert.next(BIT_STRING);
        require(b.signatureAlgorithm != null && cert.length() > 1 && cert.byteAt(0) == 0);
        b.signature = cert.content(1);
        cert.end();

        require(tbs.next(0xA0).contentIs(V3));
        b.serial = integer(tbs.next(INTEGER));
        b.serialHex = hex(tbs);
        at = tbs.position();
        require(java.util.Arrays.equals(tbs.next(SEQUENCE).element(at), b.signatureAlgorithmId));
        at = tbs.position();
        b.issuer = tbs.next(SEQUENCE).element(at);
        name(tbs.contents());
        DerReader validity = tbs.next(SEQUENCE).contents();
        b.notBefore = time(validity.next());
        b.notAfter = time(validity.next());
        validity.end();
        at = tbs.position();
        b.subject = tbs.next(SEQUENCE).element(at);
        require(tbs.length() > 0);
        name(tbs.contents());
        DerReader key = tbs.next(SEQUENCE).contents();
        at = key.position();
        b.keyAlgorithmId = key.next(SEQUENCE).element(at);
        Integer pointBytes = EC_KEYS.get(ByteBuffer.wrap(b.keyAlgorithmId));
        key.next(BIT_STRING);
        require(pointBytes != null && key.length() == pointBytes + 1 && key.byteAt(0) == 0 && key.byteAt(1) == 4);
        key.end();
        if (tbs.hasMore()) {
            // [1] and [2] (unique identifiers) are not read here.
            DerReader wrapper = tbs.next(0xA3).contents();
            DerReader extensions = wrapper.next(SEQUENCE).contents();
            wrapper.end();
            require(extensions.hasMore());
            while (extensions.hasMore()) {
                extension(extensions.next(SEQUENCE).contents(), b);
            }
        }
        tbs.end();
        return new LeafFields(b);
    }

    private static void extension(DerReader extension, Builder b) throws DerReader.Malformed {
        extension.next(OID);
        byte[] oid = extension.content();
        boolean critical = false;
        if (extension.next().tag == BOOLEAN) {
            // DER leaves out the default (FALSE); TRUE is 0xFF.
            require(extension.length() == 1 && extension.byteAt(0) == (byte) 0xFF);
            critical = true;
            extension.next();
        }
        require(extension.tag == OCTET_STRING);
        DerReader value = extension.contents();
        extension.end();
        if (java.util.Arrays.equals(oid, BASIC_CONSTRAINTS)) {
            once(b, 0);
            // Exactly "not a CA": a CA leaf is the JDK path's to refuse.
            require(value.next(SEQUENCE).length() == 0);
        } else if (java.util.Arrays.equals(oid, KEY_USAGE)) {
            once(b, 1);
            value.next(BIT_STRING);
            int length = value.length();
            int unused = length > 1 ? value.byteAt(0) : -1;
            require(unused >= 0 && unused <= 7 && (value.byteAt(length - 1) & ((1 << unused) - 1)) == 0
                    && (value.byteAt(1) & 0x80) != 0); // digitalSignature, which the verifier requires
        } else if (java.util.Arrays.equals(oid, EXTENDED_KEY_USAGE)) {
            once(b, 2);
            DerReader purposes = value.next(SEQUENCE).contents();
            require(purposes.hasMore());
            b.hasExtendedKeyUsage = true;
            while (purposes.hasMore()) {
                oid(purposes.next(OID));
                b.clientAuth |= purposes.contentIs(CLIENT_AUTH);
            }
        } else if (java.util.Arrays.equals(oid, SUBJECT_ALT_NAME)) {
            once(b, 3);
            subjectAltNames(value.next(SEQUENCE).contents(), b);
        } else if (java.util.Arrays.equals(oid, SUBJECT_KEY_ID)) {
            once(b, 4);
            require(!critical && value.next(OCTET_STRING).length() > 0);
        } else if (java.util.Arrays.equals(oid, AUTHORITY_KEY_ID)) {
            once(b, 5);
            // Only the plain form, [0] keyIdentifier alone: the chain builder compares it with the issuer's.
            DerReader fields = value.next(SEQUENCE).contents();
            require(!critical && fields.next(0x80).length() > 0);
            b.authorityKeyId = fields.content();
            fields.end();
        } else if (java.util.Arrays.equals(oid, CRL_DISTRIBUTION_POINTS)) {
            once(b, 6);
            require(!critical);
            return;
        } else if (java.util.Arrays.equals(oid, AUTHORITY_INFO_ACCESS)) {
            once(b, 7);
            require(!critical);
            return;
        } else {
            throw DerReader.malformed();
        }
        value.end();
    }

    /** Each entry's text, where the JDK's parser would accept it too. */
    private static void subjectAltNames(DerReader names, Builder b) throws DerReader.Malformed {
        require(names.hasMore());
        while (names.hasMore()) {
            names.next();
            switch (names.tag) {
                case 0x81 -> {
                    String email = ia5(names);
                    int at = email.indexOf('@');
                    require(at > 0 && email.indexOf('@', at + 1) < 0 && emailLocalPart(email, at)
                            && dnsName(email, at + 1, email.length()));
                    b.sanEmail.add(email);
                }
                case 0x82 -> {
                    String dns = ia5(names);
                    require(dnsName(dns, 0, dns.length()));
                    b.sanDns.add(dns);
                }
                case 0x86 -> {
                    String uri = ia5(names);
                    require(plainUri(uri) || uriTheJdkAccepts(uri));
                    b.sanUri.add(uri);
                }
                case 0x87 -> require(names.length() == 4 || names.length() == 16);
                default -> throw DerReader.malformed();
            }
        }
    }

    /** The IA5String's text when every byte is printable ASCII (so any decoding gives the same string). */
    private static String ia5(DerReader name) throws DerReader.Malformed {
        require(name.length() > 0);
        for (int i = 0; i < name.length(); i++) {
            byte c = name.byteAt(i);
            require(c >= 0x21 && c <= 0x7E);
        }
        return new String(name.content(), StandardCharsets.US_ASCII);
    }

    /** As the JDK's URIName: a URI with a scheme, and a host (when there is one) that is a DNS name. */
    private static boolean uriTheJdkAccepts(String text) {
        try {
            URI uri = new URI(text);
            String host = uri.getHost();
            return uri.getScheme() != null && (host == null || dnsName(host, 0, host.length()));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * A DNS name as the JDK's DNSName accepts it, narrowed: labels of 1 to 63 letters, digits and inner hyphens,
     * separated by single dots, none at either end.
     */
    static boolean dnsName(String text, int from, int to) {
        int labelStart = from;
        for (int i = from; i <= to; i++) {
            char c = i < to ? text.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length < 1 || length > 63 || text.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if (!letterOrDigit(c) && !(c == '-' && i > labelStart)) {
                return false;
            }
        }
        return true;
    }

    private static boolean emailLocalPart(String email, int at) {
        for (int i = 0; i < at; i++) {
            char c = email.charAt(i);
            if (!letterOrDigit(c) && EMAIL_LOCAL.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code scheme://host/path} with a DNS-name host and a path of plain characters (no '%', query or fragment): a
     * URI the JDK's URIName accepts, without parsing it (any other URI is asked of {@link URI}, as the JDK does).
     */
    static boolean plainUri(String text) {
        int colon = text.indexOf("://");
        if (colon < 1 || !letter(text.charAt(0))) {
            return false;
        }
        for (int i = 1; i < colon; i++) {
            char c = text.charAt(i);
            if (!letterOrDigit(c) && c != '+' && c != '.' && c != '-') {
                return false;
            }
        }
        int hostStart = colon + 3;
        int slash = text.indexOf('/', hostStart);
        int hostEnd = slash < 0 ? text.length() : slash;
        if (!dnsName(text, hostStart, hostEnd)) {
            return false;
        }
        for (int i = hostEnd; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!letterOrDigit(c) && c != '/' && URI_PATH.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean letterOrDigit(char c) {
        return letter(c) || c >= '0' && c <= '9';
    }

    /** A Name's structure: RDNs of one or more type-and-value pairs, each type a well-formed OID. */
    private static void name(DerReader rdns) throws DerReader.Malformed {
        while (rdns.hasMore()) {
            DerReader rdn = rdns.next(SET).contents();
            require(rdn.hasMore());
            while (rdn.hasMore()) {
                DerReader pair = rdn.next(SEQUENCE).contents();
                oid(pair.next(OID));
                pair.next();
                pair.end();
            }
        }
    }

    /** An INTEGER in its shortest two's-complement form. */
    private static BigInteger integer(DerReader value) throws DerReader.Malformed {
        int length = value.length();
        require(length > 0 && length <= 32);
        if (length > 1) {
            int first = value.byteAt(0);
            int second = value.byteAt(1);
            require(!(first == 0 && second >= 0) && !(first == -1 && second < 0));
        }
        return new BigInteger(value.content());
    }

    /** A positive INTEGER's hex without leading zeros (a negative one as BigInteger writes it). */
    private static String hex(DerReader value) {
        if (value.byteAt(0) < 0) {
            return new BigInteger(value.content()).toString(16);
        }
        String hex = HEX.formatHex(value.content());
        int zeros = 0;
        while (zeros < hex.length() - 1 && hex.charAt(zeros) == '0') {
            zeros++;
        }
        return hex.substring(zeros);
    }

    /** An OID's contents as the JDK's parser accepts them: no padded sub-identifier, none left unfinished. */
    private static void oid(DerReader value) throws DerReader.Malformed {
        int length = value.length();
        require(length > 0 && length <= 64 && (value.byteAt(length - 1) & 0x80) == 0);
        boolean startOfComponent = true;
        for (int i = 0; i < length; i++) {
            byte c = value.byteAt(i);
            require(!(startOfComponent && c == (byte) 0x80));
            startOfComponent = (c & 0x80) == 0;
        }
    }

    /** UTCTime {@code YYMMDDHHMMSSZ} or GeneralizedTime {@code YYYYMMDDHHMMSSZ} (RFC 5280 §4.1.2.5). */
    private static Instant time(DerReader value) throws DerReader.Malformed {
        int yearDigits = value.tag == 0x17 ? 2 : value.tag == 0x18 ? 4 : -1;
        int length = value.length();
        require(yearDigits > 0 && length == yearDigits + 11 && value.byteAt(length - 1) == 'Z');
        for (int i = 0; i < length - 1; i++) {
            byte c = value.byteAt(i);
            require(c >= '0' && c <= '9');
        }
        int year = digits(value, 0, yearDigits);
        if (yearDigits == 2) {
            year += year < 50 ? 2000 : 1900;
        }
        try {
            return LocalDateTime.of(year, digits(value, yearDigits, 2), digits(value, yearDigits + 2, 2),
                    digits(value, yearDigits + 4, 2), digits(value, yearDigits + 6, 2),
                    digits(value, yearDigits + 8, 2)).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw DerReader.malformed();
        }
    }

    private static int digits(DerReader value, int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            n = n * 10 + value.byteAt(i) - '0';
        }
        return n;
    }

    private static void once(Builder b, int bit) throws DerReader.Malformed {
        require((b.seen & 1 << bit) == 0);
        b.seen |= 1 << bit;
    }

    private static void require(boolean condition) throws DerReader.Malformed {
        if (!condition) {
            throw DerReader.malformed();
        }
    }

    private static ByteBuffer der(String hex) {
        return ByteBuffer.wrap(HEX.parseHex(hex)).asReadOnlyBuffer();
    }
}
