using System.Text.Json.Nodes;
using Keelson.ApiServer.Patching;
using Keelson.Testing;

namespace Keelson.ApiServer.Tests.Patching;

/// <summary>
/// Server-side apply and managedFields scenarios from testdata/patching/apply: each step applies or updates the
/// object left by the previous one, one minute after it (the first step runs at 2026-01-01T00:01:00Z).
/// </summary>
public sealed class FieldManagerFixtureTests
{
    private const string Area = "apply";

    public static TheoryData<string> Cases => Fixtures.Cases(Area);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scenario(string id)
    {
        var fixture = Fixtures.Case(Area, id);
        var schema = Fixtures.Schema(fixture);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var fieldManager = new FieldManager(clock);
        var live = fixture["live"]?.DeepClone() as JsonObject;
        var baseObject = fixture["base"] as JsonObject;
        var steps = fixture["steps"]?.AsArray() ?? throw new InvalidDataException($"{id}: no steps");
        for (var i = 0; i < steps.Count; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            var step = steps[i]!.AsObject();
            var label = $"{id} step {i + 1}";
            var manager = (string?)step["manager"] ?? "test-manager";
            var subresource = (string?)step["subresource"];
            var previous = live;
            var liveBefore = previous?.ToJsonString();
            JsonObject input;
            Func<JsonObject> act;
            if (step["apply"] is JsonObject applied)
            {
                applied = WithBase(baseObject, applied);
                input = applied;
                var force = (bool?)step["force"] ?? false;
                var current = live;
                act = () => fieldManager.Apply(current, applied, manager, force, schema, subresource);
            }
            else
            {
                input = WithBase(baseObject, step["update"]?.AsObject() ?? throw new InvalidDataException($"{label}: neither apply nor update"));
                if ((bool?)step["roundTrip"] == true && live?["metadata"]?["managedFields"] is JsonNode liveManagedFields)
                {
                    // A client that read the object sends its managedFields back unchanged.
                    input["metadata"]!["managedFields"] = liveManagedFields.DeepClone();
                }

                // Update writes managedFields into the object it is given and returns that object.
                var current = live;
                var updated = (JsonObject)input.DeepClone();
                act = () =>
                {
                    var result = fieldManager.Update(current, updated, manager, schema, subresource);
                    Assert.Same(updated, result);
                    return result;
                };
            }

            var inputBefore = input.ToJsonString();
            if (step["expectConflict"] is JsonObject conflict)
            {
                var ex = Assert.Throws<ApplyConflictException>(act);
                Assert.Equal((string?)conflict["message"], ex.Message);
                if (conflict["causes"] is JsonArray causes)
                {
                    Fixtures.AssertJsonEqual(causes, ex.ToStatusCauses(), $"{label}: conflict causes");
                }
            }
            else if (step["expectError"] is JsonObject error)
            {
                var ex = Assert.Throws<PatchException>(act);
                Assert.Equal((int?)error["code"], ex.Code);
                Assert.Equal((string?)error["message"], ex.Message);
            }
            else
            {
                var result = act();
                if (step["expect"] is JsonNode expected)
                {
                    Fixtures.AssertJsonEqual(expected, result, $"{label}: object");
                }

                if (step.ContainsKey("expectManagedFields"))
                {
                    Fixtures.AssertJsonEqual(step["expectManagedFields"], result["metadata"]?["managedFields"], $"{label}: managedFields");
                }

                if (step["expectSets"] is JsonObject expectedSets)
                {
                    // Only each manager's fields, whatever the times and order of the entries.
                    var actualSets = new JsonObject();
                    foreach (var entry in result["metadata"]?["managedFields"]?.AsArray() ?? [])
                    {
                        var name = (string)entry!["manager"]!;
                        Assert.False(actualSets.ContainsKey(name), $"{label}: several entries for {name}; use expectManagedFields");
                        actualSets[name] = entry["fieldsV1"]!.DeepClone();
                    }

                    Fixtures.AssertJsonEqual(expectedSets, actualSets, $"{label}: field sets");
                }

                if (step["expectObject"] is JsonObject expectedObject)
                {
                    var withoutManagedFields = (JsonObject)result.DeepClone();
                    (withoutManagedFields["metadata"] as JsonObject)?.Remove("managedFields");
                    Fixtures.AssertJsonEqual(WithBase(baseObject, expectedObject), withoutManagedFields, $"{label}: object without managedFields");
                }

                live = result;
            }

            // The field manager must never modify what it is given.
            Assert.Equal(inputBefore, input.ToJsonString());
            Assert.Equal(liveBefore, previous?.ToJsonString());
        }
    }

    /// <summary>
    /// The fixture's <c>base</c> (apiVersion, kind, metadata.name...) under <paramref name="obj"/>: maps merge
    /// recursively, anything else in <paramref name="obj"/> wins. Without a base, <paramref name="obj"/> itself.
    /// </summary>
    private static JsonObject WithBase(JsonObject? baseObject, JsonObject obj)
    {
        if (baseObject is null)
        {
            return obj;
        }

        var result = (JsonObject)baseObject.DeepClone();
        Overlay(result, obj);
        return result;

        static void Overlay(JsonObject target, JsonObject source)
        {
            foreach (var (key, value) in source)
            {
                if (value is JsonObject sourceChild && target[key] is JsonObject targetChild)
                {
                    Overlay(targetChild, sourceChild);
                }
                else
                {
                    target[key] = value?.DeepClone();
                }
            }
        }
    }
}
