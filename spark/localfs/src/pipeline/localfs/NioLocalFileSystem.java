package pipeline.localfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system (file://) with permissions set through java.nio instead of a forked
 * {@code chmod}.
 *
 * <p>Without Hadoop's native library, {@code RawLocalFileSystem} starts a {@code chmod} process for
 * every folder and file it creates: a Spark write of one small Parquet folder forks about seven
 * times, and on a small VM each fork costs milliseconds of the JVM's time. The local stage writes a
 * dozen folders per run, so this class exists for local mode only (S3 is untouched). Spark picks it
 * up through {@code spark.hadoop.fs.file.impl}; everything except {@code setPermission} is Hadoop's.
 */
public class NioLocalFileSystem extends LocalFileSystem {
  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ,
  };

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The POSIX permission bits of {@code mode} (sticky and set-id bits are not settable here). */
  static Set<PosixFilePermission> posix(short mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BITS.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(BITS[bit]);
      }
    }
    return set;
  }

  /** The raw file system: Hadoop's, with setPermission done in-process. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      Files.setPosixFilePermissions(pathToFile(p).toPath(), posix(permission.toShort()));
    }
  }
}
