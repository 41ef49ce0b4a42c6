using System.Runtime.InteropServices;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// A kernel's arguments as cuLaunchKernel takes them: an array of pointers, each to one value.
/// Values are copied at launch (and into a graph at capture), so the buffer is freed right after.
/// </summary>
internal sealed unsafe class KernelArgs : IDisposable
{
    const int Alignment = 8; // each value starts 8-byte aligned, as the widest kernel parameter needs
    readonly List<(int Size, Action<IntPtr> Write)> writers = [];
    IntPtr values;
    IntPtr pointers;

    public KernelArgs Ptr(IntPtr value) => Add(sizeof(IntPtr), p => *(IntPtr*)p = value);
    public KernelArgs Int(int value) => Add(sizeof(int), p => *(int*)p = value);
    public KernelArgs Float(float value) => Add(sizeof(float), p => *(float*)p = value);
    public KernelArgs U64(ulong value) => Add(sizeof(ulong), p => *(ulong*)p = value);

    /// <summary>A struct passed by value: its C# layout must match the kernel's (sequential, same field order).</summary>
    public KernelArgs Struct<T>(T value) where T : unmanaged => Add(sizeof(T), p => *(T*)p = value);

    KernelArgs Add(int size, Action<IntPtr> write)
    {
        writers.Add((size, write));
        return this;
    }

    /// <summary>The void** that cuLaunchKernel reads.</summary>
    public void** Build()
    {
        Free();
        var offsets = new int[writers.Count];
        var total = 0;
        for (var i = 0; i < writers.Count; i++)
        {
            offsets[i] = total;
            total += (writers[i].Size + Alignment - 1) / Alignment * Alignment;
        }
        values = Marshal.AllocHGlobal(Math.Max(Alignment, total));
        pointers = Marshal.AllocHGlobal(IntPtr.Size * Math.Max(1, writers.Count));
        for (var i = 0; i < writers.Count; i++)
        {
            var slot = values + offsets[i];
            writers[i].Write(slot);
            ((IntPtr*)pointers)[i] = slot;
        }
        return (void**)pointers;
    }

    void Free()
    {
        if (values != IntPtr.Zero) Marshal.FreeHGlobal(values);
        if (pointers != IntPtr.Zero) Marshal.FreeHGlobal(pointers);
        values = pointers = IntPtr.Zero;
    }

    public void Dispose() => Free();
}
