using System.Net;
using Keelson.ApiServer.Resources;
using Keelson.ApiServer.Storage;

namespace Keelson.ApiServer.Objects;

/// <summary>Service IP and node port allocation, default storage class lookup and random names.</summary>
internal sealed class ClusterServices(ObjectStore store) : IClusterServices
{
    private const string Consonants = "bcdfghjklmnpqrstvwxz2456789";
    private static readonly GroupResource StorageClasses = new("storage.k8s.io", "storageclasses");

    private readonly Lock _gate = new();
    private readonly HashSet<string> _ips = ["10.96.0.1"];
    private readonly HashSet<int> _ports = [];

    public string AllocateClusterIp(bool reserve)
    {
        lock (_gate)
        {
            // 10.96.0.0/12 as kubeadm and kind configure it; random like the upstream allocator.
            for (var attempt = 0; attempt < 10_000; attempt++)
            {
                var offset = Random.Shared.Next(2, (1 << 20) - 1);
                var ip = new IPAddress(new byte[] { 10, (byte)(96 + (offset >> 16)), (byte)((offset >> 8) & 0xFF), (byte)(offset & 0xFF) }).ToString();
                if (!_ips.Contains(ip))
                {
                    if (reserve)
                    {
                        _ips.Add(ip);
                    }

                    return ip;
                }
            }
        }

        throw new InvalidOperationException("service IP range exhausted");
    }

    public int AllocateNodePort(bool reserve)
    {
        lock (_gate)
        {
            for (var attempt = 0; attempt < 100_000; attempt++)
            {
                var port = Random.Shared.Next(30000, 32768);
                if (!_ports.Contains(port))
                {
                    if (reserve)
                    {
                        _ports.Add(port);
                    }

                    return port;
                }
            }
        }

        throw new InvalidOperationException("node port range exhausted");
    }

    public void Release(string? ip, IEnumerable<int> ports)
    {
        lock (_gate)
        {
            if (ip is not null)
            {
                _ips.Remove(ip);
            }

            foreach (var port in ports)
            {
                _ports.Remove(port);
            }
        }
    }

    public string? DefaultStorageClass()
    {
        var snapshot = store.Snapshot(StorageClasses, out _);
        return snapshot.Enumerate(null)
            .Where(s => s.Object.Obj("metadata")?.Obj("annotations").Str("storageclass.kubernetes.io/is-default-class") == "true")
            .OrderByDescending(s => s.Object.Obj("metadata").Str("creationTimestamp"), StringComparer.Ordinal)
            .FirstOrDefault()?.Name;
    }

    public string RandomSuffix(int length) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Consonants[Random.Shared.Next(Consonants.Length)];
            }
        });
}
