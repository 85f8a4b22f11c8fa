package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.config.DnAttributes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;

/**
 * Writes a distinguished name exactly as OpenSSL's {@code X509_NAME_print_ex} with
 * {@code XN_FLAG_RFC2253} does ({@code openssl x509 -nameopt RFC2253}, nginx's
 * {@code $ssl_client_s_dn}), because that is the string existing upstreams and allow lists hold:
 *
 * <ul>
 *   <li>RDNs most significant last, {@code ,} between RDNs and {@code +} inside one, no spaces;
 *       the attributes of a multi-valued RDN in the reverse of their encoded order (OpenSSL
 *       reverses the whole attribute list);
 *   <li>OpenSSL's short name for every type it knows ({@code CN}, {@code emailAddress},
 *       {@code serialNumber}, {@code DC}, {@code UID}...); any other type as a dotted OID with the
 *       value's DER in upper-case hex ({@code 1.2.3.4=#0C03616263});
 *   <li>values converted to UTF-8 (Teletex and the other one-byte types read as Latin-1, BMP and
 *       Universal strings decoded), then every byte above 0x7F and every control character written
 *       as {@code \XX}; {@code , + " \ < > ;} escaped with a backslash, and {@code #} or a space at
 *       the start or a space at the end; {@code =} is not escaped; a value that is not a string
 *       type is its DER in hex.
 * </ul>
 *
 * The result is printable ASCII, so it is safe in a header or a log line as it is.
 */
public final class DnFormat {
    // OpenSSL's escaping classes for the characters below 0x80 (crypto/asn1/charmap.h semantics).
    private static final int ESCAPE = 1;
    private static final int CONTROL = 2;
    private static final int FIRST = 4;
    private static final int LAST = 8;
    private static final int[] CHAR_CLASS = new int[128];
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    static {
        for (int c = 0; c < 0x20; c++) {
            CHAR_CLASS[c] = CONTROL;
        }
        CHAR_CLASS[0x7F] = CONTROL;
        for (char c : ",+\"\\<>;".toCharArray()) {
            CHAR_CLASS[c] = ESCAPE;
        }
        CHAR_CLASS['#'] = FIRST;
        CHAR_CLASS[' '] = FIRST | LAST;
    }

    private DnFormat() {}

    /** The name as OpenSSL prints it with {@code -nameopt RFC2253}. */
    public static String rfc2253(X500Principal name) {
        try {
            return rfc2253(name.getEncoded());
        } catch (IllegalArgumentException | IOException e) {
            // A name BouncyCastle cannot read (the JDK could): Java's form, still made safe.
            return HeaderValueEncoding.distinguishedName(name.getName(X500Principal.RFC2253));
        }
    }

    /**
     * The name whose DER is {@code der}, as {@link #rfc2253(X500Principal)} prints it for {@code new X500Principal(der)},
     * without making that principal: for a name of single-valued RDNs in the plain encoding (shortest lengths,
     * string values), whose DER the JDK's principal gives back unchanged. Null for any other name; the caller then
     * asks {@link #rfc2253(X500Principal)}.
     */
    public static String plainRfc2253(byte[] der) {
        return RawName.rfc2253(der, true);
    }

    private record Entry(int set, ASN1ObjectIdentifier type, ASN1Encodable value) {}

    static String rfc2253(byte[] der) throws IOException {
        String fast = RawName.rfc2253(der);
        return fast != null ? fast : rfc2253ByBouncyCastle(der);
    }

    /** The same, reading the name with BouncyCastle: for what {@link RawName} leaves (constructed values, BER). */
    static String rfc2253ByBouncyCastle(byte[] der) throws IOException {
        ASN1Sequence rdns = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < rdns.size(); i++) {
            ASN1Set rdn = ASN1Set.getInstance(rdns.getObjectAt(i));
            for (ASN1Encodable element : rdn) {
                ASN1Sequence attribute = ASN1Sequence.getInstance(element);
                entries.add(new Entry(i, ASN1ObjectIdentifier.getInstance(attribute.getObjectAt(0)),
                        attribute.getObjectAt(1)));
            }
        }
        StringBuilder out = new StringBuilder(64);
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry entry = entries.get(i);
            if (i < entries.size() - 1) {
                out.append(entries.get(i + 1).set() == entry.set() ? '+' : ',');
            }
            appendAttribute(out, entry.type().getId(), entry.value().toASN1Primitive().getEncoded(ASN1Encoding.DER));
        }
        return out.toString();
    }

    /** One {@code type=value}: OpenSSL's short name and the value's text, or the dotted OID and the value's DER. */
    static void appendAttribute(StringBuilder out, String oid, byte[] value) {
        var known = DnAttributes.byOid(oid);
        if (known.isEmpty()) {
            out.append(oid).append('=');
            appendDump(out, value);
        } else {
            out.append(known.get().shortName()).append('=');
            appendValue(out, value);
        }
    }

    /** A value of a known type: its text if it is a string type OpenSSL prints, else its DER. */
    private static void appendValue(StringBuilder out, byte[] der) {
        int tag = der[0] & 0xFF;
        int contentStart = contentStart(der);
        int length = der.length - contentStart;
        int width = switch (tag) {
            case 0x0C -> 0;                                   // UTF8String: its bytes, each escaped as they are
            case 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1A -> 1; // Numeric, Printable, Teletex, IA5, times, Visible
            case 0x1E -> 2;                                   // BMPString (UCS-2)
            case 0x1C -> 4;                                   // UniversalString (UCS-4)
            default -> -1;
        };
        if (width < 0 || (width > 1 && length % width != 0)) {
            appendDump(out, der);
            return;
        }
        int step = Math.max(width, 1);
        int chars = length / step;
        for (int n = 0; n < chars; n++) {
            int at = contentStart + n * step;
            long c = 0;
            for (int k = 0; k < step; k++) {
                c = (c << 8) | (der[at + k] & 0xFF);
            }
            // As OpenSSL: the first-position escape applies only when the value has more than one
            // character, the last-position one always (so a lone '#' stays as it is).
            int position = n == chars - 1 ? LAST : n == 0 ? FIRST : 0;
            if (width == 0 || c < 0x80) {
                appendByte(out, (int) c, position);
            } else {
                appendUtf8(out, c);
            }
        }
    }

    /** UTF-8 bytes of a code point, each escaped; what OpenSSL cannot encode (surrogates, past U+10FFFF) is dropped. */
    private static void appendUtf8(StringBuilder out, long c) {
        if (c < 0x800) {
            appendByte(out, (int) (0xC0 | c >> 6), 0);
            appendByte(out, (int) (0x80 | c & 0x3F), 0);
        } else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF) {
                return;
            }
            appendByte(out, (int) (0xE0 | c >> 12), 0);
            appendByte(out, (int) (0x80 | c >> 6 & 0x3F), 0);
            appendByte(out, (int) (0x80 | c & 0x3F), 0);
        } else if (c < 0x110000) {
            appendByte(out, (int) (0xF0 | c >> 18), 0);
            appendByte(out, (int) (0x80 | c >> 12 & 0x3F), 0);
            appendByte(out, (int) (0x80 | c >> 6 & 0x3F), 0);
            appendByte(out, (int) (0x80 | c & 0x3F), 0);
        }
    }

    private static void appendByte(StringBuilder out, int b, int position) {
        if (b >= 0x80) {
            appendHex(out.append('\\'), b);
            return;
        }
        int cls = CHAR_CLASS[b];
        if ((cls & ESCAPE) != 0 || (cls & position) != 0) {
            out.append('\\').append((char) b);
        } else if ((cls & CONTROL) != 0) {
            appendHex(out.append('\\'), b);
        } else {
            out.append((char) b);
        }
    }

    private static void appendDump(StringBuilder out, byte[] der) {
        out.append('#');
        for (byte b : der) {
            appendHex(out, b & 0xFF);
        }
    }

    private static void appendHex(StringBuilder out, int b) {
        out.append(HEX[b >> 4]).append(HEX[b & 0xF]);
    }

    /** Where the contents of a DER TLV start (BouncyCastle's DER output uses low tag numbers here). */
    private static int contentStart(byte[] der) {
        int first = der[1] & 0xFF;
        return first < 0x80 ? 2 : 2 + (first & 0x7F);
    }
}
