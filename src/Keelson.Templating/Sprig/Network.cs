using System.Net;
using System.Net.Sockets;

namespace Keelson.Templating.Net;

/// <summary>Sprig's getHostByName: one of the addresses the name resolves to, picked at random.</summary>
internal static class SprigNetwork
{
    public static string GetHostByName(string name)
    {
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(name);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            // Sprig ignores the lookup error and indexes an empty list with rand.Intn(0).
            throw new InvalidOperationException("invalid argument to Intn");
        }

        return addresses[Random.Shared.Next(addresses.Length)].ToString();
    }
}
