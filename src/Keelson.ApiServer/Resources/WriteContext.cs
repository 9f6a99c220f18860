using System.Text.Json.Nodes;

namespace Keelson.ApiServer.Resources;

/// <summary>Cluster facts and allocations that defaulting needs (service IPs, node ports, the default storage class).</summary>
internal interface IClusterServices
{
    string AllocateClusterIp(bool reserve);

    int AllocateNodePort(bool reserve);

    string? DefaultStorageClass();

    string RandomSuffix(int length);
}

/// <summary>What a write's defaulting and preparation steps see.</summary>
internal sealed class WriteContext
{
    public required DateTimeOffset Now { get; init; }

    public required IClusterServices Cluster { get; init; }

    public bool DryRun { get; init; }

    /// <summary>The stored object being replaced (null on create).</summary>
    public JsonObject? Old { get; init; }

    public List<string> Warnings { get; } = [];
}
