namespace Keelson.ApiServer.Api;

/// <summary>What a response is encoded as, from the Accept header.</summary>
internal enum OutputKind
{
    Json,
    Table,
    PartialMetadata,
    PartialMetadataList,
}

internal readonly record struct Output(OutputKind Kind, string ApiVersion)
{
    public static readonly Output Json = new(OutputKind.Json, "");

    public string ContentType => Kind switch
    {
        OutputKind.Table => $"application/json;as=Table;v={ApiVersion[(ApiVersion.IndexOf('/') + 1)..]};g=meta.k8s.io",
        OutputKind.PartialMetadata => $"application/json;as=PartialObjectMetadata;v={ApiVersion[(ApiVersion.IndexOf('/') + 1)..]};g=meta.k8s.io",
        OutputKind.PartialMetadataList => $"application/json;as=PartialObjectMetadataList;v={ApiVersion[(ApiVersion.IndexOf('/') + 1)..]};g=meta.k8s.io",
        _ => "application/json",
    };
}

/// <summary>Content negotiation for the media types kubectl and client-go send.</summary>
internal static class MediaTypes
{
    public const string Json = "application/json";
    public const string Yaml = "application/yaml";
    public const string Protobuf = "application/vnd.kubernetes.protobuf";
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicPatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";
    public const string Discovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /// <summary>A media type and its parameters.</summary>
    public sealed record MediaType(string Type, IReadOnlyDictionary<string, string> Parameters)
    {
        public string? this[string key] => Parameters.TryGetValue(key, out var v) ? v : null;
    }

    public static List<MediaType> ParseList(string? header)
    {
        var result = new List<MediaType>();
        if (string.IsNullOrWhiteSpace(header))
        {
            return result;
        }

        foreach (var item in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result.Add(Parse(item));
        }

        return result;
    }

    public static MediaType Parse(string value)
    {
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim().Trim('"');
            }
        }

        return new MediaType(parts[0].ToLowerInvariant(), parameters);
    }

    /// <summary>Picks the response encoding; throws 406 when nothing acceptable is offered.</summary>
    public static Output Negotiate(string? accept, bool isList)
    {
        var types = ParseList(accept);
        if (types.Count == 0)
        {
            return Output.Json;
        }

        foreach (var t in types)
        {
            if (t.Type is "application/json" or "application/*" or "*/*")
            {
                var asKind = t["as"];
                if (asKind is null)
                {
                    return Output.Json;
                }

                if (t["g"] != "meta.k8s.io" || t["v"] is not ("v1" or "v1beta1"))
                {
                    continue;
                }

                var apiVersion = $"meta.k8s.io/{t["v"]}";
                switch (asKind)
                {
                    case "Table":
                        return new Output(OutputKind.Table, apiVersion);
                    case "PartialObjectMetadata" when !isList:
                        return new Output(OutputKind.PartialMetadata, apiVersion);
                    case "PartialObjectMetadataList" when isList:
                        return new Output(OutputKind.PartialMetadataList, apiVersion);
                }
            }
        }

        throw ApiException.NotAcceptable($"only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
    }

    public static bool WantsAggregatedDiscovery(string? accept)
    {
        foreach (var t in ParseList(accept))
        {
            if (t.Type == "application/json" && t["g"] == "apidiscovery.k8s.io" && t["v"] == "v2" && t["as"] == "APIGroupDiscoveryList")
            {
                return true;
            }

            if (t.Type is "application/json" or "*/*" && t["as"] is null)
            {
                return false;
            }
        }

        return false;
    }
}
