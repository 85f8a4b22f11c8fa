package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.config.ServerName;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Whether a server certificate is for the name the gateway connected to, by RFC 9525 (which
 * updates RFC 6125): only subjectAltName entries count, never the subject CN; a DNS name matches a
 * DNS SAN, case-insensitively; a wildcard is only the whole leftmost label ({@code *.example.com}),
 * stands for exactly one label and needs at least two labels after it; an IP address matches an IP
 * SAN byte for byte and never a DNS SAN. A malformed SAN never matches.
 */
final class ServerNameMatcher {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
    private static final int MAX_SHOWN = 8;

    private ServerNameMatcher() {}

    /** Null when {@code leaf} is for {@code name}; otherwise the rejection, listing what the leaf is for. */
    static Verdict.Rejected check(X509Certificate leaf, ServerName name) {
        List<String> dnsNames = new ArrayList<>();
        List<byte[]> addresses = new ArrayList<>();
        try {
            read(leaf, dnsNames, addresses);
        } catch (RuntimeException e) {
            return new Verdict.Rejected(RejectionReason.MALFORMED, "the subjectAltName of server certificate "
                    + Certificates.describe(leaf) + " cannot be read: " + e.getMessage());
        }
        if (name.isIp() ? addresses.stream().anyMatch(a -> Arrays.equals(a, name.ip()))
                : dnsNames.stream().anyMatch(presented -> matches(presented, name.dns()))) {
            return null;
        }
        String who = "server certificate " + Certificates.describe(leaf);
        if (dnsNames.isEmpty() && addresses.isEmpty()) {
            return new Verdict.Rejected(RejectionReason.NAME_MISMATCH, who + " has no DNS or IP subjectAltName, so it"
                    + " is not for '" + name + "' (the subject CN is never used as a name, RFC 9525)");
        }
        return new Verdict.Rejected(RejectionReason.NAME_MISMATCH, who + " is not for " + (name.isIp()
                ? "IP address " : "") + "'" + name + "': it is for " + shown(dnsNames, addresses)
                + (name.isIp() ? " (an IP address matches IP subjectAltNames only)" : ""));
    }

    /** Whether one presented DNS SAN matches the reference name (lower case, no trailing dot). */
    static boolean matches(String presented, String reference) {
        String candidate = presented.toLowerCase(Locale.ROOT);
        if (candidate.startsWith("*.")) {
            String base = candidate.substring(2);
            int dot = reference.indexOf('.');
            // One whole label for the star, and at least two labels after it: never *.com.
            return validName(base) && base.indexOf('.') > 0 && dot > 0 && reference.substring(dot + 1).equals(base);
        }
        return validName(candidate) && candidate.equals(reference);
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    private static void read(X509Certificate leaf, List<String> dnsNames, List<byte[]> addresses) {
        byte[] extension = leaf.getExtensionValue(Extension.subjectAlternativeName.getId());
        if (extension == null) {
            return;
        }
        GeneralNames names = GeneralNames.getInstance(ASN1OctetString.getInstance(extension).getOctets());
        for (GeneralName general : names.getNames()) {
            if (general.getTagNo() == GeneralName.dNSName) {
                dnsNames.add(DERIA5String.getInstance(general.getName()).getString());
            } else if (general.getTagNo() == GeneralName.iPAddress) {
                byte[] octets = ASN1OctetString.getInstance(general.getName()).getOctets();
                // 8 or 32 octets are name-constraint ranges, never an address of a certificate.
                if (octets.length == 4 || octets.length == 16) {
                    addresses.add(octets);
                }
            }
        }
    }

    private static String shown(List<String> dnsNames, List<byte[]> addresses) {
        List<String> all = new ArrayList<>();
        dnsNames.forEach(n -> all.add("DNS:" + printable(n)));
        addresses.forEach(a -> all.add("IP:" + address(a)));
        if (all.size() > MAX_SHOWN) {
            int more = all.size() - MAX_SHOWN;
            all.subList(MAX_SHOWN, all.size()).clear();
            all.add("and " + more + " more");
        }
        return String.join(", ", all);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(100).forEach(c -> out.append(c < 0x20 || c > 0x7e ? '?' : (char) c));
        return out.toString();
    }

    private static String address(byte[] octets) {
        if (octets.length == 4) {
            return (octets[0] & 0xff) + "." + (octets[1] & 0xff) + "." + (octets[2] & 0xff) + "." + (octets[3] & 0xff);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            out.append(i == 0 ? "" : ":").append(Integer.toHexString(((octets[i] & 0xff) << 8) | (octets[i + 1] & 0xff)));
        }
        return out.toString();
    }
}
