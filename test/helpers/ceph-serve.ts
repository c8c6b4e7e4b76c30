// Started by `npm test` (scripts/test.mjs): one Ceph RGW multisite cluster for every test file,
// described in the JSON file named by the argument; stopped on SIGTERM or when the parent goes.
import fs from 'node:fs';
import { sharedDescription, startCephMultisite } from './ceph.js';

const file = process.argv[2];
if (!file) throw new Error('usage: ceph-serve.ts FILE');
const parent = process.ppid;
const ms = await startCephMultisite();
fs.writeFileSync(`${file}.tmp`, JSON.stringify(sharedDescription(ms)), { mode: 0o600 });
fs.renameSync(`${file}.tmp`, file);
console.log(`ceph: shared multisite cluster up in ${ms.startupMs.ready ?? '?'} ms`);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await ms.stop();
  fs.rmSync(file, { force: true });
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// Never outlive the test run.
setInterval(() => {
  try {
    process.kill(parent, 0);
  } catch {
    void stop();
  }
}, 2000);
