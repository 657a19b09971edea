// The committed op list is what the installed tfjs-converter can run: regenerate it with
// scripts/build-tfjs-op-list.ts when @tensorflow/tfjs changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPS_FILE, opsFileText, readTfjsOps } from '../../../scripts/build-tfjs-op-list';
import { isControlFlowOp, opCategory } from './graphCheck';

describe('tfjsOps', () => {
  it('is exactly what scripts/build-tfjs-op-list.ts writes from the installed converter', () => {
    expect(readFileSync(OPS_FILE, 'utf8')).toBe(opsFileText());
  });

  it('knows the ops of converted models, and not the ones tfjs lacks', () => {
    const ops = readTfjsOps();
    expect(Object.keys(ops).length).toBeGreaterThan(200);
    for (const op of ['Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'MatMul', '_FusedMatMul', 'StatelessWhile', 'TensorListReserve', 'Placeholder', 'Const']) {
      expect(opCategory(op), op).not.toBeNull();
    }
    expect(opCategory('Conv2D')).toBe('convolution');
    // Ragged and decision-forest ops have lists in the package but are not mapped by OperationMapper.
    expect(opCategory('RaggedTensorToTensor')).toBeNull();
    expect(opCategory('SimpleMLInferenceOpWithHandle')).toBeNull();
    expect(opCategory('NotAnOp')).toBeNull();
    expect(isControlFlowOp('StatelessWhile')).toBe(true);
    expect(isControlFlowOp('TensorListGetItem')).toBe(true);
    expect(isControlFlowOp('Conv2D')).toBe(false);
  });
});
