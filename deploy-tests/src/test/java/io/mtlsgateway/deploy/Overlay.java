package io.mtlsgateway.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.ConfigProblem;
import io.mtlsgateway.config.GatewayConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/** One overlay's validated objects, and the gateway's pod and route file found in them. */
final class Overlay {
    static final String GATEWAY_CONTAINER = "gateway";
    private static final String NO_SUCH_FILE = "no such file: ";

    final String name;
    final List<HasMetadata> objects;

    private Overlay(String name, List<HasMetadata> objects) {
        this.name = name;
        this.objects = objects;
    }

    /** The overlay as kustomize builds it here (or as committed), checked against the API model. */
    static Overlay load(String name) throws IOException, ManifestValidator.InvalidManifestException {
        return new Overlay(name, ManifestValidator.validate(name, Kustomize.manifests(name)));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError(name + ": expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    PodSpec pod() {
        return one(Deployment.class).getSpec().getTemplate().getSpec();
    }

    Container gateway() {
        return pod().getContainers().stream().filter(c -> c.getName().equals(GATEWAY_CONTAINER)).findFirst()
                .orElseThrow(() -> new AssertionError(name + ": no container named " + GATEWAY_CONTAINER));
    }

    Volume volume(String volumeName) {
        return pod().getVolumes().stream().filter(v -> v.getName().equals(volumeName)).findFirst()
                .orElseThrow(() -> new NoSuchElementException(name + ": no volume " + volumeName));
    }

    /** The gateway's mount that holds {@code file}, or null. */
    VolumeMount mountOf(String file) {
        return gateway().getVolumeMounts().stream()
                .filter(m -> file.startsWith(m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/"))
                .findFirst().orElse(null);
    }

    /** The route file the gateway is started with: the file named by --config, from its ConfigMap. */
    Path routeFilePath() {
        List<String> args = gateway().getArgs();
        int at = args.indexOf("--config");
        if (at < 0 || at + 1 >= args.size()) {
            throw new AssertionError(name + ": gateway args have no --config FILE: " + args);
        }
        return Path.of(args.get(at + 1));
    }

    String routeFileText() {
        Path path = routeFilePath();
        VolumeMount mount = mountOf(path.toString());
        if (mount == null || volume(mount.getName()).getConfigMap() == null) {
            throw new AssertionError(name + ": " + path + " is not on a ConfigMap volume of the gateway");
        }
        String configMap = volume(mount.getName()).getConfigMap().getName();
        String key = Path.of(mount.getMountPath()).relativize(path).toString();
        return all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(configMap)).findFirst()
                .map(c -> c.getData().get(key))
                .orElseThrow(() -> new AssertionError(name + ": no ConfigMap " + configMap + " with key " + key));
    }

    /**
     * The files the route file references, as the gateway's real config loader reports them
     * missing here (they exist only in the pod); every other problem fails.
     */
    List<String> referencedFiles() {
        try {
            ConfigLoader.load(routeFilePath(), new StringReader(routeFileText()));
            return List.of();
        } catch (ConfigException e) {
            List<String> files = new ArrayList<>();
            for (ConfigProblem problem : e.problems()) {
                int at = problem.message().indexOf(NO_SUCH_FILE);
                if (at < 0) {
                    throw new AssertionError(name + ": the route file is invalid: " + problem);
                }
                files.add(problem.message().substring(at + NO_SUCH_FILE.length()).strip());
            }
            return files;
        }
    }

    /**
     * The route file, loaded by the gateway's config loader with every referenced file present:
     * empty stand-ins under {@code root}, at the paths the pod mounts them at.
     */
    GatewayConfig routeFile(Path root) throws IOException, ConfigException {
        String text = routeFileText();
        for (String file : referencedFiles()) {
            Path standIn = root.resolve(Path.of("/").relativize(Path.of(file)));
            Files.createDirectories(standIn.getParent());
            Files.writeString(standIn, "");
        }
        String moved = text.replace(" /etc/", " " + root.resolve("etc") + "/").replace("[/etc/", "[" + root.resolve("etc") + "/");
        return ConfigLoader.load(root.resolve(Path.of("/").relativize(routeFilePath())), new StringReader(moved));
    }
}
