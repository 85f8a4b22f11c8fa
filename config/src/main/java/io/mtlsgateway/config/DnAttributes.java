package io.mtlsgateway.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The attribute types of distinguished names the gateway knows by name: the ones OpenSSL names
 * when it prints a DN ({@code -nameopt RFC2253}), with the equality rule values of each type are
 * compared with (RFC 4517/4519). The table is the resource {@code dn-attributes.tsv}; a type that
 * is not in it is written and read as a dotted OID.
 */
public final class DnAttributes {
    /** How two values of an attribute type are compared (simplified RFC 4517 matching rules). */
    public enum Equality {
        /** caseIgnoreMatch, caseIgnoreIA5Match: case and insignificant spaces ignored. */
        IGNORE_CASE,
        /** numericStringMatch: every space ignored. */
        NUMERIC,
        /** telephoneNumberMatch: case, spaces and hyphens ignored. */
        TELEPHONE,
        /** caseExactMatch: only insignificant spaces ignored; also the rule for unknown types. */
        EXACT
    }

    /**
     * One attribute type.
     *
     * @param oid dotted, e.g. {@code 2.5.4.3}
     * @param shortName OpenSSL's short name, e.g. {@code CN}, {@code emailAddress}
     * @param equality how its values compare
     */
    public record Type(String oid, String shortName, Equality equality) {}

    /** RFC 4514's keywords win when names differ only in case ({@code UID} is userId, not uniqueIdentifier). */
    private static final Set<String> RFC_4514_KEYWORDS = Set.of("CN", "L", "ST", "O", "OU", "C", "street", "DC", "UID");
    /** Other spellings in common use (Java's X500Principal, Windows, RFC 1779), upper case. */
    private static final Map<String, String> ALIASES = Map.of(
            "E", "1.2.840.113549.1.9.1", "EMAIL", "1.2.840.113549.1.9.1", "S", "2.5.4.8", "T", "2.5.4.12",
            "DNQ", "2.5.4.46", "GENERATION", "2.5.4.44", "STREET", "2.5.4.9");

    private static final Map<String, Type> BY_OID = new HashMap<>();
    private static final Map<String, Type> BY_EXACT_NAME = new HashMap<>();
    private static final Map<String, Type> BY_FOLDED_NAME = new HashMap<>();

    static {
        try (InputStream in = DnAttributes.class.getResourceAsStream("dn-attributes.tsv")) {
            if (in == null) {
                throw new IllegalStateException("dn-attributes.tsv missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                Type type = new Type(f[0], f[1], Equality.valueOf(f[3].toUpperCase(Locale.ROOT).replace('-', '_')));
                BY_OID.put(type.oid(), type);
                addName(type.shortName(), type);
                if (!f[2].equals("-")) {
                    addName(f[2], type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ALIASES.forEach((alias, oid) -> BY_FOLDED_NAME.putIfAbsent(fold(alias), BY_OID.get(oid)));
    }

    private DnAttributes() {}

    private static void addName(String name, Type type) {
        BY_EXACT_NAME.putIfAbsent(name, type);
        Type earlier = BY_FOLDED_NAME.get(fold(name));
        if (earlier == null || RFC_4514_KEYWORDS.contains(name) && !RFC_4514_KEYWORDS.contains(earlier.shortName())) {
            BY_FOLDED_NAME.put(fold(name), type);
        }
    }

    private static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** The type with this dotted OID, if it is one the table names. */
    public static Optional<Type> byOid(String oid) {
        return Optional.ofNullable(BY_OID.get(oid));
    }

    /**
     * The type a name stands for, ignoring case as RFC 4514 does (so {@code uid} is userId, the
     * RFC 4514 keyword), then common aliases such as {@code E} and {@code EMAIL}.
     */
    public static Optional<Type> byName(String name) {
        return Optional.ofNullable(BY_FOLDED_NAME.get(fold(name)));
    }

    /**
     * The type a name printed by OpenSSL stands for: its exact short name first (OpenSSL prints
     * userId as {@code UID} and uniqueIdentifier as {@code uid}), then as {@link #byName(String)}.
     */
    public static Optional<Type> byOpenSslName(String name) {
        Type exact = BY_EXACT_NAME.get(name);
        return exact != null ? Optional.of(exact) : byName(name);
    }

    /** How values of this type compare; {@link Equality#EXACT} for a type the table does not know. */
    public static Equality equality(String oid) {
        Type type = BY_OID.get(oid);
        return type == null ? Equality.EXACT : type.equality();
    }
}
