using Keelson.Engine.Apply;

namespace Keelson.Engine.Tests.Apply;

public sealed class TrackingTests
{
    [Theory]
    [InlineData("apps", "Deployment", "shop", "web", "keelson/guestbook:apps/Deployment:shop/web")]
    [InlineData("", "Namespace", null, "shop", "keelson/guestbook:/Namespace:/shop")]
    public void The_id_names_owner_group_kind_namespace_and_name(string group, string kind, string? ns, string name, string expected)
    {
        var id = Tracking.Id("keelson/guestbook", new ResourceRef(group, "v1", kind, ns, name));

        Assert.Equal(expected, id);
        Assert.Equal("keelson/guestbook", Tracking.OwnerOf(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("guestbook")]
    [InlineData("a/b/c")]
    [InlineData("/name")]
    [InlineData("ns/")]
    [InlineData("ns/na:me")]
    public void Owners_must_be_namespace_slash_name(string? owner) => Assert.False(Tracking.IsValidOwner(owner));

    [Fact]
    public void A_valid_owner_is_accepted() => Assert.True(Tracking.IsValidOwner("keelson/guestbook"));
}
