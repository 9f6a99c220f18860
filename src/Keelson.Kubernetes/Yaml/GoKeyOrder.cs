using System.Text;

namespace Keelson.Kubernetes.Yaml;

/// <summary>
/// The order go-yaml v2 writes map keys in (sorter.go), which is not plain string order: runs of digits compare by
/// numeric value ("a2" before "a10"), characters that are not letters sort before letters, and a shorter prefix
/// comes first.
/// </summary>
/// <remarks>
/// For some unusual key sets this "less" is not transitive (e.g. "1x", "01", "10" form a cycle). Go then sorts a map
/// whose iteration order is random, so Go's own output varies from run to run; any order is as right as Go's there.
/// </remarks>
internal static class GoKeyOrder
{
    public static bool Less(string a, string b)
    {
        var ar = new Runes(a);
        var br = new Runes(b);
        for (var i = 0; i < ar.Length && i < br.Length; i++)
        {
            var x = ar[i];
            var y = br[i];
            if (x == y)
            {
                continue;
            }

            var xl = IsLetter(x);
            var yl = IsLetter(y);
            if (xl && yl)
            {
                return x < y;
            }

            if (xl || yl)
            {
                return yl;
            }

            long an = 0;
            long bn = 0;
            if (x == '0' || y == '0')
            {
                // A zero that continues a number ("10" vs "11") is a digit like any other; a leading zero is not.
                for (var j = i - 1; j >= 0 && IsDigit(ar[j]); j--)
                {
                    if (ar[j] != '0')
                    {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }

            var ai = i;
            for (; ai < ar.Length && IsDigit(ar[ai]); ai++)
            {
                an = unchecked((an * 10) + (ar[ai] - '0'));
            }

            var bi = i;
            for (; bi < br.Length && IsDigit(br[bi]); bi++)
            {
                bn = unchecked((bn * 10) + (br[bi] - '0'));
            }

            if (an != bn)
            {
                return an < bn;
            }

            if (ai != bi)
            {
                return ai < bi;
            }

            return x < y;
        }

        return ar.Length < br.Length;
    }

    /// <summary>Sorts <paramref name="keys"/> in place: insertion sort for small maps (as Go does), merge sort above.</summary>
    public static void Sort(string[] keys)
    {
        if (keys.Length <= 12)
        {
            for (var i = 1; i < keys.Length; i++)
            {
                for (var j = i; j > 0 && Less(keys[j], keys[j - 1]); j--)
                {
                    (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
                }
            }

            return;
        }

        var scratch = new string[keys.Length];
        MergeSort(keys, scratch, 0, keys.Length);
    }

    private static void MergeSort(string[] keys, string[] scratch, int start, int end)
    {
        if (end - start < 2)
        {
            return;
        }

        var middle = (start + end) / 2;
        MergeSort(keys, scratch, start, middle);
        MergeSort(keys, scratch, middle, end);
        int left = start, right = middle, k = start;
        while (left < middle && right < end)
        {
            scratch[k++] = Less(keys[right], keys[left]) ? keys[right++] : keys[left++];
        }

        while (left < middle)
        {
            scratch[k++] = keys[left++];
        }

        while (right < end)
        {
            scratch[k++] = keys[right++];
        }

        Array.Copy(scratch, start, keys, start, end - start);
    }

    // Go's unicode.IsLetter / unicode.IsDigit (letters: category L; digits: Nd).
    private static bool IsLetter(int r) => r < 0x80 ? (uint)((r | 0x20) - 'a') <= 'z' - 'a' : Rune.IsLetter(new Rune(r));

    private static bool IsDigit(int r) => r < 0x80 ? (uint)(r - '0') <= 9 : Rune.IsDigit(new Rune(r));

    /// <summary>Code points of a string by index (Go converts to []rune); no copy when there are no surrogates.</summary>
    private readonly ref struct Runes
    {
        private readonly string? _chars;
        private readonly int[]? _points;

        public Runes(string s)
        {
            if (!s.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            {
                _chars = s;
                Length = s.Length;
                return;
            }

            var points = new List<int>(s.Length);
            foreach (var rune in s.EnumerateRunes())
            {
                points.Add(rune.Value);
            }

            _points = [.. points];
            Length = _points.Length;
        }

        public int Length { get; }

        public int this[int i] => _chars is not null ? _chars[i] : _points![i];
    }
}
