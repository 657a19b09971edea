// The scripts' Node backend is the command line's (src/cli/nodeBackend.ts).
export { setUpNodeBackend } from '../src/cli/nodeBackend';
