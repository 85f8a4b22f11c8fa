package io.mtlsgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * deploy/kubernetes/rendered holds each overlay as kustomize builds it, for machines without
 * kubectl (and for `kubectl apply -f` without kustomize). Where kubectl is here, the committed
 * render must be what the overlay builds now: run deploy/kubernetes/render.sh after a change.
 */
class RenderedManifestsTest {
    static final List<String> OVERLAYS = Kustomize.OVERLAYS;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void committedRenderIsWhatKustomizeBuilds(String overlay) throws Exception {
        assumeTrue(Kustomize.unavailableReason().isEmpty(), () -> Kustomize.unavailableReason().get());
        assertEquals(documents(Kustomize.build(Kustomize.KUBERNETES.resolve(overlay))),
                documents(Kustomize.rendered(overlay)),
                "deploy/kubernetes/rendered/" + overlay + ".yaml is stale: run deploy/kubernetes/render.sh");
    }

    private static List<Object> documents(String yaml) {
        List<Object> documents = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(yaml).forEach(documents::add);
        return documents;
    }
}
