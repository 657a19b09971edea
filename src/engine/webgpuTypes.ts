// The slice of the WebGPU API the engine reads (TypeScript's DOM lib has no WebGPU types yet).

export interface GpuAdapterLike {
  info: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean };
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}
