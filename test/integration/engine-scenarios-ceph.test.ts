// The engine's scenario table (test/helpers/scenario-table.ts), unchanged, on Ceph RGW 16
// (zone-a of the test multisite; the shared cluster under `npm test`): the engine's account
// is a custom S3-compatible endpoint (a recording proxy in front of the server); the table's
// `VERB@WHERE` lines say where S3 semantics differ here and why.
import { scenarioSuite } from '../helpers/scenario-table.js';

scenarioSuite('ceph');
