return GptBench.GpuWorker.Protocol.ProtocolVersion.Current > 0 ? 0 : 1;
