using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;

namespace Keelson.ApiServer.Resources.Kinds;

/// <summary>Shorthands for declaring table columns and field labels.</summary>
internal static class Columns
{
    public static TableColumn Text(string name, Func<JsonObject, string?> cell, int priority = 0, string description = "") =>
        new(name, "string", "", description, priority, (o, _) => cell(o) is { } s ? JsonValue.Create(s) : null);

    public static TableColumn Number(string name, Func<JsonObject, long?> cell, int priority = 0, string description = "") =>
        new(name, "integer", "", description, priority, (o, _) => JsonValue.Create(cell(o) ?? 0));

    public static TableColumn Timed(string name, Func<JsonObject, DateTimeOffset, string?> cell, int priority = 0, string description = "") =>
        new(name, "string", "", description, priority, (o, now) => cell(o, now) is { } s ? JsonValue.Create(s) : null);

    public static readonly TableColumn Age = new("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
        (o, now) => JsonValue.Create(Cells.Age(o, now)));

    public static readonly TableColumn CreatedAt = new("Created At", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
        (o, _) => JsonValue.Create(Cells.CreatedAt(o)));

    public static TableColumn ContainersOf(Func<JsonObject, JsonObject?> podSpec) =>
        Text("Containers", o => Cells.Containers(podSpec(o)), 1, "Names of each container in the template.");

    public static TableColumn ImagesOf(Func<JsonObject, JsonObject?> podSpec) =>
        Text("Images", o => Cells.Images(podSpec(o)), 1, "Images referenced by each container in the template.");

    public static Dictionary<string, Func<JsonObject, string?>> Fields(params (string Name, Func<JsonObject, string?> Value)[] fields) =>
        fields.ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);

    public static HashSet<string> Top(params string[] extra) => ["apiVersion", "kind", "metadata", .. extra];
}
