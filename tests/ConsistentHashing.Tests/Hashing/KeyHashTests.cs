using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Ringway.ConsistentHashing.Hashing;
using Ringway.ConsistentHashing.Tests.Support;

namespace Ringway.ConsistentHashing.Tests.Hashing;

public sealed class KeyHashTests
{
    [HashProperty]
    public void Chars_AnyKey_EqualsXxHash3OfUtf8Bytes(Keys keys)
    {
        foreach (var key in keys.Values)
        {
            Assert.Equal(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key)), KeyHash.Chars(key));
            Assert.Equal(KeyHash.Bytes(Encoding.UTF8.GetBytes(key)), KeyHash.Chars(key));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(169)]
    [InlineData(170)]
    [InlineData(171)]
    [InlineData(100_000)]
    public void Chars_LengthAroundStackLimitAndNonAscii_EqualsXxHash3OfUtf8Bytes(int length)
    {
        foreach (char c in new[] { 'a', 'é', '雪' })
        {
            string key = new(c, length);
            Assert.Equal(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key)), KeyHash.Chars(key));
        }
    }

    [Fact]
    public void Chars_EveryShortLengthWithAndWithoutNonAsciiAtEachPosition_EqualsXxHash3OfUtf8Bytes()
    {
        // Covers the scalar, 8-15 and 16+ character ASCII paths, their overlapping tails and the fallback.
        for (int length = 0; length <= 48; length++)
        {
            char[] chars = Enumerable.Range(0, length).Select(i => (char)('!' + (i * 7 % 94))).ToArray();
            string ascii = new(chars);
            Assert.Equal(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(ascii)), KeyHash.Chars(ascii));
            for (int at = 0; at < length; at++)
            {
                foreach (char other in new[] { '\u0080', 'é', '\u00FF', '\u0100', '雪', '\uD83D' })
                {
                    var copy = (char[])chars.Clone();
                    copy[at] = other;
                    string key = new(copy);
                    Assert.Equal(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(key)), KeyHash.Chars(key));
                }
            }
        }
    }

    [Fact]
    public void Chars_LoneSurrogate_HashedAsReplacementCharacter()
        => Assert.Equal(XxHash3.HashToUInt64("a\uFFFDb"u8), KeyHash.Chars("a\uD800b"));

    [Fact]
    public void Chars_KnownKey_MatchesPublishedXxHash3OfEmptyInput()
    {
        // XXH3_64bits("") with seed 0 is 0x2D06800538D394C2 (xxHash reference).
        Assert.Equal(0x2D06800538D394C2UL, KeyHash.Chars(string.Empty));
    }

    [HashProperty]
    public void UInt64_AnyNumber_EqualsXxHash3OfLittleEndianBytes(ulong key)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, key);
        Assert.Equal(XxHash3.HashToUInt64(bytes), KeyHash.UInt64(key));
    }

    [Fact]
    public void Mix_KnownInputs_MatchSplitMix64Reference()
    {
        // First output of SplitMix64 seeded with 0 is Mix(0x9E3779B97F4A7C15) = 0xE220A8397B1DCDAF.
        Assert.Equal(0xE220A8397B1DCDAFUL, KeyHash.Mix(0x9E3779B97F4A7C15UL));
        Assert.Equal(0UL, KeyHash.Mix(0));
    }
}
