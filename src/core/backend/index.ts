// Backend repairs, for the worker and for Node alike.
//
//   registerMissingKernels(target = 'wasm', source = 'cpu'): string[]
//     registers for `target` every kernel `source` has and `target` lacks, and replaces `target`'s
//     known-wrong ones (WRONG_KERNELS), each with the project's own kernel where it has one
//     (Conv2DBackpropFilter, MaxPoolGrad on wasm) or a bridge that copies the inputs to a private
//     `source` backend, runs its kernel there and copies the outputs back. Returns the names it
//     registered; safe to call any number of times, before or after the backend is initialised.
//   missingKernels(target, source): what registerMissingKernels would register now.
//   bridgedBy(name, target): 'own' | 'bridge' | null, how `target`'s kernel `name` got there.
export { bridgedBy, missingKernels, registerMissingKernels, WRONG_KERNELS } from './kernelBridge';
