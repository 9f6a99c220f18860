using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Keelson.Kubernetes.Tests;

/// <summary>Splitting a watch stream into events, however the bytes arrive.</summary>
public sealed class WatchFramingTests
{
    private const string Added = """{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"5"},"data":{"k":"v}{\n"}}}""";
    private const string Bookmark = """{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"9"}}}""";

    [Fact]
    public void Newline_delimited_events_come_out_one_by_one()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Added + "\n" + Bookmark + "\n"));

        Assert.True(KubeClient.TrySplitEvent(ref buffer, out var first));
        Assert.True(KubeClient.TrySplitEvent(ref buffer, out var second));
        Assert.False(KubeClient.TrySplitEvent(ref buffer, out _));

        Assert.Equal("v}{\n", first["object"]!["data"]!["k"]!.GetValue<string>());
        Assert.Equal("BOOKMARK", second["type"]!.GetValue<string>());
    }

    [Fact]
    public void An_event_split_across_reads_and_segments_waits_for_its_end()
    {
        var bytes = Encoding.UTF8.GetBytes(Added + Bookmark);
        for (var cut = 1; cut < bytes.Length; cut += 7)
        {
            var partial = new ReadOnlySequence<byte>(bytes.AsMemory(0, Math.Min(cut, Added.Length - 1)));
            Assert.False(KubeClient.TrySplitEvent(ref partial, out _));

            var whole = Segments(bytes, cut);
            Assert.True(KubeClient.TrySplitEvent(ref whole, out var first));
            Assert.True(KubeClient.TrySplitEvent(ref whole, out var second));
            Assert.Equal("a", first["object"]!["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal("9", second["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Something_other_than_an_object_is_an_error()
    {
        var buffer = new ReadOnlySequence<byte>("[1,2]\n"u8.ToArray());

        var caught = false;
        try
        {
            KubeClient.TrySplitEvent(ref buffer, out _);
        }
        catch (JsonException)
        {
            caught = true;
        }

        Assert.True(caught);
    }

    [Fact]
    public void List_items_get_apiVersion_and_kind_and_can_move_to_other_documents()
    {
        var list = JsonNode.Parse("""
            {"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"abc","remainingItemCount":3},
             "items":[{"metadata":{"name":"a"}},{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}]}
            """)!.AsObject();

        var page = KubeClient.ToObjectList(list, ApiResource.ConfigMaps);

        Assert.Equal("42", page.ResourceVersion);
        Assert.Equal("abc", page.Continue);
        Assert.Equal(3, page.RemainingItemCount);
        Assert.Equal(["ConfigMap", "ConfigMap"], page.Items.Select(i => i.GetKind()));
        Assert.Equal("v1", page.Items[0].GetApiVersion());
        _ = new JsonArray(page.Items[0]); // detached from the list: no "node already has a parent"
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += size)
        {
            var next = new Segment(bytes.AsMemory(offset, Math.Min(size, bytes.Length - offset)), last);
            first ??= next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
