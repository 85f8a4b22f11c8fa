package io.mtlsgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listeners[].hosts}, {@code default} and {@code routes[].clientCert}. */
class HostsConfigTest {
    @TempDir
    Path dir;

    private RouteFiles files;

    @BeforeEach
    void setUp() {
        files = new RouteFiles(dir);
        files.touch("certs/open.pem");
        files.touch("certs/open.key");
    }

    private static final String HOSTS = """
            version: 1
            listeners:
              - name: edge
                listen: 127.0.0.1:8443
                hosts:
                  - names: [api.bank.example, "*.partners.bank.example"]
                    tls: { certificate: certs/server.pem, privateKey: certs/server.key, clientCa: certs/ca.pem }
                  - names: [Open.Bank.Example]
                    tls: { certificate: certs/open.pem, privateKey: certs/open.key, clientAuth: optional,
                           clientCa: certs/ca.pem }
                default: open.bank.example
            routes:
              - name: rates
                match: { host: open.bank.example, pathPrefix: /rates }
                clientCert: optional
                upstream: app
              - name: all
                upstream: app
            upstreams:
              app:
                endpoints: [127.0.0.1:8080]
            """;

    @Test
    void bindsHostsDefaultAndClientCert() throws ConfigException {
        GatewayConfig config = files.load(HOSTS);
        ListenerConfig edge = config.listeners().get(0);
        assertEquals(2, edge.hosts().entries().size());
        assertEquals(List.of("api.bank.example", "*.partners.bank.example"), edge.hosts().entries().get(0).names());
        assertEquals(List.of("open.bank.example"), edge.hosts().entries().get(1).names(), "names compare lower case");
        assertEquals(Optional.of("open.bank.example"), edge.hosts().defaultName());
        assertEquals(ClientAuthMode.OPTIONAL, edge.hosts().entries().get(1).tls().clientAuth());
        assertEquals(edge.hosts().entries().get(1).tls(), edge.tls(), "listener-wide TLS follows the default entry");
        assertEquals(ClientCertRequirement.OPTIONAL, config.routes().get(0).clientCert());
        assertEquals(ClientCertRequirement.REQUIRED, config.routes().get(1).clientCert(), "required by default");
    }

    @Test
    void aListenerWithoutHostsHasNone() throws ConfigException {
        assertEquals(ListenerHosts.NONE, files.load(RouteFiles.MINIMAL).listeners().get(0).hosts());
    }

    @Test
    void refusesADefaultThatNamesNoEntry() {
        files.assertOnlyProblem(HOSTS.replace("default: open.bank.example", "default: other.bank.example"),
                "11:14: listeners[0].default: 'other.bank.example' is not a name of any entry of hosts"
                        + " (expected: one of [api.bank.example, *.partners.bank.example, open.bank.example])");
    }

    @Test
    void refusesANameInTwoEntries() {
        List<ConfigProblem> problems = files.problems(HOSTS.replace("[Open.Bank.Example]", "[api.bank.example]")
                .replace("    default: open.bank.example\n", ""));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("8:17: listeners[0].hosts[1].names[0]: 'api.bank.example'"
                + " is already a name of the entry at line 6"), problems.toString());
    }

    @Test
    void refusesAWildcardThatIsNotAWholeFirstLabel() {
        List<ConfigProblem> problems = files.problems(HOSTS.replace("\"*.partners.bank.example\"",
                "\"api*.bank.example\""));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("is not a server name"), problems.toString());
    }

    @Test
    void refusesTlsNextToHosts() {
        List<ConfigProblem> problems = files.problems(HOSTS.replace("    hosts:\n",
                "    tls: { certificate: certs/server.pem, privateKey: certs/server.key, clientCa: certs/ca.pem }\n"
                        + "    hosts:\n"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("a listener has either tls or hosts, not both"),
                problems.toString());
    }

    @Test
    void refusesTwoEntriesSharingTicketKeys() {
        files.touch("certs/tickets.key");
        List<ConfigProblem> problems = files.problems(HOSTS
                .replace("clientCa: certs/ca.pem }\n", "clientCa: certs/ca.pem, sessionTicketKeys: [certs/tickets.key] }\n")
                .replace("                       clientCa: certs/ca.pem }\n",
                        "                       clientCa: certs/ca.pem, sessionTicketKeys: [certs/tickets.key] }\n"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("two entries share the sessionTicketKeys file"),
                problems.toString());
    }

    @Test
    void refusesADefaultWithoutHosts() {
        List<ConfigProblem> problems = files.problems(RouteFiles.MINIMAL.replace("    tls:\n",
                "    default: api.example.com\n    tls:\n"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("default names an entry of hosts"), problems.toString());
    }

    @Test
    void refusesAnUnknownClientCertValue() {
        List<ConfigProblem> problems = files.problems(RouteFiles.MINIMAL.replace("    upstream: app\n",
                "    upstream: app\n    clientCert: maybe\n"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).toString().contains("clientCert"), problems.toString());
    }

    @Test
    void warnsWhenAnOptionalHostMixesPublicAndMtlsRoutesNamingThem() throws ConfigException {
        List<String> warnings = HostRouteMix.warnings(files.load(HOSTS));
        assertEquals(List.of("listener 'edge' host open.bank.example (clientAuth: optional) mixes public routes"
                + " [rates] (clientCert: optional) with routes that need a client certificate [all]; consider a host"
                + " entry of its own for the public routes"), warnings);
    }
}
