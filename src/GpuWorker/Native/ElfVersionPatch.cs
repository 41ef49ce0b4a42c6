using System.Buffers.Binary;
using System.Text;

namespace GptBench.GpuWorker.Native;

/// <summary>
/// Marks a version-needed entry of an ELF64 little-endian shared library weak (VER_FLG_WEAK in
/// .gnu.version_r), so the dynamic loader accepts a library that lacks that version. Used on a copy
/// of libLibTorchSharp.so, whose only GLIBCXX_3.4.32 symbol is a never-called link marker.
/// </summary>
public static class ElfVersionPatch
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    /// <summary>Sets the weak flag on every entry named <paramref name="versionName"/>; returns how many it found.</summary>
    public static int MarkVersionNeededWeak(byte[] elf, string versionName)
    {
        if (elf.Length < 0x40 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"only 64-bit little-endian ELF files are supported (class {elf[4]}, data {elf[5]})");

        var span = elf.AsSpan();
        ulong sectionHeaders = U64(span, 0x28);
        int entrySize = U16(span, 0x3A), sectionCount = U16(span, 0x3C);
        int patched = 0;
        for (int i = 0; i < sectionCount; i++)
        {
            var section = checked((int)sectionHeaders + i * entrySize);
            if (U32(span, section + 4) != ShtGnuVerneed)
                continue;
            var strings = (int)U64(span, checked((int)sectionHeaders + (int)U32(span, section + 0x28) * entrySize) + 0x18);
            // Verneed: version u16 @0, cnt u16 @2, file u32 @4, aux u32 @8, next u32 @12.
            // Vernaux: hash u32 @0, flags u16 @4, other u16 @6, name u32 @8, next u32 @12.
            for (int need = (int)U64(span, section + 0x18); ; )
            {
                int auxCount = U16(span, need + 2);
                for (int aux = need + (int)U32(span, need + 8), j = 0; j < auxCount; aux += (int)U32(span, aux + 12), j++)
                {
                    if (CString(span, strings + (int)U32(span, aux + 8)) != versionName)
                        continue;
                    BinaryPrimitives.WriteUInt16LittleEndian(span[(aux + 4)..], (ushort)(U16(span, aux + 4) | VerFlagWeak));
                    patched++;
                }
                var next = (int)U32(span, need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return patched;
    }

    static ushort U16(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt16LittleEndian(s[at..]);
    static uint U32(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32LittleEndian(s[at..]);
    static ulong U64(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt64LittleEndian(s[at..]);

    static string CString(ReadOnlySpan<byte> s, int at) => Encoding.ASCII.GetString(s[at..][..s[at..].IndexOf((byte)0)]);
}
