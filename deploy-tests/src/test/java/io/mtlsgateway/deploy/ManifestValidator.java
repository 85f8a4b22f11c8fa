package io.mtlsgateway.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.deser.BeanDeserializerBuilder;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * Checks multi-document Kubernetes YAML against the API types of the fabric8 Kubernetes model,
 * as strictly as the API server's field validation ({@code kubectl apply --validate=strict}): an
 * unknown or misplaced field, a value of the wrong type, a duplicate key or an unknown kind is a
 * problem. Every document is checked; all problems are reported at once.
 *
 * <p>The fabric8 types keep unknown fields in an "additional properties" map (an any-setter), so
 * a client can round-trip newer objects; here that map is taken away, so Jackson's own
 * unknown-property check applies to every type of the model.
 */
final class ManifestValidator {
    /** The kinds deploy/kubernetes may produce, by apiVersion/kind. Anything else is a problem. */
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // The API server refuses "8443" for an integer and 8443 for a string; so do we.
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(new SimpleModule("no-additional-properties").setDeserializerModifier(new NoAnySetter()))
            .build();

    private ManifestValidator() {}

    /**
     * The objects in {@code yaml}, each of its model type.
     *
     * @param source names the input in problems
     * @throws InvalidManifestException listing every problem found
     */
    static List<HasMetadata> validate(String source, String yaml) throws InvalidManifestException {
        List<String> problems = new ArrayList<>();
        List<HasMetadata> objects = new ArrayList<>();
        List<Object> documents = new ArrayList<>();
        try {
            // Duplicate keys are refused by default (LoadSettings.allowDuplicateKeys is false).
            new Load(LoadSettings.builder().setLabel(source).build()).loadAllFromString(yaml).forEach(documents::add);
        } catch (YamlEngineException e) {
            throw new InvalidManifestException(List.of(source + ": not YAML: " + e.getMessage()));
        }
        for (int i = 0; i < documents.size(); i++) {
            Object document = documents.get(i);
            if (document == null) {
                continue;   // an empty document between two '---'
            }
            String where = source + " document " + (i + 1);
            if (!(document instanceof Map<?, ?> map)) {
                problems.add(where + ": not a mapping");
                continue;
            }
            String type = map.get("apiVersion") + "/" + map.get("kind");
            Class<? extends HasMetadata> model = KINDS.get(type);
            if (model == null) {
                problems.add(where + ": unknown apiVersion/kind " + type + " (expected: one of "
                        + KINDS.keySet().stream().sorted().collect(Collectors.joining(", ")) + ")");
                continue;
            }
            Object name = map.get("metadata") instanceof Map<?, ?> meta ? meta.get("name") : null;
            try {
                objects.add(STRICT.convertValue(map, model));
            } catch (IllegalArgumentException | JacksonException e) {
                problems.add(where + " (" + type + " " + name + "): " + describe(e));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidManifestException(problems);
        }
        return objects;
    }

    /** "spec.template.spec.containers[0].readinesProbe: ..." from Jackson's reference path. */
    private static String describe(Exception e) {
        Throwable cause = e;
        while (!(cause instanceof JacksonException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (!(cause instanceof JacksonException jackson)) {
            return e.getMessage();
        }
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : jackson.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        String message = jackson.getOriginalMessage();
        int newline = message.indexOf('\n');
        return path + ": " + (newline < 0 ? message : message.substring(0, newline));
    }

    /** Removes the any-setter every fabric8 type has, so that unknown fields fail. */
    private static final class NoAnySetter extends ValueDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription.Supplier bean,
                BeanDeserializerBuilder builder) {
            builder.setAnySetter(null);
            return builder;
        }
    }

    /** The manifests are not valid; {@link #problems()} says where and why. */
    static final class InvalidManifestException extends Exception {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;

        InvalidManifestException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }
}
