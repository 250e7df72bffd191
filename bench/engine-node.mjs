// Engine throughput in Node.js: the emulator compiled to WebAssembly versus
// ioredis-mock (the JavaScript in-memory emulator), same workload, same
// process. Prints one JSON object per workload.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { WasmEngine } = require(process.argv[2]);
const RedisMock = require('ioredis-mock');
const N = Number(process.argv[3] || 200000);

const workloads = {
  SET: (i) => ['SET', `key:${i % 100000}`, 'value'],
  GET: (i) => ['GET', `key:${i % 100000}`],
  INCR: () => ['INCR', 'counter'],
  LPUSH: () => ['LPUSH', 'list', 'value'],
  HSET: (i) => ['HSET', 'hash', `m:${i % 100000}`, 'value'],
  SADD: (i) => ['SADD', 'set', `m:${i % 100000}`],
  ZADD: (i) => ['ZADD', 'zset', String(i % 1000), `m:${i % 100000}`],
  PFADD: (i) => ['PFADD', 'hll', `m:${i % 100000}`],
  XADD: () => ['XADD', 'stream', '*', 'field', 'value'],
};

const wasm = new WasmEngine();
const mock = new RedisMock();
for (const [name, make] of Object.entries(workloads)) {
  // Inside WebAssembly: the engine alone.
  const insideMs = wasm.run_workload(name, N);
  // From JavaScript, one call per command (what a page does).
  const js = new WasmEngine();
  let t = performance.now();
  for (let i = 0; i < N; i++) js.call(make(i));
  const callMs = performance.now() - t;
  // ioredis-mock, awaited per command as applications use it; at most
  // 50,000 commands or 3 seconds (some of its commands copy the whole
  // collection on every write, so they slow down as it grows).
  // A command ioredis-mock does not have (PFADD) has no baseline.
  let n = 0;
  let supported = true;
  t = performance.now();
  while (supported && n < Math.min(N, 50000) && performance.now() - t < 3000) {
    const [cmd, ...args] = make(n);
    try {
      await mock[cmd.toLowerCase()](...args);
    } catch {
      supported = false;
    }
    n++;
  }
  const mockMs = performance.now() - t;
  console.log(JSON.stringify({
    name,
    wasm_ops: Math.round(N / (insideMs / 1000)),
    wasm_call_ops: Math.round(N / (callMs / 1000)),
    mock_ops: supported ? Math.round(n / (mockMs / 1000)) : null,
  }));
}
