// Which layers carry a kernel the pruning engine can cut. Biases and BatchNorm parameters stay dense.

/** Layer class -> names of its prunable weights (matched against the end of the variable name). */
export const PRUNABLE_KERNELS: Readonly<Record<string, readonly string[]>> = {
  Dense: ['kernel'],
  Conv1D: ['kernel'],
  Conv2D: ['kernel'],
  Conv3D: ['kernel'],
  Conv2DTranspose: ['kernel'],
  DepthwiseConv2D: ['depthwise_kernel'],
  SeparableConv2D: ['depthwise_kernel', 'pointwise_kernel'],
  Embedding: ['embeddings'],
  LSTM: ['kernel', 'recurrent_kernel'],
  GRU: ['kernel', 'recurrent_kernel'],
  SimpleRNN: ['kernel', 'recurrent_kernel'],
};

export function isPrunableClass(className: string): boolean {
  return className in PRUNABLE_KERNELS;
}
