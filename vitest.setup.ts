// Unit tests run tfjs on its pure-JS CPU backend in Node; silence its "install tfjs-node" banner.
import * as tf from '@tensorflow/tfjs';
import { registerCpuConv2DBackpropFilter } from './src/core/train/conv2DBackpropFilter';

tf.env().set('IS_TEST', true);
// As in the worker: the cpu backend's own Conv2DBackpropFilter is ~70x slower than this one.
registerCpuConv2DBackpropFilter();
await tf.setBackend('cpu');
