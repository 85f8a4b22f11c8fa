package io.mtlsgateway.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The folders the file watcher has registered (those of the watched files and of the links on
 * their way, and the folder above each), each with the inode it was registered on: a folder
 * replaced as a whole keeps its path but is another inode, and a registration follows the inode
 * (the old folder, renamed away), so it is registered again. Only the watcher thread uses it.
 */
final class WatchedFolders {
    private static final Logger LOG = Logger.getLogger(FileWatcher.class.getName());

    private final WatchService service;
    private final Map<Path, Watch> watched = new HashMap<>();

    WatchedFolders(WatchService service) {
        this.service = service;
    }

    /**
     * Resolves the link chain of every file and watches the folder of each path on it, and the
     * folder above that one: a folder replaced as a whole ({@code mv certs.new certs}) is an event
     * there. Returns the paths whose events count: the chains and their folders.
     */
    Set<Path> watch(Set<Path> files) {
        Set<Path> chain = new LinkedHashSet<>();
        files.forEach(path -> chain.addAll(LinkChain.of(path)));
        Set<Path> parents = new LinkedHashSet<>();
        chain.forEach(path -> parents.add(path.getParent()));
        Set<Path> counted = new LinkedHashSet<>(chain);
        counted.addAll(parents);
        Set<Path> folders = new LinkedHashSet<>(parents);
        for (Path folder : parents) {
            if (folder.getParent() != null) {
                folders.add(folder.getParent());
            }
        }
        watchOnly(folders);
        return counted;
    }

    /** Watches exactly {@code folders} from now on, as they are now; a missing one is left until it exists. */
    private void watchOnly(Set<Path> folders) {
        for (Path folder : folders) {
            Object inode = inode(folder);
            Watch current = watched.get(folder);
            // A deleted folder's key is invalid (an old ..2024_01_01 version folder), a replaced
            // one's watches the old inode: drop either, so the folder there now is watched.
            if (current != null && (!current.key().isValid() || !Objects.equals(current.inode(), inode))) {
                current.key().cancel();
                watched.remove(folder);
                current = null;
            }
            if (current == null && inode != null) {
                try {
                    watched.put(folder, new Watch(folder.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE), inode));
                } catch (IOException e) {
                    LOG.warning(() -> "cannot watch " + folder + " (" + e + "); changes there need SIGHUP");
                }
            }
        }
        watched.entrySet().removeIf(entry -> {
            if (folders.contains(entry.getKey())) {
                return false;
            }
            entry.getValue().key().cancel();
            return true;
        });
    }

    /** What identifies the folder now (device and inode), or null when there is no folder there. */
    private static Object inode(Path folder) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(folder, BasicFileAttributes.class);
            return attributes.isDirectory() ? Objects.requireNonNullElse(attributes.fileKey(), folder) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A folder's registration, with the inode it watches. */
    private record Watch(WatchKey key, Object inode) {}
}
