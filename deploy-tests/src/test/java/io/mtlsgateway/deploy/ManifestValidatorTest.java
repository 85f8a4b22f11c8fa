package io.mtlsgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mtlsgateway.deploy.ManifestValidator.InvalidManifestException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The validator refuses what the API server would refuse; otherwise the overlay tests prove nothing. */
class ManifestValidatorTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              selector:
                matchLabels: {app: a}
              template:
                metadata:
                  labels: {app: a}
                spec:
                  containers:
                    - name: app
                      image: app:1
                      ports:
                        - containerPort: 8080
            """;

    @Test
    void acceptsAWellFormedDeployment() throws Exception {
        assertEquals("app", ManifestValidator.validate("good", DEPLOYMENT).get(0).getMetadata().getName());
    }

    @Test
    void refusesTheEdgeOverlayWithOneFieldMisspelled() throws Exception {
        String edge = Kustomize.manifests("edge");
        assertTrue(edge.contains("readinessProbe:"));
        List<String> problems = problems(edge.replace("readinessProbe:", "readinesProbe:"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("(apps/v1/Deployment mtls-gateway): spec.template.spec.containers[0]"
                + ".readinesProbe: Unrecognized property \"readinesProbe\""), problems.get(0));
    }

    @Test
    void refusesAKustomizeBuildThatMergedATypo() throws Exception {
        assumeTrue(Kustomize.unavailableReason().isEmpty(), () -> Kustomize.unavailableReason().get());
        // kustomize merges patches without a schema: the typo reaches its output.
        String built = Kustomize.build(Path.of("src/test/resources/broken-overlay").toAbsolutePath());
        List<String> problems = problems(built);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("readinesProbe"), problems.get(0));
    }

    @Test
    void refusesAFieldInTheWrongPlace() {
        // replicas belongs to the Deployment's spec, not the pod's.
        String misplaced = DEPLOYMENT.replace("      containers:", "      replicas: 2\n      containers:");
        assertTrue(problems(misplaced).get(0).contains("spec.template.spec.replicas: Unrecognized property"),
                problems(misplaced).toString());
    }

    @Test
    void refusesAValueOfTheWrongType() {
        String quoted = DEPLOYMENT.replace("containerPort: 8080", "containerPort: \"8080\"");
        assertTrue(problems(quoted).get(0).contains("spec.template.spec.containers[0].ports[0].containerPort"),
                problems(quoted).toString());
    }

    @Test
    void refusesAnUnknownKind() {
        assertTrue(problems(DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet")).get(0)
                .contains("unknown apiVersion/kind apps/v1/Deploymnet"));
    }

    @Test
    void refusesADuplicateKey() {
        assertTrue(problems(DEPLOYMENT.replace("  name: app\n", "  name: app\n  name: other\n")).get(0)
                .contains("not YAML"));
    }

    @Test
    void reportsEveryBrokenDocument() {
        String two = DEPLOYMENT.replace("image:", "imag:") + "---\n" + DEPLOYMENT.replace("ports:", "port:");
        assertEquals(2, problems(two).size(), problems(two).toString());
    }

    private static List<String> problems(String yaml) {
        return assertThrows(InvalidManifestException.class, () -> ManifestValidator.validate("test", yaml))
                .problems();
    }
}
