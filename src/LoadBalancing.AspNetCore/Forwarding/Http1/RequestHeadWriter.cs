using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Ringway.LoadBalancing.AspNetCore.Forwarding.Http1;

/// <summary>
/// Writes the HTTP/1.1 request head the lean path sends: the request line with the client's raw target after the
/// replica's path, then the headers <see cref="ForwardingHeaderPolicy"/> lets through and the X-Forwarded-* headers it
/// gives, then the framing of the body the lean path sends (its own chunked coding, or the client's Content-Length).
/// </summary>
internal sealed class RequestHeadWriter(ForwardingHeaderPolicy policy)
{
    /// <summary>Writes the head into <paramref name="buffer"/> (a pooled array, replaced by a larger one if needed); returns its length.</summary>
    public int Write(HttpContext context, Http1ConnectionPool pool, string target, bool chunkedBody, ref byte[] buffer)
    {
        var request = context.Request;
        var head = new HeadBuffer(buffer);
        head.Write(request.Method);
        head.Write(" "u8);
        head.Write(pool.PathPrefix);
        head.Write(target);
        head.Write(" HTTP/1.1\r\n"u8);
        policy.ApplyToRequest(context, ref head);
        if (!head.SawHost)
        {
            head.Write(pool.HostHeader);
        }

        if (chunkedBody)
        {
            head.Write("Transfer-Encoding: chunked\r\n"u8);
        }

        head.Write("\r\n"u8);
        buffer = head.Buffer;
        return head.Length;
    }

    /// <summary>ASCII into a pooled buffer that grows by renting a larger one; the policy's headers as header lines.</summary>
    private struct HeadBuffer(byte[] buffer) : IRequestHeaderSink
    {
        public byte[] Buffer = buffer;
        public int Length;
        public bool SawHost;

        public void Forward(string name, StringValues values)
        {
            SawHost |= name.Equals("Host", StringComparison.OrdinalIgnoreCase);
            Write(name);
            Write(": "u8);
            var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    Write(separator);
                }

                Write(values[i]);
            }

            Write("\r\n"u8);
        }

        public readonly void Drop(string name)
        {
        }

        public void AddForwarded(string name, StringValues prior, IPAddress address)
        {
            StartForwarded(name, prior);
            Ensure(64);
            address.TryFormat(Buffer.AsSpan(Length), out int written);
            Length += written;
            Write("\r\n"u8);
        }

        public void AddForwarded(string name, StringValues prior, string value)
        {
            StartForwarded(name, prior);
            Write(value);
            Write("\r\n"u8);
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(Buffer.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Write(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            Ensure(text.Length);
            // Latin-1 keeps every byte Kestrel read as the same byte (obs-text survives unchanged).
            Length += Encoding.Latin1.GetBytes(text, Buffer.AsSpan(Length));
        }

        private void StartForwarded(string name, StringValues prior)
        {
            Write(name);
            Write(": "u8);
            foreach (var value in prior)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    Write(value);
                    Write(", "u8);
                }
            }
        }

        private void Ensure(int count)
        {
            if (Length + count <= Buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, Length + count));
            Buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = larger;
        }
    }
}
