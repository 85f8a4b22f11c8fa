package io.mtlsgateway.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Set;

/**
 * What tells the file watcher that a file was touched while a reload read it, even when it ends
 * with the bytes it had: the file's identity (device and inode) and its modification and change
 * times. A file deleted and created again is another inode; one renamed away and back, or rewritten
 * in place, has a new change time. Only metadata is read, never the content; links are followed.
 */
final class FileStamps {
    private FileStamps() {}

    static Map<Path, String> of(Set<Path> paths) {
        return ContentHashes.each(paths, FileStamps::stamp);
    }

    private static String stamp(Path path) throws IOException {
        try {
            // The change time moves on a rename and on any write; only the unix view has it.
            Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime,ctime");
            return unix.get("dev") + ":" + unix.get("ino") + " " + unix.get("size") + " "
                    + unix.get("lastModifiedTime") + " " + unix.get("ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class);
            return basic.fileKey() + " " + basic.size() + " " + basic.lastModifiedTime();
        }
    }
}
