// Unit tests run tfjs on its pure-JS CPU backend in Node; silence its "install tfjs-node" banner.
import * as tf from '@tensorflow/tfjs';

tf.env().set('IS_TEST', true);
await tf.setBackend('cpu');
