// The first token's host work before 55f484f (loops) and after it (spans), timed on the CPU alone: the request's
// vocabulary check of 128 tokens, the ring's clearing for 32 tokens, the prompt's copy into (here unpinned) memory
// through a bounds-checked indexer as MappedInts has. Calls 1..8 of a fresh process run what the JIT compiled first
// (tier 0 where tiering is on), then 200 more calls give it the chance to recompile.
using System.Diagnostics;
using System.Runtime.InteropServices;
unsafe sealed class Mapped
{
    readonly IntPtr host; public int Length { get; }
    public Mapped(int n) { Length = n; host = Marshal.AllocHGlobal(n * 4); }
    public ref int this[int i] { get { if ((uint)i >= (uint)Length) throw new ArgumentOutOfRangeException(); return ref ((int*)host)[i]; } }
    public Span<int> AsSpan() => new((void*)host, Length);
}
static class P
{
    const int Vocab = 50257;
    static void Loops(Mapped start, IReadOnlyList<int> tokens, int[] prompt, Mapped ring, int newTokens)
    {
        var outside = Array.FindIndex(prompt, t => t < 0 || t >= Vocab);
        if (outside >= 0) throw new Exception();
        for (var i = 0; i < newTokens; i++) Volatile.Write(ref ring[i], -1);
        start[0] = tokens.Count; start[1] = 5;
        for (var i = 0; i < 128; i++) start[2 + i] = i < tokens.Count ? tokens[i] : 0;
        Thread.MemoryBarrier();
    }
    static void Spans(Mapped start, int[] prompt, Mapped ring, int newTokens)
    {
        if (prompt.AsSpan().IndexOfAnyExceptInRange(0, Vocab - 1) >= 0) throw new Exception();
        ring.AsSpan()[..newTokens].Fill(-1); Thread.MemoryBarrier();
        var v = start.AsSpan(); v[0] = prompt.Length; v[1] = 5;
        prompt.AsSpan().CopyTo(v[2..]); v[(2 + prompt.Length)..(2 + 128)].Clear();
        Thread.MemoryBarrier();
    }
    // Between requests the engine's thread spins on the token ring: a busy 500 us here, not a sleep.
    static void Pause() { var t = Stopwatch.GetTimestamp(); while (Stopwatch.GetElapsedTime(t).TotalMicroseconds < 500) { } }

    static void Main(string[] args)
    {
        var prompt = Enumerable.Range(0, 128).Select(i => i * 7919 % Vocab).ToArray();
        var start = new Mapped(2 + 1024); var ring = new Mapped(1024);
        foreach (var (name, run) in new (string, Action)[] { ("loops", () => Loops(start, prompt, prompt, ring, 32)), ("spans", () => Spans(start, prompt, ring, 32)) })
        {
            var us = new List<double>();
            for (var i = 0; i < 8; i++) { var t = Stopwatch.GetTimestamp(); run(); us.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds); Pause(); }
            for (var i = 0; i < 200; i++) { run(); Pause(); }
            var late = new List<double>();
            for (var i = 0; i < 8; i++) { var t = Stopwatch.GetTimestamp(); run(); late.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds); Pause(); }
            Console.WriteLine($"{name}: calls 1..8 {string.Join(" ", us.Select(u => u.ToString("0.0")))} us; after 200 more {string.Join(" ", late.Select(u => u.ToString("0.0")))}");
        }
    }
}
