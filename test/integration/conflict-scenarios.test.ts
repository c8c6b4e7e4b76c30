// Conflict scenarios with two devices on two regions and two-way replication: device A syncs
// its folder with the us-east-1 bucket, device B with the eu-west-1 bucket of a two-way pair,
// each a whole app with its own data dir. The script language is in test/helpers/two-devices.ts;
// every case ends by checking that no written content was lost.
import { after, before, test } from 'node:test';
import { US, EU } from '../helpers/conflict-lab.js';
import { startTestRegions, type TestRegions } from '../helpers/regions.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runScript, startWorld } from '../helpers/two-devices.js';

let regions: TestRegions;
before(async () => {
  regions = await startTestRegions({ replicationDelayMs: 200 });
});
after(() => regions.stop());

function scenario(
  name: string,
  script: string,
  layout: Record<string, string> = { A: US, B: EU },
): void {
  test(`with two devices on two regions and two-way replication: ${name}`, async (t) => {
    const { dir, cleanup } = tempDir('rs-conflict-scn-');
    t.after(cleanup);
    const world = await startWorld(regions, dir, layout);
    t.after(() => world.stop());
    await runScript(world, script);
  });
}

scenario(
  'concurrent edits of one key in two regions fork, keep both on A settles both devices',
  String.raw`
  A write plan.txt "base"
  sync
  expect file B plan.txt "base"
  A write plan.txt "edit from A"
  B write plan.txt "edit from B"
  sync
  expect conflict plan.txt kind=fork sides=2 on A,B
  A resolve plan.txt keep=both
  sync
  expect no conflicts on A,B
  expect files A,B "edit from A" "edit from B"
`,
);

scenario(
  'edit on A vs delete on B: a conflict, the edit survives',
  String.raw`
  A write doc.txt "base"
  sync
  expect file B doc.txt "base"
  A write doc.txt "edited on A"
  B delete doc.txt
  sync
  expect conflict doc.txt on A,B
  expect file A doc.txt "edited on A"
`,
);

scenario(
  'delete on both: no conflict, the file is gone on both',
  String.raw`
  A write gone.txt "to delete twice"
  A write keep.txt "kept"
  sync
  A delete gone.txt
  B delete gone.txt
  sync
  expect no conflicts on A,B
  expect file A gone.txt absent
  expect file B gone.txt absent
  expect files A,B "kept"
`,
);

scenario(
  'three devices (A and C on us-east-1, B on eu-west-1): the fork is seen and settled on all',
  String.raw`
  A write plan.txt "base"
  sync
  expect files A,B,C "base"
  C write plan.txt "edit from C"
  B write plan.txt "edit from B"
  sync
  expect conflict plan.txt kind=fork sides=2 on A,B,C
  A resolve plan.txt keep=both
  sync
  expect no conflicts on A,B,C
  expect files A,B,C "edit from B" "edit from C"
`,
  { A: US, B: EU, C: US },
);

scenario(
  'an edit based on an old version forks from the newer one',
  String.raw`
  A write notes.txt "v1"
  sync
  A write notes.txt "v2"
  sync
  expect file B notes.txt "v2"
  other write eu-west-1 notes.txt "edit of v1" base=first
  sync
  expect conflict notes.txt kind=fork sides=2 on A,B
  B resolve notes.txt keep=both
  sync
  expect no conflicts on A,B
  expect files A,B "v2" "edit of v1"
`,
);

scenario(
  'rename on A and edit on B: the edit is not lost and both devices agree',
  String.raw`
  A write old.txt "original"
  sync
  expect file B old.txt "original"
  A rename old.txt new.txt
  B write old.txt "edited on B"
  sync
  expect file A new.txt "original"
  expect file B new.txt "original"
  expect file A old.txt "edited on B"
  expect file B old.txt "edited on B"
`,
);

scenario(
  'a resolution on A replicates back: the conflict disappears on B by itself',
  String.raw`
  A write r.txt "base"
  sync
  A write r.txt "from A"
  B write r.txt "from B"
  sync
  expect conflict r.txt kind=fork on A,B
  A resolve r.txt keep=remote
  sync
  expect no conflicts on A,B
  expect files A,B "from B"
`,
);

scenario(
  'keep both when the conflict-copy name is taken picks " 2"',
  String.raw`
  A write plan.txt "base"
  sync
  A write plan.txt "edit from A"
  B write plan.txt "edit from B"
  sync
  expect conflict plan.txt kind=fork sides=2 on A
  A squat-copies plan.txt
  A resolve plan.txt keep=both
  expect copy A suffix=" 2"
  sync
  expect no conflicts on A,B
`,
);
