using System.Text;

namespace Keelson.Templating;

/// <summary>
/// Sprig's string functions: Go's strings package, Masterminds/goutils and huandu/xstrings semantics. Go strings
/// are UTF-8 bytes, so the functions that count or slice (trunc, substr, abbrev, wrap, nospace, initials) work on
/// UTF-8 offsets; goutils' nospace and initials even read single bytes as Latin-1 characters, as Go's code does.
/// </summary>
internal static class SprigStrings
{
    private static readonly GoType S = GoType.String;
    private static readonly GoType I = GoType.Int;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Of("hello", S, [], static (_, _) => "Hello!"));
        f.Add(Fn.Of("abbrev", S, [I, S], static (_, a) => Abbrev(Fn.Int(a[0]), Fn.Str(a[1]))));
        f.Add(Fn.Of("abbrevboth", S, [I, I, S], static (_, a) => AbbrevBoth(Fn.Int(a[0]), Fn.Int(a[1]), Fn.Str(a[2]))));
        f.Add(Fn.Of("trunc", S, [I, S], static (_, a) => Trunc(Fn.Int(a[0]), Fn.Str(a[1]))));
        f.Add(Fn.Of("trim", S, [S], static (_, a) => TrimSpace(Fn.Str(a[0]))));
        f.Add(Fn.Of("upper", S, [S], static (_, a) => ToUpper(Fn.Str(a[0]))));
        f.Add(Fn.Of("lower", S, [S], static (_, a) => ToLower(Fn.Str(a[0]))));
        f.Add(Fn.Of("title", S, [S], static (_, a) => Title(Fn.Str(a[0]))));
        f.Add(Fn.Of("untitle", S, [S], static (_, a) => Untitle(Fn.Str(a[0]))));
        f.Add(Fn.Of("substr", S, [I, I, S], static (_, a) => Substr(Fn.Int(a[0]), Fn.Int(a[1]), Fn.Str(a[2]))));
        f.Add(Fn.Of("repeat", S, [I, S], static (_, a) => Repeat(Fn.Str(a[1]), Fn.Int(a[0]))));
        f.Add(Fn.Of("trimall", S, [S, S], static (_, a) => Trim(Fn.Str(a[1]), Fn.Str(a[0]))));
        f.Add(Fn.Of("trimAll", S, [S, S], static (_, a) => Trim(Fn.Str(a[1]), Fn.Str(a[0]))));
        f.Add(Fn.Of("trimSuffix", S, [S, S], static (_, a) => TrimSuffix(Fn.Str(a[1]), Fn.Str(a[0]))));
        f.Add(Fn.Of("trimPrefix", S, [S, S], static (_, a) => TrimPrefix(Fn.Str(a[1]), Fn.Str(a[0]))));
        f.Add(Fn.Of("nospace", S, [S], static (_, a) => DeleteWhiteSpace(Fn.Str(a[0]))));
        f.Add(Fn.Of("initials", S, [S], static (_, a) => Initials(Fn.Str(a[0]))));
        f.Add(Fn.Of("swapcase", S, [S], static (_, a) => SwapCase(Fn.Str(a[0]))));
        f.Add(Fn.Of("snakecase", S, [S], static (_, a) => WordCase.ToSnakeCase(Fn.Str(a[0]))));
        f.Add(Fn.Of("camelcase", S, [S], static (_, a) => WordCase.ToPascalCase(Fn.Str(a[0]))));
        f.Add(Fn.Of("kebabcase", S, [S], static (_, a) => WordCase.ToKebabCase(Fn.Str(a[0]))));
        f.Add(Fn.Of("wrap", S, [I, S], static (_, a) => Wrap(Fn.Str(a[1]), Fn.Int(a[0]), "", wrapLongWords: false)));
        f.Add(Fn.Of("wrapWith", S, [I, S, S], static (_, a) => Wrap(Fn.Str(a[2]), Fn.Int(a[0]), Fn.Str(a[1]), wrapLongWords: true)));
        f.Add(Fn.Of("contains", GoType.Bool, [S, S], static (_, a) => Fn.Str(a[1]).Contains(Fn.Str(a[0]), StringComparison.Ordinal)));
        f.Add(Fn.Of("hasPrefix", GoType.Bool, [S, S], static (_, a) => Fn.Str(a[1]).StartsWith(Fn.Str(a[0]), StringComparison.Ordinal)));
        f.Add(Fn.Of("hasSuffix", GoType.Bool, [S, S], static (_, a) => Fn.Str(a[1]).EndsWith(Fn.Str(a[0]), StringComparison.Ordinal)));
        f.Add(Fn.Variadic("quote", S, [GoType.SliceOfInterface], static (ctx, a) => Quote(ctx, a, '"')));
        f.Add(Fn.Variadic("squote", S, [GoType.SliceOfInterface], static (ctx, a) => Quote(ctx, a, '\'')));
        f.Add(Fn.Variadic("cat", S, [GoType.SliceOfInterface], static (ctx, a) => Cat(ctx, a)));
        f.Add(Fn.Of("indent", S, [I, S], static (_, a) => Indent(Fn.Int(a[0]), Fn.Str(a[1]), newline: false)));
        f.Add(Fn.Of("nindent", S, [I, S], static (_, a) => Indent(Fn.Int(a[0]), Fn.Str(a[1]), newline: true)));
        f.Add(Fn.Of("replace", S, [S, S, S], static (_, a) => Replace(Fn.Str(a[2]), Fn.Str(a[0]), Fn.Str(a[1]))));
        f.Add(Fn.Of("plural", S, [S, S, I], static (_, a) => Fn.Int(a[2]) == 1 ? a[0] : a[1]));
    }

    // ---- strings package ----

    public static string ToUpper(string s) => ChangeCase(s, 'a', 'z', -32, GoText.ToUpper);

    public static string ToLower(string s) => ChangeCase(s, 'A', 'Z', 32, GoText.ToLower);

    // ASCII text (nearly all of it in charts) is mapped without decoding runes, and returned as is when nothing changes.
    private static string ChangeCase(string s, char first, char last, int shift, Func<int, int> unicode)
    {
        var changes = false;
        foreach (var c in s)
        {
            if (c >= 0x80)
            {
                return GoText.MapRunes(s, unicode);
            }

            changes |= c >= first && c <= last;
        }

        if (!changes)
        {
            return s;
        }

        return string.Create(s.Length, (s, first, last, shift), static (span, state) =>
        {
            for (var i = 0; i < state.s.Length; i++)
            {
                var c = state.s[i];
                span[i] = c >= state.first && c <= state.last ? (char)(c + state.shift) : c;
            }
        });
    }

    /// <summary>strings.Title: the first letter of each word to title case; words are separated by anything but letters, digits and '_'.</summary>
    public static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var prev = (int)' ';
        for (var i = 0; i < s.Length;)
        {
            var r = GoText.RuneAt(s, i, out var w);
            GoText.AppendRune(sb, IsSeparator(prev) ? GoText.ToTitle(r) : r);
            prev = r;
            i += w;
        }

        return sb.ToString();

        static bool IsSeparator(int r)
        {
            if (r <= 0x7F)
            {
                return !(r is (>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_');
            }

            return !GoText.IsLetter(r) && !GoText.IsDigit(r) && GoText.IsSpace(r);
        }
    }

    /// <summary>strings.TrimSpace with Go's white space (unicode.IsSpace).</summary>
    public static string TrimSpace(string s)
    {
        var start = 0;
        while (start < s.Length)
        {
            var r = GoText.RuneAt(s, start, out var w);
            if (!GoText.IsSpace(r))
            {
                break;
            }

            start += w;
        }

        var end = s.Length;
        while (end > start)
        {
            var c = s[end - 1];
            int r;
            var w = 1;
            if (char.IsLowSurrogate(c) && end - 2 >= start && char.IsHighSurrogate(s[end - 2]))
            {
                r = char.ConvertToUtf32(s[end - 2], c);
                w = 2;
            }
            else
            {
                r = char.IsSurrogate(c) ? GoText.RuneError : c;
            }

            if (!GoText.IsSpace(r))
            {
                break;
            }

            end -= w;
        }

        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary>strings.Trim(s, cutset): leading and trailing code points found in the cut set.</summary>
    public static string Trim(string s, string cutset)
    {
        if (s.Length == 0 || cutset.Length == 0)
        {
            return s;
        }

        var start = 0;
        while (start < s.Length)
        {
            var r = GoText.RuneAt(s, start, out var w);
            if (!InCutset(r, cutset))
            {
                break;
            }

            start += w;
        }

        var end = s.Length;
        while (end > start)
        {
            var c = s[end - 1];
            int r;
            var w = 1;
            if (char.IsLowSurrogate(c) && end - 2 >= start && char.IsHighSurrogate(s[end - 2]))
            {
                r = char.ConvertToUtf32(s[end - 2], c);
                w = 2;
            }
            else
            {
                r = char.IsSurrogate(c) ? GoText.RuneError : c;
            }

            if (!InCutset(r, cutset))
            {
                break;
            }

            end -= w;
        }

        return start == 0 && end == s.Length ? s : s[start..end];

        static bool InCutset(int r, string cutset)
        {
            for (var i = 0; i < cutset.Length;)
            {
                if (GoText.RuneAt(cutset, i, out var w) == r)
                {
                    return true;
                }

                i += w;
            }

            return false;
        }
    }

    public static string TrimPrefix(string s, string prefix) =>
        prefix.Length > 0 && s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;

    public static string TrimSuffix(string s, string suffix) =>
        suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;

    /// <summary>strings.Repeat, with Go's panics.</summary>
    public static string Repeat(string s, nint count)
    {
        if (count < 0)
        {
            throw new SprigException("strings: negative Repeat count");
        }

        if (count == 0 || s.Length == 0)
        {
            return "";
        }

        if ((long)s.Length * count > Array.MaxLength)
        {
            throw new SprigException("strings: Repeat output length overflow");
        }

        if (s.Length == 1)
        {
            return new string(s[0], (int)count);
        }

        return string.Create(s.Length * (int)count, s, static (span, src) =>
        {
            for (var i = 0; i < span.Length; i += src.Length)
            {
                src.CopyTo(span[i..]);
            }
        });
    }

    /// <summary>strings.Replace(s, old, new, -1): an empty old inserts new before every code point and at the end.</summary>
    public static string Replace(string s, string oldValue, string newValue)
    {
        if (oldValue == newValue)
        {
            return s;
        }

        if (oldValue.Length > 0)
        {
            return s.Replace(oldValue, newValue, StringComparison.Ordinal);
        }

        var sb = new StringBuilder(s.Length + (s.Length + 1) * newValue.Length);
        sb.Append(newValue);
        for (var i = 0; i < s.Length;)
        {
            GoText.RuneAt(s, i, out var w);
            sb.Append(s, i, w).Append(newValue);
            i += w;
        }

        return sb.ToString();
    }

    // ---- Sprig's own ----

    /// <summary>Sprig's trunc: the first c bytes, or for a negative c the last -c bytes.</summary>
    public static string Trunc(nint c, string s)
    {
        var len = GoValues.Utf8Length(s);
        if (c < 0 && len + c > 0)
        {
            return GoText.ByteSlice(s, (int)(len + c), len);
        }

        if (c >= 0 && len > c)
        {
            return GoText.ByteSlice(s, 0, (int)c);
        }

        return s;
    }

    /// <summary>Sprig's substr: s[:end] for a negative start, s[start:] when end is negative or past the end, else s[start:end].</summary>
    public static string Substr(nint start, nint end, string s)
    {
        var len = GoValues.Utf8Length(s);
        if (start < 0)
        {
            if (end < 0)
            {
                throw new SprigException($"runtime error: slice bounds out of range [:{end}]");
            }

            if (end > len)
            {
                throw new SprigException($"runtime error: slice bounds out of range [:{end}] with length {len}");
            }

            return GoText.ByteSlice(s, 0, (int)end);
        }

        if (end < 0 || end > len)
        {
            if (start > len)
            {
                throw new SprigException($"runtime error: slice bounds out of range [{start}:{len}]");
            }

            return GoText.ByteSlice(s, (int)start, len);
        }

        if (start > end)
        {
            throw new SprigException($"runtime error: slice bounds out of range [{start}:{end}]");
        }

        return GoText.ByteSlice(s, (int)start, (int)end);
    }

    public static string Abbrev(nint width, string s) => width < 4 ? s : AbbreviateFull(s, 0, width);

    public static string AbbrevBoth(nint left, nint right, string s) =>
        right < 4 || left > 0 && right < 7 ? s : AbbreviateFull(s, left, right);

    /// <summary>goutils.AbbreviateFull over UTF-8 bytes; its errors make Sprig return "".</summary>
    private static string AbbreviateFull(string s, nint offset, nint maxWidth)
    {
        if (s.Length == 0 || maxWidth < 4)
        {
            return "";
        }

        var len = GoValues.Utf8Length(s);
        if (len <= maxWidth)
        {
            return s;
        }

        if (offset > len)
        {
            offset = len;
        }

        if (len - offset < maxWidth - 3)
        {
            offset = len - (maxWidth - 3);
        }

        if (offset <= 4)
        {
            return GoText.ByteSlice(s, 0, (int)(maxWidth - 3)) + "...";
        }

        if (maxWidth < 7)
        {
            return "";
        }

        if (offset + maxWidth - 3 < len)
        {
            return "..." + AbbreviateFull(GoText.ByteSlice(s, (int)offset, len), 0, maxWidth - 3);
        }

        return "..." + GoText.ByteSlice(s, (int)(len - (maxWidth - 3)), len);
    }

    /// <summary>goutils.DeleteWhiteSpace: drops white-space bytes and, if any was dropped, re-reads every kept byte as a Latin-1 character.</summary>
    public static string DeleteWhiteSpace(string s)
    {
        if (GoText.IsAscii(s))
        {
            var any = false;
            foreach (var c in s)
            {
                if (GoText.IsSpace(c))
                {
                    any = true;
                    break;
                }
            }

            if (!any)
            {
                return s;
            }

            var sb = new StringBuilder(s.Length);
            foreach (var c in s)
            {
                if (!GoText.IsSpace(c))
                {
                    sb.Append(c);
                }
            }

            return sb.ToString();
        }

        var bytes = GoText.ToUtf8(s);
        var kept = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (!GoText.IsSpace(b))
            {
                kept.Append((char)b);
            }
        }

        return kept.Length == bytes.Length ? s : kept.ToString();
    }

    /// <summary>goutils.Initials: the first byte of each white-space separated word, read as a Latin-1 character.</summary>
    public static string Initials(string s)
    {
        if (s.Length == 0)
        {
            return s;
        }

        var sb = new StringBuilder();
        var lastWasGap = true;
        foreach (var b in GoText.IsAscii(s) ? Ascii(s) : GoText.ToUtf8(s))
        {
            if (GoText.IsSpace(b))
            {
                lastWasGap = true;
            }
            else if (lastWasGap)
            {
                sb.Append((char)b);
                lastWasGap = false;
            }
        }

        return sb.ToString();

        static byte[] Ascii(string s)
        {
            var b = new byte[s.Length];
            for (var i = 0; i < s.Length; i++)
            {
                b[i] = (byte)s[i];
            }

            return b;
        }
    }

    /// <summary>goutils.SwapCase: upper and title case to lower; lower case to title case at a word start, else to upper.</summary>
    public static string SwapCase(string s)
    {
        var sb = new StringBuilder(s.Length);
        var whitespace = true;
        for (var i = 0; i < s.Length;)
        {
            var r = GoText.RuneAt(s, i, out var w);
            i += w;
            if (GoText.IsUpper(r) || GoText.IsTitle(r))
            {
                r = GoText.ToLower(r);
                whitespace = false;
            }
            else if (GoText.IsLower(r))
            {
                r = whitespace ? GoText.ToTitle(r) : GoText.ToUpper(r);
                whitespace = false;
            }
            else
            {
                whitespace = GoText.IsSpace(r);
            }

            GoText.AppendRune(sb, r);
        }

        return sb.ToString();
    }

    /// <summary>goutils.Uncapitalize: the first letter of each white-space separated word to lower case.</summary>
    public static string Untitle(string s)
    {
        var sb = new StringBuilder(s.Length);
        var next = true;
        for (var i = 0; i < s.Length;)
        {
            var r = GoText.RuneAt(s, i, out var w);
            i += w;
            if (GoText.IsSpace(r))
            {
                next = true;
            }
            else if (next)
            {
                r = GoText.ToLower(r);
                next = false;
            }

            GoText.AppendRune(sb, r);
        }

        return sb.ToString();
    }

    /// <summary>goutils.WrapCustom over UTF-8 bytes: breaks at spaces; long words stay whole unless wrapLongWords.</summary>
    public static string Wrap(string s, nint wrapLength, string newLine, bool wrapLongWords)
    {
        if (s.Length == 0)
        {
            return "";
        }

        if (newLine.Length == 0)
        {
            newLine = "\n";
        }

        if (wrapLength < 1)
        {
            wrapLength = 1;
        }

        var str = GoText.ToUtf8(s);
        var nl = GoText.ToUtf8(newLine);
        var length = str.Length;
        var offset = 0;
        var output = new List<byte>(length + 16);
        while (length - offset > wrapLength)
        {
            if (str[offset] == ' ')
            {
                offset++;
                continue;
            }

            var end = (int)wrapLength + offset + 1;
            var spaceToWrapAt = str.AsSpan(offset, end - offset).LastIndexOf((byte)' ') + offset;
            if (spaceToWrapAt >= offset)
            {
                output.AddRange(str.AsSpan(offset, spaceToWrapAt - offset));
                output.AddRange(nl);
                offset = spaceToWrapAt + 1;
            }
            else if (wrapLongWords)
            {
                output.AddRange(str.AsSpan(offset, (int)wrapLength));
                output.AddRange(nl);
                offset += (int)wrapLength;
            }
            else
            {
                var wordEnd = (int)wrapLength + offset;
                var index = str.AsSpan(wordEnd).IndexOf((byte)' ');
                if (index == -1)
                {
                    output.AddRange(str.AsSpan(offset));
                    offset = length;
                }
                else
                {
                    spaceToWrapAt = index + wordEnd;
                    output.AddRange(str.AsSpan(offset, spaceToWrapAt - offset));
                    output.AddRange(nl);
                    offset = spaceToWrapAt + 1;
                }
            }
        }

        output.AddRange(str.AsSpan(offset));
        return GoText.FromUtf8(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(output));
    }

    // ---- formatting ----

    /// <summary>quote: %q of each non-nil argument's string value; squote: '%v' of each; separated by spaces.</summary>
    private static string Quote(FunctionContext ctx, ReadOnlySpan<object?> args, char quote)
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var a in args)
        {
            if (a is null)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(' ');
            }

            first = false;
            if (quote == '"')
            {
                Fmt.GoStrconv.AppendQuoted(sb, SprigConversions.Strval(a, ctx), '"', asciiOnly: false);
            }
            else
            {
                sb.Append('\'');
                AppendValue(sb, a, ctx);
                sb.Append('\'');
            }
        }

        return sb.ToString();
    }

    /// <summary>cat: the non-nil arguments printed with %v, separated by single spaces.</summary>
    private static string Cat(FunctionContext ctx, ReadOnlySpan<object?> args)
    {
        var sb = new StringBuilder();
        var first = true;
        foreach (var a in args)
        {
            if (a is null)
            {
                continue;
            }

            if (!first)
            {
                sb.Append(' ');
            }

            first = false;
            AppendValue(sb, a, ctx);
        }

        return sb.ToString();
    }

    /// <summary>%v of one value.</summary>
    internal static void AppendValue(StringBuilder sb, object? value, FunctionContext ctx)
    {
        if (value is string s)
        {
            sb.Append(s);
            return;
        }

        GoFmt.Sprint(sb, new ReadOnlySpan<object?>(ref value), ctx);
    }

    /// <summary>indent/nindent: pads the first line and every line after a newline.</summary>
    public static string Indent(nint spaces, string s, bool newline)
    {
        if (spaces < 0)
        {
            throw new SprigException("strings: negative Repeat count");
        }

        var lines = 1;
        foreach (var c in s)
        {
            if (c == '\n')
            {
                lines++;
            }
        }

        var pad = (int)spaces;
        var sb = new StringBuilder(s.Length + lines * pad + (newline ? 1 : 0));
        if (newline)
        {
            sb.Append('\n');
        }

        sb.Append(' ', pad);
        var from = 0;
        while (true)
        {
            var nl = s.IndexOf('\n', from);
            if (nl < 0)
            {
                sb.Append(s, from, s.Length - from);
                break;
            }

            sb.Append(s, from, nl + 1 - from).Append(' ', pad);
            from = nl + 1;
        }

        return sb.ToString();
    }
}
