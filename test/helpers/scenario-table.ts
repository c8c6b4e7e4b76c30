// The engine's scenario table (rclone bisync style), run unchanged on every server of
// scenario-backends.ts (local regions, moto_server, Ceph RGW 16): one test file per server
// runs it (engine-scenarios*.test.ts). Lines that hold on one kind of server only are
// written `VERB@WHERE ... # why S3 semantics differ there` (scenario-language.ts).
import { after, before, test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseScenarios, runScenario, type ScenarioEnv } from './scenario.js';
import { startBackend, type BackendName } from './scenario-backends.js';

export const TABLE = String.raw`
case: new
local mkdir sub
local write sub/n.txt "fresh"
local write empty.txt ""
sync
expect bucket sub/n.txt versions=1 markers=0 current="fresh" device=ours base=none
expect index sub/n.txt state=synced version=current sha=bucket
expect bucket empty.txt versions=1 current=""
expect index empty.txt state=synced version=current sha=bucket
expect requests sub/n.txt put=1 copy=0

case: changed
local write a.txt "v1"
sync
expect bucket a.txt versions=1 current="v1"
local write a.txt "v2"
sync
expect bucket a.txt versions=2 current="v2" base=previous has="v1"
expect index a.txt state=synced version=current sha=bucket
local write a.txt "v3, longer than before"
sync
expect bucket a.txt versions=3 current="v3, longer than before" base=previous
expect index a.txt state=synced version=current sha=bucket

case: touched identical
local write t.txt "same"
sync
mark
local touch t.txt
sync
local write t.txt "same"
sync
expect requests t.txt put=0 copy=0
expect bucket t.txt versions=1 current="same"
expect index t.txt state=synced version=current sha=bucket mtime=local

case: renamed
local write a.txt "rename me, do not upload me again"
sync
mark
local rename a.txt moved/b.txt
sync
expect requests moved/b.txt put=0 parts=0 copy=1
expect bucket moved/b.txt versions=1 markers=0 current="rename me, do not upload me again" device=ours base=none
expect index moved/b.txt state=synced version=current sha=bucket
expect requests a.txt delete=1 delete-version=0
expect bucket a.txt versions=1 markers=1 deleted has="rename me, do not upload me again"
expect index a.txt state=deleted version=current
expect local a.txt absent
expect local moved/b.txt "rename me, do not upload me again"

case: deleted
local write d.txt "doomed"
local write keep.txt "kept"
sync
mark
local delete d.txt
sync
expect requests d.txt delete=1 delete-version=0
expect bucket d.txt versions=1 markers=1 deleted has="doomed"
expect index d.txt state=deleted version=current
expect bucket keep.txt versions=1 current="kept"

case: changed on both sides
local write a.txt "base"
sync
remote write a.txt "remote edit"
local write a.txt "local edit!"
sync
expect local a.txt "local edit!"
expect bucket a.txt markers=0 has="base" has="remote edit"
expect@conditional index a.txt state=conflict  # If-Match honoured: our edit is refused (412), a local-remote conflict
expect@conditional bucket a.txt versions=2 current="remote edit" device=other  # the refused write left no version
expect@conditional requests a.txt put-ok=1  # only the first upload landed
expect@conditional fork a.txt none  # a refused write is no fork
expect@unconditional index a.txt state=synced version=current sha=bucket  # If-Match not honoured (RGW 16): our write lands and is recorded as synced
expect@unconditional bucket a.txt versions=3 current="local edit!" device=ours siblings=2 base-holds="base"  # the fork is in the bucket: both edits are versions on the same base, none lost
expect@unconditional requests a.txt put-ok=2  # nothing refused the second write
expect@unconditional fork a.txt reported  # the versions check after the write hands the fork to the detector

case: changed on both sides, the upload races the remote write
local write a.txt "base"
sync
hold PutObject a.txt
local write a.txt "local edit!"
sync-start
wait held
remote write a.txt "remote edit"
release
sync
expect local a.txt "local edit!"
expect bucket a.txt markers=0 has="base" has="remote edit"
expect@conditional index a.txt state=conflict  # If-Match honoured: the held write is refused (412) once the remote one landed
expect@conditional bucket a.txt versions=2 current="remote edit" device=other  # the refused write left no version
expect@conditional fork a.txt none  # a refused write is no fork
expect@unconditional index a.txt state=synced version=current sha=bucket  # If-Match not honoured (RGW 16): the held write lands after the remote one
expect@unconditional bucket a.txt versions=3 current="local edit!" device=ours siblings=2 base-holds="base"  # the fork is in the bucket: both edits are versions on the same base, none lost
expect@unconditional fork a.txt reported  # the versions check after the write hands the fork to the detector

case: changed while uploading
# The watcher reports the change while the first upload's parts are still on the wire.
hold UploadPart big.bin
local write big.bin random:20MiB:first
sync-start
wait held
local write big.bin random:20MiB:second
wait 3000ms
release
sync
expect local big.bin random:20MiB:second
expect bucket big.bin versions=1 markers=0 current=random:20MiB:second device=ours base=none
expect index big.bin state=synced version=current sha=bucket

case: changed while uploading, the watcher reports it during the retry
# The first upload fails on the changed bytes and is retried at once with the new content;
# the watcher's news of that same change arrives while the retry is still sending.
hold UploadPart big.bin
local write big.bin random:20MiB:first
sync-start
wait held
local write big.bin random:20MiB:second
release
hold UploadPart big.bin
wait held
wait 3000ms
release
sync
expect local big.bin random:20MiB:second
expect bucket big.bin versions=1 markers=0 current=random:20MiB:second device=ours base=none
expect index big.bin state=synced version=current sha=bucket

case: crash between upload and index write, new file
local write c.txt "landed before the crash"
crash-before-index-write c.txt
sync
expect bucket c.txt versions=1 markers=0 current="landed before the crash" device=ours
expect index c.txt state=synced version=current sha=bucket

case: crash between upload and index write, edit
local write e.txt "first"
sync
local write e.txt "second, and longer"
crash-before-index-write e.txt
sync
expect bucket e.txt versions=2 markers=0 current="second, and longer" device=ours base=previous
expect index e.txt state=synced version=current sha=bucket

case: crash between upload and index write, same-size edit
local write s.txt "one"
sync
local write s.txt "two"
crash-before-index-write s.txt
sync
expect bucket s.txt versions=2 markers=0 current="two" device=ours base=previous
expect index s.txt state=synced version=current sha=bucket

case: pulled new file
remote write docs/new.txt "from another device"
remote write tool.txt "from a tool without lineage" lineage=none
sync
expect local docs/new.txt "from another device"
expect index docs/new.txt state=synced version=current sha=bucket
expect bucket docs/new.txt versions=1 device=other
expect local tool.txt "from a tool without lineage"
expect index tool.txt state=synced version=current sha=bucket
expect bucket tool.txt versions=1 device=none
expect requests docs/new.txt put=0 copy=0

case: pulled change
local write p.txt "mine"
sync
remote write p.txt "theirs, based on mine"
sync
expect local p.txt "theirs, based on mine"
expect index p.txt state=synced version=current sha=bucket
expect bucket p.txt versions=2 current="theirs, based on mine" device=other base=previous

case: pulled delete
local write gone.txt "bye"
sync
remote delete gone.txt
sync
expect local gone.txt absent
expect local gone.txt in-trash "bye"
expect index gone.txt state=deleted version=current
expect bucket gone.txt versions=1 markers=1 deleted

case: deleted remotely while changed here
local write r.txt "base"
sync
remote delete r.txt
local write r.txt "edited here"
sync
expect local r.txt "edited here"
expect bucket r.txt markers=1 has="base"
expect@conditional index r.txt state=conflict  # If-Match honoured: refused, the current is a delete marker
expect@conditional bucket r.txt versions=1 deleted  # the refused write left no version
expect@unconditional index r.txt state=synced version=current sha=bucket  # If-Match not honoured (RGW 16): the edit lands over the delete marker
expect@unconditional bucket r.txt versions=2 current="edited here" device=ours base-holds="base"  # the marker stays in the history under our edit; nothing lost
expect@unconditional fork r.txt reported  # the marker written between our base and our write is reported

case: deleted here while changed remotely
local write q.txt "base"
sync
remote write q.txt "edited elsewhere"
local delete q.txt
sync
expect bucket q.txt versions=2 markers=0 current="edited elsewhere"
expect local q.txt "edited elsewhere"
expect index q.txt state=synced version=current sha=bucket

case: mass delete
local write m1.txt "1"
local write m2.txt "2"
local write m3.txt "3"
local write m4.txt "4"
local write m5.txt "5"
local write m6.txt "6"
sync
mark
local delete m1.txt
local delete m2.txt
local delete m3.txt
local delete m4.txt
local delete m5.txt
sync
expect folder mass-delete=5
expect requests m1.txt delete=0
expect bucket m1.txt versions=1 markers=0 current="1"
expect bucket m5.txt versions=1 markers=0 current="5"
expect index m1.txt state=synced
answer mass-delete yes
sync
expect bucket m1.txt versions=1 markers=1 deleted
expect bucket m5.txt versions=1 markers=1 deleted
expect folder mass-delete=none
expect index m1.txt state=deleted version=current
expect index m5.txt state=deleted version=current
expect bucket m6.txt versions=1 markers=0 current="6"
expect index m6.txt state=synced version=current

case: mass delete, kept
local write k1.txt "1"
local write k2.txt "2"
local write k3.txt "3"
local write k4.txt "4"
local write k5.txt "5"
sync
local delete k1.txt
local delete k2.txt
local delete k3.txt
local delete k4.txt
local delete k5.txt
sync
expect folder mass-delete=5
answer mass-delete no
sync
expect local k1.txt "1"
expect local k5.txt "5"
expect folder mass-delete=none
expect bucket k1.txt versions=1 markers=0 current="1"
expect index k1.txt state=synced version=current sha=bucket
expect index k5.txt state=synced version=current sha=bucket
`;

/** Registers one test per case of TABLE on `backend` (its server started once, for the file). */
export function scenarioSuite(backend: BackendName): { env: () => ScenarioEnv } {
  const cases = parseScenarios(TABLE);
  let env: ScenarioEnv | undefined;
  before(async () => {
    const t0 = Date.now();
    const b = await startBackend(backend);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `rs-scenarios-${backend}-`));
    env = { backend: b, root };
    console.log(`# ${backend} started in ${Date.now() - t0} ms`);
  });
  after(async () => {
    await env?.backend.stop();
    if (env) fs.rmSync(env.root, { recursive: true, force: true });
  });
  const current = (): ScenarioEnv => {
    if (!env) throw new Error(`${backend} did not start`);
    return env;
  };
  for (const sc of cases) test(sc.name, () => runScenario(current(), sc));
  return { env: current };
}
