using System.Runtime.InteropServices;

namespace GptBench.GpuWorker.Kernels;

/// <summary>
/// A kernel's arguments as cuLaunchKernel takes them: an array of pointers, each to one value.
/// Values are copied at launch (and into a graph at capture), so the buffer is freed right after.
/// </summary>
internal sealed unsafe class KernelArgs : IDisposable
{
    const int Slot = 8; // every argument we pass fits in 8 bytes
    readonly List<Action<IntPtr>> writers = [];
    IntPtr values;
    IntPtr pointers;

    public KernelArgs Ptr(IntPtr value) => Add(p => *(IntPtr*)p = value);
    public KernelArgs Int(int value) => Add(p => *(int*)p = value);
    public KernelArgs Float(float value) => Add(p => *(float*)p = value);
    public KernelArgs U64(ulong value) => Add(p => *(ulong*)p = value);

    KernelArgs Add(Action<IntPtr> write)
    {
        writers.Add(write);
        return this;
    }

    /// <summary>The void** that cuLaunchKernel reads.</summary>
    public void** Build()
    {
        Free();
        values = Marshal.AllocHGlobal(Slot * Math.Max(1, writers.Count));
        pointers = Marshal.AllocHGlobal(IntPtr.Size * Math.Max(1, writers.Count));
        for (var i = 0; i < writers.Count; i++)
        {
            var slot = values + i * Slot;
            writers[i](slot);
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
