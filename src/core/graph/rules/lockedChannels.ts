// Layers at which channel pruning stops, with the reason a user reads: the model input, recurrent
// layers and their Bidirectional wrapper, Embedding, TimeDistributed, and any class the registry
// does not know (DEFAULT_RULE). Their inputs' channels are locked and their outputs get channels
// of their own that are never removed. Recurrent kernels and embeddings are still prunable
// unstructured (and recurrent kernels N:M).
import { isObject } from '../../model/kerasJson';
import { lastDim, singleLayout } from '../channelLayout';
import { noMacs, perOutputPosition, perTimeStep } from './macUses';
import { inputAxisNM, notNM } from './weightAxes';
import type { ChannelRule, LayerRule } from './types';

/** Opaque channels; `lock` names why the layer's own channels cannot be removed (default: when it has weights). */
export function opaqueChannels(lock?: string): ChannelRule {
  return {
    kind: 'opaque',
    analyse: (node, ctx) => {
      ctx.opaque(ctx.feeds);
      const reason = lock ?? (ctx.shapes.size > 0 ? `${node.className} is not supported by channel pruning` : null);
      if (reason) ctx.lockLayer(reason);
    },
  };
}

const RECURRENT_LOCK = 'recurrent units are not channel-prunable here (unstructured and N:M pruning still apply)';

function recurrent(className: string): LayerRule {
  return {
    className,
    // A Bidirectional wrapper holds a forward and a backward layer: "forward_lstm/kernel" ends in "kernel".
    prunable: [{ name: 'kernel', nm: inputAxisNM }, { name: 'recurrent_kernel', nm: inputAxisNM }],
    macs: perTimeStep,
    channels: opaqueChannels(RECURRENT_LOCK),
  };
}

export const INPUT_RULE: LayerRule = {
  className: 'InputLayer',
  prunable: [],
  macs: noMacs,
  channels: {
    kind: 'input',
    analyse: (node, ctx) => {
      const count = lastDim(ctx.outputShape);
      const src = ctx.newSource(count ?? 0, { modelInput: true, lock: `coupled with the model input ${node.path}, which cannot be pruned` });
      ctx.setOutput(singleLayout(count, src));
    },
  },
};

export const LOCKED_RULES: readonly LayerRule[] = [
  INPUT_RULE,
  recurrent('LSTM'),
  recurrent('GRU'),
  recurrent('SimpleRNN'),
  recurrent('Bidirectional'),
  {
    className: 'Embedding',
    prunable: [{ name: 'embeddings', nm: notNM('embedding rows are looked up, not multiplied: N:M does not apply') }],
    macs: noMacs, // a lookup, no multiply
    channels: opaqueChannels('embedding width is not channel-prunable here (unstructured pruning still applies)'),
  },
  {
    className: 'TimeDistributed',
    prunable: [],
    wrapsLayer: true,
    // The wrapped Dense runs once per time step; other wrapped layers are not counted.
    macs: (node, g) => {
      const inner = isObject(node.config.layer) ? node.config.layer.class_name : undefined;
      return inner === 'Dense' ? perOutputPosition(node, g) : { uses: null, extra: 0 };
    },
    channels: opaqueChannels(),
  },
];

/** Any class without an entry: no prunable weights, no MACs, channel pruning stops at it. */
export const DEFAULT_RULE: LayerRule = { className: '(unknown)', prunable: [], macs: noMacs, channels: opaqueChannels() };
