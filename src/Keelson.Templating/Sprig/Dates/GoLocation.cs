using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Keelson.Templating.Dates;

/// <summary>
/// Go's <c>*time.Location</c>: a table of zones (abbreviation, offset, DST flag) and the instants the table switches
/// between them, read from the system's tzdata (TZif) files exactly as Go reads them, with the POSIX TZ rule of the
/// file's footer for instants after the last listed transition. Abbreviations such as "CEST" come from the file;
/// <see cref="TimeZoneInfo"/> cannot give them, so it is only the fallback where no TZif file is found.
/// </summary>
internal sealed class GoLocation : IGoValue
{
    public const long Alpha = long.MinValue;
    public const long Omega = long.MaxValue;

    private static readonly string[] ZoneSources = ["/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/"];

    private static readonly GoType StructType = new GoTypeBuilder("time.Location")
        .Field("name", GoType.String, o => ((GoLocation)o).Name)
        .Method("String", new GoSignature([], GoType.String), static (r, _, _) => ((GoLocation)r).Name, pointerReceiver: true)
        .Build();

    public static readonly GoType PointerType = GoType.PointerTo(StructType);

    private readonly Zone[] _zones;
    private readonly Transition[] _transitions;
    private readonly string _extend;
    private readonly TimeZoneInfo? _system;

    private GoLocation(string name, Zone[] zones, Transition[] transitions, string extend, TimeZoneInfo? system = null)
    {
        Name = name;
        _zones = zones;
        _transitions = transitions;
        _extend = extend;
        _system = system;
    }

    /// <summary>time.UTC.</summary>
    public static GoLocation Utc { get; } = new("UTC", [], [], "");

    /// <summary>What Location.String() returns: "UTC", "Local" or the name it was loaded by.</summary>
    public string Name { get; }

    public GoType GoType => PointerType;

    public override string ToString() => Name;

    /// <summary>time.FixedZone: one zone for all time.</summary>
    public static GoLocation Fixed(string name, int offset) => new(name, [new Zone(name, offset, false)], [new Transition(Alpha, 0)], "");

    /// <summary>time.LoadLocation for everything but "Local" (the caller owns Go's time.Local).</summary>
    public static GoLocation? Load(string name, out string? error)
    {
        error = null;
        if (name is "" or "UTC")
        {
            return Utc;
        }

        if (name.Contains("..", StringComparison.Ordinal) || name[0] is '/' or '\\')
        {
            error = "time: invalid location name";
            return null;
        }

        foreach (var source in ZoneSources)
        {
            var path = source + name;
            byte[] data;
            try
            {
                if (!File.Exists(path))
                {
                    continue;
                }

                data = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (FromTzif(name, data) is { } loaded)
            {
                return loaded;
            }
        }

        try
        {
            return FromTimeZoneInfo(name, TimeZoneInfo.FindSystemTimeZoneById(name));
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            error = "unknown time zone " + name;
            return null;
        }
    }

    /// <summary>Go's time.Local for a clock's zone: UTC itself for UTC, else the zone's tzdata, named "Local".</summary>
    public static GoLocation Local(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (zone.Id is "UTC" or "Etc/UTC" or "Etc/UCT" or "UCT" or "Universal" or "Etc/Universal" or "Zulu" or "Etc/Zulu"
            || zone.Equals(TimeZoneInfo.Utc))
        {
            return Utc;
        }

        var loaded = Load(zone.Id, out _);
        return loaded is null || ReferenceEquals(loaded, Utc)
            ? FromTimeZoneInfo("Local", zone)
            : new GoLocation("Local", loaded._zones, loaded._transitions, loaded._extend, loaded._system);
    }

    /// <summary>
    /// Go's Location.lookup: the zone in effect at <paramref name="sec"/> (Unix seconds) and the interval
    /// [start, end) in which that answer holds.
    /// </summary>
    public (string Name, int Offset, long Start, long End, bool IsDst) Lookup(long sec)
    {
        if (_system is not null)
        {
            return LookupSystem(sec);
        }

        if (_zones.Length == 0)
        {
            return ("UTC", 0, Alpha, Omega, false);
        }

        if (_transitions.Length == 0 || sec < _transitions[0].When)
        {
            var first = _zones[FirstZone()];
            return (first.Name, first.Offset, Alpha, _transitions.Length > 0 ? _transitions[0].When : Omega, first.IsDst);
        }

        var end = Omega;
        int lo = 0, hi = _transitions.Length;
        while (hi - lo > 1)
        {
            var m = lo + (hi - lo) / 2;
            var lim = _transitions[m].When;
            if (sec < lim)
            {
                end = lim;
                hi = m;
            }
            else
            {
                lo = m;
            }
        }

        var zone = _zones[_transitions[lo].Index];
        var start = _transitions[lo].When;
        if (lo == _transitions.Length - 1 && _extend.Length > 0
            && PosixRule.TryLookup(_extend, start, sec, out var extended))
        {
            return extended;
        }

        return (zone.Name, zone.Offset, start, end, zone.IsDst);
    }

    /// <summary>Go's Location.lookupName: the offset of a zone abbreviation, preferring the one in effect at <paramref name="unix"/>.</summary>
    public bool TryLookupName(string name, long unix, out int offset)
    {
        foreach (var zone in _zones)
        {
            if (zone.Name == name && Lookup(unix - zone.Offset).Name == zone.Name)
            {
                offset = Lookup(unix - zone.Offset).Offset;
                return true;
            }
        }

        foreach (var zone in _zones)
        {
            if (zone.Name == name)
            {
                offset = zone.Offset;
                return true;
            }
        }

        offset = 0;
        return false;
    }

    // Go's lookupFirstZone: the zone for instants before the first transition.
    private int FirstZone()
    {
        if (!_transitions.Any(t => t.Index == 0))
        {
            return 0;
        }

        if (_transitions.Length > 0 && _zones[_transitions[0].Index].IsDst)
        {
            for (var zi = _transitions[0].Index - 1; zi >= 0; zi--)
            {
                if (!_zones[zi].IsDst)
                {
                    return zi;
                }
            }
        }

        for (var zi = 0; zi < _zones.Length; zi++)
        {
            if (!_zones[zi].IsDst)
            {
                return zi;
            }
        }

        return 0;
    }

    private (string, int, long, long, bool) LookupSystem(long sec)
    {
        var clamped = Math.Clamp(sec, -62135596800L, 253402300799L);
        var at = DateTimeOffset.FromUnixTimeSeconds(clamped);
        var offset = (int)_system!.GetUtcOffset(at).TotalSeconds;
        // Without tzdata there are no abbreviations; tzdata itself writes unnamed zones like this ("+03", "+0530").
        var abs = Math.Abs(offset) / 60;
        var name = (offset < 0 ? "-" : "+") + (abs / 60).ToString("00", CultureInfo.InvariantCulture)
            + (abs % 60 == 0 ? "" : (abs % 60).ToString("00", CultureInfo.InvariantCulture));
        if (offset == 0)
        {
            name = "UTC";
        }

        // The interval is unknown: a one-second interval makes time.Date look the offset up again, which is exact.
        return (name, offset, sec, sec == Omega ? Omega : sec + 1, _system.IsDaylightSavingTime(at));
    }

    private static GoLocation FromTimeZoneInfo(string name, TimeZoneInfo zone) => new(name, [], [], "", zone);

    /// <summary>Go's LoadLocationFromTZData; null when the data is not a TZif file Go would accept.</summary>
    internal static GoLocation? FromTzif(string name, ReadOnlySpan<byte> data)
    {
        var d = data;
        if (d.Length < 44 || !d[..4].SequenceEqual("TZif"u8))
        {
            return null;
        }

        var version = d[4] switch
        {
            0 => 1,
            (byte)'2' => 2,
            (byte)'3' => 3,
            (byte)'4' => 4,
            _ => 0,
        };
        if (version == 0)
        {
            return null;
        }

        var counts = ReadCounts(d);
        d = d[44..];
        var timeSize = 4;
        if (version > 1)
        {
            // Skip the 32-bit block; the 64-bit one after it covers the same and more.
            var skip = counts.Time * 4 + counts.Time + counts.Type * 6 + counts.Chars + counts.Leap * 8 + counts.IsStd + counts.IsUt;
            if (d.Length < skip + 44 || !d.Slice(skip, 4).SequenceEqual("TZif"u8))
            {
                return null;
            }

            counts = ReadCounts(d[skip..]);
            d = d[(skip + 44)..];
            timeSize = 8;
        }

        var need = counts.Time * timeSize + counts.Time + counts.Type * 6 + counts.Chars + counts.Leap * (timeSize + 4) + counts.IsStd + counts.IsUt;
        if (d.Length < need || counts.Type == 0 || counts.Type > 256)
        {
            return null;
        }

        var times = d[..(counts.Time * timeSize)];
        d = d[(counts.Time * timeSize)..];
        var indexes = d[..counts.Time];
        d = d[counts.Time..];
        var types = d[..(counts.Type * 6)];
        d = d[(counts.Type * 6)..];
        var chars = d[..counts.Chars];
        d = d[(counts.Chars + counts.Leap * (timeSize + 4) + counts.IsStd + counts.IsUt)..];

        var zones = new Zone[counts.Type];
        for (var i = 0; i < zones.Length; i++)
        {
            var t = types.Slice(i * 6, 6);
            var offset = BinaryPrimitives.ReadInt32BigEndian(t);
            var abbrevAt = t[5];
            if (abbrevAt >= chars.Length)
            {
                return null;
            }

            var abbrev = chars[abbrevAt..];
            var nul = abbrev.IndexOf((byte)0);
            zones[i] = new Zone(Encoding.ASCII.GetString(nul < 0 ? abbrev : abbrev[..nul]), offset, t[4] != 0);
        }

        var transitions = new Transition[counts.Time];
        for (var i = 0; i < transitions.Length; i++)
        {
            var when = timeSize == 8
                ? BinaryPrimitives.ReadInt64BigEndian(times.Slice(i * 8, 8))
                : BinaryPrimitives.ReadInt32BigEndian(times.Slice(i * 4, 4));
            if (indexes[i] >= zones.Length)
            {
                return null;
            }

            transitions[i] = new Transition(when, indexes[i]);
        }

        if (transitions.Length == 0)
        {
            // Fixed zones such as Etc/GMT+3: one transition covering all time, as Go builds it.
            transitions = [new Transition(Alpha, 0)];
        }

        var extend = "";
        if (version > 1 && d.Length > 2 && d[0] == '\n')
        {
            var footer = d[1..];
            var nl = footer.IndexOf((byte)'\n');
            if (nl >= 0)
            {
                extend = Encoding.ASCII.GetString(footer[..nl]);
            }
        }

        return new GoLocation(name, zones, transitions, extend);
    }

    private static (int IsUt, int IsStd, int Leap, int Time, int Type, int Chars) ReadCounts(ReadOnlySpan<byte> header)
    {
        var n = new int[6];
        for (var i = 0; i < 6; i++)
        {
            n[i] = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(header.Slice(20 + i * 4, 4)), int.MaxValue / 16);
        }

        return (n[0], n[1], n[2], n[3], n[4], n[5]);
    }

    private readonly record struct Zone(string Name, int Offset, bool IsDst);

    private readonly record struct Transition(long When, int Index);
}
