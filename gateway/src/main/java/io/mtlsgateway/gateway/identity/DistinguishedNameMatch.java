package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.config.DistinguishedName;
import io.mtlsgateway.config.DnAttributes;
import java.io.IOException;
import java.nio.charset.Charset;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1UniversalString;

/**
 * Compares distinguished names by meaning, as RFC 4517's distinguishedNameMatch does, so that an
 * allow list written as OpenSSL prints names, as Java prints them, or with OIDs matches the same
 * certificates: the same RDNs in the same order, each with the same set of attributes (order
 * inside an RDN does not matter); attribute types compared by OID (names are only spellings);
 * values compared by the type's equality rule ({@link DnAttributes.Equality}) after Unicode NFKC
 * normalisation, with leading and trailing spaces dropped and inner runs of spaces counted as one.
 * A value written as {@code #} and hex compares as the string it encodes, or byte for byte when it
 * is not a string. Control characters stay significant (stricter than RFC 4518, which would drop
 * some: an authorization rule must not match a name that differs from it in hidden characters).
 */
public final class DistinguishedNameMatch {
    private static final Charset UTF_32BE = Charset.forName("UTF-32BE");

    private final List<List<String>> wanted;
    /** The last subject compared and the answer: requests on a connection ask about one subject. */
    private volatile LastAnswer last;

    private record LastAnswer(String subject, boolean matches) {}

    private DistinguishedNameMatch(List<List<String>> wanted) {
        this.wanted = wanted;
    }

    /**
     * A matcher for this name, as written in a route file.
     *
     * @throws IllegalArgumentException if it is not a distinguished name
     */
    public static DistinguishedNameMatch of(String name) {
        return new DistinguishedNameMatch(canonical(DistinguishedName.parse(name)));
    }

    /** Whether a subject as {@link DnFormat} writes it names the same entry. */
    public boolean matches(String subject) {
        LastAnswer seen = last;
        if (seen != null && seen.subject().equals(subject)) {
            return seen.matches();
        }
        boolean matches;
        try {
            matches = wanted.equals(canonical(DistinguishedName.parseOpenSsl(subject)));
        } catch (IllegalArgumentException e) {
            // Not a name we can read (cannot come from DnFormat): it equals no rule.
            matches = false;
        }
        last = new LastAnswer(subject, matches);
        return matches;
    }

    /** Whether two names, each as a person or OpenSSL writes it, name the same entry. */
    public static boolean same(String a, String b) {
        return canonical(DistinguishedName.parse(a)).equals(canonical(DistinguishedName.parse(b)));
    }

    private static List<List<String>> canonical(DistinguishedName name) {
        List<List<String>> rdns = new ArrayList<>(name.rdns().size());
        for (List<DistinguishedName.Attribute> rdn : name.rdns()) {
            List<String> attributes = new ArrayList<>(rdn.size());
            for (DistinguishedName.Attribute attribute : rdn) {
                attributes.add(attribute.oid() + '=' + value(attribute));
            }
            attributes.sort(null);
            rdns.add(List.copyOf(attributes));
        }
        return List.copyOf(rdns);
    }

    private static String value(DistinguishedName.Attribute attribute) {
        String text = attribute.text() != null ? attribute.text() : decodedString(attribute.ber());
        if (text == null) {
            return "#" + HexFormat.of().formatHex(attribute.ber());
        }
        return '"' + normalised(text, DnAttributes.equality(attribute.oid()));
    }

    /** The string a {@code #hex} value encodes, or null when it is not a string type. */
    private static String decodedString(byte[] ber) {
        try {
            ASN1Primitive value = ASN1Primitive.fromByteArray(ber);
            if (value instanceof ASN1UniversalString universal) {
                return new String(universal.getOctets(), UTF_32BE);
            }
            if (value instanceof ASN1String string && !(value instanceof ASN1BitString)) {
                return string.getString();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String normalised(String value, DnAttributes.Equality equality) {
        String s = Normalizer.normalize(value, Normalizer.Form.NFKC);
        s = switch (equality) {
            case IGNORE_CASE -> fold(s);
            case NUMERIC -> s.replace(" ", "");
            case TELEPHONE -> fold(s).replace(" ", "").replace("-", "");
            case EXACT -> s;
        };
        return insignificantSpacesRemoved(s);
    }

    private static String fold(String s) {
        return s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }

    private static String insignificantSpacesRemoved(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ') {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
