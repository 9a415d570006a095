namespace Autodiff.Checkpoints;

/// <summary>
/// Writes a file so that a crash at any moment leaves either the old file or the complete new one: the bytes go to a
/// uniquely named temporary file in the same directory (so the rename stays on one file system), are flushed to disk,
/// and the temporary file is then renamed over the target in one step. Concurrent writers each rename a complete file
/// of their own, so readers never see a mixture; the last rename wins.
/// </summary>
public static class AtomicFile
{
    /// <summary>Creates or replaces <paramref name="path"/> with what <paramref name="write"/> puts into the stream it is given.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Creates or replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void Write(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The temporary file has a unique name; a leftover is harmless and the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
