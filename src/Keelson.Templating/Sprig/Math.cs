using System.Globalization;
using System.Numerics;

namespace Keelson.Templating;

/// <summary>
/// Sprig's math: integer functions convert every argument with cast.ToInt64 and wrap around like Go's int64;
/// the float functions (addf...) compute in shopspring/decimal from each argument's shortest decimal form, so
/// <c>addf 0.1 0.2</c> is 0.3; maxf/minf/floor/ceil/round work on float64.
/// </summary>
internal static class SprigMath
{
    private static readonly GoType X = GoType.Interface;
    private static readonly GoType L = GoType.Int64;
    private static readonly GoType F = GoType.Float64;
    private static readonly GoType Xs = GoType.SliceOfInterface;

    public static void Add(List<GoFunction> f)
    {
        f.Add(Fn.Of("add1", L, [X], static (_, a) => unchecked(Cast.ToInt64(a[0]) + 1)));
        f.Add(Fn.Variadic("add", L, [Xs], static (_, a) =>
        {
            long sum = 0;
            foreach (var x in a)
            {
                sum = unchecked(sum + Cast.ToInt64(x));
            }

            return sum;
        }));
        f.Add(Fn.Of("sub", L, [X, X], static (_, a) => unchecked(Cast.ToInt64(a[0]) - Cast.ToInt64(a[1]))));
        f.Add(Fn.Of("div", L, [X, X], static (_, a) => Div(Cast.ToInt64(a[0]), Cast.ToInt64(a[1]))));
        f.Add(Fn.Of("mod", L, [X, X], static (_, a) => Mod(Cast.ToInt64(a[0]), Cast.ToInt64(a[1]))));
        f.Add(Fn.Variadic("mul", L, [X, Xs], static (_, a) =>
        {
            var product = Cast.ToInt64(a[0]);
            for (var i = 1; i < a.Length; i++)
            {
                product = unchecked(product * Cast.ToInt64(a[i]));
            }

            return product;
        }));
        f.Add(Fn.Variadic("biggest", L, [X, Xs], static (_, a) => MaxMin(a, max: true)));
        f.Add(Fn.Variadic("max", L, [X, Xs], static (_, a) => MaxMin(a, max: true)));
        f.Add(Fn.Variadic("min", L, [X, Xs], static (_, a) => MaxMin(a, max: false)));
        f.Add(Fn.Of("add1f", F, [X], static (_, a) => GoDecimal.FromFloat(Cast.ToFloat64(a[0])).Add(GoDecimal.FromFloat(1)).ToFloat64()));
        f.Add(Fn.Variadic("addf", F, [Xs], static (_, a) => DecimalOp(0.0, a, 0, static (x, y) => x.Add(y))));
        f.Add(Fn.Variadic("subf", F, [X, Xs], static (_, a) => DecimalOp(a[0], a, 1, static (x, y) => x.Sub(y))));
        f.Add(Fn.Variadic("divf", F, [X, Xs], static (_, a) => DecimalOp(a[0], a, 1, static (x, y) => x.Div(y))));
        f.Add(Fn.Variadic("mulf", F, [X, Xs], static (_, a) => DecimalOp(a[0], a, 1, static (x, y) => x.Mul(y))));
        f.Add(Fn.Variadic("maxf", F, [X, Xs], static (_, a) => MaxMinFloat(a, max: true)));
        f.Add(Fn.Variadic("minf", F, [X, Xs], static (_, a) => MaxMinFloat(a, max: false)));
        f.Add(Fn.Of("ceil", F, [X], static (_, a) => Math.Ceiling(Cast.ToFloat64(a[0]))));
        f.Add(Fn.Of("floor", F, [X], static (_, a) => Math.Floor(Cast.ToFloat64(a[0]))));
        f.Add(Fn.Variadic("round", F, [X, GoType.Int, GoType.SliceOfFloat64], static (_, a) =>
            Round(Cast.ToFloat64(a[0]), Fn.Int(a[1]), a.Length > 2 ? (double)a[2]! : 0.5)));
    }

    private static long Div(long a, long b)
    {
        if (b == 0)
        {
            throw new SprigException("runtime error: integer divide by zero");
        }

        // Go defines MinInt64 / -1 as MinInt64 (wrap-around); .NET throws.
        return b == -1 ? unchecked(-a) : a / b;
    }

    private static long Mod(long a, long b)
    {
        if (b == 0)
        {
            throw new SprigException("runtime error: integer divide by zero");
        }

        return b == -1 ? 0 : a % b;
    }

    private static long MaxMin(ReadOnlySpan<object?> a, bool max)
    {
        var result = Cast.ToInt64(a[0]);
        for (var i = 1; i < a.Length; i++)
        {
            var x = Cast.ToInt64(a[i]);
            if (max ? x > result : x < result)
            {
                result = x;
            }
        }

        return result;
    }

    private static double MaxMinFloat(ReadOnlySpan<object?> a, bool max)
    {
        var result = Cast.ToFloat64(a[0]);
        for (var i = 1; i < a.Length; i++)
        {
            var x = Cast.ToFloat64(a[i]);
            result = max ? Math.Max(result, x) : Math.Min(result, x);
        }

        return result;
    }

    /// <summary>Sprig's execDecimalOp: first ∘ args[from] ∘ args[from+1] ... in decimal arithmetic, then to float64.</summary>
    private static double DecimalOp(object? first, ReadOnlySpan<object?> args, int from, Func<GoDecimal, GoDecimal, GoDecimal> op)
    {
        var acc = GoDecimal.FromFloat(Cast.ToFloat64(first));
        for (var i = from; i < args.Length; i++)
        {
            acc = op(acc, GoDecimal.FromFloat(Cast.ToFloat64(args[i])));
        }

        return acc.ToFloat64();
    }

    /// <summary>Sprig's round: scale by 10^places, round up when the fraction reaches roundOn, scale back.</summary>
    private static double Round(double value, nint places, double roundOn)
    {
        var pow = GoMath.Pow(10, places);
        var digit = pow * value;
        var div = GoMath.ModfFrac(digit);
        var rounded = div >= roundOn ? Math.Ceiling(digit) : Math.Floor(digit);
        return rounded / pow;
    }
}

/// <summary>The parts of Go's math package whose results .NET computes differently.</summary>
internal static class GoMath
{
    /// <summary>math.Pow for an integral exponent: Go multiplies by repeated squaring on the mantissa (not correctly rounded).</summary>
    public static double Pow(double x, double y)
    {
        if (y == 0 || x == 1)
        {
            return 1;
        }

        if (y == 1)
        {
            return x;
        }

        if (double.IsNaN(x) || double.IsNaN(y) || x == 0 || double.IsInfinity(x) || double.IsInfinity(y) || y != Math.Truncate(y))
        {
            return Math.Pow(x, y);
        }

        var yi = Math.Abs(y);
        if (yi >= 9.223372036854775807e18)
        {
            if (x == -1)
            {
                return 1;
            }

            return Math.Abs(x) < 1 == y > 0 ? 0 : double.PositiveInfinity;
        }

        var a1 = 1.0;
        var ae = 0;
        var (x1, xe) = Frexp(x);
        for (var i = (long)yi; i != 0; i >>= 1)
        {
            if (xe < -(1 << 12) || 1 << 12 < xe)
            {
                // Catastrophic overflow: Ldexp sorts it out.
                ae += xe;
                break;
            }

            if ((i & 1) == 1)
            {
                a1 *= x1;
                ae += xe;
            }

            x1 *= x1;
            xe <<= 1;
            if (x1 < .5)
            {
                x1 += x1;
                xe--;
            }
        }

        if (y < 0)
        {
            a1 = 1 / a1;
            ae = -ae;
        }

        return Math.ScaleB(a1, ae);
    }

    /// <summary>math.Frexp: x = frac × 2^exp with |frac| in [0.5, 1).</summary>
    public static (double Frac, int Exp) Frexp(double x)
    {
        if (x == 0 || double.IsNaN(x) || double.IsInfinity(x))
        {
            return (x, 0);
        }

        var exp = Math.ILogB(x) + 1;
        return (Math.ScaleB(x, -exp), exp);
    }

    /// <summary>The fractional part math.Modf returns (same sign as f; NaN for infinities).</summary>
    public static double ModfFrac(double f)
    {
        if (double.IsInfinity(f))
        {
            return double.NaN;
        }

        return f - Math.Truncate(f);
    }
}

/// <summary>
/// The part of shopspring/decimal Sprig uses: exact decimals (an integer times a power of ten) made from a float's
/// shortest representation, exact add/sub/mul, division rounded half away from zero to 16 places, and conversion
/// back to the nearest float64.
/// </summary>
internal readonly struct GoDecimal
{
    private const int DivisionPrecision = 16;

    private readonly BigInteger _value;
    private readonly int _exp;

    private GoDecimal(BigInteger value, int exp)
    {
        _value = value;
        _exp = exp;
    }

    /// <summary>decimal.NewFromFloat: the shortest decimal that reads back as the same float64.</summary>
    public static GoDecimal FromFloat(double f)
    {
        if (double.IsNaN(f) || double.IsInfinity(f))
        {
            throw new SprigException("Cannot create a Decimal from " + GoFmt.Format(f));
        }

        if (f == 0)
        {
            return new GoDecimal(BigInteger.Zero, 0);
        }

        // Shortest round-trip digits in Go's %e form: "-1.2345e+06".
        var text = Fmt.GoStrconv.FormatFloat(f, 'e', -1, 64);
        var e = text.IndexOf('e', StringComparison.Ordinal);
        var mantissa = text[..e].Replace(".", "", StringComparison.Ordinal);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var fractionDigits = dot < 0 || dot > e ? 0 : e - dot - 1;
        var exp = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) - fractionDigits;
        return new GoDecimal(BigInteger.Parse(mantissa, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), exp);
    }

    public GoDecimal Add(GoDecimal other)
    {
        var (a, b, exp) = Align(this, other);
        return new GoDecimal(a + b, exp);
    }

    public GoDecimal Sub(GoDecimal other)
    {
        var (a, b, exp) = Align(this, other);
        return new GoDecimal(a - b, exp);
    }

    public GoDecimal Mul(GoDecimal other) => new(_value * other._value, _exp + other._exp);

    /// <summary>decimal's Div: DivRound to 16 places.</summary>
    public GoDecimal Div(GoDecimal d2)
    {
        if (d2._value.IsZero)
        {
            throw new SprigException("decimal division by 0");
        }

        // QuoRem: q is the quotient truncated to a multiple of 10^-16, r the remainder.
        const int scale = -DivisionPrecision;
        var e = (long)_exp - d2._exp - scale;
        BigInteger aa, bb;
        int restExp;
        if (e < 0)
        {
            aa = _value;
            bb = d2._value * BigInteger.Pow(10, (int)-e);
            restExp = _exp;
        }
        else
        {
            aa = _value * BigInteger.Pow(10, (int)e);
            bb = d2._value;
            restExp = scale + d2._exp;
        }

        var q = BigInteger.DivRem(aa, bb, out var r);
        var quotient = new GoDecimal(q, scale);

        // Round half away from zero: compare 2|r|·10^16 (at r's exponent) with |d2|.
        var twiceRest = new GoDecimal(BigInteger.Abs(r) * 2, restExp + DivisionPrecision);
        if (twiceRest.CompareTo(new GoDecimal(BigInteger.Abs(d2._value), d2._exp)) < 0)
        {
            return quotient;
        }

        var ulp = new GoDecimal(BigInteger.One, scale);
        return _value.Sign * d2._value.Sign < 0 ? quotient.Sub(ulp) : quotient.Add(ulp);
    }

    public int CompareTo(GoDecimal other)
    {
        var (a, b, _) = Align(this, other);
        return a.CompareTo(b);
    }

    /// <summary>The float64 nearest to the exact value.</summary>
    public double ToFloat64()
    {
        if (_value.IsZero)
        {
            return 0;
        }

        var text = _value.ToString(CultureInfo.InvariantCulture) + "E" + _exp.ToString(CultureInfo.InvariantCulture);
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static (BigInteger A, BigInteger B, int Exp) Align(GoDecimal x, GoDecimal y)
    {
        if (x._exp == y._exp)
        {
            return (x._value, y._value, x._exp);
        }

        return x._exp < y._exp
            ? (x._value, y._value * BigInteger.Pow(10, y._exp - x._exp), x._exp)
            : (x._value * BigInteger.Pow(10, x._exp - y._exp), y._value, y._exp);
    }
}
