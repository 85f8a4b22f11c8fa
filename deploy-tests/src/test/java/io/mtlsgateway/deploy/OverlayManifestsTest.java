package io.mtlsgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.ListenerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * What each overlay builds is valid against the Kubernetes API model and keeps the promises of
 * docs/deploy.md: hardened containers, probes on the admin port, a drain that fits the grace
 * period, certificates from Secret folders, and a route file the gateway's loader accepts.
 */
class OverlayManifestsTest {
    static final List<String> OVERLAYS = Kustomize.OVERLAYS;

    @TempDir
    Path dir;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyContainerRunsHardened(String name) throws Exception {
        Overlay overlay = Overlay.load(name);
        PodSpec pod = overlay.pod();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot(), "runAsNonRoot");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        for (Container c : pod.getContainers()) {
            String where = name + " container " + c.getName();
            assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem(), where);
            assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation(), where);
            assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop(), where);
            assertNull(c.getSecurityContext().getPrivileged(), where);
            assertNotNull(c.getResources().getRequests().get("cpu"), where + " cpu request");
            assertEquals(c.getResources().getRequests().get("memory"), c.getResources().getLimits().get("memory"),
                    where + ": memory request = limit (no overcommit of a proxy's buffers)");
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void probesAndPortsMatchTheRouteFile(String name) throws Exception {
        Overlay overlay = Overlay.load(name);
        Container gateway = overlay.gateway();
        GatewayConfig routes = overlay.routeFile(dir);
        assertEquals(routes.admin().listen().port(), port(gateway, "admin"));
        assertEquals("0.0.0.0", routes.admin().listen().host(), "the kubelet probes the pod IP");
        assertEquals(List.of(port(gateway, "https")),
                routes.listeners().stream().map(l -> l.listen().port()).toList());
        assertProbe(gateway.getReadinessProbe().getHttpGet(), "/readyz");
        assertProbe(gateway.getLivenessProbe().getHttpGet(), "/healthz");
        assertProbe(gateway.getStartupProbe().getHttpGet(), "/healthz");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void drainFitsInTheGracePeriod(String name) throws Exception {
        Overlay overlay = Overlay.load(name);
        long preStop = overlay.gateway().getLifecycle().getPreStop().getSleep().getSeconds();
        long drain = overlay.routeFile(dir).drainTimeout().toSeconds();
        long grace = overlay.pod().getTerminationGracePeriodSeconds();
        assertTrue(preStop >= 3, "preStop pause lets endpoints and load balancers catch up: " + preStop);
        assertTrue(grace >= preStop + drain + 5,
                "terminationGracePeriodSeconds " + grace + " < preStop " + preStop + " + drainTimeout " + drain + " + 5");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void certificatesKeysAndCrlsComeFromSecretFolders(String name) throws Exception {
        Overlay overlay = Overlay.load(name);
        List<String> files = overlay.referencedFiles();
        assertTrue(files.size() >= 5, "certificate, key, client CA, CRL and ticket keys: " + files);
        for (String file : files) {
            VolumeMount mount = overlay.mountOf(file);
            assertNotNull(mount, name + ": " + file + " is on none of the gateway's volumes");
            assertNull(mount.getSubPath(), "a subPath mount never sees a Secret's update: " + file);
            assertNotNull(overlay.volume(mount.getName()).getSecret(), name + ": " + file + " is not from a Secret");
        }
        assertTrue(files.stream().anyMatch(f -> f.startsWith("/etc/mtls-gateway/ticket-keys/")),
                "the fleet's shared session ticket keys: " + files);
        VolumeMount tmp = overlay.gateway().getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
        assertNotNull(overlay.volume(tmp.getName()).getEmptyDir(), "writable /tmp for Netty's native libraries");
    }

    @Test
    void edgeIsAScaledSpreadAndBudgetedDeployment() throws Exception {
        Overlay edge = Overlay.load("edge");
        assertEquals(Set.of("ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"),
                kinds(edge));
        Deployment deployment = edge.one(Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertNull(deployment.getSpec().getReplicas(), "the HPA owns replicas");
        assertEquals(0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        assertTrue(edge.pod().getTopologySpreadConstraints().stream()
                .anyMatch(t -> t.getTopologyKey().equals("topology.kubernetes.io/zone")
                        && podLabels.entrySet().containsAll(t.getLabelSelector().getMatchLabels().entrySet())));

        Service service = edge.one(Service.class);
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()));
        assertEquals(List.of("https"), service.getSpec().getPorts().stream()
                .map(p -> p.getTargetPort().getStrVal()).toList(), "the admin port stays out of the Service");

        PodDisruptionBudget pdb = edge.one(PodDisruptionBudget.class);
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());

        HorizontalPodAutoscaler hpa = edge.one(HorizontalPodAutoscaler.class);
        assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 2 && hpa.getSpec().getMinReplicas() > pdb.getSpec().getMaxUnavailable().getIntVal());
        MetricSpec metric = hpa.getSpec().getMetrics().get(0);
        assertEquals("cpu", metric.getResource().getName());
        assertEquals("Utilization", metric.getResource().getTarget().getType());
    }

    @Test
    void sidecarOpensOnlyTheTlsPortAndForwardsOnLoopback() throws Exception {
        Overlay sidecar = Overlay.load("sidecar");
        assertEquals(Set.of("ConfigMap", "Deployment", "Service", "NetworkPolicy"), kinds(sidecar));
        assertEquals(Set.of("app", Overlay.GATEWAY_CONTAINER),
                sidecar.pod().getContainers().stream().map(Container::getName).collect(Collectors.toSet()));
        Map<String, String> podLabels = sidecar.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();

        NetworkPolicy policy = sidecar.one(NetworkPolicy.class);
        assertTrue(podLabels.entrySet().containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()));
        assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes());
        List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
        assertEquals(1, rules.size());
        assertEquals(List.of(port(sidecar.gateway(), "https")),
                rules.get(0).getPorts().stream().map(p -> p.getPort().getIntVal()).toList());

        List<ServicePort> servicePorts = sidecar.one(Service.class).getSpec().getPorts();
        assertEquals(List.of("https"), servicePorts.stream().map(p -> p.getTargetPort().getStrVal()).toList());

        GatewayConfig routes = sidecar.routeFile(dir);
        assertFalse(routes.upstreams().isEmpty());
        routes.upstreams().values().forEach(u -> assertEquals(Set.of("127.0.0.1"),
                u.endpoints().stream().map(HostPort::host).collect(Collectors.toSet()), u.name()));
        for (ListenerConfig listener : routes.listeners()) {
            assertTrue(listener.tls().clientCa() != null, listener.name() + " requires client certificates");
        }
    }

    @Test
    void routeFileConfigMapIsNamedByItsContent() throws Exception {
        // A changed route file rolls the pods instead of waiting for the kubelet's sync.
        for (String name : OVERLAYS) {
            String configMap = Overlay.load(name).one(ConfigMap.class).getMetadata().getName();
            assertTrue(configMap.matches("mtls-gateway-routes-[a-z0-9]{10}"), configMap);
        }
    }

    private static Set<String> kinds(Overlay overlay) {
        return overlay.objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    }

    private static int port(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(container.getName() + ": no port " + name));
    }

    private static void assertProbe(HTTPGetAction probe, String path) {
        assertEquals(path, probe.getPath());
        assertEquals("admin", probe.getPort().getStrVal());
    }
}
